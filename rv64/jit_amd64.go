//go:build linux && amd64

package rv64

import (
	"runtime"
	"sync"
	"syscall"
	"unsafe"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/sv39"
)

// The translator's amd64 half: it writes a block's instructions as amd64
// code (see jit.go for when and why) into an executable arena per hart.
//
// Translated code keeps the guest's registers where the interpreter does
// (h.x, addressed off the hart pointer), so it can stop before any
// instruction and leave the rest to the interpreter with nothing to write
// back but the pc. Registers, while it runs:
const (
	jHart = rBX // the *Hart; x[i] is at 8*i
	jRAM  = rSI // &h.ram[0]
	jCode = rDI // &h.code[0]
	jTLB  = r9  // h.tlb, the current translation set
	jPC0  = r10 // the pc the block was entered at
	jDone = r11 // instructions retired in the blocks chained into before this one
)

// Field offsets translated code uses.
var (
	offX           = int32(unsafe.Offsetof(Hart{}.x))
	offRAM         = int32(unsafe.Offsetof(Hart{}.ram))
	offCode        = int32(unsafe.Offsetof(Hart{}.code))
	offTLB         = int32(unsafe.Offsetof(Hart{}.tlb))
	offJITPC       = int32(unsafe.Offsetof(Hart{}.jitPC))
	offJITAt       = int32(unsafe.Offsetof(Hart{}.jitAt))
	offJITBudget   = int32(unsafe.Offsetof(Hart{}.jitBudget))
	offJITVPN      = int32(unsafe.Offsetof(Hart{}.jitVPN))
	offJITPage     = int32(unsafe.Offsetof(Hart{}.jitPage))
	offArena       = int32(unsafe.Offsetof(Hart{}.jit) + unsafe.Offsetof(jitState{}.base))
	offPages       = int32(unsafe.Offsetof(Hart{}.icache) + unsafe.Offsetof(icache{}.pages))
	offGuards      = int32(unsafe.Offsetof(Hart{}.guards))
	offNative      = int32(unsafe.Offsetof(dpage{}.native))
	offEntry       = int32(unsafe.Offsetof(dpage{}.entry))
	offFetchTLB    = int32(unsafe.Offsetof(tlbSet{}.fetch))
	offSniffing    = int32(unsafe.Offsetof(Hart{}.cyc) + unsafe.Offsetof(cycleWatch{}.sniffing))
	offTallies     = int32(unsafe.Offsetof(Hart{}.tallies))
	offSpinPC      = int32(unsafe.Offsetof(Hart{}.spin) + unsafe.Offsetof(spinWatch{}.pc))
	offSpinEffects = int32(unsafe.Offsetof(Hart{}.spin) + unsafe.Offsetof(spinWatch{}.effects))
	offSpinVisits  = int32(unsafe.Offsetof(Hart{}.spin) + unsafe.Offsetof(spinWatch{}.visits))
	offEffects     = int32(unsafe.Offsetof(Hart{}.effects))
	offPriv        = int32(unsafe.Offsetof(Hart{}.priv))
	offMstatus     = int32(unsafe.Offsetof(Hart{}.csr) + unsafe.Offsetof(csrState{}.mstatus))
	offAMOSwapW    = int32(unsafe.Offsetof(Hart{}.ctr) + unsafe.Offsetof(Events{}.AMOSwapW))
	offLoadTLB     = int32(unsafe.Offsetof(tlbSet{}.load))
	offStoreTLB    = int32(unsafe.Offsetof(tlbSet{}.store))
)

func init() {
	// Translated code indexes TLBs as 16-byte {Tag, Delta} entries from
	// the TLB's start, with the index in one byte, and x from the hart.
	var t sv39.TLB
	if sv39.TLBSize != 256 || unsafe.Sizeof(t) != 16*sv39.TLBSize || unsafe.Sizeof(sv39.TLBEntry{}) != 16 || offX != 0 {
		panic("rv64: translator layout assumptions do not hold")
	}
}

// jitEnter runs translated code at code for hart h and returns how many of
// its block's instructions retired; h.jitPC is then the pc of the next.
//
//go:noescape
func jitEnter(code uintptr, h *Hart) uint64

// jitState is a hart's translator: its arena and a buffer to write
// blocks in.
type jitState struct {
	heat  uint8  // block entries before translation; 0 turns it off
	ran   uint64 // instructions translated code ran
	arena *jitArena
	base  uintptr // &arena.mem[0], for chained jumps

	// While translating: the block's slot on its page, its length and
	// first pc offset, where the page's native and entry arrays are (for
	// chaining), and the exits to write out of line.
	e             emitter
	k, n          int
	off0          uint64
	native, entry uintptr
	exits         []jitExit
	prologue      int // length of the code that chained jumps skip
}

