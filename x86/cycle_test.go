package x86

import (
	"debug/elf"
	"testing"
)

func symbol(t *testing.T, path, name string) uint32 {
	f, err := elf.Open(path)
	must(t, err)
	defer f.Close()
	syms, err := f.Symbols()
	must(t, err)
	for _, s := range syms {
		if s.Name == name {
			return uint32(s.Value)
		}
	}
	t.Fatalf("%s: no symbol %s", path, name)
	return 0
}

// TestCycle: an idle scan that takes and releases a lock with interrupts
// on is found to be a fixed point and stops the Run early; it stays
// stopped over later Runs; a store by "another CPU" that makes a table
// entry runnable, or an interrupt, ends the stop.
func TestCycle(t *testing.T) {
	const path = "testdata/elf/idle.elf"
	tb := newTestBoard(t)
	entry := tb.loadELF(t, path)
	c := tb.cpu
	c.EnterMultiboot(entry, 0x2BADB002, 0)
	var ran uint64
	for i := 0; i < 100 && !c.Spinning(); i++ {
		ran += c.Run(100_000)
	}
	if !c.Spinning() {
		t.Fatalf("idle scan not found after %d steps (eip %#x)", ran, c.EIP())
	}
	if c.flags&FlagIF == 0 || c.cpl != 0 {
		t.Errorf("stopped with IF=0 or CPL %d", c.cpl)
	}
	eip := c.EIP()
	if n := c.Run(100_000); n != 0 || !c.Spinning() || c.EIP() != eip {
		t.Errorf("next Run took %d steps (spinning %v): want 0, still stopped", n, c.Spinning())
	}
	// A memory change elsewhere that the loop does not read keeps it.
	tb.bus.RAM[0x300000] = 1
	if n := c.Run(100_000); n != 0 {
		t.Errorf("an unrelated store restarted the loop (%d steps)", n)
	}
	// Another CPU makes entry 5 runnable: the scan goes on and finds it.
	table := symbol(t, path, "table")
	tb.bus.RAM[table+5*4] = 3
	if err := tb.run(1_000_000); err != nil {
		t.Fatal(err)
	}
	if tb.code != 0x600D {
		t.Fatalf("verdict %#x, want 0x600D", tb.code)
	}
}

// TestCycleInterrupt: a deliverable interrupt ends a found cycle.
func TestCycleInterrupt(t *testing.T) {
	tb := newTestBoard(t)
	entry := tb.loadELF(t, "testdata/elf/idle.elf")
	c := tb.cpu
	c.EnterMultiboot(entry, 0x2BADB002, 0)
	for i := 0; i < 100 && !c.Spinning(); i++ {
		c.Run(100_000)
	}
	if !c.Spinning() {
		t.Fatal("idle scan not found")
	}
	acked := false
	c.SetIntAck(func() (uint8, bool) { acked = true; return 0x20, true })
	c.SetINTR(true)
	c.Run(10)
	if !acked {
		t.Fatal("the interrupt was not taken")
	}
}

// TestCycleFoundBySTI: with probes on the timer far off, the idle scan is
// still found within a few of its iterations, through the repeated state
// at its sti.
func TestCycleFoundBySTI(t *testing.T) {
	tb := newTestBoard(t)
	entry := tb.loadELF(t, "testdata/elf/idle.elf")
	c := tb.cpu
	c.EnterMultiboot(entry, 0x2BADB002, 0)
	c.cyc.nextProbe = 1 << 62
	var ran uint64
	for i := 0; i < 100 && !c.Spinning(); i++ {
		ran += c.Run(100)
	}
	if !c.Spinning() {
		t.Fatalf("idle scan not found after %d steps (eip %#x)", ran, c.EIP())
	}
	if c.cyc.nextProbe != 1<<62 {
		t.Errorf("a probe on the timer ran")
	}
}
