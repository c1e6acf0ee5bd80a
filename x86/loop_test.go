package x86

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// loopProgram fills three pages in the style of our kernel's memset,
// copies 5000 bytes one at a time to an odd address (movzx, inc, inc,
// store byte, cmp, jne), copies 8 KiB eight bytes a time against an end
// pointer on the stack, and halts. Pages are crossed mid-body, so idioms
// stop at TLB misses inside an iteration.
var loopProgram = []byte{
	0xBC, 0x00, 0x00, 0x08, 0x00, // mov esp, 0x80000
	0xBF, 0x08, 0x00, 0x02, 0x00, // mov edi, 0x20008
	0xB9, 0x00, 0x30, 0x02, 0x00, // mov ecx, 0x23000
	0xB8, 0x44, 0x33, 0x22, 0x11, // mov eax, 0x11223344
	0xBA, 0x88, 0x77, 0x66, 0x55, // mov edx, 0x55667788
	0x89, 0x47, 0xF8, // 1: mov [edi-8], eax
	0x83, 0xC7, 0x08, // add edi, 8
	0x89, 0x57, 0xF4, // mov [edi-12], edx
	0x39, 0xF9, // cmp ecx, edi
	0x73, 0xF3, // jae 1b
	0xB8, 0x00, 0x00, 0x02, 0x00, // mov eax, 0x20000
	0xBA, 0x01, 0x00, 0x03, 0x00, // mov edx, 0x30001
	0xB9, 0x88, 0x13, 0x02, 0x00, // mov ecx, 0x21388
	0x0F, 0xB6, 0x18, // 2: movzx ebx, byte [eax]
	0x40,             // inc eax
	0x42,             // inc edx
	0x88, 0x5A, 0xFF, // mov [edx-1], bl
	0x39, 0xC8, // cmp eax, ecx
	0x75, 0xF4, // jne 2b
	0xBB, 0x00, 0x00, 0x03, 0x00, // mov ebx, 0x30000
	0xBA, 0x0C, 0x00, 0x04, 0x00, // mov edx, 0x4000C
	0x68, 0x04, 0x20, 0x04, 0x00, // push 0x42004
	0x89, 0xE5, // mov ebp, esp
	0x8B, 0x33, // 3: mov esi, [ebx]
	0x83, 0xC2, 0x08, // add edx, 8
	0x83, 0xC3, 0x08, // add ebx, 8
	0x8B, 0x7B, 0xFC, // mov edi, [ebx-4]
	0x89, 0x72, 0xF0, // mov [edx-16], esi
	0x89, 0x7A, 0xF4, // mov [edx-12], edi
	0x39, 0x55, 0x00, // cmp [ebp], edx
	0x73, 0xEA, // jae 3b
	0xF4, // hlt
}

// twinBoards returns two boards whose CPUs enter program at entry (after
// setup, if any, has prepared each board's RAM): the first with loop
// idioms, the second interpreting every instruction.
func twinBoards(t *testing.T, entry uint32, program []byte, setup func(tb *testBoard)) [2]*testBoard {
	t.Helper()
	var boards [2]*testBoard
	for i := range boards {
		tb := newTestBoard(t)
		copy(tb.bus.RAM[entry:], program)
		if setup != nil {
			setup(tb)
		}
		tb.cpu.EnterMultiboot(entry, 0x2BADB002, 0)
		tb.cpu.loopsOff = i == 1
		boards[i] = tb
	}
	return boards
}

// TestLoopIdioms: with loop idioms on, the program ends in the same state
// as when the interpreter runs every instruction, and so does every Run
// along the way, for Run budgets that end anywhere in the loops.
func TestLoopIdioms(t *testing.T) {
	const entry = 0x1000
	boards := twinBoards(t, entry, loopProgram, nil)
	a, b := boards[0].cpu, boards[1].cpu
	for k := 0; !a.Halted() || !b.Halted(); k++ {
		budget := uint64(1 + k*7%97)
		if k%5 == 0 {
			budget = 5000
		}
		na, nb := a.Run(budget), b.Run(budget)
		if na != nb || a.EIP() != b.EIP() || a.EFLAGS() != b.EFLAGS() || a.r != b.r {
			t.Fatalf("Run %d (budget %d): idioms ran %d steps to eip %#x flags %#x regs %x; interpreter %d to %#x %#x %x",
				k, budget, na, a.EIP(), a.EFLAGS(), a.r[:8], nb, b.EIP(), b.EFLAGS(), b.r[:8])
		}
		if k > 1_000_000 {
			t.Fatal("program did not halt")
		}
	}
	if !bytes.Equal(boards[0].bus.RAM[:0x80000], boards[1].bus.RAM[:0x80000]) {
		t.Error("memory differs")
	}
	if a.Instret() != b.Instret() {
		t.Errorf("instret %d vs %d", a.Instret(), b.Instret())
	}
	if a.loopRuns == 0 || b.loopRuns != 0 {
		t.Errorf("idioms ran %d times with them on, %d with them off", a.loopRuns, b.loopRuns)
	}
	want := []byte{0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55}
	if got := boards[0].bus.RAM[0x22FF8:0x23000]; !bytes.Equal(got, want) {
		t.Errorf("last filled bytes % x, want % x", got, want)
	}
	ram := boards[0].bus.RAM
	if !bytes.Equal(ram[0x40004:0x42004], ram[0x30000:0x32000]) {
		t.Error("8-byte copy: destination differs from source")
	}
	if !bytes.Equal(ram[0x30001:0x31389], ram[0x20000:0x21388]) {
		t.Error("byte copy: destination differs from source")
	}
}

