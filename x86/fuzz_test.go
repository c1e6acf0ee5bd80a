package x86

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/xv6emu/xv6emu/bus"
)

// Fuzz targets: no byte stream, executed in ring 0 or ring 3, with or
// without paging, may panic the emulator or run past its budget.

const (
	fzGDT   = 0x1000
	fzIDT   = 0x2000
	fzTSS   = 0x3000
	fzTrap  = 0x4000 // every vector's handler: hlt
	fzPD    = 0x5000
	fzCode  = 0x10000
	fzStack = 0x80000
)

func putDesc(ram []byte, at uint32, base, limit uint32, access, flags uint8) {
	lo := limit&0xFFFF | base<<16
	hi := base>>16&0xFF | uint32(access)<<8 | limit&0xF0000 | uint32(flags)<<20 | base&0xFF000000
	binary.LittleEndian.PutUint32(ram[at:], lo)
	binary.LittleEndian.PutUint32(ram[at+4:], hi)
}

// newFuzzCPU builds a small protected-mode world: a GDT with ring-0 and
// ring-3 flat segments and a TSS, an IDT whose every gate (DPL 3) leads to
// a hlt, and optionally a page directory of 4 MiB user pages.
func newFuzzCPU(t testing.TB, code []byte, user, paging bool) (*CPU, *bus.Bus) {
	b := bus.New(0, 8<<20)
	ram := b.RAM
	putDesc(ram, fzGDT+8, 0, 0xFFFFF, 0x9A, 0xC)
	putDesc(ram, fzGDT+16, 0, 0xFFFFF, 0x92, 0xC)
	putDesc(ram, fzGDT+24, 0, 0xFFFFF, 0xFA, 0xC)
	putDesc(ram, fzGDT+32, 0, 0xFFFFF, 0xF2, 0xC)
	putDesc(ram, fzGDT+40, fzTSS, 0x67, 0x89, 0)
	binary.LittleEndian.PutUint32(ram[fzTSS+4:], fzStack-0x1000)
	binary.LittleEndian.PutUint32(ram[fzTSS+8:], 0x10)
	for v := uint32(0); v < 256; v++ {
		binary.LittleEndian.PutUint32(ram[fzIDT+8*v:], fzTrap&0xFFFF|0x08<<16)
		binary.LittleEndian.PutUint32(ram[fzIDT+8*v+4:], fzTrap&0xFFFF0000|0xEE00)
	}
	ram[fzTrap] = 0xF4 // hlt
	for i := uint32(0); i < 2; i++ {
		binary.LittleEndian.PutUint32(ram[fzPD+4*i:], i<<22|0x87)
	}
	copy(ram[fzCode:], code)
	c := New(0, b, nil)
	c.EnterMultiboot(fzCode, 0x2BADB002, 0)
	c.gdtr = tableReg{fzGDT, 47}
	c.idtr = tableReg{fzIDT, 2047}
	_, lo, hi := c.readDesc(0x28, excGP)
	c.tr = descSeg(0x28, lo, hi)
	if paging {
		c.cr4 |= cr4PSE
		c.cr3 = fzPD
		c.setCR0(c.cr0 | cr0PG | cr0WP)
	}
	if user {
		_, lo, hi := c.readDesc(0x1B, excGP)
		c.setCS(descSeg(0x1B, lo, hi))
		_, lo, hi = c.readDesc(0x23, excGP)
		for _, s := range []int{ES, SS, DS, FS, GS} {
			c.seg[s] = descSeg(0x23, lo, hi)
		}
		c.setCPL(3)
	}
	c.r[ESP] = fzStack
	for i := range 8 {
		if i != ESP && len(code) > 4*i+3 {
			c.r[i] = binary.LittleEndian.Uint32(code[4*i:])
		}
	}
	return c, b
}

