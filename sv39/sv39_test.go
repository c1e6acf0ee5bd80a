package sv39

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/bus"
)

const ramBase = 0x80000000

// tables builds page tables in a fresh RAM: root at ramBase, one level-1
// table at +0x1000 and one level-0 table at +0x2000, linked for VA 0.
type tables struct {
	b    *bus.Bus
	satp uint64
}

func newTables(t *testing.T) *tables {
	b := bus.New(ramBase, 16<<20)
	tb := &tables{b: b, satp: ModeSv39<<SatpModeShift | ramBase>>12}
	tb.set(ramBase, 0, ramBase+0x1000, PteV)
	tb.set(ramBase+0x1000, 0, ramBase+0x2000, PteV)
	return tb
}

// set writes entry idx of the table at physical address table.
func (tb *tables) set(table uint64, idx int, pa, flags uint64) {
	tb.b.Store(table+uint64(idx)*8, 8, pa>>12<<10|flags)
}

func (tb *tables) pte(table uint64, idx int) uint64 {
	v, _ := tb.b.Load(table+uint64(idx)*8, 8)
	return v
}

func (tb *tables) ctx(priv uint8) Context { return Context{Satp: tb.satp, Priv: priv} }

const (
	rwxad = PteV | PteR | PteW | PteX | PteA | PteD
	l0    = ramBase + 0x2000
	l1    = ramBase + 0x1000
)

func TestLeafLevels(t *testing.T) {
	tb := newTables(t)
	tb.set(l0, 5, ramBase+0x7000, rwxad)   // 4 KiB: VA 0x5000
	tb.set(l1, 3, ramBase+0x600000, rwxad) // 2 MiB: VA 0x600000
	tb.set(ramBase, 4, 0x100000000, rwxad) // 1 GiB: VA 0x100000000 (PA outside RAM is fine)
	for _, c := range []struct{ va, pa uint64 }{
		{0x5123, ramBase + 0x7123},
		{0x6abcde, ramBase + 0x6abcde},
		{0x13456789a, 0x13456789a},
	} {
		pa, f := Walk(tb.b, tb.ctx(1), c.va, Load)
		assert.Equal(t, OK, f, "va %#x", c.va)
		assert.Equal(t, c.pa, pa, "va %#x", c.va)
	}
}

func TestMisalignedSuperpages(t *testing.T) {
	tb := newTables(t)
	tb.set(l1, 3, ramBase+0x601000, rwxad)
	tb.set(ramBase, 4, 0x100200000, rwxad)
	_, f := Walk(tb.b, tb.ctx(1), 0x600000, Load)
	assert.Equal(t, PageFault, f)
	_, f = Walk(tb.b, tb.ctx(1), 0x100000000, Fetch)
	assert.Equal(t, PageFault, f)
}

func TestPermissions(t *testing.T) {
	tb := newTables(t)
	const va = 0x5000
	for _, c := range []struct {
		name  string
		flags uint64
		priv  uint8
		sum   bool
		mxr   bool
		acc   Access
		ok    bool
	}{
		{"R load", PteR, 1, false, false, Load, true},
		{"R store", PteR, 1, false, false, Store, false},
		{"R fetch", PteR, 1, false, false, Fetch, false},
		{"RW store", PteR | PteW, 1, false, false, Store, true},
		{"X fetch", PteX, 1, false, false, Fetch, true},
		{"X load", PteX, 1, false, false, Load, false},
		{"X load MXR", PteX, 1, false, true, Load, true},
		{"X store MXR", PteX, 1, false, true, Store, false},
		{"W only", PteW, 1, false, false, Store, false},
		{"W X only", PteW | PteX, 1, false, false, Fetch, false},
		{"U page from S", PteR | PteU, 1, false, false, Load, false},
		{"U page from S SUM", PteR | PteU, 1, true, false, Load, true},
		{"U page fetch from S SUM", PteX | PteU, 1, true, false, Fetch, false},
		{"U page from U", PteR | PteU, 0, false, false, Load, true},
		{"S page from U", PteR, 0, false, false, Load, false},
		{"S page from U SUM", PteR, 0, true, false, Load, false},
		{"U fetch", PteX | PteU, 0, false, false, Fetch, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb.set(l0, 5, ramBase+0x7000, PteV|PteA|PteD|c.flags)
			ctx := tb.ctx(c.priv)
			ctx.SUM, ctx.MXR = c.sum, c.mxr
			_, f := Walk(tb.b, ctx, va, c.acc)
			if c.ok {
				assert.Equal(t, OK, f)
			} else {
				assert.Equal(t, PageFault, f)
			}
		})
	}
}

