package rv64

// This file owns the control and status registers: their storage, which
// bits are writable, and who may access them.

// mstatus bits.
const (
	mstatusSIE  = 1 << 1
	mstatusMIE  = 1 << 3
	mstatusSPIE = 1 << 5
	mstatusMPIE = 1 << 7
	mstatusSPP  = 1 << 8
	mstatusMPP  = 3 << 11
	mstatusFS   = 3 << 13
	mstatusXS   = 3 << 15
	mstatusMPRV = 1 << 17
	mstatusSUM  = 1 << 18
	mstatusMXR  = 1 << 19
	mstatusTVM  = 1 << 20
	mstatusTW   = 1 << 21
	mstatusTSR  = 1 << 22
	mstatusUXL  = 3 << 32
	mstatusSXL  = 3 << 34
	mstatusSD   = 1 << 63

	mstatusMPPShift = 11
	mstatusFSShift  = 13

	// UXL and SXL read as 2 (64-bit) and cannot be changed.
	mstatusFixed = 2<<32 | 2<<34

	mstatusWritable = mstatusSIE | mstatusMIE | mstatusSPIE | mstatusMPIE | mstatusSPP | mstatusMPP |
		mstatusFS | mstatusMPRV | mstatusSUM | mstatusMXR | mstatusTVM | mstatusTW | mstatusTSR
	sstatusVisible  = mstatusSIE | mstatusSPIE | mstatusSPP | mstatusFS | mstatusXS | mstatusSUM | mstatusMXR | mstatusUXL | mstatusSD
	sstatusWritable = mstatusSIE | mstatusSPIE | mstatusSPP | mstatusFS | mstatusSUM | mstatusMXR

	// Bits whose change alters how loads and stores are translated.
	mstatusTranslation = mstatusMPRV | mstatusMPP | mstatusSUM | mstatusMXR
)

const (
	fsOff   = 0
	fsDirty = 3
)

// misa: RV64 with extensions A, C, D, F, I, M, S, U.
const misaValue = 2<<62 | 1<<('A'-'A') | 1<<('C'-'A') | 1<<('D'-'A') | 1<<('F'-'A') |
	1<<('I'-'A') | 1<<('M'-'A') | 1<<('S'-'A') | 1<<('U'-'A')

const (
	menvcfgSTCE     = 1 << 63
	menvcfgWritable = menvcfgSTCE | 1 // STCE, FIOM
	senvcfgWritable = 1               // FIOM

	// Interrupts: which bits exist and who can write them.
	intAll        = 1<<IntSSI | 1<<IntMSI | 1<<IntSTI | 1<<IntMTI | 1<<IntSEI | 1<<IntMEI
	intSupervisor = 1<<IntSSI | 1<<IntSTI | 1<<IntSEI
	mipWritable   = 1<<IntSSI | 1<<IntSTI | 1<<IntSEI

	// Every exception but ecall from M can be delegated.
	medelegWritable = 0xFFFF &^ (1<<10 | 1<<11 | 1<<14)

	satpModeMask = 0xF << 60
	satpASIDMask = 0xFFFF << 44
	satpPPNMask  = 1<<44 - 1

	pmpAddrMask = 1<<54 - 1
)