// jitExit is a jump, at at, out of the block's straight line: before
// instruction i (exitBefore, delta its pc offset from the block's first),
// or out of the block to pc offset delta with count of its instructions
// retired (exitLeave), or that through a back edge at pc offset from
// (exitBackEdge).
type jitExit struct {
	at, i, count int
	kind         int
	delta, from  int32
}

const (
	exitBefore = iota
	exitLeave
	exitBackEdge
)

// jitArena is executable memory that a hart's blocks are written into,
// from jitArenaStart on (native offsets below it mean none; see dpage).
type jitArena struct {
	mem  []byte
	used int
}

const (
	jitArenaSize  = 8 << 20
	jitArenaStart = 16
)

// jitSpare holds the memory of arenas whose harts are gone, for new harts
// to reuse: a grade boots a machine per test, and fresh mappings cost a
// page fault per page the first blocks are written into.
var jitSpare struct {
	sync.Mutex
	mems [][]byte
}

const jitSpareMax = 16

func newJITArena() *jitArena {
	jitSpare.Lock()
	var mem []byte
	if n := len(jitSpare.mems); n > 0 {
		mem, jitSpare.mems = jitSpare.mems[n-1], jitSpare.mems[:n-1]
	}
	jitSpare.Unlock()
	if mem == nil {
		var err error
		mem, err = syscall.Mmap(-1, 0, jitArenaSize, syscall.PROT_READ|syscall.PROT_WRITE|syscall.PROT_EXEC, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			return nil // no executable memory here: the interpreter does it all
		}
	}
	a := &jitArena{mem: mem, used: jitArenaStart}
	runtime.SetFinalizer(a, func(a *jitArena) {
		jitSpare.Lock()
		defer jitSpare.Unlock()
		if len(jitSpare.mems) < jitSpareMax {
			jitSpare.mems = append(jitSpare.mems, a.mem)
			return
		}
		_ = syscall.Munmap(a.mem)
	})
	return a
}

// jitSupported reports whether this build can translate.
const jitSupported = true

// runNative runs the translated code at arena offset nat for the block
// entered at h.jitPC, chaining into other translated blocks on its page
// for at most h.jitBudget instructions.
func (h *Hart) runNative(nat uint32) uint64 {
	return jitEnter(h.jit.base+uintptr(nat), h)
}

// translateBlock translates blk, the block at slot k of d entered at pc,
// and records where its code is (or that it has none) in d.native.
func (h *Hart) translateBlock(d *dpage, k uint64, blk []insn, pc uint64) {
	j := &h.jit
	d.native[k] = nativeRefused
	if j.heat == 0 {
		return
	}
	if j.arena == nil {
		if j.arena = newJITArena(); j.arena == nil {
			j.heat = 0
			return
		}
		j.base = uintptr(unsafe.Pointer(&j.arena.mem[0]))
	}
	j.k, j.n = int(k), len(blk)
	j.native, j.entry = uintptr(unsafe.Pointer(&d.native[0])), uintptr(unsafe.Pointer(&d.entry[0]))
	if !j.translate(blk, pc) {
		return
	}
	a := j.arena
	code := j.e.b
	if a.used+len(code) > len(a.mem) {
		h.forgetNative()
		a.used = jitArenaStart
	}
	copy(a.mem[a.used:], code)
	d.native[k] = uint32(a.used)
	a.used += (len(code) + 15) &^ 15
}

// forgetNative drops every page's translations (the arena is full and
// starts again).
func (h *Hart) forgetNative() {
	for _, d := range h.icache.pages {
		if d != nil {
			d.native = [slotsPerPage]uint32{}
		}
	}
}