func TestAccessedDirty(t *testing.T) {
	tb := newTables(t)
	tb.set(l0, 5, ramBase+0x7000, PteV|PteR|PteW)
	_, f := Walk(tb.b, tb.ctx(1), 0x5000, Load)
	require.Equal(t, OK, f)
	assert.Equal(t, uint64(PteA), tb.pte(l0, 5)&(PteA|PteD), "a load sets A")
	_, f = Walk(tb.b, tb.ctx(1), 0x5000, Store)
	require.Equal(t, OK, f)
	assert.Equal(t, uint64(PteA|PteD), tb.pte(l0, 5)&(PteA|PteD), "a store sets D")
	// A fault leaves the PTE alone.
	tb.set(l0, 6, ramBase+0x7000, PteV|PteR)
	_, f = Walk(tb.b, tb.ctx(1), 0x6000, Store)
	assert.Equal(t, PageFault, f)
	assert.Zero(t, tb.pte(l0, 6)&(PteA|PteD))
	// Non-leaf entries are never changed.
	assert.Equal(t, uint64(PteV), tb.pte(ramBase, 0)&0x3FF)
}

func TestInvalidEntries(t *testing.T) {
	tb := newTables(t)
	tb.set(l0, 1, ramBase, 0)                             // V = 0
	tb.set(l0, 2, ramBase+0x2000, PteV)                   // pointer at the last level
	tb.set(l0, 3, ramBase, rwxad|1<<60)                   // reserved high bits
	tb.set(l0, 4, ramBase, PteV|PteA|PteD|PteR|1<<8|1<<9) // RSW bits are software's
	for va, want := range map[uint64]Fault{0x1000: PageFault, 0x2000: PageFault, 0x3000: PageFault, 0x4000: OK} {
		_, f := Walk(tb.b, tb.ctx(1), va, Load)
		assert.Equal(t, want, f, "va %#x", va)
	}
}

func TestNonCanonical(t *testing.T) {
	tb := newTables(t)
	assert.True(t, Canonical(0x3fffffffff))
	assert.True(t, Canonical(0xffffffc000000000))
	assert.False(t, Canonical(0x4000000000))
	assert.False(t, Canonical(0x8000000000000000))
	_, f := Walk(tb.b, tb.ctx(1), 0x4000000000, Load)
	assert.Equal(t, PageFault, f)
}

func TestPTEOutsideRAM(t *testing.T) {
	tb := newTables(t)
	tb.set(l1, 7, 0x1000, PteV) // next table at PA 0x1000: nothing there
	_, f := Walk(tb.b, tb.ctx(1), 7<<21, Load)
	assert.Equal(t, AccessFault, f)
	tb.satp = ModeSv39<<SatpModeShift | 0x2000>>12
	_, f = Walk(tb.b, tb.ctx(1), 0, Fetch)
	assert.Equal(t, AccessFault, f)
}

func TestTLB(t *testing.T) {
	tlb := NewTLB()
	_, ok := tlb.Lookup(0x5000)
	assert.False(t, ok, "starts empty")
	tlb.Insert(0x5123, 0x7000)
	i, ok := tlb.Lookup(0x5abc)
	assert.True(t, ok)
	assert.Equal(t, uint64(0x7abc), i)
	_, ok = tlb.Lookup(0x5000 + TLBSize*0x1000)
	assert.False(t, ok, "same index, other page")
	tlb.Insert(0xffffffffc0000000, 0x1000) // high addresses work too
	i, ok = tlb.Lookup(0xffffffffc0000008)
	assert.True(t, ok)
	assert.Equal(t, uint64(0x1008), i)
	tlb.FlushPage(0x5fff)
	_, ok = tlb.Lookup(0x5000)
	assert.False(t, ok)
	tlb.FlushPage(0x9000) // not cached: no effect on others
	_, ok = tlb.Lookup(0xffffffffc0000000)
	assert.True(t, ok)
	tlb.Flush()
	_, ok = tlb.Lookup(0xffffffffc0000000)
	assert.False(t, ok)
}

// FuzzWalk walks random page tables: no panic, and a successful walk
// returns an address whose page offset is the virtual one.
func FuzzWalk(f *testing.F) {
	f.Add(uint64(0x5000), uint64(0x80000000>>12<<10|0xcf), uint8(1), uint8(0))
	f.Fuzz(func(t *testing.T, va, pte uint64, priv, acc uint8) {
		b := bus.New(ramBase, 1<<16)
		for i := uint64(0); i < 1<<16; i += 8 {
			b.Store(ramBase+i, 8, pte^i*0x9E3779B97F4A7C15)
		}
		ctx := Context{Satp: ModeSv39<<SatpModeShift | ramBase>>12 + pte&0xF, Priv: priv & 1, SUM: pte&1 != 0, MXR: pte&2 != 0}
		pa, fl := Walk(b, ctx, va, Access(acc%3))
		if fl == OK && pa&0xFFF != va&0xFFF {
			t.Fatalf("offset changed: va %#x pa %#x", va, pa)
		}
	})
}