// CSR numbers.
const (
	csrFflags   = 0x001
	csrFrm      = 0x002
	csrFcsr     = 0x003
	csrCycle    = 0xC00
	csrTime     = 0xC01
	csrInstret  = 0xC02
	csrHPM3     = 0xC03
	csrHPM31    = 0xC1F
	csrSstatus  = 0x100
	csrSie      = 0x104
	csrStvec    = 0x105
	csrScounter = 0x106
	csrSenvcfg  = 0x10A
	csrSscratch = 0x140
	csrSepc     = 0x141
	csrScause   = 0x142
	csrStval    = 0x143
	csrSip      = 0x144
	csrStimecmp = 0x14D
	csrSatp     = 0x180

	csrMvendorid   = 0xF11
	csrMarchid     = 0xF12
	csrMimpid      = 0xF13
	csrMhartid     = 0xF14
	csrMconfigptr  = 0xF15
	csrMstatus     = 0x300
	csrMisa        = 0x301
	csrMedeleg     = 0x302
	csrMideleg     = 0x303
	csrMie         = 0x304
	csrMtvec       = 0x305
	csrMcounter    = 0x306
	csrMenvcfg     = 0x30A
	csrMinhibit    = 0x320
	csrMHPMEvent3  = 0x323
	csrMHPMEvent31 = 0x33F
	csrMscratch    = 0x340
	csrMepc        = 0x341
	csrMcause      = 0x342
	csrMtval       = 0x343
	csrMip         = 0x344
	csrPmpcfg0     = 0x3A0
	csrPmpcfg15    = 0x3AF
	csrPmpaddr0    = 0x3B0
	csrPmpaddr63   = 0x3EF
	csrMcycle      = 0xB00
	csrMinstret    = 0xB02
	csrMHPM3       = 0xB03
	csrMHPM31      = 0xB1F
	csrTselect     = 0x7A0
	csrTdata1      = 0x7A1
	csrTdata2      = 0x7A2
	csrTdata3      = 0x7A3
)

type csrState struct {
	mstatus            uint64 // without SD, which is computed on read
	medeleg, mideleg   uint64
	mie                uint64
	mipSW              uint64 // software-written SSIP, STIP, SEIP
	mipHW              uint64 // external lines: MSIP, MTIP, SEIP, MEIP
	mtvec, stvec       uint64
	mscratch, sscratch uint64
	mepc, sepc         uint64
	mcause, scause     uint64
	mtval, stval       uint64
	satp               uint64
	mcounteren         uint64
	scounteren         uint64
	mcountinhibit      uint64
	menvcfg, senvcfg   uint64
	stimecmp           uint64
	fflags, frm        uint8
	cycleDelta         uint64    // mcycle = steps + cycleDelta
	instretDelta       uint64    // minstret = steps - traps + instretDelta
	pmpcfg             [8]uint64 // even pmpcfg registers only (RV64)
	pmpaddr            [64]uint64
}

// fs returns mstatus.FS.
func (h *Hart) fs() uint64 { return h.csr.mstatus >> mstatusFSShift & 3 }

// mstatusRead returns mstatus with SD computed from FS.
func (h *Hart) mstatusRead() uint64 {
	s := h.csr.mstatus
	if s&mstatusFS == mstatusFS {
		s |= mstatusSD
	}
	return s
}

// writeMstatus stores the writable bits of v selected by mask.
func (h *Hart) writeMstatus(v, mask uint64) {
	old := h.csr.mstatus
	if v&mstatusMPP == 2<<mstatusMPPShift { // reserved: keep the old MPP
		v = v&^mstatusMPP | old&mstatusMPP
	}
	mask &= mstatusWritable
	h.csr.mstatus = old&^mask | v&mask
	if (old^h.csr.mstatus)&mstatusTranslation != 0 {
		h.switchTLB()
	}
	// Only a global enable that turns on can make an interrupt takeable;
	// xv6's push_off turns SIE off on every acquire.
	if h.csr.mstatus&^old&(mstatusSIE|mstatusMIE) != 0 {
		h.checkInt = true
	}
}

// sstatusInBlock runs in as a csrr sstatus, or a csrw sstatus that neither
// changes the translation context nor turns SIE on, from S or M mode, and
// reports whether it did: only the register and mstatus change then (as
// in the general path, and with its effect), so the block goes on. MIT's
// push_off and pop_off do both on every acquire and release. Anything
// else is left to the general path.
func (h *Hart) sstatusInBlock(in *insn) bool {
	if in.imm != csrSstatus || h.priv == PrivU {
		return false
	}
	old := h.csr.mstatus
	s := old
	switch {
	case in.op == opCSRRS && in.rs1 == 0:
	case in.op == opCSRRW:
		s = old&^sstatusWritable | h.x[in.rs1]&sstatusWritable
		if (old^s)&mstatusTranslation != 0 || s&^old&mstatusSIE != 0 {
			return false
		}
	default:
		return false
	}
	h.effects++
	h.x[in.rd] = h.mstatusRead() & sstatusVisible
	h.csr.mstatus = s
	return true
}