func fuzzRun(t *testing.T, code []byte, user, paging bool) {
	c, b := newFuzzCPU(t, code, user, paging)
	defer b.Close()
	const budget = 3000
	var total uint64
	for i := 0; i < 10 && total < budget; i++ {
		n := c.Run(budget - total)
		if n > budget-total {
			t.Fatalf("Run(%d) took %d steps", budget-total, n)
		}
		total += n
		checkSpin(t, c)
		if n == 0 {
			break
		}
	}
	if _, down := c.Shutdown(); !down && c.cpl == 3 && c.CR0()&cr0PG != 0 && !paging {
		t.Fatalf("paging turned on from ring 3")
	}
}

// checkSpin checks, when the last Run reported a spin (or a cycle), that
// the CPU really is at a fixed point: stepping on one instruction per Run
// with cycle detection off (spin detection restarts every Run, so it
// never fires), it comes back to the same EIP with the same registers,
// flags and memory, a few times, and takes no exception.
func checkSpin(t *testing.T, c *CPU) {
	if !c.Spinning() {
		return
	}
	c.cyc.off, c.cyc.found = true, false
	c.endProbe()
	defer func() { c.cyc.off = false }()
	eip, regs, flags := c.eip, c.snapshot().r, c.getFlags()
	ram := bytes.Clone(c.ram)
	exc, returns := c.Stats.Exceptions, 0
	// A spin is back in the same state on every visit to eip; a cycle only
	// once per period, which may span several visits (an inner loop that
	// wraps a byte before the outer one comes round, say).
	for i := 0; i < 3000 && returns < 2; i++ {
		c.Run(1)
		if c.eip == eip && c.snapshot().r == regs && c.getFlags() == flags && bytes.Equal(ram, c.ram) {
			returns++
		}
	}
	if returns < 2 || c.Stats.Exceptions != exc {
		t.Fatalf("spin at %#x: not a fixed point (back in its state %d times in 3000 steps)", eip, returns)
	}
}

func fuzzSeeds(f *testing.F) {
	f.Add([]byte{0x90, 0x90, 0xF4})
	f.Add([]byte{0xFB, 0x90, 0xEB, 0xFD})                                           // sti; a pure spin
	f.Add([]byte{0xB8, 1, 0, 0, 0, 0x87, 0x05, 0, 0, 8, 0, 0x85, 0xC0, 0x75, 0xF6}) // xchg spin
	f.Add([]byte{0x0F, 0x0B})
	f.Add([]byte{0xCD, 0x40, 0xEB, 0xFC})
	f.Add([]byte{0xF3, 0xAB, 0xF3, 0xA5, 0xCF})
	f.Add([]byte{0x8E, 0xD8, 0xCB, 0x9A, 0, 0, 0, 0, 0x1B, 0})
	f.Add([]byte{0x0F, 0x01, 0x15, 0, 0x10, 0, 0, 0x0F, 0x22, 0xD8, 0xE4, 0x60})
	f.Add([]byte{0xF0, 0x0F, 0xC7, 0x0D, 0, 0, 8, 0, 0x86, 0x05, 0, 0, 8, 0, 0xEB, 0xF0})
	f.Add([]byte("1\xfb\xeb\xfb")) // a cycle of 384 steps whose stop pc is visited more often
}

func FuzzExecuteRing0(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, code []byte) {
		paging := len(code) > 0 && code[0]&1 != 0
		fuzzRun(t, code, false, paging)
	})
}

func FuzzExecuteRing3(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, code []byte) {
		paging := len(code) > 0 && code[0]&1 != 0
		fuzzRun(t, code, true, paging)
	})
}

// FuzzDecode: any bytes decode to some instruction of at most 15 bytes
// without reading past the input.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x66, 0x67, 0xF0, 0x0F, 0xC7, 0x0C, 0x24})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, big := range []bool{true, false} {
			var in insn
			if decode(b, big, &in) && (in.len == 0 || in.len > maxInsnLen || int(in.len) > len(b) && in.op != opTooLong) {
				t.Fatalf("% x: length %d", b, in.len)
			}
		}
	})
}