// translate writes blk, the block entered at pc, as amd64 code into j.e.b.
// It reports false when there is nothing worth running: the block's first
// instruction is one translated code leaves to the interpreter.
func (j *jitState) translate(blk []insn, pc uint64) bool {
	e := &j.e
	e.b = e.b[:0]
	j.exits = j.exits[:0]
	e.load(jRAM, jHart, offRAM)
	e.load(jCode, jHart, offCode)
	e.load(jTLB, jHart, offTLB)
	e.load(jPC0, jHart, offJITPC)
	e.aluReg(false, aluXOR, jDone, jDone)
	j.prologue = len(e.b)
	j.off0 = pc & pageMask
	off := j.off0
	for i := range blk {
		in := &blk[i]
		delta := int32(int64(off) - int64(j.off0))
		last := i == len(blk)-1
		if !j.insn(in, i, delta, last) {
			if i == 0 {
				return false
			}
			j.exitBefore(i, delta)
			break
		}
		if last {
			if in.op != opJAL && in.op != opJALR { // those wrote their way out
				j.leave(i+1, delta+int32(in.len))
			}
			break
		}
		switch in.op {
		case opJAL, opJALR:
			t, ok := jumpTarget(blk[:i+1], off)
			if !ok {
				return false // not a block formBlock makes
			}
			off = t
		default:
			off += uint64(in.len)
		}
	}
	// The exits, out of line. Those before the same instruction (a TLB
	// miss and a page crossing, say) share one. (Back edges add exits.)
	stubI, stub := -1, 0
	for k := 0; k < len(j.exits); k++ {
		x := j.exits[k]
		switch {
		case x.kind == exitLeave:
			e.patch(x.at, len(e.b))
			j.unlessSniffing(x.i, x.from)
			j.leave(x.count, x.delta)
		case x.kind == exitBackEdge:
			e.patch(x.at, len(e.b))
			j.unlessSniffing(x.i, x.from)
			j.streak(x.i, x.from, x.delta-x.from)
			j.leave(x.count, x.delta)
		case x.i == stubI:
			e.patch(x.at, stub)
		default:
			stubI, stub = x.i, len(e.b)
			e.patch(x.at, stub)
			j.exitBefore(x.i, x.delta)
		}
	}
	return true
}

// unlessSniffing leaves before the taken branch or jump at instruction i
// (pc offset delta) while a sniff is under way: it looks at every one.
func (j *jitState) unlessSniffing(i int, delta int32) {
	e := &j.e
	e.mem(false, []byte{0x80}, 7, jHart, offSniffing) // cmp byte [sniffing], 0
	e.bytes(0)
	j.exitIf(ccNE, i, delta)
}

// streak writes what pureStreak does at the taken back edge (by imm) at
// instruction i, pc offset delta, up to where it would count a visit of a
// streak without effects: there it leaves before the instruction, for the
// interpreter to count and look.
func (j *jitState) streak(i int, delta, imm int32) {
	if -int64(imm) > spinReach {
		return // too far back for a spin: nothing to note
	}
	e := &j.e
	e.load(rAX, jHart, offEffects)
	e.aluMem(true, aluSUB, rAX, jHart, offTallies)
	e.lea(rCX, jPC0, delta)
	e.aluMem(true, aluCMP, rCX, jHart, offSpinPC)
	fresh := e.jcc(ccNE)
	e.aluMem(true, aluCMP, rAX, jHart, offSpinEffects)
	j.exitIf(ccE, i, delta)
	e.patch(fresh, len(e.b))
	e.store(jHart, offSpinPC, rCX)
	e.store(jHart, offSpinEffects, rAX)
	e.mem(false, []byte{0xC7}, 0, jHart, offSpinVisits) // mov dword [visits], 0
	e.imm32(0)
}

// exitBefore writes a return from translated code before instruction i
// (pc offset delta), which the interpreter runs next.
func (j *jitState) exitBefore(i int, delta int32) {
	j.e.lea(rAX, jPC0, delta)
	j.ret(i, i)
}

// ret writes the return with the pc in rAX: the interpreter goes on at
// instruction i of this block (i = n: after it), count instructions of it
// having retired.
func (j *jitState) ret(i, count int) {
	e := &j.e
	e.store(jHart, offJITPC, rAX)
	e.mem(false, []byte{0xC7}, 0, jHart, offJITAt) // mov dword [jitAt], k<<8|i
	e.imm32(int32(j.k<<8 | i))
	e.lea(rAX, jDone, int32(count))
	e.ret()
}

// leave writes the way out of the block to pc offset delta, count of its
// instructions retired: a jump into the translated block there if there
// is one and the budget covers it, else a return.
func (j *jitState) leave(count int, delta int32) {
	e := &j.e
	t := int64(j.off0) + int64(delta)
	if t >= 0 && t < bus.PageSize {
		slot := uintptr(t>>1) * 4
		e.movImm64(rAX, uint64(j.native+slot))
		e.load32(rAX, rAX, 0)
		e.movImm64(rDX, uint64(j.entry+slot))
		e.mem(false, []byte{0x0F, 0xB6}, rDX, rDX, 0) // movzx edx, byte [rdx]: its length
		j.chain(count, func() { e.lea(jPC0, jPC0, delta) })
		e.lea(rAX, jPC0, delta)
		j.ret(j.n, count)
		return
	}
	e.lea(rCX, jPC0, delta)
	j.leaveTo(count)
}