// scanProgram walks a table of 64 entries of 0xB4 bytes in the style of
// our kernel's wakeup (a loop with three back edges and an exit), marks
// the entries that match, then waits for a flag at 0x5000 to be set.
var scanProgram = []byte{
	0xBB, 0x00, 0x00, 0x05, 0x00, // mov ebx, 0x50000
	0xBF, 0x84, 0x03, 0x05, 0x00, // mov edi, 0x50384 (entry 5: skipped)
	0xBE, 0x34, 0x12, 0x00, 0x00, // mov esi, 0x1234
	0xEB, 0x0E, // jmp 2f
	0x81, 0xC3, 0xB4, 0x00, 0x00, 0x00, // 1: add ebx, 0xB4
	0x81, 0xFB, 0x00, 0x2D, 0x05, 0x00, // cmp ebx, 0x52D00
	0x74, 0x1C, // je 3f
	0x39, 0xDF, // 2: cmp edi, ebx
	0x74, 0xEE, // je 1b
	0x8B, 0x43, 0x0C, // mov eax, [ebx+0xC]
	0x83, 0xF8, 0x02, // cmp eax, 2
	0x75, 0xE6, // jne 1b
	0x8B, 0x43, 0x10, // mov eax, [ebx+0x10]
	0x39, 0xC6, // cmp esi, eax
	0x75, 0xDF, // jne 1b
	0xC7, 0x43, 0x0C, 0x03, 0x00, 0x00, 0x00, // mov dword [ebx+0xC], 3
	0xEB, 0xD6, // jmp 1b
	0xB9, 0x00, 0x50, 0x00, 0x00, // 3: mov ecx, 0x5000
	0x8B, 0x01, // 4: mov eax, [ecx]
	0x85, 0xC0, // test eax, eax
	0x74, 0xFA, // je 4b
	0xF4, // hlt
}

// TestLoopIdiomBranches: a loop with several back edges and an exit runs
// as in the interpreter, Run by Run, and a loop waiting on memory is
// still found to spin (and goes on once the memory changes).
func TestLoopIdiomBranches(t *testing.T) {
	const entry = 0x1000
	boards := twinBoards(t, entry, scanProgram, func(tb *testBoard) {
		for _, e := range []struct{ i, state, ch uint32 }{{5, 2, 0x1234}, {10, 2, 0x1234}, {40, 2, 0x9999}, {50, 2, 0x1234}, {63, 1, 0x1234}} {
			binary.LittleEndian.PutUint32(tb.bus.RAM[0x50000+e.i*0xB4+0xC:], e.state)
			binary.LittleEndian.PutUint32(tb.bus.RAM[0x50000+e.i*0xB4+0x10:], e.ch)
		}
	})
	a, b := boards[0].cpu, boards[1].cpu
	spins := 0
	for k := 0; !a.Halted() || !b.Halted(); k++ {
		if spins == 3 {
			for _, tb := range boards {
				tb.bus.RAM[0x5000] = 1 // "another CPU" sets the flag
			}
		}
		budget := uint64(1 + k*13%61)
		if k%4 == 0 {
			budget = 3000
		}
		na, nb := a.Run(budget), b.Run(budget)
		if na != nb || a.EIP() != b.EIP() || a.EFLAGS() != b.EFLAGS() || a.r != b.r || a.Spinning() != b.Spinning() {
			t.Fatalf("Run %d (budget %d): idioms ran %d steps to eip %#x flags %#x regs %x spinning %v; interpreter %d to %#x %#x %x %v",
				k, budget, na, a.EIP(), a.EFLAGS(), a.r[:8], a.Spinning(), nb, b.EIP(), b.EFLAGS(), b.r[:8], b.Spinning())
		}
		if a.Spinning() {
			spins++
		}
		if k > 100_000 {
			t.Fatal("program did not halt")
		}
	}
	if spins < 3 {
		t.Errorf("the wait on memory was not found to spin")
	}
	if a.loopRuns == 0 {
		t.Error("no loop idiom ran")
	}
	ram := boards[0].bus.RAM
	if !bytes.Equal(ram[:0x60000], boards[1].bus.RAM[:0x60000]) {
		t.Error("memory differs")
	}
	for i, want := range map[uint32]uint32{5: 2, 10: 3, 40: 2, 50: 3, 63: 1} {
		if got := binary.LittleEndian.Uint32(ram[0x50000+i*0xB4+0xC:]); got != want {
			t.Errorf("entry %d state %d, want %d", i, got, want)
		}
	}
}
