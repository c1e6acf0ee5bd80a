package inproc

import (
	"debug/elf"
	"encoding/binary"

	"github.com/xv6emu/xv6emu/machine/elfload"
)

// A tiny assembler for synthetic guests: bare M-mode programs on one hart
// that talk to the UART directly. They let the backend be tested without a
// cross compiler or a kernel image.

const (
	rZero = 0
	rT0   = 5 // UART base
	rT1   = 6
	rT2   = 7
	rT3   = 28
)

type asm struct{ words []uint32 }

func (a *asm) pc() int32 { return int32(4 * len(a.words)) }

func (a *asm) emit(w uint32) { a.words = append(a.words, w) }

func (a *asm) lui(rd int, imm20 uint32) { a.emit(imm20<<12 | uint32(rd)<<7 | 0x37) }

func (a *asm) itype(f3 uint32, opcode uint32, rd, rs1 int, imm int32) {
	a.emit(uint32(imm)<<20 | uint32(rs1)<<15 | f3<<12 | uint32(rd)<<7 | opcode)
}

func (a *asm) addi(rd, rs1 int, imm int32) { a.itype(0, 0x13, rd, rs1, imm) }
func (a *asm) andi(rd, rs1 int, imm int32) { a.itype(7, 0x13, rd, rs1, imm) }
func (a *asm) lbu(rd, rs1 int, imm int32)  { a.itype(4, 0x03, rd, rs1, imm) }

func (a *asm) sb(rs2, rs1 int, imm int32) {
	u := uint32(imm)
	a.emit((u>>5&0x7F)<<25 | uint32(rs2)<<20 | uint32(rs1)<<15 | (u&0x1F)<<7 | 0x23)
}

// branch to the absolute code offset target (f3 0 = beq, 1 = bne).
func (a *asm) branch(f3 uint32, rs1, rs2 int, target int32) {
	u := uint32(target - a.pc())
	a.emit((u>>12&1)<<31 | (u>>5&0x3F)<<25 | uint32(rs2)<<20 | uint32(rs1)<<15 | f3<<12 |
		(u>>1&0xF)<<8 | (u>>11&1)<<7 | 0x63)
}

// jump to the absolute code offset target.
func (a *asm) jump(target int32) {
	u := uint32(target - a.pc())
	a.emit((u>>20&1)<<31 | (u>>1&0x3FF)<<21 | (u>>11&1)<<20 | (u>>12&0xFF)<<12 | 0x6F)
}

func (a *asm) wfi() { a.emit(0x10500073) }

// print writes s to the UART, one store per byte.
func (a *asm) print(s string) {
	for i := 0; i < len(s); i++ {
		a.addi(rT1, rZero, int32(s[i]))
		a.sb(rT1, rT0, 0)
	}
}

// guest assembles a program that prints boot, then does body.
func guest(boot string, body func(a *asm)) []byte {
	var a asm
	a.lui(rT0, 0x10000)
	a.print(boot)
	body(&a)
	return elfImage(a.words)
}

// shellGuest pretends to be xv6's shell: it prints a prompt, echoes what
// it reads and answers each line with "ok" and a new prompt.
func shellGuest() []byte {
	return guest("boot\n$ ", func(a *asm) {
		loop := a.pc()
		a.lbu(rT1, rT0, 5) // LSR: data ready?
		a.andi(rT1, rT1, 1)
		a.branch(0, rT1, rZero, loop)
		a.lbu(rT2, rT0, 0) // RHR
		a.sb(rT2, rT0, 0)  // echo
		a.addi(rT3, rZero, '\n')
		a.branch(1, rT2, rT3, loop)
		a.print("ok\n$ ")
		a.jump(loop)
	})
}

// spinGuest prints boot and spins forever.
func spinGuest(boot string) []byte {
	return guest(boot, func(a *asm) { a.jump(a.pc()) })
}

// floodGuest prints boot and then 'x' forever.
func floodGuest() []byte {
	return guest("boot\n", func(a *asm) {
		loop := a.pc()
		a.print("x")
		a.jump(loop)
	})
}

// sleepGuest waits for an interrupt that never comes.
func sleepGuest() []byte {
	return guest("boot\n", func(a *asm) {
		loop := a.pc()
		a.wfi()
		a.jump(loop)
	})
}

// elfImage wraps code in an ELF64 RISC-V executable loaded and entered at
// 0x80000000.
func elfImage(code []uint32) []byte {
	image := make([]byte, 4*len(code))
	for i, w := range code {
		binary.LittleEndian.PutUint32(image[4*i:], w)
	}
	return elfload.Executable(elf.EM_RISCV, elf.ET_EXEC, 0x80000000, image)
}