// leaveTo is leave for a target pc in rCX, known only at run time (a
// return) or on another page.
func (j *jitState) leaveTo(count int) {
	e := &j.e
	e.movReg(rAX, rCX)
	e.aluReg(true, aluXOR, rAX, jPC0)
	e.shiftImm(true, shSHR, rAX, 12)
	other := e.jcc(ccNE) // another page
	e.movReg(r8, rCX)
	e.aluImm(false, aluAND, r8, pageMask&^1)
	e.aluReg(true, aluADD, r8, r8) // the slot's offset in native and entry
	e.movImm64(rAX, uint64(j.native))
	e.aluReg(true, aluADD, rAX, r8)
	e.load32(rAX, rAX, 0)
	e.movImm64(rDX, uint64(j.entry))
	e.aluReg(true, aluADD, rDX, r8)
	e.mem(false, []byte{0x0F, 0xB6}, rDX, rDX, 0)
	j.chain(count, func() { e.movReg(jPC0, rCX) })
	e.movReg(rAX, rCX)
	j.ret(j.n, count)
	e.patch(other, len(e.b))
	j.chainFar(count)
	e.movReg(rAX, rCX)
	j.ret(j.n, count)
}

// chainFar writes the jump to a target pc on another page, in rCX, as
// the interpreter's page switch finds it: through the fetch TLB to a RAM
// page whose code is decoded, with no debugger guards set. It falls
// through when any of that fails.
func (j *jitState) chainFar(count int) {
	e := &j.e
	var fail [4]int
	e.movReg(rAX, rCX)
	e.shiftImm(true, shSHR, rAX, 12) // vpn
	e.movReg(r13, rAX)
	e.bytes(0x0F, 0xB6, 0xD0) // movzx edx, al
	e.shiftImm(false, shSHL, rDX, 4)
	e.aluReg(true, aluADD, rDX, jTLB)
	e.aluMem(true, aluCMP, rAX, rDX, offFetchTLB)
	fail[0] = e.jcc(ccNE)
	e.movReg(rAX, rCX)
	e.aluMem(true, aluADD, rAX, rDX, offFetchTLB+8)
	e.shiftImm(true, shSHR, rAX, 12) // RAM page
	e.movReg(r12, rAX)
	e.shiftImm(true, shSHL, rAX, 3)
	e.aluMem(true, aluADD, rAX, jHart, offPages)
	e.load(rDX, rAX, 0)                  // its dpage
	e.regs(true, []byte{0x85}, rDX, rDX) // test rdx, rdx
	fail[1] = e.jcc(ccE)
	e.mem(true, []byte{0x83}, 7, jHart, offGuards) // cmp qword [guards], 0
	e.bytes(0)
	fail[2] = e.jcc(ccNE)
	e.movReg(r8, rCX)
	e.aluImm(false, aluAND, r8, pageMask&^1)
	e.aluReg(true, aluADD, r8, r8)
	e.aluReg(true, aluADD, rDX, r8)
	e.load32(rAX, rDX, offNative)
	e.mem(false, []byte{0x0F, 0xB6}, rDX, rDX, offEntry)
	j.chain(count, func() {
		e.movReg(jPC0, rCX)
		e.store(jHart, offJITVPN, r13)
		e.shiftImm(true, shSHL, r12, 12)
		e.store(jHart, offJITPage, r12)
	})
	for _, f := range fail[:3] {
		e.patch(f, len(e.b))
	}
}

// chain writes the jump into the translated block whose arena offset is
// in rAX (or none) and whose length is in rDX, after count instructions
// of this one; setPC points jPC0 at it. It falls through when there is no
// translation or the budget does not cover the block.
func (j *jitState) chain(count int, setPC func()) {
	e := &j.e
	e.aluImm(false, aluCMP, rAX, jitArenaStart)
	none := e.jcc(ccB)
	e.lea(r8, jDone, int32(count))
	e.aluReg(true, aluADD, rDX, r8)
	e.aluMem(true, aluCMP, rDX, jHart, offJITBudget)
	over := e.jcc(ccA)
	e.movReg(jDone, r8)
	setPC()
	e.aluMem(true, aluADD, rAX, jHart, offArena)
	e.aluImm(true, aluADD, rAX, int32(j.prologue))
	e.bytes(0xFF, 0xE0) // jmp rax
	e.patch(none, len(e.b))
	e.patch(over, len(e.b))
}

