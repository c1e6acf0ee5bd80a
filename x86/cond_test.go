package x86

import (
	"math/rand"
	"testing"
)

// condFromFlags evaluates condition code cc from materialized EFLAGS, as
// the SDM defines each one.
func condFromFlags(f uint32, cc uint8) bool {
	cf, zf, sf, of, pf := f&FlagCF != 0, f&FlagZF != 0, f&FlagSF != 0, f&FlagOF != 0, f&FlagPF != 0
	var r bool
	switch cc >> 1 {
	case 0:
		r = of
	case 1:
		r = cf
	case 2:
		r = zf
	case 3:
		r = cf || zf
	case 4:
		r = sf
	case 5:
		r = pf
	case 6:
		r = sf != of
	case 7:
		r = zf || sf != of
	}
	return r != (cc&1 != 0)
}

// TestCondMatchesFlags: every condition read from the lazy flags (cond's
// tables and condSlow) agrees with the flags getFlags materializes, after
// each kind of ALU operation on each size.
func TestCondMatchesFlags(t *testing.T) {
	c := &CPU{flags: 2}
	rng := rand.New(rand.NewSource(1))
	pick := func() uint32 {
		switch rng.Intn(4) {
		case 0:
			return uint32(rng.Intn(3))
		case 1:
			return 0x80000000 - uint32(rng.Intn(3))
		case 2:
			return 0xFFFFFFFF - uint32(rng.Intn(3))
		}
		return rng.Uint32()
	}
	for i := 0; i < 200000; i++ {
		size := []int{1, 2, 4}[rng.Intn(3)]
		a, b := pick()&sizeMask[size], pick()&sizeMask[size]
		c.flags = 2 | uint32(rng.Intn(2))*FlagCF
		c.lz.op = lazyNone
		op := uint8(rng.Intn(8))
		c.alu(op, a, b, size)
		f := c.getFlags()
		for cc := uint8(0); cc < 16; cc++ {
			if got, want := c.cond(cc), condFromFlags(f, cc); got != want {
				t.Fatalf("alu op %d size %d a %#x b %#x: cond %#x = %v, flags %#x say %v", op, size, a, b, cc, got, f, want)
			}
		}
	}
}
