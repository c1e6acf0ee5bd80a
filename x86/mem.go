package x86

import (
	"encoding/binary"

	"github.com/xv6emu/xv6emu/bus"
)

// This file owns the CPU's view of memory: segment checks, paging (4 KiB
// and 4 MiB pages, A/D bits, #PF), the TLBs that hold RAM offsets, and the
// read/write helpers every instruction uses. A TLB hit within one page is
// a compare and a slice access; everything else takes the slow paths.

const (
	pageMask = bus.PageSize - 1
	tlbSize  = 256
	tlbMask  = tlbSize - 1
	slowRef  = ^uint64(0) // a reference the slow path must handle (see wref)
)

type tlbEntry struct {
	tag uint64 // gen<<20 | linear page number
	off uint64 // RAM index of the page
}

// tlbSet holds read and write translations, each for supervisor [0] and
// user [1] accesses. A flush is O(1): it bumps gen, which every tag holds.
// A write entry exists only for pages whose D bit is set and that the
// access kind may write, so a hit needs no further checks. dev holds read
// translations of pages outside RAM (their physical address in off): a
// kernel that reads its local APIC's ID on every lock operation, as
// classic xv6 does, would otherwise walk the page tables each time.
type tlbSet struct {
	gen  uint64
	tag  uint64 // gen<<20, the high part of every valid tag
	r, w [2][tlbSize]tlbEntry
	dev  [2][tlbSize]tlbEntry
	user int // 1 at CPL 3: which half ordinary accesses use
	// noInsert keeps the TLB empty while a cycle probe logs every access
	// on the slow paths (cycle.go).
	noInsert bool
	// big is set when a translation went through a 4 MiB page since the
	// last flush: its entries are per 4 KiB linear page, so invlpg of one
	// address cannot find the others of that page and flushes them all.
	big bool
}

func (t *tlbSet) flush() {
	t.gen++
	t.tag = t.gen << 20
	t.big = false
}

// flushPage drops linear page vpn's translations (invlpg), or every
// translation while some came from a 4 MiB page.
func (c *CPU) flushPage(vpn uint32) {
	t := &c.tlb
	if t.big {
		c.flushTLB()
		return
	}
	tag, i := t.tag|uint64(vpn), vpn&tlbMask
	for u := range 2 {
		if t.r[u][i].tag == tag {
			t.r[u][i] = tlbEntry{}
		}
		if t.w[u][i].tag == tag {
			t.w[u][i] = tlbEntry{}
		}
		if t.dev[u][i].tag == tag {
			t.dev[u][i] = tlbEntry{}
		}
	}
	c.icache.forgetFetchPage()
	c.effects++
}

// flushTLB drops every translation and the current fetch page.
func (c *CPU) flushTLB() {
	c.tlb.flush()
	c.icache.forgetFetchPage()
	c.effects++
}

// setCPL changes the privilege level.
func (c *CPU) setCPL(p uint8) {
	c.cpl = p
	u := 0
	if p == 3 {
		u = 1
	}
	if u != c.tlb.user {
		c.tlb.user = u
		c.icache.forgetFetchPage()
	}
}

// Page-table entry bits.
const (
	pteP  = 1 << 0
	pteW  = 1 << 1
	pteU  = 1 << 2
	pteA  = 1 << 5
	pteD  = 1 << 6
	ptePS = 1 << 7
)

// Page-fault error code bits.
const (
	pfP = 1 << 0
	pfW = 1 << 1
	pfU = 1 << 2
)

// phys32 reads a page-table entry; memory outside RAM reads as ones.
func (c *CPU) phys32(pa uint64) uint32 {
	if idx := pa - c.ramBase; pa >= c.ramBase && idx+4 <= uint64(len(c.ram)) {
		if c.cyc.probing {
			c.logRead(idx, 4)
		}
		return binary.LittleEndian.Uint32(c.ram[idx:])
	}
	v, ok := c.bus.Load(pa, 4)
	if !ok {
		return 0xFFFFFFFF
	}
	return uint32(v)
}

// setPhys32 writes back a page-table entry (A/D bits).
func (c *CPU) setPhys32(pa uint64, v uint32) {
	c.effects++
	if idx := pa - c.ramBase; pa >= c.ramBase && idx+4 <= uint64(len(c.ram)) {
		if c.code[idx>>12] != 0 {
			c.bus.CodeWritten(idx >> 12)
		}
		binary.LittleEndian.PutUint32(c.ram[idx:], v)
		return
	}
	c.bus.Store(pa, 4, uint64(v))
}

