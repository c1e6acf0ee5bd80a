// Package plic is the RISC-V platform-level interrupt controller as laid out
// on QEMU's virt board: per-source priorities, pending bits, per-context
// enables, thresholds and claim/complete registers.
//
// The gateways behave as QEMU 7.2's, checked against it with a bare-metal
// probe, because xv6 kernels of 2021-2023 depend on it: every rising edge
// of a source's line (a device asserting, or re-asserting with a low-high
// pulse) latches its pending bit, even while the source is in service; the
// line falling does not clear it; a claim clears it and puts the source in
// service; a completion only ends service. A line that is still high at
// completion does not pend again by itself. (A PLIC-spec level gateway
// would re-pend it, and those kernels, which leave the UART's THR-empty
// interrupt unacknowledged when they have nothing more to send, would then
// take that interrupt forever.)
//
// Claim also follows QEMU: it returns the highest-priority pending source
// that is not in service, is enabled for the context and has a priority
// above the context's threshold, the lowest id winning ties, or 0. A
// completion of a source that is not enabled for the context is ignored,
// as the spec says.
//
// The register layout is QEMU 7.2's too, quirks included, so a probe reads
// the same values on both: with N sources (riscv,ndev) the priorities cover
// ids 1..N, but the enable and pending bitmaps have ceil(N/32) words, every
// bit of them writable, so they cover ids 0..32*ceil(N/32)-1. On the virt
// board (N = 96) source 96 has a priority but can never be enabled, and no
// device is wired to it.
package plic

import (
	"fmt"
	"math/bits"

	"github.com/xv6emu/xv6emu/bus"
)

// Register layout.
const (
	PriorityBase  = 0x000000 // 4 bytes per source
	PendingBase   = 0x001000 // 1 bit per source
	EnableBase    = 0x002000 // 1 bit per source, per context
	EnableStride  = 0x80
	ContextBase   = 0x200000 // threshold, then claim/complete, per context
	ContextStride = 0x1000
	ClaimOffset   = 4

	// MaxPriority is the highest priority; priorities and thresholds are 3 bits.
	MaxPriority = 7
	// MaxSources is the most sources the enable stride has room for.
	MaxSources = EnableStride*8 - 1
)

// PLIC implements bus.Device. It is not safe for concurrent use.
type PLIC struct {
	sources   int
	words     int      // 32-bit words per bitmap
	priority  []uint32 // by source id; [0] unused
	pending   []uint32 // latched requests
	inService []uint32 // claimed, not yet completed
	enable    []uint32 // words per context
	threshold []uint32
	out       []bus.IRQ
	inputs    []func(bool)
}

// New returns a PLIC with source ids 1..sources (riscv,ndev in the device
// tree) and the given number of contexts. On the virt board context 2h is
// hart h's M mode and 2h+1 its S mode.
func New(sources, contexts int) *PLIC {
	if sources < 1 || sources > MaxSources || contexts < 1 {
		panic(fmt.Sprintf("plic: bad geometry: %d sources, %d contexts", sources, contexts))
	}
	words := (sources + 31) / 32
	p := &PLIC{
		sources:   sources,
		words:     words,
		priority:  make([]uint32, sources+1),
		pending:   make([]uint32, words),
		inService: make([]uint32, words),
		enable:    make([]uint32, words*contexts),
		threshold: make([]uint32, contexts),
		out:       make([]bus.IRQ, contexts),
		inputs:    make([]func(bool), sources+1),
	}
	for id := 1; id < min(sources+1, 32*words); id++ {
		p.inputs[id] = p.inputSink(id)
	}
	return p
}

// Size is the length of the register region for this many contexts.
func (p *PLIC) Size() uint64 { return ContextBase + ContextStride*uint64(len(p.out)) }

// Output is context ctx's interrupt line (to a hart's MEIP or SEIP).
func (p *PLIC) Output(ctx int) *bus.IRQ { return &p.out[ctx] }

// Input returns the sink for source src's line, for bus.IRQ.Connect.
func (p *PLIC) Input(src int) func(level bool) {
	if src < 1 || src > p.sources || p.inputs[src] == nil {
		panic(fmt.Sprintf("plic: no source %d", src))
	}
	return p.inputs[src]
}

// inputSink latches a request on each rising edge; a falling edge changes
// nothing.
func (p *PLIC) inputSink(id int) func(bool) {
	w, bit := id/32, uint32(1)<<(id%32)
	return func(level bool) {
		if level && p.pending[w]&bit == 0 {
			p.pending[w] |= bit
			p.update()
		}
	}
}