// exitIf writes a jump on cc to an exit before instruction i.
func (j *jitState) exitIf(cc byte, i int, delta int32) {
	j.exits = append(j.exits, jitExit{at: j.e.jcc(cc), kind: exitBefore, i: i, delta: delta})
}

// xr is the displacement of guest register r from the hart pointer.
func xr(r uint8) int32 { return offX + 8*int32(r) }

// insn writes instruction i (at pc offset delta; last if it ends the
// block) and reports whether it could: if not, the code must leave before
// it.
func (j *jitState) insn(in *insn, i int, delta int32, last bool) bool {
	e := &j.e
	imm := in.imm
	switch in.op {
	case opLUI:
		e.storeImm(jHart, xr(in.rd), imm)
	case opAUIPC:
		e.lea(rAX, jPC0, delta)
		e.aluImm(true, aluADD, rAX, imm)
		e.store(jHart, xr(in.rd), rAX)

	case opJAL:
		if in.rd == zeroSink {
			j.unlessSniffing(i, delta) // a sniff looks at every jump
			if imm <= 0 {
				j.streak(i, delta, imm) // a loop's back edge
			}
		}
		if in.rd != zeroSink {
			e.lea(rAX, jPC0, delta+int32(in.len))
			e.store(jHart, xr(in.rd), rAX)
		}
		if last {
			j.leave(i+1, delta+imm)
		}
	case opJALR:
		if last {
			e.load(rCX, jHart, xr(in.rs1))
			e.aluImm(true, aluADD, rCX, imm)
			e.aluImm(true, aluAND, rCX, -2)
			e.lea(rAX, jPC0, delta+int32(in.len))
			e.store(jHart, xr(in.rd), rAX)
			j.leaveTo(i + 1)
			break
		}
		e.lea(rAX, jPC0, delta+int32(in.len))
		e.store(jHart, xr(in.rd), rAX)

	case opBEQ, opBNE, opBLT, opBGE, opBLTU, opBGEU:
		// Taken, it leaves the block. Back edges have hooks: a loop
		// idiom's (the interpreter runs those: it looked at the branch
		// before the block was translated), and spin detection's streak,
		// which translated code keeps as pureStreak does until it would
		// count a visit. (Forward, a loop idiom's look finds none.)
		e.load(rAX, jHart, xr(in.rs1))
		e.aluMem(true, aluCMP, rAX, jHart, xr(in.rs2))
		cc := branchCC[in.op-opBEQ]
		switch {
		case imm > 0:
			j.exits = append(j.exits, jitExit{at: e.jcc(cc), kind: exitLeave, i: i, count: i + 1, delta: delta + imm, from: delta})
		case (in.op == opBNE || in.op == opBLTU || in.op == opBGEU) && in.idiom != idiomNone:
			j.exitIf(cc, i, delta)
		default:
			j.exits = append(j.exits, jitExit{at: e.jcc(cc), kind: exitBackEdge, i: i, count: i + 1, delta: delta + imm, from: delta})
		}

	case opLB, opLH, opLW, opLD, opLBU, opLHU, opLWU:
		j.access(in, i, delta, offLoadTLB, loadSize[in.op-opLB])
		switch in.op {
		case opLB:
			e.mem(true, []byte{0x0F, 0xBE}, rAX, rAX, 0)
		case opLH:
			e.mem(true, []byte{0x0F, 0xBF}, rAX, rAX, 0)
		case opLW:
			e.mem(true, []byte{0x63}, rAX, rAX, 0)
		case opLD:
			e.load(rAX, rAX, 0)
		case opLBU:
			e.mem(false, []byte{0x0F, 0xB6}, rAX, rAX, 0)
		case opLHU:
			e.mem(false, []byte{0x0F, 0xB7}, rAX, rAX, 0)
		case opLWU:
			e.load32(rAX, rAX, 0)
		}
		e.store(jHart, xr(in.rd), rAX)
	case opSB, opSH, opSW, opSD:
		size := uint64(1) << (in.op - opSB)
		j.access(in, i, delta, offStoreTLB, size)
		j.codeCheck(i, delta)
		e.incMem(jHart, offEffects)
		e.load(rCX, jHart, xr(in.rs2))
		switch size {
		case 1:
			e.mem(false, []byte{0x88}, rCX, rAX, 0)
		case 2:
			e.bytes(0x66)
			e.mem(false, []byte{0x89}, rCX, rAX, 0)
		case 4:
			e.mem(false, []byte{0x89}, rCX, rAX, 0)
		case 8:
			e.store(rAX, 0, rCX)
		}

	case opADDI:
		e.load(rAX, jHart, xr(in.rs1))
		if imm != 0 {
			e.aluImm(true, aluADD, rAX, imm)
		}
		e.store(jHart, xr(in.rd), rAX)
	case opXORI, opORI, opANDI:
		e.load(rAX, jHart, xr(in.rs1))
		e.aluImm(true, [...]int{aluXOR, aluOR, aluAND}[in.op-opXORI], rAX, imm)
		e.store(jHart, xr(in.rd), rAX)
	case opSLTI, opSLTIU:
		e.load(rCX, jHart, xr(in.rs1))
		e.aluImm(true, aluCMP, rCX, imm)
		e.setcc([...]byte{ccL, ccB}[in.op-opSLTI], rAX)
		e.store(jHart, xr(in.rd), rAX)
	case opSLLI, opSRLI, opSRAI:
		e.load(rAX, jHart, xr(in.rs1))
		e.shiftImm(true, [...]int{shSHL, shSHR, shSAR}[in.op-opSLLI], rAX, uint8(imm&63))
		e.store(jHart, xr(in.rd), rAX)
	case opADD, opSUB, opXOR, opOR, opAND:
		e.load(rAX, jHart, xr(in.rs1))
		e.aluMem(true, aluOf(in.op), rAX, jHart, xr(in.rs2))
		e.store(jHart, xr(in.rd), rAX)
	case opSLT, opSLTU:
		e.load(rCX, jHart, xr(in.rs1))
		e.aluMem(true, aluCMP, rCX, jHart, xr(in.rs2))
		cc := byte(ccL)
		if in.op == opSLTU {
			cc = ccB
		}
		e.setcc(cc, rAX)
		e.store(jHart, xr(in.rd), rAX)
	case opSLL, opSRL, opSRA:
		e.load(rAX, jHart, xr(in.rs1))
		e.load(rCX, jHart, xr(in.rs2))
		e.shiftCL(true, aluOf(in.op), rAX)
		e.store(jHart, xr(in.rd), rAX)
	case opADDIW:
		e.load32(rAX, jHart, xr(in.rs1))
		e.aluImm(false, aluADD, rAX, imm)
		j.storeW(in.rd)
	case opSLLIW, opSRLIW, opSRAIW:
		e.load32(rAX, jHart, xr(in.rs1))
		e.shiftImm(false, [...]int{shSHL, shSHR, shSAR}[in.op-opSLLIW], rAX, uint8(imm&31))
		j.storeW(in.rd)
	case opADDW, opSUBW:
		e.load32(rAX, jHart, xr(in.rs1))
		op := aluADD
		if in.op == opSUBW {
			op = aluSUB
		}
		e.aluMem(false, op, rAX, jHart, xr(in.rs2))
		j.storeW(in.rd)
	case opSLLW, opSRLW, opSRAW:
		e.load32(rAX, jHart, xr(in.rs1))
		e.load32(rCX, jHart, xr(in.rs2))
		e.shiftCL(false, [...]int{shSHL, shSHR, shSAR}[in.op-opSLLW], rAX)
		j.storeW(in.rd)

	case opMUL:
		e.load(rAX, jHart, xr(in.rs1))
		e.mem(true, []byte{0x0F, 0xAF}, rAX, jHart, xr(in.rs2))
		e.store(jHart, xr(in.rd), rAX)
	case opMULW:
		e.load32(rAX, jHart, xr(in.rs1))
		e.mem(false, []byte{0x0F, 0xAF}, rAX, jHart, xr(in.rs2))
		j.storeW(in.rd)
	case opMULH, opMULHU:
		e.load(rAX, jHart, xr(in.rs1))
		ext := xreg(5) // imul r/m64: rdx:rax = rax * r/m, signed
		if in.op == opMULHU {
			ext = 4 // mul
		}
		e.mem(true, []byte{0xF7}, ext, jHart, xr(in.rs2))
		e.store(jHart, xr(in.rd), rDX)

	case opFENCE, opFENCEI:
		// Nothing to do, as in the interpreter.

	case opCSRRS, opCSRRW:
		if in.imm == csrSstatus {
			return j.sstatus(in, i, delta)
		}
		return j.plainCSR(in, i, delta)
	case opAMOSWAP:
		return j.amoswapW(in, i, delta)

	default:
		return false
	}
	return true
}

