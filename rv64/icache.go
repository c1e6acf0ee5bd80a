package rv64

import "github.com/xv6emu/xv6emu/bus"

// The decoded-instruction cache: one dpage per RAM page that has been
// executed from, with a slot for every 2-byte offset. Slots are decoded on
// first use. A store to a page marked in bus.Code drops the dpage (see
// codeWritten), so self-modifying code always sees its new bytes.

const slotsPerPage = bus.PageSize / 2

type dpage struct {
	slots [slotsPerPage]insn
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
		*d = dpage{}
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