// mip returns the pending interrupts as software sees them.
func (h *Hart) mip() uint64 {
	p := h.csr.mipSW | h.csr.mipHW
	if h.csr.menvcfg&menvcfgSTCE != 0 {
		p &^= 1 << IntSTI
		if h.clock.Now() >= h.csr.stimecmp {
			p |= 1 << IntSTI
		}
	}
	return p
}

// counterVisible reports whether the current mode may read counter bit n
// (0 cycle, 1 time, 2 instret, 3..31 hpmcounters).
func (h *Hart) counterVisible(n uint) bool {
	switch h.priv {
	case PrivM:
		return true
	case PrivS:
		return h.csr.mcounteren>>n&1 != 0
	}
	return h.csr.mcounteren>>n&1 != 0 && h.csr.scounteren>>n&1 != 0
}

// csrAccessible checks the privilege rules common to every CSR access:
// the minimum privilege in bits 9:8 and the read-only range in bits 11:10.
func (h *Hart) csrAccessible(num uint64, write bool) bool {
	if uint64(h.priv) < num>>8&3 {
		return false
	}
	return !(write && num>>10&3 == 3)
}

// readCSR returns the value of CSR num; ok is false when the access is
// illegal (unimplemented CSR or not allowed in this mode).
func (h *Hart) readCSR(num uint64) (uint64, bool) {
	c := &h.csr
	switch {
	case num >= csrHPM3 && num <= csrHPM31:
		return 0, h.counterVisible(uint(num - csrCycle))
	case num >= csrMHPM3 && num <= csrMHPM31, num >= csrMHPMEvent3 && num <= csrMHPMEvent31:
		return 0, true
	case num >= csrPmpcfg0 && num <= csrPmpcfg15:
		if num&1 != 0 {
			return 0, false
		}
		return c.pmpcfg[(num-csrPmpcfg0)/2], true
	case num >= csrPmpaddr0 && num <= csrPmpaddr63:
		return c.pmpaddr[num-csrPmpaddr0], true
	}
	switch num {
	case csrFflags, csrFrm, csrFcsr:
		if h.fs() == fsOff {
			return 0, false
		}
		switch num {
		case csrFflags:
			return uint64(c.fflags), true
		case csrFrm:
			return uint64(c.frm), true
		}
		return uint64(c.frm)<<5 | uint64(c.fflags), true
	case csrCycle:
		return h.mcycle(), h.counterVisible(0)
	case csrTime:
		return h.clock.Now(), h.counterVisible(1)
	case csrInstret:
		return h.minstret(), h.counterVisible(2)
	case csrSstatus:
		return h.mstatusRead() & sstatusVisible, true
	case csrSie:
		return c.mie & c.mideleg, true
	case csrStvec:
		return c.stvec, true
	case csrScounter:
		return c.scounteren, true
	case csrSenvcfg:
		return c.senvcfg, true
	case csrSscratch:
		return c.sscratch, true
	case csrSepc:
		return c.sepc, true
	case csrScause:
		return c.scause, true
	case csrStval:
		return c.stval, true
	case csrSip:
		return h.mip() & c.mideleg, true
	case csrStimecmp:
		return c.stimecmp, h.stimecmpAccessible()
	case csrSatp:
		return c.satp, !(h.priv == PrivS && c.mstatus&mstatusTVM != 0)
	case csrMvendorid, csrMarchid, csrMimpid, csrMconfigptr:
		return 0, true
	case csrMhartid:
		return h.id, true
	case csrMstatus:
		return h.mstatusRead(), true
	case csrMisa:
		return misaValue, true
	case csrMedeleg:
		return c.medeleg, true
	case csrMideleg:
		return c.mideleg, true
	case csrMie:
		return c.mie, true
	case csrMtvec:
		return c.mtvec, true
	case csrMcounter:
		return c.mcounteren, true
	case csrMenvcfg:
		return c.menvcfg, true
	case csrMinhibit:
		return c.mcountinhibit, true
	case csrMscratch:
		return c.mscratch, true
	case csrMepc:
		return c.mepc, true
	case csrMcause:
		return c.mcause, true
	case csrMtval:
		return c.mtval, true
	case csrMip:
		return h.mip(), true
	case csrMcycle:
		return h.mcycle(), true
	case csrMinstret:
		return h.minstret(), true
	case csrTselect, csrTdata1, csrTdata2, csrTdata3:
		// No triggers: tselect reads 0 and tdata1 reads type 0 ("no trigger
		// here"), which is how debuggers and riscv-tests detect their absence.
		return 0, true
	}
	return 0, false
}

