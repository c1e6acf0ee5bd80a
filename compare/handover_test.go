package compare

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHandOverWatch(t *testing.T) {
	kernelSpin := spinState{spinning: true, pc: 0x8000_1234}
	kernelOn := spinState{pc: 0x8000_1300}
	userSpin := spinState{spinning: true, user: true, pc: 0x7a0, thread: 0x3fffffc000}
	userOn := spinState{user: true, pc: 0x7b0, thread: 0x3fffffc000}
	otherThread := spinState{user: true, pc: 0x100, thread: 0x3fffffb000}
	cases := []struct {
		name  string
		steps []spinState
		want  HandOvers
	}{
		{"no spin", []spinState{kernelOn, userOn, kernelOn}, HandOvers{}},
		{"still spinning over rounds", []spinState{kernelSpin, kernelSpin, kernelSpin}, HandOvers{}},
		{"kernel spin let through", []spinState{kernelSpin, kernelSpin, kernelOn}, HandOvers{Kernel: 1}},
		// Interrupts are off in kernel spins: whatever comes next, the
		// lock was handed over (here the waiter went on to user mode).
		{"kernel spin, then back to user", []spinState{kernelSpin, userOn}, HandOvers{Kernel: 1}},
		{"one wait after another", []spinState{kernelSpin, kernelOn, kernelSpin, kernelSpin, kernelOn}, HandOvers{Kernel: 2}},
		{"spin moves to another loop", []spinState{kernelSpin, {spinning: true, pc: 0x8000_2000}}, HandOvers{Kernel: 1}},
		{"user spin let through", []spinState{userSpin, userOn}, HandOvers{User: 1}},
		{"user spin ends in the kernel (interrupt)", []spinState{userSpin, kernelOn, userSpin}, HandOvers{}},
		{"user spin, another thread now runs", []spinState{userSpin, otherThread}, HandOvers{}},
	}
	for _, c := range cases {
		w := newHandOverWatch(2)
		for _, s := range c.steps {
			w.step(1, s)
			w.step(0, kernelOn) // the other processor never spins
		}
		assert.Equal(t, c.want, w.n, c.name)
	}
}
