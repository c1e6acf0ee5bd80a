package x86

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"testing"
)

// refTrips steps a fill loop's closing compare the way the CPU does (the
// lazy flags of cmp and cond) and returns the iteration whose jcc falls
// through, or 0 if none does within limit iterations.
func refTrips(cc uint8, pIsA bool, p0, bound, step uint32, limit uint64) uint64 {
	var c CPU
	p := p0
	for i := uint64(1); i <= limit; i++ {
		p += step
		a, b := p, bound
		if !pIsA {
			a, b = b, a
		}
		c.lazy32(lazySub, a-b, a, b)
		if !c.cond(cc) {
			return i
		}
	}
	return 0
}

// TestFillTripsTable: the counts of the loops gcc emits, and the loops
// fillTrips must refuse because their pointer would wrap.
func TestFillTripsTable(t *testing.T) {
	for _, tc := range []struct {
		name            string
		cc              uint8
		pIsA            bool
		p0, bound, step uint32
		want            uint64
		ok              bool
	}{
		// memset's words: cmp %edi,%ecx; jae (loops while end >= p).
		{"memset page", 3, false, 0x1008, 0x1FF8, 8, 0x1FF, true},
		{"memset one", 3, false, 0x1008, 0x1008, 8, 1, true},
		{"memset past", 3, false, 0x1010, 0x1008, 8, 1, true},
		{"memset top", 3, false, 0xFFFFFF00, 0xFFFFFFF8, 8, 0, false}, // p reaches 0xFFFFFFF8+8 = 0: wraps
		{"memset below top", 3, false, 0xFFFFFF00, 0xFFFFFFF0, 8, 0x1F, true},
		// The byte tail: cmp %esi,%ecx; jne.
		{"tail", 5, false, 0x1000, 0x1007, 1, 7, true},
		{"tail at end", 5, false, 0x1000, 0x1000, 1, 0, false}, // 2^32 iterations
		{"tail uneven", 5, true, 0x1000, 0x1007, 4, 0, false},
		{"ne wraps", 5, true, 0xFFFFFFF0, 0x10, 8, 4, true},
		{"ne falling", 5, true, 0x2000, 0x1000, 0xFFFFFFFC, 0x400, true},
		// jb / jbe / ja with the pointer first.
		{"jb", 2, true, 0, 10, 4, 3, true},
		{"jb exact", 2, true, 0, 12, 4, 3, true},
		{"jb top", 2, true, 0xFFFFFFF0, 0xFFFFFFFF, 4, 0, false},
		{"jbe", 6, true, 0, 12, 4, 4, true},
		{"jbe max bound", 6, true, 0, 0xFFFFFFFF, 1 << 20, 0, false},
		{"ja rising", 7, true, 0x100, 0x50, 4, 0, false},
		{"ja rising ends", 7, true, 0x10, 0x50, 4, 1, true},
		{"ja falling", 7, true, 0x200, 0x100, 0xFFFFFFF0, 0x10, true},
		{"jae falling to 0", 3, true, 0x100, 0, 0xFFFFFFF0, 0, false},
		{"jae falling wraps", 3, true, 0x104, 4, 0xFFFFFFF0, 0, false},
		{"jae falling", 3, true, 0x1104, 0x1000, 0xFFFFFFF0, 0x11, true},
		{"je", 4, true, 0x10, 0x14, 4, 2, true},
		// Signed: jl / jg across the sign boundary.
		{"jl", 0xC, true, 0x7FFFFFE0, 0x7FFFFFF0, 4, 4, true},
		{"jl to max", 0xC, true, 0x7FFFFFF0, 0x7FFFFFFF, 4, 0, false},
		{"jl wraps sign", 0xC, true, 0x7FFFFFF0, 0x7FFFFFFF, 0x40, 0, false},
		{"jl crosses", 0xC, true, 0xFFFFFFF0, 0x10, 8, 4, true},
		{"jg falling", 0xF, true, 0x10, 0xFFFFFFF0, 0xFFFFFFF8, 4, true},
		{"js refused", 8, true, 0, 0x10, 4, 0, false},
		{"step 0", 2, true, 0, 0x10, 0, 0, false},
	} {
		got, ok := fillTrips(tc.cc, tc.pIsA, tc.p0, tc.bound, tc.step)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: fillTrips = %d, %v; want %d, %v", tc.name, got, ok, tc.want, tc.ok)
		}
		if ok {
			if ref := refTrips(tc.cc, tc.pIsA, tc.p0, tc.bound, tc.step, 1<<22); ref != got {
				t.Errorf("%s: stepping the compare ends after %d iterations, fillTrips says %d", tc.name, ref, got)
			}
		}
	}
}

