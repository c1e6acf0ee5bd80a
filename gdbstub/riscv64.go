package gdbstub

import (
	"fmt"
	"strings"
)

// RV64 register numbers, as the target description below numbers them
// (and so as g/p/P address them): x0..x31, pc, f0..f31, then the CSRs in
// RV64CSRs order, then the virtual "priv" register.
const (
	RV64PC      = 32
	RV64FirstFP = 33
	RV64FirstCS = 65 // RV64CSRs[0]
)

// RV64CSRs are the CSR numbers the description offers, in register order:
// the three FP CSRs (in the FPU feature, where gdb looks for them), then
// the supervisor and machine registers an xv6 debugging session reads.
var RV64CSRs = [...]uint16{
	0x001, 0x002, 0x003, // fflags, frm, fcsr
	0x100, 0x104, 0x105, 0x140, 0x141, 0x142, 0x143, 0x144, 0x14D, 0x180,
	0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x30A, 0x340, 0x341, 0x342, 0x343, 0x344,
	0xF14, 0xC00, 0xC01, 0xC02,
}

// RV64Priv is the number of the "priv" register (0 U, 1 S, 3 M).
const RV64Priv = RV64FirstCS + len(RV64CSRs)

var rv64CSRNames = map[uint16]string{
	0x001: "fflags", 0x002: "frm", 0x003: "fcsr",
	0x100: "sstatus", 0x104: "sie", 0x105: "stvec", 0x140: "sscratch", 0x141: "sepc",
	0x142: "scause", 0x143: "stval", 0x144: "sip", 0x14D: "stimecmp", 0x180: "satp",
	0x300: "mstatus", 0x301: "misa", 0x302: "medeleg", 0x303: "mideleg", 0x304: "mie",
	0x305: "mtvec", 0x30A: "menvcfg", 0x340: "mscratch", 0x341: "mepc", 0x342: "mcause",
	0x343: "mtval", 0x344: "mip", 0xF14: "mhartid", 0xC00: "cycle", 0xC01: "time",
	0xC02: "instret",
}

// ABI names gdb's RISC-V support expects for x0..x31 (x8 as "fp") and
// f0..f31.
var (
	rv64XNames = strings.Fields(`zero ra sp gp tp t0 t1 t2 fp s1 a0 a1 a2 a3 a4 a5 a6 a7
		s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 t3 t4 t5 t6`)
	rv64FNames = strings.Fields(`ft0 ft1 ft2 ft3 ft4 ft5 ft6 ft7 fs0 fs1 fa0 fa1 fa2 fa3 fa4 fa5
		fa6 fa7 fs2 fs3 fs4 fs5 fs6 fs7 fs8 fs9 fs10 fs11 ft8 ft9 ft10 ft11`)
)

// RV64 describes a 64-bit RISC-V hart with F and D: the general registers
// and pc travel in the g packet, the rest only through p and P.
var RV64 = &Arch{
	XML:      rv64XML(),
	Regs:     RV64Priv + 1,
	GRegs:    RV64PC + 1,
	RegBytes: 8,
}

func rv64XML() string {
	var b strings.Builder
	reg := func(name string, num int, typ, group string) {
		fmt.Fprintf(&b, `    <reg name="%s" bitsize="64" regnum="%d" type="%s"`, name, num, typ)
		if group != "" {
			fmt.Fprintf(&b, ` group="%s"`, group)
		}
		b.WriteString("/>\n")
	}
	b.WriteString(`<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>riscv:rv64</architecture>
  <feature name="org.gnu.gdb.riscv.cpu">
`)
	for i, n := range rv64XNames {
		typ := "int"
		switch i {
		case 1:
			typ = "code_ptr"
		case 2, 3, 4, 8:
			typ = "data_ptr"
		}
		reg(n, i, typ, "general")
	}
	reg("pc", RV64PC, "code_ptr", "general")
	b.WriteString("  </feature>\n  <feature name=\"org.gnu.gdb.riscv.fpu\">\n")
	for i, n := range rv64FNames {
		reg(n, RV64FirstFP+i, "ieee_double", "float")
	}
	for i, c := range RV64CSRs {
		if i == 3 {
			b.WriteString("  </feature>\n  <feature name=\"org.gnu.gdb.riscv.csr\">\n")
		}
		group := "system"
		if i < 3 {
			group = "float"
		}
		reg(rv64CSRNames[c], RV64FirstCS+i, "int", group)
	}
	b.WriteString("  </feature>\n  <feature name=\"org.gnu.gdb.riscv.virtual\">\n")
	reg("priv", RV64Priv, "int", "system")
	b.WriteString("  </feature>\n</target>\n")
	return b.String()
}
