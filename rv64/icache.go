package rv64

import (
	"encoding/binary"

	"github.com/xv6emu/xv6emu/bus"
)

// The decoded-instruction cache: one dpage per RAM page that has been
// executed from, with a slot for every 2-byte offset. Slots are decoded on
// first use. A store to a page marked in bus.Code drops the dpage (see
// codeWritten), so self-modifying code always sees its new bytes.

const slotsPerPage = bus.PageSize / 2

// A dpage also holds blocks: copies of straight-line runs of its decoded
// instructions, laid out one after the other, each entered at its first
// pc. The interpreter walks a block by index, so finding the next
// instruction does not wait for the length of the last one to be loaded
// (with slots, each fetch's address depends on a load of the previous
// instruction's length). A block runs on through conditional branches and
// through a jal whose target is on the same page (the next element is then
// the target's instruction), and ends after any other jump, after an
// instruction that leaves the fast path (system, FP, atomics, illegal), at
// maxBlock, or before the page ends.
type dpage struct {
	slots [slotsPerPage]insn
	entry [slotsPerPage]uint32 // by 2-byte offset: block start<<8 | length, 0 for none
	code  [blockArena]insn     // the blocks
	used  int                  // of code

	// The translator's (jit.go), by 2-byte offset like entry: where in
	// the hart's arena the block's amd64 code is (or nativeNone,
	// nativeRefused), and how often the block was entered untranslated.
	native [slotsPerPage]uint32
	heat   [slotsPerPage]uint8
}

const (
	maxBlock   = 64           // instructions in a block, at most
	blockArena = slotsPerPage // instructions in a page's blocks, at most
)

// clear makes d a page with nothing decoded. The block arena needs no
// clearing: only entries point into it.
func (d *dpage) clear() {
	d.slots = [slotsPerPage]insn{}
	d.entry = [slotsPerPage]uint32{}
	d.used = 0
	d.native = [slotsPerPage]uint32{}
	d.heat = [slotsPerPage]uint8{}
}

// endsBlock reports whether a block ends after instruction in: a jump
// (where the block goes on is unknown), or one the interpreter leaves its
// fast path for (which may trap or change the fetch page).
func endsBlock(in *insn) bool {
	o := in.op
	switch {
	case (o == opCSRRS && in.rs1 == 0 || o == opCSRRW) && in.imm == csrSstatus:
		// MIT's intr_get and intr_off (csrr, csrw sstatus) on every
		// push_off: interpret runs them in the block, or leaves it on
		// the slow path when the write needs more than a store.
		return false
	case o == opJAL || o == opJALR:
		return true
	case o == opAMOSWAP:
		return false // interpret leaves the block on its slow path
	case o == opLUI || o == opAUIPC, o >= opBEQ && o <= opBGEU, o >= opLB && o <= opREMUW, o == opFENCE:
		return false
	}
	return true
}

// formBlock makes the block that starts at pc on d, the fetch page (at
// RAM index base), and returns it. It is empty when the instruction at pc
// crosses into the next page: that one is decoded on its own (decodeSlot).
func (h *Hart) formBlock(d *dpage, base, pc uint64) []insn {
	if d.used+maxBlock > len(d.code) {
		// Full (entries into the middle of runs copy their tails): start
		// afresh. No block of this page is running while one is formed.
		d.entry = [slotsPerPage]uint32{}
		d.used = 0
		d.native = [slotsPerPage]uint32{}
		d.heat = [slotsPerPage]uint8{}
	}
	start := d.used
	for off := pc & pageMask; off < bus.PageSize && d.used-start < maxBlock; {
		in := &d.slots[off>>1]
		if in.op == opNone {
			lo := uint32(binary.LittleEndian.Uint16(h.ram[base+off:]))
			switch {
			case lo&3 != 3:
				*in = decode(lo)
			case off+4 <= bus.PageSize:
				*in = decode(binary.LittleEndian.Uint32(h.ram[base+off:]))
			default:
				off = bus.PageSize // its second half is on the next page
				continue
			}
		}
		d.code[d.used] = *in
		d.used++
		if t, ok := jumpTarget(d.code[start:d.used], off); ok {
			// A jump to the same page goes on in the block at its
			// target: MIT's kernel calls its neighbours and jumps over
			// else branches all the time, and each block entered costs
			// more than a few instructions do.
			off = t
			continue
		}
		if endsBlock(in) {
			break
		}
		off += uint64(in.len)
	}
	n := d.used - start
	if n == 0 {
		return nil
	}
	d.entry[pc&pageMask>>1] = uint32(start)<<8 | uint32(n)
	return d.code[start:d.used]
}