// branchCC is the condition on which each branch op is taken.
var branchCC = [...]byte{ccE, ccNE, ccL, ccGE, ccB, ccAE}

// aluOf is the amd64 ALU or shift op (its /digit) of a register-register
// op.
func aluOf(o op) int {
	switch o {
	case opADD:
		return aluADD
	case opSUB:
		return aluSUB
	case opXOR:
		return aluXOR
	case opOR:
		return aluOR
	case opSLL:
		return shSHL
	case opSRL:
		return shSHR
	case opSRA:
		return shSAR
	}
	return aluAND
}

// storeW sign-extends eax into x[rd].
func (j *jitState) storeW(rd uint8) {
	j.e.movsxd(rAX, rAX)
	j.e.store(jHart, xr(rd), rAX)
}

// access writes the address computation and TLB hit test of a load or
// store of size bytes (tlb the offset of the set's load or store TLB):
// a miss, or an access across the page's end, leaves before instruction
// i. It leaves the host address in rAX and the RAM index in rDX.
func (j *jitState) access(in *insn, i int, delta, tlb int32, size uint64) {
	e := &j.e
	e.load(rAX, jHart, xr(in.rs1))
	if in.imm != 0 {
		e.aluImm(true, aluADD, rAX, in.imm)
	}
	j.lookup(i, delta, tlb)
	if size > 1 {
		e.movReg(rCX, rAX)
		e.aluImm(false, aluAND, rCX, pageMask)
		e.aluImm(false, aluCMP, rCX, int32(bus.PageSize-size))
		j.exitIf(ccA, i, delta)
	}
	j.toRAM(tlb)
}

