package rv64

import (
	"testing"
	"unsafe"
)

// The fields a Hart touches with nearly every instruction must not sit at
// the same offset modulo 4 KiB as the registers (x0..x31 and the zero
// sink, f0..f31): loads and stores 4 KiB apart alias in the CPU's
// store-forwarding check, and a 32-byte shift that put effects on x2's
// alias and waiting and checkInt on x1's once made translated code run
// twice as slow. (Fields touched only when translated code exits, such as
// jitPC, are left out: they alias x20..x25 today at no measurable cost.)
// New cold fields go at the end of Hart for that reason.
func TestHotFieldsDoNotAliasRegisters(t *testing.T) {
	var h Hart
	regs := [][2]uintptr{
		{unsafe.Offsetof(h.x), 8 * (zeroSink + 1)},
		{unsafe.Offsetof(h.f), unsafe.Sizeof(h.f)},
	}
	hot := map[string][2]uintptr{
		"pc":          {unsafe.Offsetof(h.pc), unsafe.Sizeof(h.pc)},
		"priv":        {unsafe.Offsetof(h.priv), unsafe.Sizeof(h.priv)},
		"steps":       {unsafe.Offsetof(h.steps), unsafe.Sizeof(h.steps)},
		"traps":       {unsafe.Offsetof(h.traps), unsafe.Sizeof(h.traps)},
		"reservation": {unsafe.Offsetof(h.reservation), unsafe.Sizeof(h.reservation)},
		"waiting":     {unsafe.Offsetof(h.waiting), unsafe.Sizeof(h.waiting)},
		"checkInt":    {unsafe.Offsetof(h.checkInt), unsafe.Sizeof(h.checkInt)},
		"effects":     {unsafe.Offsetof(h.effects), unsafe.Sizeof(h.effects)},
		"tallies":     {unsafe.Offsetof(h.tallies), unsafe.Sizeof(h.tallies)},
		"spinning":    {unsafe.Offsetof(h.spinning), unsafe.Sizeof(h.spinning)},
	}
	const page = 4096
	for name, f := range hot {
		for _, r := range regs {
			lo, hi := f[0]%page, f[0]%page+f[1]
			rlo, rhi := r[0]%page, r[0]%page+r[1]
			if lo < rhi && rlo < hi {
				t.Errorf("%s at offset %d aliases the registers at %d..%d modulo 4 KiB: move cold fields after it to the end of Hart",
					name, f[0], r[0], r[0]+r[1])
			}
		}
	}
}