// jumpTarget returns the page offset a block's last instruction jumps to,
// blk being the block so far and off that instruction's page offset, when
// it is a jump whose target is fixed and on the same page: a jal, or a
// jalr through the register the auipc just before it set (a call where
// the linker did not relax auipc+jalr to jal, as in MIT's kernel, built
// with -mno-relax). Both targets are relative to pc, so they hold
// wherever the page is mapped.
func jumpTarget(blk []insn, off uint64) (uint64, bool) {
	in := &blk[len(blk)-1]
	t := int64(off) + int64(in.imm)
	switch {
	case in.op == opJAL:
	case in.op == opJALR && len(blk) >= 2 && in.rs1 != 0:
		p := &blk[len(blk)-2]
		if p.op != opAUIPC || p.rd != in.rs1 || p.len != 4 {
			return 0, false
		}
		t = (int64(off) - 4 + int64(p.imm) + int64(in.imm)) &^ 1
	default:
		return 0, false
	}
	if t < 0 || t >= bus.PageSize {
		return 0, false
	}
	return uint64(t), true
}

type icache struct {
	pages []*dpage // by RAM page index
	free  []*dpage // dropped pages, reused to avoid allocation

	// The page the hart is fetching from: virtual page number and its
	// decoded slots, so sequential fetches skip the TLB.
	fetchVPN  uint64
	fetchBase uint64 // RAM index of the fetch page
	fetchPage *dpage

	// The page fetched from before it: a call and its return, or a loop
	// that calls a function on another page, go back and forth between
	// two pages.
	prevVPN  uint64
	prevBase uint64
	prevPage *dpage
}

const noPage = ^uint64(0)

func (c *icache) init(ramPages int) {
	c.pages = make([]*dpage, ramPages)
	c.fetchVPN = noPage
	c.prevVPN = noPage
}

// forgetFetchPage forgets the fetch page and the one before it: their
// translations or contents may have changed.
func (c *icache) forgetFetchPage() {
	c.fetchVPN = noPage
	c.fetchPage = nil
	c.prevVPN = noPage
	c.prevPage = nil
}

// switchFetchPage makes the page at vpn (RAM index base, decoded slots d)
// the fetch page, and the current one the page before it.
func (c *icache) switchFetchPage(vpn, base uint64, d *dpage) {
	c.prevVPN, c.prevBase, c.prevPage = c.fetchVPN, c.fetchBase, c.fetchPage
	c.fetchVPN, c.fetchBase, c.fetchPage = vpn, base, d
}

// page returns the dpage for RAM page index p, creating it if needed.
func (c *icache) page(p uint64, code []uint8) *dpage {
	if d := c.pages[p]; d != nil {
		return d
	}
	var d *dpage
	if n := len(c.free); n > 0 {
		d = c.free[n-1]
		c.free = c.free[:n-1]
		d.clear()
	} else {
		d = new(dpage)
	}
	c.pages[p] = d
	code[p] |= bus.MarkCode
	return d
}

// codeWritten is the bus callback for a write to RAM page p.
func (h *Hart) codeWritten(p uint64) {
	c := &h.icache
	d := c.pages[p]
	if d == nil {
		return
	}
	c.pages[p] = nil
	c.free = append(c.free, d)
	if c.fetchPage == d || c.prevPage == d {
		c.forgetFetchPage()
	}
}