// translate maps linear address lin to a physical address for a read or a
// write by a user (CPL 3) or supervisor access, raising #PF on failure.
func (c *CPU) translate(lin uint32, write, user bool) uint64 {
	if c.cr0&cr0PG == 0 {
		return uint64(lin)
	}
	pdeAddr := uint64(c.cr3&^pageMask) + uint64(lin>>22)*4
	pde := c.phys32(pdeAddr)
	if pde&pteP == 0 {
		c.pageFault(lin, 0, write, user)
	}
	if pde&ptePS != 0 && c.cr4&cr4PSE != 0 {
		c.checkPerm(lin, pde, write, user)
		c.tlb.big = true
		nv := pde | pteA
		if write {
			nv |= pteD
		}
		if nv != pde {
			c.setPhys32(pdeAddr, nv)
		}
		return uint64(pde&0xFFC00000) | uint64(lin&0x3FFFFF)
	}
	pteAddr := uint64(pde&^pageMask) + uint64(lin>>12&0x3FF)*4
	pte := c.phys32(pteAddr)
	if pte&pteP == 0 {
		c.pageFault(lin, 0, write, user)
	}
	c.checkPerm(lin, pde&pte, write, user)
	if pde&pteA == 0 {
		c.setPhys32(pdeAddr, pde|pteA)
	}
	nv := pte | pteA
	if write {
		nv |= pteD
	}
	if nv != pte {
		c.setPhys32(pteAddr, nv)
	}
	return uint64(pte&^pageMask) | uint64(lin&pageMask)
}

// checkPerm raises #PF if the combined U/W bits in perm forbid the access.
func (c *CPU) checkPerm(lin, perm uint32, write, user bool) {
	if user && perm&pteU == 0 {
		c.pageFault(lin, pfP, write, user)
	}
	if write && perm&pteW == 0 && (user || c.cr0&cr0WP != 0) {
		c.pageFault(lin, pfP, write, user)
	}
}

func (c *CPU) pageFault(lin, code uint32, write, user bool) {
	if write {
		code |= pfW
	}
	if user {
		code |= pfU
	}
	c.cr2 = lin
	c.Stats.PageFaults++
	c.raise(excPF, code, true)
}

// ramIdx returns the RAM index of physical address pa if size bytes there
// are RAM.
func (c *CPU) ramIdx(pa uint64, size int) (uint64, bool) {
	idx := pa - c.ramBase
	return idx, pa >= c.ramBase && idx < uint64(len(c.ram)) && uint64(len(c.ram))-idx >= uint64(size)
}

// crosses reports whether size bytes at lin span two pages.
func crosses(lin uint32, size int) bool { return lin&pageMask > bus.PageSize-uint32(size) }

// readLin reads size bytes at linear address lin with the current
// privilege.
func (c *CPU) readLin(lin uint32, size int) uint32 {
	t := &c.tlb
	vpn := lin >> 12
	e := &t.r[t.user&1][vpn&tlbMask]
	if e.tag == t.tag|uint64(vpn) && !crosses(lin, size) {
		return readRAM(c.ram[e.off+uint64(lin&pageMask):], size)
	}
	return c.readSlow(lin, size, t.user == 1)
}

// writeLin writes size bytes at linear address lin.
func (c *CPU) writeLin(lin uint32, size int, v uint32) {
	t := &c.tlb
	vpn := lin >> 12
	e := &t.w[t.user&1][vpn&tlbMask]
	c.effects++
	if e.tag == t.tag|uint64(vpn) && !crosses(lin, size) && c.code[e.off>>12] == 0 {
		writeRAM(c.ram[e.off+uint64(lin&pageMask):], size, v)
		return
	}
	c.writeSlow(lin, size, v, t.user == 1)
}

func readRAM(p []byte, size int) uint32 {
	switch size {
	case 1:
		return uint32(p[0])
	case 2:
		return uint32(binary.LittleEndian.Uint16(p))
	}
	return binary.LittleEndian.Uint32(p)
}

func writeRAM(p []byte, size int, v uint32) {
	switch size {
	case 1:
		p[0] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(p, uint16(v))
	default:
		binary.LittleEndian.PutUint32(p, v)
	}
}

