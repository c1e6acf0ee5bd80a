package x86

import "testing"

type fakeAPIC struct {
	id    uint32
	reads int
}

func (a *fakeAPIC) Read(off uint64, size int) uint64 {
	a.reads++
	if off == 0x20 {
		return uint64(a.id)
	}
	return 0
}

func (a *fakeAPIC) Write(off uint64, size int, v uint64) {
	if off == 0x20 {
		a.id = uint32(v)
	}
}

// TestAPICIDCache: repeated reads of the local APIC's ID register reach
// the device once, and a write to the APIC page is seen by the next read.
func TestAPICIDCache(t *testing.T) {
	tb := newTestBoard(t)
	dev := &fakeAPIC{id: 1 << 24}
	must(t, tb.bus.Map(0xFEE00000, 0x1000, dev, "lapic"))
	prog := []byte{
		0xA1, 0x20, 0x00, 0xE0, 0xFE, // mov eax, [0xFEE00020]
		0x8B, 0x15, 0x20, 0x00, 0xE0, 0xFE, // mov edx, [0xFEE00020]
		0xBB, 0x00, 0x00, 0x00, 0x05, // mov ebx, 0x05000000
		0x89, 0x1D, 0x20, 0x00, 0xE0, 0xFE, // mov [0xFEE00020], ebx
		0x8B, 0x0D, 0x20, 0x00, 0xE0, 0xFE, // mov ecx, [0xFEE00020]
		0xF4, // hlt
	}
	copy(tb.bus.RAM[0x1000:], prog)
	c := tb.cpu
	c.EnterMultiboot(0x1000, 0x2BADB002, 0)
	c.Run(100)
	if !c.Halted() {
		t.Fatalf("not halted at eip %#x", c.EIP())
	}
	if c.Reg(EAX) != 1<<24 || c.Reg(EDX) != 1<<24 || c.Reg(ECX) != 5<<24 {
		t.Errorf("eax %#x edx %#x ecx %#x: want 0x1000000 0x1000000 0x5000000", c.Reg(EAX), c.Reg(EDX), c.Reg(ECX))
	}
	if dev.reads != 2 {
		t.Errorf("%d device reads, want 2 (one before and one after the write)", dev.reads)
	}
}
