package x86

import "github.com/xv6emu/xv6emu/bus"

// The decoded-instruction cache: one dpage per RAM page executed from, a
// slot per byte offset, decoded on first use. A store to a page marked in
// bus.Code drops its dpage (codeWritten), so self-modifying code sees its
// new bytes. Decoding depends on the code segment's default size, so a
// change of it drops every page.

type dpage struct {
	slots [bus.PageSize]insn
}

type icache struct {
	pages []*dpage // by RAM page index
	free  []*dpage
	big   bool // the code size the pages were decoded for

	// The page EIP is in: the EIP of its first byte (noPage if none: CS
	// changes drop it), its RAM index and decoded slots.
	fetchEIP0 uint64
	fetchBase uint64
	fetchPage *dpage

	// gen moves whenever a decoded page is dropped, so that what was
	// learnt from its slots (loopShape) can tell it is still good.
	gen uint64
}

const noPage = 1 << 40 // far from any 32-bit EIP

func (ic *icache) init(ramPages int) {
	ic.pages = make([]*dpage, ramPages)
	ic.fetchEIP0 = noPage
	ic.big = true
}

func (ic *icache) forgetFetchPage() {
	ic.fetchEIP0 = noPage
	ic.fetchPage = nil
}

// setMode drops every decoded page if the code size changed.
func (ic *icache) setMode(big bool) {
	if big == ic.big {
		return
	}
	ic.big = big
	ic.gen++
	for i, d := range ic.pages {
		if d != nil {
			ic.pages[i] = nil
			ic.free = append(ic.free, d)
		}
	}
	ic.forgetFetchPage()
}

// page returns the dpage for RAM page p, creating it if needed.
func (ic *icache) page(p uint64, code []uint8) *dpage {
	if d := ic.pages[p]; d != nil {
		return d
	}
	var d *dpage
	if n := len(ic.free); n > 0 {
		d = ic.free[n-1]
		ic.free = ic.free[:n-1]
		*d = dpage{}
	} else {
		d = new(dpage)
	}
	ic.pages[p] = d
	code[p] = 1
	return d
}

// codeWritten is the bus callback for a write to RAM page p.
func (c *CPU) codeWritten(p uint64) {
	ic := &c.icache
	if p >= uint64(len(ic.pages)) {
		return
	}
	d := ic.pages[p]
	if d == nil {
		return
	}
	ic.pages[p] = nil
	ic.free = append(ic.free, d)
	ic.gen++
	if ic.fetchPage == d {
		ic.forgetFetchPage()
	}
}

// fetch returns the decoded instruction at CS:EIP.
func (c *CPU) fetch() *insn {
	ic := &c.icache
	lin := c.seg[CS].base + c.eip
	if d := uint64(c.eip) - ic.fetchEIP0; d < bus.PageSize {
		in := &ic.fetchPage.slots[d]
		if in.len == 0 {
			return c.decodeSlot(in, ic.fetchBase, lin)
		}
		return in
	}
	return c.fetchSlow(lin)
}

// fetchSlow makes the page holding lin the fetch page.
func (c *CPU) fetchSlow(lin uint32) *insn {
	if cs := &c.seg[CS]; c.eip > cs.limit {
		c.raise(excGP, 0, true)
	}
	ic := &c.icache
	user := c.tlb.user == 1
	vpn := lin >> 12
	var idx uint64
	if e := &c.tlb.r[c.tlb.user&1][vpn&tlbMask]; e.tag == c.tlb.tag|uint64(vpn) {
		idx = e.off
	} else {
		pa := c.xlate(lin, false, user)
		i, ok := c.ramIdx(pa&^pageMask, bus.PageSize)
		if !ok {
			return c.fetchDevice(lin)
		}
		c.tlbInsert(&c.tlb.r, lin, i, user)
		idx = i
	}
	ic.fetchEIP0 = uint64(c.eip - lin&pageMask)
	ic.fetchBase = idx
	ic.fetchPage = ic.page(idx>>12, c.code)
	in := &ic.fetchPage.slots[lin&pageMask]
	if c.brk != nil {
		c.brk.check(c, lin)
	}
	if in.len == 0 {
		return c.decodeSlot(in, idx, lin)
	}
	return in
}

// decodeSlot decodes the instruction at lin (on the RAM page at index
// base) into its slot, or into scratch if it runs onto the next page.
func (c *CPU) decodeSlot(in *insn, base uint64, lin uint32) *insn {
	off := uint64(lin & pageMask)
	end := min(off+maxInsnLen, bus.PageSize)
	big := c.seg[CS].big
	if decode(c.ram[base+off:base+end], big, in) {
		if !c.plainOps {
			specialize(in)
		}
		return in
	}
	// The instruction continues on the next page.
	var buf [maxInsnLen]byte
	n := copy(buf[:], c.ram[base+off:base+end])
	for decodeNeedsMore(buf[:n], big) {
		buf[n] = c.fetchByte(lin + uint32(n))
		n++
	}
	decode(buf[:n], big, &c.scratch)
	if !c.plainOps {
		specialize(&c.scratch)
	}
	return &c.scratch
}

func decodeNeedsMore(b []byte, big bool) bool {
	var tmp insn
	return !decode(b, big, &tmp)
}

// fetchByte reads one instruction byte through translation (a fetch is a
// read with the current privilege).
func (c *CPU) fetchByte(lin uint32) uint8 {
	return uint8(c.readSlow(lin, 1, c.tlb.user == 1))
}

// fetchDevice decodes an instruction outside RAM, uncached.
func (c *CPU) fetchDevice(lin uint32) *insn {
	var buf [maxInsnLen]byte
	n := 0
	big := c.seg[CS].big
	for n == 0 || decodeNeedsMore(buf[:n], big) {
		buf[n] = c.fetchByte(lin + uint32(n))
		n++
	}
	decode(buf[:n], big, &c.scratch)
	if !c.plainOps {
		specialize(&c.scratch)
	}
	return &c.scratch
}