// readSlow is the path behind the read TLB: page-crossing accesses,
// misses, and devices.
func (c *CPU) readSlow(lin uint32, size int, user bool) uint32 {
	if c.dbg != nil {
		c.dbg.note(lin, size, false)
	}
	if crosses(lin, size) {
		var v uint32
		for i := 0; i < size; i++ {
			v |= c.readSlow(lin+uint32(i), 1, user) << (8 * i)
		}
		return v
	}
	var pa uint64
	vpn := lin >> 12
	if e := &c.tlb.dev[b2u(user)][vpn&tlbMask]; e.tag == c.tlb.tag|uint64(vpn) {
		pa = e.off | uint64(lin&pageMask)
	} else {
		pa = c.xlate(lin, false, user)
		if idx, ok := c.ramIdx(pa, size); ok {
			c.tlbInsert(&c.tlb.r, lin, idx, user)
			if c.cyc.probing {
				c.logRead(idx, size)
			}
			return readRAM(c.ram[idx:], size)
		}
		c.tlbInsert(&c.tlb.dev, lin, pa, user)
	}
	pure := c.pureAPICRead(pa)
	if !pure {
		c.effects++ // a device read may change the device
	}
	var v uint32
	if k := uint8(pa>>4) & 1; pure && size == 4 && c.apicConstOK>>k&1 != 0 {
		v = c.apicConst[k]
	} else {
		w, ok := c.bus.Load(pa, size)
		if !ok {
			return 0xFFFFFFFF >> (32 - 8*size) // nothing there: the bus floats
		}
		v = uint32(w)
		if pure && size == 4 {
			c.apicConst[k] = v
			c.apicConstOK |= 1 << k
		}
	}
	if pure && c.cyc.probing {
		c.logAPICRead(pa, size, v)
	}
	return v
}

// writeSlow is the path behind the write TLB. A page-crossing write is
// translated on both pages before any byte is written.
func (c *CPU) writeSlow(lin uint32, size int, v uint32, user bool) {
	if c.dbg != nil {
		c.dbg.note(lin, size, true)
	}
	if crosses(lin, size) {
		c.xlate(lin, true, user)
		c.xlate(lin&^pageMask+bus.PageSize, true, user)
		for i := 0; i < size; i++ {
			c.writeSlow(lin+uint32(i), 1, v>>(8*i), user)
		}
		return
	}
	pa := c.xlate(lin, true, user)
	if idx, ok := c.ramIdx(pa, size); ok {
		c.tlbInsert(&c.tlb.w, lin, idx, user)
		if c.cyc.probing {
			c.logWrite(idx, size, v)
		}
		if c.code[idx>>12] != 0 {
			c.bus.CodeWritten(idx >> 12)
		}
		writeRAM(c.ram[idx:], size, v)
		return
	}
	if pa&^pageMask == c.apicBase&^pageMask&0xFFFFFFFF {
		c.apicConstOK = 0 // the kernel may be changing its APIC ID
	}
	c.bus.Store(pa, size, uint64(v))
}

func (c *CPU) tlbInsert(t *[2][tlbSize]tlbEntry, lin uint32, idx uint64, user bool) {
	if c.tlb.noInsert || c.dbg != nil && c.dbg.watched(lin) {
		return
	}
	u := 0
	if user {
		u = 1
	}
	vpn := lin >> 12
	t[u][vpn&tlbMask] = tlbEntry{tag: c.tlb.tag | uint64(vpn), off: idx &^ pageMask}
}

// checkWritable translates every page of a write of size bytes at lin
// (raising #PF if one is not writable), so that the write that follows
// cannot fault.
func (c *CPU) checkWritable(lin uint32, size int) {
	t := &c.tlb
	vpn := lin >> 12
	if e := &t.w[t.user&1][vpn&tlbMask]; e.tag == t.tag|uint64(vpn) && !crosses(lin, size) {
		return
	}
	user := t.user == 1
	c.xlate(lin, true, user)
	if crosses(lin, size) {
		c.xlate(lin&^pageMask+bus.PageSize, true, user)
	}
}

// System accesses (descriptor tables, the TSS) are supervisor accesses
// whatever the CPL.
func (c *CPU) readSys(lin uint32, size int) uint32 {
	if c.tlb.user == 0 {
		return c.readLin(lin, size)
	}
	return c.readSlow(lin, size, false)
}

func (c *CPU) writeSys(lin uint32, size int, v uint32) {
	c.effects++
	c.writeSlow(lin, size, v, false)
}