// toRAM turns the virtual address in rAX, whose TLB entry (minus tlb) is
// in rDX, into its RAM index in rDX and host address in rAX.
func (j *jitState) toRAM(tlb int32) {
	e := &j.e
	e.aluMem(true, aluADD, rAX, rDX, tlb+8) // + Delta: the RAM index
	e.movReg(rDX, rAX)
	e.aluReg(true, aluADD, rAX, jRAM)
}

// lookup writes the TLB probe for the virtual address in rAX: it leaves
// the entry's address minus tlb in rDX, or leaves before instruction i
// on a miss.
func (j *jitState) lookup(i int, delta, tlb int32) {
	e := &j.e
	e.movReg(rCX, rAX)
	e.shiftImm(true, shSHR, rCX, 12)      // vpn
	e.bytes(0x0F, 0xB6, 0xD1)             // movzx edx, cl: vpn mod TLBSize
	e.shiftImm(false, shSHL, rDX, 4)      // 16-byte entries
	e.aluReg(true, aluADD, rDX, jTLB)     // + the set
	e.aluMem(true, aluCMP, rCX, rDX, tlb) // Tag
	j.exitIf(ccNE, i, delta)
}

// codeCheck leaves before instruction i if the RAM page of the index in
// rDX holds decoded code (a store there goes through the bus, which drops
// it).
func (j *jitState) codeCheck(i int, delta int32) {
	e := &j.e
	e.shiftImm(true, shSHR, rDX, 12)
	e.aluReg(true, aluADD, rDX, jCode)
	e.mem(false, []byte{0x80}, 7, rDX, 0) // cmp byte [rdx], 0
	e.bytes(0)
	j.exitIf(ccNE, i, delta)
}

// sstatus writes csrr sstatus or csrw sstatus from S or M mode, as
// sstatusInBlock does them, leaving before instruction i for the cases it
// leaves to the general path.
func (j *jitState) sstatus(in *insn, i int, delta int32) bool {
	if in.imm != csrSstatus || !(in.op == opCSRRS && in.rs1 == 0 || in.op == opCSRRW) {
		return false
	}
	e := &j.e
	e.mem(false, []byte{0x80}, 7, jHart, offPriv) // cmp byte [priv], PrivU
	e.bytes(PrivU)
	j.exitIf(ccE, i, delta)
	e.load(rAX, jHart, offMstatus) // old
	if in.op == opCSRRW {
		e.load(rCX, jHart, xr(in.rs1))
		e.aluImm(true, aluAND, rCX, sstatusWritable)
		e.movReg(rDX, rAX)
		e.aluImm(true, aluAND, rDX, ^int32(sstatusWritable))
		e.aluReg(true, aluOR, rCX, rDX) // new
		e.movReg(rDX, rAX)
		e.aluReg(true, aluXOR, rDX, rCX)
		e.testImm(true, rDX, mstatusTranslation)
		j.exitIf(ccNE, i, delta) // the translation context changes
		e.movReg(rDX, rAX)
		e.regs(true, []byte{0xF7}, 2, rDX) // not rdx
		e.aluReg(true, aluAND, rDX, rCX)
		e.testImm(true, rDX, mstatusSIE)
		j.exitIf(ccNE, i, delta) // SIE turns on: an interrupt may be taken
	}
	e.incMem(jHart, offEffects)
	// The read value: mstatus with SD when FS is dirty, masked to sstatus.
	e.movReg(rDX, rAX)
	e.movReg(r8, rAX)
	e.aluImm(false, aluAND, r8, mstatusFS)
	e.aluImm(false, aluCMP, r8, mstatusFS)
	over := e.jcc8(ccNE)
	e.regs(true, []byte{0x0F, 0xBA}, 5, rDX) // bts rdx, 63
	e.bytes(63)
	e.patch8(over)
	e.movImm64(r8, sstatusVisible)
	e.aluReg(true, aluAND, rDX, r8)
	e.store(jHart, xr(in.rd), rDX)
	if in.op == opCSRRW {
		e.store(jHart, offMstatus, rCX)
	}
	return true
}