// Pending reports whether source id has a latched request.
func (p *PLIC) Pending(id int) bool {
	return id >= 1 && id < 32*p.words && p.pending[id/32]&(1<<(id%32)) != 0
}

// best is the source a claim by ctx would return, or 0.
func (p *PLIC) best(ctx int) int {
	id, top := 0, p.threshold[ctx]
	en := p.enable[ctx*p.words : (ctx+1)*p.words]
	for w := range en {
		for cand := p.pending[w] &^ p.inService[w] & en[w]; cand != 0; cand &= cand - 1 {
			src := 32*w + bits.TrailingZeros32(cand)
			if p.priority[src] > top {
				id, top = src, p.priority[src]
			}
		}
	}
	return id
}

// update drives every context's output from the current state.
func (p *PLIC) update() {
	for ctx := range p.out {
		p.out[ctx].Set(p.best(ctx) != 0)
	}
}

func (p *PLIC) claim(ctx int) uint32 {
	id := p.best(ctx)
	if id != 0 {
		p.pending[id/32] &^= 1 << (id % 32)
		p.inService[id/32] |= 1 << (id % 32)
		p.update()
	}
	return uint32(id)
}

func (p *PLIC) complete(ctx int, id uint32) {
	if id < 1 || id >= 32*uint32(p.words) {
		return
	}
	w, bit := id/32, uint32(1)<<(id%32)
	if p.enable[ctx*p.words+int(w)]&bit == 0 {
		return
	}
	p.inService[w] &^= bit
	p.update()
}

// Read implements bus.Device. Registers are 32 bits wide; an 8-byte access
// is two 4-byte accesses (low word first), other sizes and misaligned
// accesses read zero.
func (p *PLIC) Read(offset uint64, size int) uint64 {
	if size == 8 {
		lo := p.read32(offset)
		return uint64(lo) | uint64(p.read32(offset+4))<<32
	}
	if size != 4 {
		return 0
	}
	return uint64(p.read32(offset))
}

// Write implements bus.Device with the access rules of Read.
func (p *PLIC) Write(offset uint64, size int, value uint64) {
	if size == 8 {
		p.write32(offset, uint32(value))
		p.write32(offset+4, uint32(value>>32))
		return
	}
	if size == 4 {
		p.write32(offset, uint32(value))
	}
}

// reg names what lives at a 32-bit register offset.
type reg int

const (
	regNone reg = iota
	regPriority
	regPending
	regEnable
	regThreshold
	regClaim
)

// decode finds the register at offset and its index: the source id for a
// priority, the bitmap word for pending, ctx*words+word for an enable, the
// context for a threshold or claim.
func (p *PLIC) decode(offset uint64) (reg, int) {
	if offset%4 != 0 {
		return regNone, 0
	}
	ctxs := uint64(len(p.out))
	switch {
	case offset < PendingBase:
		if id := offset / 4; id >= 1 && id <= uint64(p.sources) {
			return regPriority, int(id)
		}
	case offset < EnableBase:
		if w := (offset - PendingBase) / 4; w < uint64(p.words) {
			return regPending, int(w)
		}
	case offset < ContextBase:
		rel := offset - EnableBase
		ctx, w := rel/EnableStride, rel%EnableStride/4
		if ctx < ctxs && w < uint64(p.words) {
			return regEnable, int(ctx)*p.words + int(w)
		}
	default:
		rel := offset - ContextBase
		ctx := rel / ContextStride
		if ctx >= ctxs {
			break
		}
		switch rel % ContextStride {
		case 0:
			return regThreshold, int(ctx)
		case ClaimOffset:
			return regClaim, int(ctx)
		}
	}
	return regNone, 0
}

func (p *PLIC) read32(offset uint64) uint32 {
	r, i := p.decode(offset)
	switch r {
	case regPriority:
		return p.priority[i]
	case regPending:
		return p.pending[i]
	case regEnable:
		return p.enable[i]
	case regThreshold:
		return p.threshold[i]
	case regClaim:
		return p.claim(i)
	}
	return 0
}

func (p *PLIC) write32(offset uint64, v uint32) {
	r, i := p.decode(offset)
	switch r {
	case regPriority:
		p.priority[i] = v & MaxPriority
	case regEnable:
		p.enable[i] = v
	case regThreshold:
		p.threshold[i] = v & MaxPriority
	case regClaim:
		p.complete(i, v)
		return
	default:
		return // pending bits are read-only
	}
	p.update()
}
