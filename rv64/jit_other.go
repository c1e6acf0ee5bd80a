//go:build !(linux && amd64)

package rv64

// Without the translator (see jit.go), every block is interpreted.

const jitSupported = false

type jitState struct {
	heat uint8
	ran  uint64
}

func (h *Hart) translateBlock(d *dpage, k uint64, blk []insn, pc uint64) {
	d.native[k] = nativeRefused
}

func (h *Hart) runNative(nat uint32) uint64 { panic("rv64: no translator in this build") }
