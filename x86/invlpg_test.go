package x86

import (
	"encoding/binary"
	"testing"
)

// invlpgRun maps linear pages 0x405000 and 0x406000 (TLB slots apart
// from the code's and the page tables') to physical 0x200000 and
// 0x201000, reads both (caching them), remaps them to 0x300000 and
// 0x301000, runs invlpg on 0x405000 and reads both again into EDX and
// ESI. With big set it first reads through a 4 MiB page.
func invlpgRun(t *testing.T, big bool) *CPU {
	tb := newTestBoard(t)
	ram := tb.bus.RAM
	put := func(a, v uint32) { binary.LittleEndian.PutUint32(ram[a:], v) }
	for i := uint32(0); i < 1024; i++ {
		put(0x11000+4*i, i<<12|3) // the first 4 MiB, identity
	}
	put(0x10000, 0x11003)
	put(0x10004, 0x12003)
	put(0x10008, 0x800000|0x83) // a 4 MiB page at 8 MiB
	put(0x12014, 0x200003)
	put(0x12018, 0x201003)
	put(0x200000, 0xAAAA)
	put(0x201000, 0xCCCC)
	put(0x300000, 0xBBBB)
	put(0x301000, 0xDDDD)
	prog := []byte{
		0xB8, 0x10, 0x00, 0x00, 0x00, // mov eax, 0x10 (CR4.PSE)
		0x0F, 0x22, 0xE0, // mov cr4, eax
		0xB8, 0x00, 0x00, 0x01, 0x00, // mov eax, 0x10000
		0x0F, 0x22, 0xD8, // mov cr3, eax
		0x0F, 0x20, 0xC0, // mov eax, cr0
		0x0D, 0x00, 0x00, 0x00, 0x80, // or eax, 0x80000000
		0x0F, 0x22, 0xC0, // mov cr0, eax
		0x8B, 0x1D, 0x00, 0x50, 0x40, 0x00, // mov ebx, [0x405000]
		0x8B, 0x0D, 0x00, 0x60, 0x40, 0x00, // mov ecx, [0x406000]
	}
	if big {
		prog = append(prog, 0x8B, 0x3D, 0x00, 0x00, 0x80, 0x00) // mov edi, [0x800000]
	}
	prog = append(prog,
		0xC7, 0x05, 0x14, 0x20, 0x01, 0x00, 0x03, 0x00, 0x30, 0x00, // mov dword [0x12014], 0x300003
		0xC7, 0x05, 0x18, 0x20, 0x01, 0x00, 0x03, 0x10, 0x30, 0x00, // mov dword [0x12018], 0x301003
		0x0F, 0x01, 0x3D, 0x00, 0x50, 0x40, 0x00, // invlpg [0x405000]
		0x8B, 0x15, 0x00, 0x50, 0x40, 0x00, // mov edx, [0x405000]
		0x8B, 0x35, 0x00, 0x60, 0x40, 0x00, // mov esi, [0x406000]
		0xF4, // hlt
	)
	copy(ram[0x1000:], prog)
	c := tb.cpu
	c.EnterMultiboot(0x1000, 0x2BADB002, 0)
	c.cyc.off = true // a cycle probe would keep the TLB empty
	c.Run(100)
	if !c.Halted() {
		t.Fatalf("not halted at eip %#x", c.EIP())
	}
	if c.Reg(EBX) != 0xAAAA || c.Reg(ECX) != 0xCCCC || c.Reg(EDX) != 0xBBBB {
		t.Errorf("ebx %#x ecx %#x edx %#x: want 0xaaaa 0xcccc 0xbbbb", c.Reg(EBX), c.Reg(ECX), c.Reg(EDX))
	}
	return c
}

// TestInvlpgOnePage: invlpg drops the named page's translation and keeps
// the neighbour's (a TLB may keep it; ours does, which is the point).
func TestInvlpgOnePage(t *testing.T) {
	if c := invlpgRun(t, false); c.Reg(ESI) != 0xCCCC {
		t.Errorf("esi %#x: want the neighbour still cached (0xcccc)", c.Reg(ESI))
	}
}

// TestInvlpgAfterBigPage: once a 4 MiB page was translated (cached per
// 4 KiB), invlpg flushes everything, so the remapped neighbour is seen.
func TestInvlpgAfterBigPage(t *testing.T) {
	c := invlpgRun(t, true)
	if c.Reg(EDI) != 0 || c.Reg(ESI) != 0xDDDD {
		t.Errorf("edi %#x esi %#x: want 0 (RAM at 8 MiB) and 0xdddd", c.Reg(EDI), c.Reg(ESI))
	}
}