// segAddr checks an access of size bytes at offset off in segment s and
// returns its linear address, raising #GP(0) (#SS(0) for the stack
// segment) when the segment forbids it.
func (c *CPU) segAddr(s int, off uint32, size int, write bool) uint32 {
	sg := &c.seg[s]
	if write && sg.fastW || !write && sg.fastR {
		return off
	}
	return c.segCheck(s, off, size, write)
}

func (c *CPU) segCheck(s int, off uint32, size int, write bool) uint32 {
	sg := &c.seg[s]
	vec := uint8(excGP)
	if s == SS {
		vec = excSS
	}
	if !sg.valid {
		c.raise(vec, 0, true)
	}
	if c.protected() {
		code := sg.typ&0x8 != 0
		if write && (code || sg.typ&2 == 0) || !write && code && sg.typ&2 == 0 {
			c.raise(vec, 0, true)
		}
	}
	last := off + uint32(size) - 1
	if sg.typ&0x1C == 0x14 { // expand-down data
		upper := uint32(0xFFFF)
		if sg.big {
			upper = 0xFFFFFFFF
		}
		if off <= sg.limit || last > upper || last < off {
			c.raise(vec, 0, true)
		}
	} else if off > sg.limit || last > sg.limit || last < off {
		if !(sg.limit == 0xFFFFFFFF) {
			c.raise(vec, 0, true)
		}
	}
	return sg.base + off
}

// read reads size bytes at offset off of segment s.
func (c *CPU) read(s int, off uint32, size int) uint32 {
	return c.readLin(c.segAddr(s, off, size, false), size)
}

// read32 and write32 are read and write for 4 bytes: the fast path of
// most memory operands. ramR and ramW are their TLB hits, small enough to
// inline.
func (c *CPU) read32(s uint8, off uint32) uint32 {
	if c.seg[s&7].fastR {
		if i, ok := c.ramR(off); ok {
			return binary.LittleEndian.Uint32(c.ram[i:])
		}
		return c.readSlow(off, 4, c.tlb.user == 1)
	}
	return c.readLin(c.segCheck(int(s&7), off, 4, false), 4)
}

func (c *CPU) write32(s uint8, off uint32, v uint32) {
	if c.seg[s&7].fastW {
		if i, ok := c.ramW(off); ok {
			c.effects++
			binary.LittleEndian.PutUint32(c.ram[i:], v)
			return
		}
		c.writeLin(off, 4, v)
		return
	}
	c.writeLin(c.segCheck(int(s&7), off, 4, true), 4, v)
}

// ramR returns the RAM index of a 4-byte read at lin if the TLB has it and
// it stays in its page.
func (c *CPU) ramR(lin uint32) (uint64, bool) {
	t := &c.tlb
	e := &t.r[t.user&1][lin>>12&tlbMask]
	return e.off + uint64(lin&pageMask), e.tag == t.tag|uint64(lin>>12) && lin&pageMask <= pageMask-3
}

// ramW is ramR for a write; it also requires a page without decoded code.
func (c *CPU) ramW(lin uint32) (uint64, bool) {
	t := &c.tlb
	e := &t.w[t.user&1][lin>>12&tlbMask]
	return e.off + uint64(lin&pageMask), e.tag == t.tag|uint64(lin>>12) && lin&pageMask <= pageMask-3 && c.code[e.off>>12] == 0
}

// write writes size bytes at offset off of segment s.
func (c *CPU) write(s int, off uint32, size int, v uint32) {
	c.writeLin(c.segAddr(s, off, size, true), size, v)
}

// wref checks a read-modify-write of size bytes at s:off and returns the
// RAM index to use, or slowRef (with c.slowLin set) when the access must
// go through the slow paths. Once wref returns, neither the read nor the
// write can fault.
func (c *CPU) wref(s int, off uint32, size int) uint64 {
	lin := c.segAddr(s, off, size, true)
	t := &c.tlb
	vpn := lin >> 12
	e := &t.w[t.user&1][vpn&tlbMask]
	if e.tag == t.tag|uint64(vpn) && !crosses(lin, size) {
		return e.off + uint64(lin&pageMask)
	}
	c.checkWritable(lin, size)
	if !crosses(lin, size) {
		if e.tag == t.tag|uint64(vpn) {
			return e.off + uint64(lin&pageMask)
		}
	}
	c.slowLin = lin
	return slowRef
}

