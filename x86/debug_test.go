package x86

import "testing"

// debugProg counts EAX from 1 to 5, storing each value at 0x2000, then
// halts.
var debugProg = []byte{
	0xB8, 0, 0, 0, 0, // 1000: mov eax, 0
	0x40,                   // 1005: inc eax
	0xA3, 0x00, 0x20, 0, 0, // 1006: mov [0x2000], eax
	0x8B, 0x1D, 0x00, 0x30, 0, 0, // 100B: mov ebx, [0x3000]
	0x83, 0xF8, 0x05, // 1011: cmp eax, 5
	0x75, 0xEF, // 1014: jne 1005
	0xF4, // 1016: hlt
}

func newDebugBoard(t *testing.T) *testBoard {
	tb := newTestBoard(t)
	copy(tb.bus.RAM[0x1000:], debugProg)
	tb.cpu.EnterMultiboot(0x1000, 0, 0)
	return tb
}

func TestDebugRunBreakStepWatch(t *testing.T) {
	tb := newDebugBoard(t)
	c := tb.cpu
	c.SetBreaks([]uint32{0x1011})
	n, stop := c.DebugRun(1000)
	if stop != DebugBreak || c.EIP() != 0x1011 || c.Reg(EAX) != 1 || n != 4 {
		t.Fatalf("break: stop %d after %d at %#x eax %d; want a break after 4 at 0x1011 with eax 1", stop, n, c.EIP(), c.Reg(EAX))
	}
	// Stopped at a breakpoint, the same call stops again without running.
	if n, stop := c.DebugRun(1000); stop != DebugBreak || n != 0 {
		t.Fatalf("rerun at a breakpoint: stop %d after %d", stop, n)
	}
	// The loop comes back to the breakpoint (fetched from a page that is
	// never the fetch page while it holds one).
	c.Step()
	if n, stop := c.DebugRun(1000); stop != DebugBreak || n != 4 || c.Reg(EAX) != 2 {
		t.Fatalf("second hit: stop %d after %d, eax %d", stop, n, c.Reg(EAX))
	}
	c.SetBreaks(nil)
	if got := c.Step(); got != 1 || c.EIP() != 0x1014 {
		t.Fatalf("step: %d steps, eip %#x; want 1, 0x1014", got, c.EIP())
	}
	if c.Step(); c.EIP() != 0x1005 {
		t.Fatalf("step over the taken jne: eip %#x", c.EIP())
	}

	c.SetWatches([]Watch{{Addr: 0x2002, Len: 2, Write: true}, {Addr: 0x3000, Len: 4, Read: true}})
	n, stop = c.DebugRun(1000)
	i, addr, write, ok := c.WatchHit()
	if stop != DebugWatch || !ok || i != 0 || addr != 0x2002 || !write || c.EIP() != 0x100B || n != 2 {
		t.Fatalf("write watch: stop %d after %d at %#x, hit %d %#x write %v ok %v", stop, n, c.EIP(), i, addr, write, ok)
	}
	if got := tb.bus.RAM[0x2000]; got != 3 {
		t.Fatalf("the store happened before the stop (x86 data breakpoints are traps): [0x2000] = %d", got)
	}
	n, stop = c.DebugRun(1000)
	i, addr, write, _ = c.WatchHit()
	if stop != DebugWatch || i != 1 || addr != 0x3000 || write || c.EIP() != 0x1011 || n != 1 {
		t.Fatalf("read watch: stop %d after %d at %#x, hit %d %#x write %v", stop, n, c.EIP(), i, addr, write)
	}

	// A hit in the last instruction of a budget is still reported.
	c.SetWatches([]Watch{{Addr: 0x2000, Len: 4, Write: true}})
	if n, stop := c.DebugRun(4); stop != DebugWatch || n != 4 || c.EIP() != 0x100B {
		t.Fatalf("hit at the budget's end: stop %d after %d at %#x", stop, n, c.EIP())
	}
	c.SetWatches(nil)
	if _, stop = c.DebugRun(1000); stop != DebugNone || !c.Halted() || c.Reg(EAX) != 5 {
		t.Fatalf("no watches: stop %d, halted %v, eax %d", stop, c.Halted(), c.Reg(EAX))
	}
}

func TestDebugTranslateChangesNothing(t *testing.T) {
	tb := newDebugBoard(t)
	c := tb.cpu
	if pa, ok := c.DebugTranslate(0x12345); !ok || pa != 0x12345 {
		t.Fatalf("paging off: %#x %v", pa, ok)
	}
	// A page directory at 0x10000 mapping 0x80000000 (4 KiB page) to
	// 0x5000 through a table at 0x11000, and 0x400000 by a 4 MiB page.
	put := func(at uint32, v uint32) {
		for i := 0; i < 4; i++ {
			tb.bus.RAM[at+uint32(i)] = byte(v >> (8 * i))
		}
	}
	put(0x10000+0x200*4, 0x11000|pteP|pteW)
	put(0x11000, 0x5000|pteP)
	put(0x10000+1*4, 0x800000|pteP|ptePS)
	c.SetCR(4, cr4PSE)
	c.SetCR(3, 0x10000)
	c.SetCR(0, c.CR0()|cr0PG)
	for _, tc := range []struct {
		lin uint32
		pa  uint64
		ok  bool
	}{{0x80000123, 0x5123, true}, {0x80001000, 0, false}, {0x401234, 0x801234, true}, {0x1000, 0, false}} {
		pa, ok := c.DebugTranslate(tc.lin)
		if ok != tc.ok || ok && pa != tc.pa {
			t.Errorf("%#x: %#x %v; want %#x %v", tc.lin, pa, ok, tc.pa, tc.ok)
		}
	}
	if pde := tb.bus.RAM[0x10000+0x200*4]; pde&pteA != 0 {
		t.Errorf("the walk set the A bit: pde %#x", pde)
	}
}

func TestSetSegFaultChangesNothing(t *testing.T) {
	tb := newDebugBoard(t)
	c := tb.cpu
	if c.SetSeg(DS, 0x38) { // beyond the (empty) GDT
		t.Fatal("loading a selector outside the GDT succeeded")
	}
	if c.Seg(DS) != 0x10 || c.EIP() != 0x1000 {
		t.Fatalf("a failed load changed the CPU: ds %#x eip %#x", c.Seg(DS), c.EIP())
	}
}