// TestFillTripsRandom: wherever fillTrips gives a count, stepping the
// compare ends there, near every boundary an address can wrap at; and it
// gives one for the ordinary cases.
func TestFillTripsRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	near := []uint32{0, 0x1000, 0x7FFFFF00, 0x80000000, 0xFFFFFF00, 0xFFFFFFF8}
	steps := []uint32{1, 2, 4, 8, 12, 16, 3, 0xFFFFFFFF, 0xFFFFFFFC, 0xFFFFFFF8, 0xFFFFFFF0}
	counted := 0
	for i := 0; i < 200000; i++ {
		cc := []uint8{2, 3, 4, 5, 6, 7, 0xC, 0xD, 0xE, 0xF}[rng.Intn(10)]
		pIsA := rng.Intn(2) == 0
		p0 := near[rng.Intn(len(near))] + uint32(rng.Intn(512)) - 256
		bound := p0 + uint32(rng.Intn(1024)) - 512
		if rng.Intn(8) == 0 {
			bound = near[rng.Intn(len(near))] + uint32(rng.Intn(64)) - 32
		}
		step := steps[rng.Intn(len(steps))]
		got, ok := fillTrips(cc, pIsA, p0, bound, step)
		if !ok {
			continue
		}
		counted++
		const limit = 1 << 12
		ref := refTrips(cc, pIsA, p0, bound, step, min(got, limit))
		if got <= limit && ref != got || got > limit && ref != 0 {
			t.Fatalf("cc %#x pIsA %v p0 %#x bound %#x step %#x: fillTrips %d, stepping %d", cc, pIsA, p0, bound, step, got, ref)
		}
	}
	if counted < 50000 {
		t.Errorf("only %d of 200000 loops counted", counted)
	}
}

// fillLoop is a fill loop for the tests: setup (registers), the body
// without its jcc, and the jcc's condition.
type fillLoop struct {
	name  string
	setup []byte
	body  []byte
	cc    byte
}

func movImm(r int, v uint32) []byte {
	return binary.LittleEndian.AppendUint32([]byte{0xB8 + byte(r)}, v)
}

// fillProgram builds: the registers of setup; a call of a ret placed at
// codeAt (0: none), so that page holds decoded code; the loop; hlt.
func fillProgram(l fillLoop, codeAt uint32) []byte {
	var p []byte
	p = append(p, movImm(ESP, fzStack)...)
	p = append(p, l.setup...)
	if codeAt != 0 {
		p = append(p, movImm(EBP, codeAt)...)
		p = append(p, 0xFF, 0xD5) // call ebp
	}
	p = append(p, l.body...)
	p = append(p, 0x70|l.cc, byte(-(len(l.body) + 2)))
	return append(p, 0xF4)
}

// fillLoops returns the loops, filling from dst for about n bytes.
func fillLoops(dst, n uint32) []fillLoop {
	regs := func(kv ...uint32) []byte {
		var b []byte
		for i := 0; i < len(kv); i += 2 {
			b = append(b, movImm(int(kv[i]), kv[i+1])...)
		}
		return b
	}
	imm32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	end := dst + n
	return []fillLoop{
		{"memset words", regs(EDI, dst+8, ECX, end, EAX, 0x11223344, EDX, 0x55667788),
			[]byte{0x89, 0x47, 0xF8, 0x83, 0xC7, 0x08, 0x89, 0x57, 0xF4, 0x39, 0xF9}, 0x3},
		{"byte tail", regs(ESI, dst, ECX, end, EAX, 0xA5),
			[]byte{0x88, 0x06, 0x46, 0x39, 0xF1}, 0x5},
		{"falling words jae", regs(EDI, end-4, EBX, dst, EAX, 0xCAFEBABE),
			[]byte{0x89, 0x07, 0x83, 0xEF, 0x04, 0x39, 0xDF}, 0x3},
		{"imm store imm bound jb", regs(EDI, dst-4),
			cat([]byte{0xC7, 0x47, 0x04}, imm32(0x12345678), []byte{0x83, 0xC7, 0x04, 0x81, 0xFF}, imm32(end-4)), 0x2},
		{"imm byte jl", regs(EDI, dst, ECX, end),
			[]byte{0xC6, 0x07, 0x5A, 0x47, 0x39, 0xCF}, 0xC},
		{"falling bytes jne ah", regs(EDI, end-1, ECX, dst-1, EAX, 0x7700),
			[]byte{0x88, 0x27, 0x4F, 0x39, 0xCF}, 0x5},
		{"overlapping jbe", regs(EDI, dst, ECX, end-8, EAX, 0x01020304, EDX, 0xF0),
			[]byte{0x89, 0x07, 0x88, 0x57, 0x02, 0x47, 0x39, 0xCF}, 0x6},
		{"16 bytes ja", regs(EDI, dst, ECX, end-16, EAX, 1, EBX, 2, EDX, 3, ESI, 4),
			[]byte{0x89, 0x07, 0x89, 0x5F, 0x04, 0x89, 0x57, 0x08, 0x83, 0xC7, 0x10, 0x89, 0x77, 0xFC, 0x39, 0xF9}, 0x7},
		{"gap stores jae", regs(EDI, dst, ECX, end-12, EAX, 0xDEADBEEF),
			[]byte{0x89, 0x07, 0x83, 0xC7, 0x0C, 0x88, 0x47, 0xF8, 0x39, 0xF9}, 0x3},
	}
}