func (c *CPU) refRead(ref uint64, size int) uint32 {
	if ref != slowRef {
		return readRAM(c.ram[ref:], size)
	}
	return c.readLin(c.slowLin, size)
}

func (c *CPU) refWrite(ref uint64, size int, v uint32) {
	c.effects++
	if ref != slowRef {
		if c.code[ref>>12] != 0 {
			c.bus.CodeWritten(ref >> 12)
		}
		writeRAM(c.ram[ref:], size, v)
		return
	}
	c.writeSlow(c.slowLin, size, v, c.tlb.user == 1)
}

// ea computes the effective address (offset) of a memory operand.
func (c *CPU) ea(in *insn) uint32 {
	a := in.disp + c.r[in.base&15] + c.r[in.index&15]<<in.scale
	if in.pfx&pfxA16 != 0 {
		a &= 0xFFFF
	}
	return a
}

// Register operands by size (1, 2 or 4 bytes). Byte registers 4..7 are
// AH, CH, DH, BH.
func (c *CPU) getReg(r uint8, size int) uint32 {
	switch size {
	case 1:
		if r < 4 {
			return c.r[r] & 0xFF
		}
		return c.r[r&3] >> 8 & 0xFF
	case 2:
		return c.r[r&7] & 0xFFFF
	}
	return c.r[r&7]
}

func (c *CPU) setReg(r uint8, size int, v uint32) {
	switch size {
	case 1:
		if r < 4 {
			c.r[r] = c.r[r]&^0xFF | v&0xFF
		} else {
			c.r[r&3] = c.r[r&3]&^0xFF00 | v&0xFF<<8
		}
	case 2:
		c.r[r&7] = c.r[r&7]&^0xFFFF | v&0xFFFF
	default:
		c.r[r&7] = v
	}
}

// readRM reads the ModRM r/m operand.
func (c *CPU) readRM(in *insn, size int) uint32 {
	if in.mod == 3 {
		return c.getReg(in.rm, size)
	}
	return c.read(int(in.seg), c.ea(in), size)
}

// writeRM writes the ModRM r/m operand.
func (c *CPU) writeRM(in *insn, size int, v uint32) {
	if in.mod == 3 {
		c.setReg(in.rm, size, v)
		return
	}
	c.write(int(in.seg), c.ea(in), size, v)
}

// rmRef prepares a read-modify-write of the r/m operand: for a register
// it returns its number with ok=false; for memory, a wref reference.
func (c *CPU) rmRef(in *insn, size int) uint64 {
	return c.wref(int(in.seg), c.ea(in), size)
}

// Stack.

func (c *CPU) push(v uint32, size int) {
	if size == 4 && c.seg[SS].fastW && c.seg[SS].big {
		sp := c.r[ESP] - 4
		if i, ok := c.ramW(sp); ok {
			c.effects++
			binary.LittleEndian.PutUint32(c.ram[i:], v)
			c.r[ESP] = sp
			return
		}
	}
	if c.seg[SS].big {
		sp := c.r[ESP] - uint32(size)
		c.write(SS, sp, size, v)
		c.r[ESP] = sp
		return
	}
	sp := uint32(uint16(c.r[ESP]) - uint16(size))
	c.write(SS, sp, size, v)
	c.r[ESP] = c.r[ESP]&^0xFFFF | sp
}

// pop reads the top of the stack and then moves the stack pointer.
func (c *CPU) pop(size int) uint32 {
	v := c.top(0, size)
	c.addSP(uint32(size))
	return v
}

// top reads size bytes at offset off from the stack pointer.
func (c *CPU) top(off uint32, size int) uint32 {
	if size == 4 && c.seg[SS].fastR && c.seg[SS].big {
		if i, ok := c.ramR(c.r[ESP] + off); ok {
			return binary.LittleEndian.Uint32(c.ram[i:])
		}
	}
	if c.seg[SS].big {
		return c.read(SS, c.r[ESP]+off, size)
	}
	return c.read(SS, uint32(uint16(c.r[ESP]+off)), size)
}

func (c *CPU) addSP(n uint32) {
	if c.seg[SS].big {
		c.r[ESP] += n
	} else {
		c.r[ESP] = c.r[ESP]&^0xFFFF | (c.r[ESP]+n)&0xFFFF
	}
}

// sp returns the stack pointer at the stack's size.
func (c *CPU) sp() uint32 {
	if c.seg[SS].big {
		return c.r[ESP]
	}
	return c.r[ESP] & 0xFFFF
}