// plainCSRs are the supervisor CSRs that are plain storage (WARL masks
// aside): xv6's trap path reads and writes them on every trap. By field
// offset in the hart.
var plainCSRs = map[int32]int32{
	csrSscratch: int32(unsafe.Offsetof(Hart{}.csr) + unsafe.Offsetof(csrState{}.sscratch)),
	csrSepc:     int32(unsafe.Offsetof(Hart{}.csr) + unsafe.Offsetof(csrState{}.sepc)),
	csrScause:   int32(unsafe.Offsetof(Hart{}.csr) + unsafe.Offsetof(csrState{}.scause)),
	csrStval:    int32(unsafe.Offsetof(Hart{}.csr) + unsafe.Offsetof(csrState{}.stval)),
	csrStvec:    int32(unsafe.Offsetof(Hart{}.csr) + unsafe.Offsetof(csrState{}.stvec)),
}

// plainCSR writes csrr or csrw of a plainCSRs register, as csrGeneral
// does them from S or M mode (U-mode leaves, for the illegal-instruction
// trap): the old value to rd, the new one through the register's mask.
func (j *jitState) plainCSR(in *insn, i int, delta int32) bool {
	off, ok := plainCSRs[in.imm]
	if !ok || !(in.op == opCSRRS && in.rs1 == 0 || in.op == opCSRRW) {
		return false
	}
	e := &j.e
	e.mem(false, []byte{0x80}, 7, jHart, offPriv) // cmp byte [priv], PrivU
	e.bytes(PrivU)
	j.exitIf(ccE, i, delta)
	e.load(rAX, jHart, off)
	if in.op == opCSRRW {
		e.load(rCX, jHart, xr(in.rs1))
		keep := -1
		switch in.imm {
		case csrSepc:
			e.aluImm(true, aluAND, rCX, -2) // IALIGN 16: bit 0 reads 0
		case csrStvec:
			e.movReg(rDX, rCX) // a reserved mode (2, 3) keeps the old value
			e.aluImm(false, aluAND, rDX, 3)
			e.aluImm(false, aluCMP, rDX, 2)
			keep = e.jcc8(ccAE)
		}
		e.store(jHart, off, rCX)
		if keep >= 0 {
			e.patch8(keep)
		}
	}
	e.incMem(jHart, offEffects)
	e.store(jHart, xr(in.rd), rAX)
	return true
}

// amoswapW writes amoswap.w on a page the store TLB maps that holds no
// code, as the interpreter's fast path does it.
func (j *jitState) amoswapW(in *insn, i int, delta int32) bool {
	if in.size != 4 {
		return false
	}
	e := &j.e
	e.load(rAX, jHart, xr(in.rs1))
	e.testImm(false, rAX, 3)
	j.exitIf(ccNE, i, delta) // misaligned: the general path raises it
	j.lookup(i, delta, offStoreTLB)
	j.toRAM(offStoreTLB)
	j.codeCheck(i, delta)
	e.load32(rCX, jHart, xr(in.rs2)) // new
	e.load32(rDX, rAX, 0)            // old
	e.aluReg(false, aluCMP, rCX, rDX)
	same := e.jcc8(ccE)
	e.incMem(jHart, offEffects)
	e.patch8(same)
	e.mem(false, []byte{0x89}, rCX, rAX, 0)
	e.movsxd(rDX, rDX)
	e.store(jHart, xr(in.rd), rDX)
	e.incMem(jHart, offAMOSwapW)
	return true
}
