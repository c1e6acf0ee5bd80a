package virtio

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Serving a request allocates nothing once the device is warm.
func TestRequestDoesNotAllocate(t *testing.T) {
	r := newRig(t, false)
	r.init(8, xv6Features)
	head, _ := r.xv6Request(0, ReqIn, 5, bufBase+0x8000, 1024)
	allocs := testing.AllocsPerRun(100, func() {
		r.offer(head)
		r.dev.Write(RegQueueNotify, 4, 0)
		r.dev.Write(RegInterruptACK, 4, IntUsedBuffer)
	})
	assert.Zero(t, allocs)
}

// BenchmarkRead1K is xv6's unit of disk traffic: one 1 KiB block read.
func BenchmarkRead1K(b *testing.B) {
	r := newRig(b, false)
	r.init(8, xv6Features)
	head, _ := r.xv6Request(0, ReqIn, 5, bufBase+0x8000, 1024)
	b.SetBytes(1024)
	b.ReportAllocs()
	for b.Loop() {
		r.offer(head)
		r.dev.Write(RegQueueNotify, 4, 0)
		r.dev.Write(RegInterruptACK, 4, IntUsedBuffer)
	}
}