// fillRun runs program on three CPUs (fill loops in bulk, fill loops
// stepped as other idioms, every instruction interpreted) in Runs of the
// budgets budget gives, and fails at the first difference. The program
// must end at the hlt at haltAt (in ring 3, the #GP it raises). It returns
// the bulk CPU.
func fillRun(t *testing.T, program []byte, codeAt, haltAt uint32, user, paging bool, budget func(k int) uint64) *CPU {
	t.Helper()
	return fillRunPrep(t, program, func(ram []byte) {
		if codeAt != 0 {
			ram[codeAt] = 0xC3 // ret
		}
	}, haltAt, user, paging, budget)
}

// fillRunPrep is fillRun with prep preparing each CPU's RAM.
func fillRunPrep(t *testing.T, program []byte, prep func(ram []byte), haltAt uint32, user, paging bool, budget func(k int) uint64) *CPU {
	t.Helper()
	var cpus [3]*CPU
	for i := range cpus {
		c, b := newFuzzCPU(t, program, user, paging)
		t.Cleanup(b.Close)
		prep(c.ram)
		c.fillOff = i == 1
		c.loopsOff = i == 2
		c.cyc.off = true // its probes step one instruction at a time
		cpus[i] = c
	}
	a, s, p := cpus[0], cpus[1], cpus[2]
	for k := 0; ; k++ {
		n := budget(k)
		na, ns, np := a.Run(n), s.Run(n), p.Run(n)
		if na != ns || na != np || a.eip != s.eip || a.eip != p.eip || a.r != s.r || a.r != p.r ||
			a.getFlags() != p.getFlags() || a.Halted() != p.Halted() || a.Instret() != p.Instret() ||
			a.cr2 != s.cr2 || a.cr2 != p.cr2 {
			t.Fatalf("Run %d (budget %d): bulk ran %d to eip %#x regs %x flags %#x; stepping %d %#x %x; interpreter %d %#x %x %#x",
				k, n, na, a.eip, a.r[:8], a.getFlags(), ns, s.eip, s.r[:8], np, p.eip, p.r[:8], p.getFlags())
		}
		if a.lz != s.lz || a.flags != s.flags || a.effects != s.effects || a.spin != s.spin || a.Spinning() != s.Spinning() {
			t.Fatalf("Run %d (budget %d): bulk lazy flags %+v flags %#x effects %d spin %+v; stepping %+v %#x %d %+v",
				k, n, a.lz, a.flags, a.effects, a.spin, s.lz, s.flags, s.effects, s.spin)
		}
		if a.Halted() {
			break
		}
		if haltAt == 0 && a.Instret() > 1_000_000 {
			break // a fuzzed loop that runs long: what ran was checked
		}
		if a.Instret() > 50_000_000 {
			t.Fatalf("program did not halt: eip %#x regs %x", a.eip, a.r[:8])
		}
	}
	at := a.eip - 1
	if haltAt == 0 {
		at = 0
	} else if user && at == fzTrap && haltAt != fzTrap {
		// hlt in ring 3 is #GP(0): the handler's frame holds its EIP.
		at = binary.LittleEndian.Uint32(a.ram[fzStack-0x1000-20:])
	}
	if at != haltAt {
		t.Fatalf("halted at %#x, want %#x", at, haltAt)
	}
	if !bytes.Equal(a.ram, s.ram) || !bytes.Equal(a.ram, p.ram) {
		t.Fatal("memory differs")
	}
	if s.fillIters != 0 || p.fillIters != 0 {
		t.Fatalf("bulk fills ran with them off: %d, %d", s.fillIters, p.fillIters)
	}
	return a
}