// mcycle counts one cycle per instruction executed.
func (h *Hart) mcycle() uint64 { return h.steps + h.csr.cycleDelta }

// minstret counts retired instructions (not those that trapped).
func (h *Hart) minstret() uint64 { return h.steps - h.traps + h.csr.instretDelta }

// stimecmpAccessible applies Sstc's rules for stimecmp.
func (h *Hart) stimecmpAccessible() bool {
	if h.priv == PrivM {
		return true
	}
	return h.csr.menvcfg&menvcfgSTCE != 0 && h.csr.mcounteren&2 != 0
}

// writeCSR stores v into CSR num, which readCSR has already accepted.
// It returns false for writes that are illegal although the read was not.
func (h *Hart) writeCSR(num, v uint64) bool {
	c := &h.csr
	switch {
	case num >= csrHPM3 && num <= csrHPM31, num == csrCycle, num == csrTime, num == csrInstret:
		return false // read-only (also caught by the address check)
	case num >= csrMHPM3 && num <= csrMHPM31, num >= csrMHPMEvent3 && num <= csrMHPMEvent31:
		return true // hardwired to zero
	case num >= csrPmpcfg0 && num <= csrPmpcfg15:
		h.writePmpcfg(int(num-csrPmpcfg0)/2, v)
		return true
	case num >= csrPmpaddr0 && num <= csrPmpaddr63:
		h.writePmpaddr(int(num-csrPmpaddr0), v)
		return true
	}
	switch num {
	case csrFflags:
		c.fflags = uint8(v & 0x1F)
		h.markFPDirty()
	case csrFrm:
		c.frm = uint8(v & 7)
		h.markFPDirty()
	case csrFcsr:
		c.fflags = uint8(v & 0x1F)
		c.frm = uint8(v >> 5 & 7)
		h.markFPDirty()
	case csrSstatus:
		h.writeMstatus(v, sstatusWritable)
	case csrSie:
		c.mie = c.mie&^c.mideleg | v&c.mideleg&intSupervisor
		h.checkInt = true
	case csrStvec:
		c.stvec = tvec(c.stvec, v)
	case csrScounter:
		c.scounteren = v & 0xFFFFFFFF
	case csrSenvcfg:
		c.senvcfg = v & senvcfgWritable
	case csrSscratch:
		c.sscratch = v
	case csrSepc:
		c.sepc = v &^ 1
	case csrScause:
		c.scause = v
	case csrStval:
		c.stval = v
	case csrSip:
		mask := c.mideleg & (1 << IntSSI)
		c.mipSW = c.mipSW&^mask | v&mask
		h.checkInt = true
	case csrStimecmp:
		c.stimecmp = v
		h.checkInt = true
	case csrSatp:
		h.writeSatp(v)
	case csrMstatus:
		h.writeMstatus(v, mstatusWritable)
	case csrMisa:
		// Writes are ignored: the extension set is fixed.
	case csrMedeleg:
		c.medeleg = v & medelegWritable
	case csrMideleg:
		c.mideleg = v & intSupervisor
		h.checkInt = true
	case csrMie:
		c.mie = v & intAll
		h.checkInt = true
	case csrMtvec:
		c.mtvec = tvec(c.mtvec, v)
	case csrMcounter:
		c.mcounteren = v & 0xFFFFFFFF
	case csrMenvcfg:
		c.menvcfg = v & menvcfgWritable
		h.checkInt = true
	case csrMinhibit:
		c.mcountinhibit = v & 0xFFFFFFFD // bit 1 (time) does not exist
	case csrMscratch:
		c.mscratch = v
	case csrMepc:
		c.mepc = v &^ 1
	case csrMcause:
		c.mcause = v
	case csrMtval:
		c.mtval = v
	case csrMip:
		mask := uint64(mipWritable)
		if c.menvcfg&menvcfgSTCE != 0 {
			mask &^= 1 << IntSTI // driven by stimecmp
		}
		c.mipSW = c.mipSW&^mask | v&mask
		h.checkInt = true
	case csrMcycle:
		// The value written is what the next instruction reads.
		c.cycleDelta = v - h.steps - 1
	case csrMinstret:
		c.instretDelta = v - (h.steps - h.traps) - 1
	case csrTselect, csrTdata1, csrTdata2, csrTdata3:
		// No triggers to select or configure.
	case csrMvendorid, csrMarchid, csrMimpid, csrMhartid, csrMconfigptr:
		return false
	}
	return true
}

