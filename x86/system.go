package x86

// This file owns system instructions: port I/O with its permission
// checks, control and debug registers, descriptor-table registers, cpuid,
// rdtsc, MSRs, and the x87 "no FPU here" stubs.

// checkIO raises #GP(0) unless the current privilege may access size
// ports at port: CPL <= IOPL, or the TSS I/O bitmap allows it.
func (c *CPU) checkIO(port uint16, size int) {
	if !c.protected() || c.cpl <= uint8(c.flags>>12&3) {
		return
	}
	tr := &c.tr
	if !tr.valid || tr.typ&8 == 0 || tr.limit < 0x67 {
		c.raise(excGP, 0, true)
	}
	mapBase := c.readSys(tr.base+0x66, 2)
	off := mapBase + uint32(port)/8
	if off+1 > tr.limit {
		c.raise(excGP, 0, true)
	}
	bitsWord := c.readSys(tr.base+off, 2)
	mask := uint32(1)<<size - 1
	if bitsWord>>(port&7)&mask != 0 {
		c.raise(excGP, 0, true)
	}
}

func (c *CPU) in(port uint16, size int) uint32 {
	c.checkIO(port, size)
	c.effects++
	return uint32(c.bus.In(port, size))
}

func (c *CPU) out(port uint16, size int, v uint32) {
	c.checkIO(port, size)
	c.effects++
	c.bus.Out(port, size, uint64(v&sizeMask[size&7]))
}

// x87 handles D8-DF with no FPU present: #NM when CR0.EM or TS says so,
// fninit as a no-op, fnstsw/fnstcw storing all ones (what a probe reads
// from an empty socket), #UD for the rest.
func (c *CPU) x87(in *insn) {
	if c.cr0&(cr0EM|cr0TS) != 0 {
		c.raise(excNM, 0, false)
	}
	switch {
	case in.op == 0xDB && in.mod == 3 && in.reg == 4 && in.rm == 3: // fninit
	case in.op == 0xDB && in.mod == 3 && in.reg == 4 && in.rm == 2: // fnclex
	case in.op == 0xDF && in.mod == 3 && in.reg == 4 && in.rm == 0: // fnstsw ax
		c.setReg(EAX, 2, 0xFFFF)
	case in.op == 0xDD && in.mod != 3 && in.reg == 7, // fnstsw m16
		in.op == 0xD9 && in.mod != 3 && in.reg == 7: // fnstcw m16
		c.write(int(in.seg), c.ea(in), 2, 0xFFFF)
	default:
		c.raise(excUD, 0, false)
	}
}

// requireCPL0 raises #GP(0) above ring 0 (and #UD where real mode lacks
// the instruction, if realUD).
func (c *CPU) requireCPL0() {
	if c.cpl != 0 {
		c.raise(excGP, 0, true)
	}
}

// setCR0 writes CR0, flushing translations and decoded code as needed.
func (c *CPU) setCR0(v uint32) {
	v |= cr0ET
	if v&cr0PG != 0 && v&cr0PE == 0 {
		c.raise(excGP, 0, true)
	}
	old := c.cr0
	c.cr0 = v
	if (old^v)&(cr0PG|cr0WP|cr0PE) != 0 {
		c.flushTLB()
	}
	if (old^v)&cr0PE != 0 && v&cr0PE == 0 {
		c.setCPL(0)
	}
}

func (c *CPU) movCR(in *insn) {
	c.requireCPL0()
	c.effects++
	toCR := in.op == 0x122
	switch in.reg {
	case 0:
		if toCR {
			c.setCR0(c.r[in.rm&7])
		} else {
			c.r[in.rm&7] = c.cr0
		}
	case 2:
		if toCR {
			c.cr2 = c.r[in.rm&7]
		} else {
			c.r[in.rm&7] = c.cr2
		}
	case 3:
		if toCR {
			c.cr3 = c.r[in.rm&7]
			c.Stats.CR3Writes++
			c.flushTLB()
		} else {
			c.r[in.rm&7] = c.cr3
		}
	case 4:
		if toCR {
			v := c.r[in.rm&7]
			if v&^uint32(cr4Valid) != 0 {
				c.raise(excGP, 0, true)
			}
			c.cr4 = v
			c.flushTLB()
		} else {
			c.r[in.rm&7] = c.cr4
		}
	default:
		c.raise(excUD, 0, false)
	}
}

// cr4Valid are the CR4 bits this CPU accepts (VME PVI TSD DE PSE MCE PGE
// PCE): PAE is not supported.
const cr4Valid = 0x1BF &^ (1 << 5)

func (c *CPU) movDR(in *insn) {
	c.requireCPL0()
	r := in.reg
	if r == 4 || r == 5 {
		r += 2
	}
	if in.op == 0x123 {
		c.dr[r] = c.r[in.rm&7]
	} else {
		c.r[in.rm&7] = c.dr[r]
	}
}