// TestFillLoops: fill loops of many sizes and alignments, crossing pages,
// in Runs that end anywhere in them, with and without paging, in ring 0
// and 3, end exactly as stepping and the interpreter leave them, and the
// bulk path does most of the iterations.
func TestFillLoops(t *testing.T) {
	const dst = 0x200000
	sizes := []uint32{16, 17, 40, 255, 4096, 4100, 8192 + 24, 3*4096 + 13}
	offs := []uint32{0, 1, 3, 8, 0xFF8, 0xFFC}
	budgets := []func(k int) uint64{
		func(int) uint64 { return 1 << 20 },
		func(k int) uint64 { return uint64(1 + k*7%97) },
		func(k int) uint64 { return uint64(300 + k*131%2000) },
	}
	bulkTotal := uint64(0)
	for _, n := range sizes {
		for _, o := range offs {
			for li, l := range fillLoops(dst+o, n) {
				for bi, budget := range budgets {
					if bi == 1 && n > 300 {
						continue // small Runs on the small sizes only
					}
					mode := (int(n) + int(o) + li + bi) % 3 // none, paging, user
					name := fmt.Sprintf("%s/n%d/o%#x/b%d/m%d", l.name, n, o, bi, mode)
					t.Run(name, func(t *testing.T) {
						prog := fillProgram(l, 0)
						c := fillRun(t, prog, 0, fzCode+uint32(len(prog))-1, mode == 2, mode != 0, budget)
						if bi == 0 && n >= 4096 && c.fillIters < uint64(n/64) {
							t.Errorf("only %d iterations in bulk", c.fillIters)
						}
						bulkTotal += c.fillIters
					})
				}
			}
		}
	}
	if bulkTotal == 0 {
		t.Error("no iteration ran in bulk")
	}
}

// TestFillMemset: our kernel's memset over three pages from an unaligned
// start fills exactly its bytes, mostly in bulk.
func TestFillMemset(t *testing.T) {
	const dst, n = 0x300004, 3 * 4096
	l := fillLoops(dst, n)[0]
	prog := fillProgram(l, 0)
	c := fillRun(t, prog, 0, fzCode+uint32(len(prog))-1, false, true, func(int) uint64 { return 1 << 20 })
	ram, iters := c.ram, c.fillIters
	want := []byte{0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55}
	for a := uint32(dst); a < dst+n; a += 8 {
		if !bytes.Equal(ram[a:a+8], want) {
			t.Fatalf("bytes at %#x: % x", a, ram[a:a+8])
		}
	}
	if ram[dst-1] != 0 || ram[dst+n] != 0 {
		t.Error("memset wrote outside its range")
	}
	// Three pages; the iterations that straddle pages, and the first one
	// on each page (a TLB miss until the interpreter stores there), step.
	if total := uint64(n / 8); iters < total-8 {
		t.Errorf("%d of %d iterations in bulk", iters, total)
	}
}

// TestFillOverCode: a fill over a page holding decoded code stops there
// and lets the interpreter write it (which drops the code), on every
// loop and alignment.
func TestFillOverCode(t *testing.T) {
	const dst = 0x200000
	for _, o := range []uint32{0, 5, 0xFF0} {
		for _, l := range fillLoops(dst+o, 3*4096) {
			for _, at := range []uint32{dst + 0x1800, dst + 0x1000, dst + 0x2FF8} {
				t.Run(fmt.Sprintf("%s/o%#x/code%#x", l.name, o, at), func(t *testing.T) {
					prog := fillProgram(l, at)
					fillRun(t, prog, at, fzCode+uint32(len(prog))-1, false, true, func(k int) uint64 { return uint64(500 + k*37%900) })
				})
			}
		}
	}
}

