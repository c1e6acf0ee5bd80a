package gdbstub

import (
	"fmt"
	"strings"
)

// I386 register numbers, in the order gdb's i386 target numbers them (and
// so as g, p and P address them): the eight general registers in
// instruction-encoding order, eip, eflags, the six segment selectors,
// then the x87 registers gdb's i386 core feature requires (the CPU has no
// FPU: they read as unavailable), then the control registers.
const (
	I386EAX      = 0
	I386ESP      = 4
	I386EIP      = 8
	I386EFLAGS   = 9
	I386CS       = 10 // then ss, ds, es, fs, gs
	I386FirstX87 = 16
	I386FirstCR  = 32 // cr0, cr2, cr3, cr4
	i386Regs     = 36
)

// I386SegOrder lists the segment registers in register order (cs ss ds es
// fs gs) by their encoding numbers (es=0 cs=1 ss=2 ds=3 fs=4 gs=5).
var I386SegOrder = [6]int{1, 2, 3, 0, 4, 5}

var (
	i386GNames = strings.Fields("eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs")
	i386X87    = strings.Fields("st0 st1 st2 st3 st4 st5 st6 st7 fctrl fstat ftag fiseg fioff foseg fooff fop")
	i386CRs    = strings.Fields("cr0 cr2 cr3 cr4")
)

// I386 describes a 32-bit x86 CPU: the sixteen core registers travel in
// the g packet (as gdb's i386 'g' layout begins), the rest through p and P.
var I386 = &Arch{
	XML:      i386XML(),
	Regs:     i386Regs,
	GRegs:    I386FirstX87,
	RegBytes: 4,
	Sizes:    i386Sizes(),
	PC:       I386EIP,
}

func i386Sizes() []int {
	s := make([]int, i386Regs)
	for i := range s {
		s[i] = 4
	}
	for i := 0; i < 8; i++ {
		s[I386FirstX87+i] = 10
	}
	return s
}

func i386XML() string {
	var b strings.Builder
	reg := func(name string, num, bits int, typ, group string) {
		fmt.Fprintf(&b, `    <reg name="%s" bitsize="%d" regnum="%d" type="%s" group="%s"/>`+"\n",
			name, bits, num, typ, group)
	}
	b.WriteString(`<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>i386</architecture>
  <feature name="org.gnu.gdb.i386.core">
    <flags id="i386_eflags" size="4">
`)
	for _, f := range []struct {
		bit  int
		name string
	}{{0, "CF"}, {1, ""}, {2, "PF"}, {4, "AF"}, {6, "ZF"}, {7, "SF"}, {8, "TF"}, {9, "IF"}, {10, "DF"},
		{11, "OF"}, {14, "NT"}, {16, "RF"}, {17, "VM"}, {18, "AC"}, {19, "VIF"}, {20, "VIP"}, {21, "ID"}} {
		fmt.Fprintf(&b, `      <field name="%s" start="%d" end="%d"/>`+"\n", f.name, f.bit, f.bit)
	}
	b.WriteString("    </flags>\n")
	for i, n := range i386GNames {
		typ := "int32"
		switch {
		case i == I386ESP || i == I386ESP+1:
			typ = "data_ptr"
		case i == I386EIP:
			typ = "code_ptr"
		case i == I386EFLAGS:
			typ = "i386_eflags"
		}
		reg(n, i, 32, typ, "general")
	}
	for i, n := range i386X87 {
		if i < 8 {
			reg(n, I386FirstX87+i, 80, "i387_ext", "float")
		} else {
			reg(n, I386FirstX87+i, 32, "int", "float")
		}
	}
	b.WriteString("  </feature>\n  <feature name=\"org.xv6emu.i386.sys\">\n")
	for i, n := range i386CRs {
		reg(n, I386FirstCR+i, 32, "int32", "system")
	}
	b.WriteString("  </feature>\n</target>\n")
	return b.String()
}