// cpuid describes a plausible i686: family 6, with FPU absent, TSC, MSR,
// PSE, CX8, APIC, CMOV; "GenuineIntel" for compatibility.
func (c *CPU) cpuid() {
	switch c.r[EAX] {
	case 0:
		c.r[EAX] = 1
		c.r[EBX] = 0x756E6547 // "Genu"
		c.r[EDX] = 0x49656E69 // "ineI"
		c.r[ECX] = 0x6C65746E // "ntel"
	case 1:
		c.r[EAX] = 0x0633 // family 6, model 3, stepping 3
		c.r[EBX] = uint32(c.id) << 24
		c.r[ECX] = 0
		const (
			tsc  = 1 << 4
			msr  = 1 << 5
			pse  = 1 << 3
			cx8  = 1 << 8
			apic = 1 << 9
			cmov = 1 << 15
		)
		c.r[EDX] = pse | tsc | msr | cx8 | apic | cmov
	default:
		c.r[EAX], c.r[EBX], c.r[ECX], c.r[EDX] = 0, 0, 0, 0
	}
}

// rdtsc counts a 1 GHz clock derived from the 10 MHz guest time.
func (c *CPU) rdtsc() uint64 {
	var t uint64
	if c.clock != nil {
		t = c.clock.Now() * 100
	}
	return t + c.tscOffset
}

const (
	msrTSC      = 0x10
	msrAPICBase = 0x1B
)

func (c *CPU) rdmsr() {
	c.requireCPL0()
	var v uint64
	switch c.r[ECX] {
	case msrAPICBase:
		v = c.apicBase
	case msrTSC:
		v = c.rdtsc()
	default:
		c.raise(excGP, 0, true)
	}
	c.r[EAX], c.r[EDX] = uint32(v), uint32(v>>32)
}

func (c *CPU) wrmsr() {
	c.requireCPL0()
	c.effects++
	v := uint64(c.r[EDX])<<32 | uint64(c.r[EAX])
	switch c.r[ECX] {
	case msrAPICBase:
		c.apicBase = c.apicBase&(1<<8) | v&^(1<<8)
		c.apicConstOK = 0
	case msrTSC:
		c.tscOffset = v - c.rdtsc() + c.tscOffset
	default:
		c.raise(excGP, 0, true)
	}
}

// APICBase returns the IA32_APIC_BASE MSR.
func (c *CPU) APICBase() uint64 { return c.apicBase }

// group6 is 0F 00: sldt, str, lldt, ltr.
func (c *CPU) group6(in *insn) {
	if !c.protected() {
		c.raise(excUD, 0, false)
	}
	switch in.reg {
	case 0:
		c.storeSel(in, c.ldtr.sel)
	case 1:
		c.storeSel(in, c.tr.sel)
	case 2:
		c.requireCPL0()
		c.lldt(uint16(c.readRM(in, 2)))
	case 3:
		c.requireCPL0()
		c.ltr(uint16(c.readRM(in, 2)))
	default:
		c.raise(excUD, 0, false)
	}
}

// storeSel writes a selector: 16 bits to memory, zero-extended to a
// register.
func (c *CPU) storeSel(in *insn, sel uint16) {
	if in.mod == 3 {
		size := 4
		if in.pfx&pfxO16 != 0 {
			size = 2
		}
		c.setReg(in.rm, size, uint32(sel))
		return
	}
	c.write(int(in.seg), c.ea(in), 2, uint32(sel))
}

// group7 is 0F 01: sgdt, sidt, lgdt, lidt, smsw, lmsw, invlpg.
func (c *CPU) group7(in *insn) {
	switch in.reg {
	case 0, 1, 2, 3:
		if in.mod == 3 {
			c.raise(excUD, 0, false)
		}
		t := &c.gdtr
		if in.reg&1 != 0 {
			t = &c.idtr
		}
		a := c.ea(in)
		if in.reg < 2 {
			c.checkWritable(c.segAddr(int(in.seg), a, 6, true), 6)
			c.write(int(in.seg), a, 2, uint32(t.limit))
			c.write(int(in.seg), a+2, 4, t.base)
			return
		}
		c.requireCPL0()
		limit := c.read(int(in.seg), a, 2)
		base := c.read(int(in.seg), a+2, 4)
		if in.pfx&pfxO16 != 0 {
			base &= 0xFFFFFF
		}
		t.limit, t.base = uint16(limit), base
		c.effects++
	case 4: // smsw
		if in.mod == 3 && in.pfx&pfxO16 == 0 {
			c.r[in.rm&7] = c.cr0
		} else {
			c.writeRM(in, 2, c.cr0&0xFFFF)
		}
	case 6: // lmsw: PE can be set, not cleared
		c.requireCPL0()
		v := c.readRM(in, 2) & 0xF
		c.setCR0(c.cr0&^0xE | v | c.cr0&cr0PE)
	case 7: // invlpg
		if in.mod == 3 {
			c.raise(excUD, 0, false)
		}
		c.requireCPL0()
		// No segment check: invlpg names a linear address, it does not
		// access it.
		c.flushPage((c.seg[in.seg&7].base + c.ea(in)) >> 12)
	default:
		c.raise(excUD, 0, false)
	}
}