// TestFillFault: a fill that runs off the mapped memory (8 MiB under the
// fuzz harness's paging) faults at the same instruction with the same
// state in all three ways.
func TestFillFault(t *testing.T) {
	const top = 8 << 20
	for _, l := range fillLoops(top-3*4096-4, 4*4096) {
		if int32(fillShapeOf(t, l).step) < 0 {
			continue // it runs down to the bottom of RAM
		}
		t.Run(l.name, func(t *testing.T) {
			c := fillRun(t, fillProgram(l, 0), 0, fzTrap, true, true, func(k int) uint64 { return uint64(1000 + k*97%5000) })
			if c.cr2 < top || c.cr2 >= top+4 || c.fillIters == 0 {
				t.Errorf("cr2 %#x (want the fault at %#x), %d iterations in bulk", c.cr2, top, c.fillIters)
			}
		})
	}
}

// fillShapeOf decodes a loop's body and jcc as the icache does and
// returns what classifyFill makes of it.
func fillShapeOf(t *testing.T, l fillLoop) fillShape {
	t.Helper()
	sh := loopShapeOf(t, l)
	classifyFill(sh)
	return sh.fill
}

// loopShapeOf decodes a loop's body and jcc into a loop shape.
func loopShapeOf(t *testing.T, l fillLoop) *loopShape {
	t.Helper()
	code := append(append([]byte{}, l.body...), 0x70|l.cc, byte(-(len(l.body) + 2)))
	ins := new([loopMaxBody]insn)
	sh := new(loopShape)
	for o := 0; o < len(code); sh.n++ {
		in := &ins[sh.n]
		if !decode(code[o:], true, in) || in.len == 0 {
			t.Fatalf("%s: cannot decode % x", l.name, code[o:])
		}
		specialize(in)
		sh.body[sh.n], sh.eips[sh.n] = in, uint32(o)
		sh.cc[sh.n], sh.to[sh.n] = ccNone, -1
		o += int(in.len)
	}
	sh.cc[sh.n-1], sh.to[sh.n-1] = l.cc, 0
	return sh
}

// TestFillClassify: the loops above are fill loops; loops that read
// memory, compare before the update, store the pointer or one of its
// bytes, update it twice or close on a flag other than an order are not.
func TestFillClassify(t *testing.T) {
	for _, l := range fillLoops(0x200000, 4096) {
		if !fillShapeOf(t, l).ok {
			t.Errorf("%s: not a fill loop", l.name)
		}
	}
	for _, l := range []fillLoop{
		{"load", nil, []byte{0x8B, 0x07, 0x89, 0x47, 0x04, 0x47, 0x39, 0xCF}, 0x5},
		{"cmp first", nil, []byte{0x89, 0x07, 0x39, 0xCF, 0x47}, 0x5},
		{"stores pointer", nil, []byte{0x89, 0x3F, 0x83, 0xC7, 0x04, 0x39, 0xCF}, 0x2},
		{"two updates", nil, []byte{0x89, 0x07, 0x47, 0x47, 0x39, 0xCF}, 0x2},
		{"other base", nil, []byte{0x89, 0x06, 0x47, 0x39, 0xCF}, 0x2},
		{"indexed", nil, []byte{0x89, 0x04, 0x3E, 0x47, 0x39, 0xCF}, 0x2},
		{"stores bl of ebx", nil, []byte{0x88, 0x1B, 0x43, 0x39, 0xCB}, 0x2},
		{"stores bh of ebx", nil, []byte{0x88, 0x3B, 0x43, 0x39, 0xCB}, 0x2},
		{"cmp with itself", nil, []byte{0x89, 0x07, 0x47, 0x39, 0xFF}, 0x2},
		{"no store", nil, []byte{0x47, 0x39, 0xCF}, 0x2},
		{"flags of a later add", nil, []byte{0x89, 0x07, 0x47, 0x39, 0xCF, 0x83, 0xC0, 0x01}, 0x2},
	} {
		if fillShapeOf(t, l).ok {
			t.Errorf("%s: taken for a fill loop", l.name)
		}
	}
	if f := fillShapeOf(t, fillLoops(0x200000, 4096)[0]); f.p != EDI || f.step != 8 || f.lo != ^uint32(7) || f.span != 8 || !f.full || f.pIsA || f.bound != ECX {
		t.Errorf("memset: %+v", f)
	}
}