// tvec returns the new value of a trap-vector register: modes 2 and 3 are
// reserved, and like QEMU we then keep the old value.
func tvec(old, v uint64) uint64 {
	if v&3 >= 2 {
		return old
	}
	return v
}

// rmwBase returns the value a CSRRS/CSRRC modifies. For mip and sip that is
// the software-writable state, not the OR with external lines.
func (h *Hart) rmwBase(num, read uint64) uint64 {
	switch num {
	case csrMip:
		return h.csr.mipSW
	case csrSip:
		return h.csr.mipSW & h.csr.mideleg
	}
	return read
}

func (h *Hart) writeSatp(v uint64) {
	mode := v >> 60
	if mode != 0 && mode != 8 {
		return // unsupported modes leave satp unchanged
	}
	h.csr.satp = v & (satpModeMask | satpASIDMask | satpPPNMask)
	h.ctr.SatpWrites++
	h.switchTLB()
}

// PMP registers accept writes and read them back; nothing is enforced.
// Locked entries keep their value as the spec requires.
func (h *Hart) writePmpcfg(reg int, v uint64) {
	old := h.csr.pmpcfg[reg]
	var out uint64
	for i := 0; i < 8; i++ {
		b := old >> (8 * i) & 0xFF
		if b&0x80 == 0 {
			b = v >> (8 * i) & 0x9F // bits 6:5 are reserved
			if b&3 == 2 {           // W without R is reserved
				b = old >> (8 * i) & 0xFF
			}
		}
		out |= b << (8 * i)
	}
	h.csr.pmpcfg[reg] = out
}

func (h *Hart) pmpcfgByte(i int) uint64 { return h.csr.pmpcfg[i/8] >> (8 * (i % 8)) & 0xFF }

func (h *Hart) writePmpaddr(i int, v uint64) {
	if h.pmpcfgByte(i)&0x80 != 0 {
		return
	}
	// A locked TOR entry also locks the address below it.
	if i+1 < 64 && h.pmpcfgByte(i+1)&0x98 == 0x88 {
		return
	}
	h.csr.pmpaddr[i] = v & pmpAddrMask
}

// markFPDirty records that FP state changed (mstatus.FS = Dirty).
func (h *Hart) markFPDirty() { h.csr.mstatus |= mstatusFS }
