package virtio

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKernelWantsLegacy(t *testing.T) {
	pad := func(s ...string) []byte {
		b := []byte("\x7fELF...")
		for _, x := range s {
			b = append(b, 0)
			b = append(b, x...)
		}
		return b
	}
	assert.True(t, KernelWantsLegacy(pad("could not find virtio disk", "virtio disk has no queue 0")), "the 2019-2021 driver")
	assert.False(t, KernelWantsLegacy(pad("could not find virtio disk", "virtio disk FEATURES_OK unset", "virtio disk should not be ready")), "the 2022 driver")
	assert.False(t, KernelWantsLegacy(pad("could not find virtio disk", "virtio disk: FEATURES_OK unset")), "ours")
	assert.False(t, KernelWantsLegacy(pad("virtio_disk_init")), "another driver")
	assert.False(t, KernelWantsLegacy(nil))
}