// FuzzFillLoops: loops built from the fuzzer's bytes out of the pieces
// fill loops are made of (stores of registers and immediates of both
// sizes at small offsets, an add, sub, inc or dec, a cmp with a register
// or an immediate, any jcc), many of them fill loops and some not quite,
// run from random pointers and bounds in Runs of random budgets, end
// exactly as stepping and the interpreter leave them.
func FuzzFillLoops(f *testing.F) {
	f.Add([]byte{7, 1, 0x10, 0, 0, 0x40, 3, 0, 0, 0xF8, 2, 2, 0xF4, 0, 8, 1, 3, 0x20})
	f.Add([]byte{6, 1, 0x01, 0x10, 0, 0x02, 1, 1, 0, 0, 2, 0, 1, 0, 5, 0x30, 0x9})
	f.Add([]byte{3, 2, 0xFF, 0x3F, 0x10, 0x83, 3, 0, 3, 4, 0, 1, 4, 2, 0x30, 0xFF, 0x13})
	f.Fuzz(func(t *testing.T, b []byte) { fillFuzzCase(t, b) })
}

// fillFuzzCase builds and runs FuzzFillLoops's loop from b. It returns the
// CPU that did fill loops in bulk.
func fillFuzzCase(t *testing.T, b []byte) *CPU {
	{
		next := func() byte {
			if len(b) == 0 {
				return 0
			}
			v := b[0]
			b = b[1:]
			return v
		}
		regs := []uint8{EAX, ECX, EDX, EBX, EBP, ESI, EDI}
		p := regs[next()%7]
		q := regs[next()%7]
		if q == p {
			q = regs[(int(next())+1)%7]
		}
		dst := 0x100000 + uint32(next())<<16 | uint32(next())<<8 | uint32(next())
		delta := int32(int16(uint16(next())<<8 | uint16(next())))
		mode := next() % 3
		var setup []byte
		for i, r := range regs {
			setup = append(setup, movImm(int(r), 0x01010101*uint32(i+1)^uint32(next()))...)
		}
		setup = append(setup, movImm(int(q), dst+uint32(delta))...)
		setup = append(setup, movImm(int(p), dst)...)
		var body []byte
		nst := 1 + int(next()%4)
		updAt, cmpAt := int(next())%(nst+1), -1
		for k := 0; k <= nst; k++ {
			if k == updAt {
				switch next() % 4 {
				case 0:
					body = append(body, 0x83, 0xC0|p, 1+next()%16)
				case 1:
					body = append(body, 0x83, 0xE8|p, 1+next()%16)
				case 2:
					body = append(body, 0x40+p)
				case 3:
					body = append(body, 0x48+p)
				}
				if next()%8 != 0 { // else the cmp comes first: not a fill
					cmpAt = len(body)
				}
				if cmpAt < 0 {
					cmpAt = 0
				}
			}
			if k == nst {
				break
			}
			src, disp := regs[next()%7], next()%32-16
			modrm := func(reg uint8) byte { return 0x40 | reg<<3 | p }
			switch next() % 4 {
			case 0:
				body = append(body, 0x89, modrm(src), disp)
			case 1:
				body = append(body, 0x88, modrm(src&3|next()&4), disp) // al..bh
			case 2:
				body = append(body, 0xC7, modrm(0), disp)
				body = binary.LittleEndian.AppendUint32(body, 0x11111111*uint32(next()%15+1))
			case 3:
				body = append(body, 0xC6, modrm(0), disp, next())
			}
		}
		var cmp []byte
		switch next() % 3 {
		case 0:
			cmp = []byte{0x39, 0xC0 | q<<3 | p} // cmp p, q
		case 1:
			cmp = []byte{0x39, 0xC0 | p<<3 | q} // cmp q, p
		case 2:
			cmp = binary.LittleEndian.AppendUint32([]byte{0x81, 0xF8 | p}, dst+uint32(delta))
		}
		if cmpAt == 0 && updAt != 0 {
			body = append(cmp, body...)
		} else {
			body = append(body, cmp...)
		}
		cc := next()
		if cc&0x80 != 0 { // mostly the orders fill loops close on
			cc = []byte{2, 3, 5, 6, 7, 0xC, 0xD, 0xE, 0xF}[cc%9]
		}
		l := fillLoop{"fuzz", setup, body, cc % 16}
		budgets := uint64(next())<<8 | uint64(next())
		c := fillRun(t, fillProgram(l, 0), 0, 0, mode == 2, mode != 0, func(k int) uint64 {
			return 1 + (budgets*uint64(k+1)*2654435761)>>7%(budgets+64)
		})
		return c
	}
}
