package x86

import "testing"

// TestSpinXchg: a test-and-set spin on a held lock ("while(xchg(&lk->
// locked, 1)) ;") stops the Run early with Spinning; once another CPU
// releases the lock, the next Run goes on.
func TestSpinXchg(t *testing.T) {
	tb := newTestBoard(t)
	c := tb.cpu
	code := []byte{
		0xB8, 1, 0, 0, 0, // mov eax, 1
		0x87, 0x05, 0, 0, 8, 0, // L: xchg [0x80000], eax
		0x85, 0xC0, // test eax, eax
		0x75, 0xF6, // jnz L
		0xF4, // hlt
	}
	must(t, tb.bus.WriteRAM(0x10000, code))
	tb.bus.RAM[0x80000] = 1
	c.EnterMultiboot(0x10000, 0, 0)
	n := c.Run(1_000_000)
	if !c.Spinning() || n >= 1000 {
		t.Fatalf("ran %d steps, spinning %v: want an early stop", n, c.Spinning())
	}
	if n := c.Run(1_000_000); !c.Spinning() || n >= 1000 {
		t.Fatalf("second Run: %d steps, spinning %v", n, c.Spinning())
	}
	tb.bus.RAM[0x80000] = 0 // released by another CPU
	c.Run(1_000_000)
	if !c.Halted() || tb.bus.RAM[0x80000] != 1 {
		t.Fatalf("did not take the lock and go on (eip %#x)", c.EIP())
	}
}

// TestSpinNotCounting: a loop that counts is not a spin.
func TestSpinNotCounting(t *testing.T) {
	tb := newTestBoard(t)
	c := tb.cpu
	code := []byte{0x41, 0xEB, 0xFD} // L: inc ecx; jmp L
	must(t, tb.bus.WriteRAM(0x10000, code))
	c.EnterMultiboot(0x10000, 0, 0)
	if n := c.Run(100_000); n != 100_000 || c.Spinning() {
		t.Fatalf("ran %d steps, spinning %v", n, c.Spinning())
	}
}
