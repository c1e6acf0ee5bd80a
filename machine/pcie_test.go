package machine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/kernel"
)

// The virt board answers PCIe configuration reads as QEMU's does without
// -device: the host bridge at 00:00.0 and empty slots elsewhere (MIT's 2024
// net lab kernel scans them at boot, and faulted here before).
func TestVirtHasAnEmptyPCIeBus(t *testing.T) {
	k, err := kernel.RISCVKernel()
	require.NoError(t, err)
	m, err := NewVirt(Config{Kernel: k, CPUs: 1})
	require.NoError(t, err)
	t.Cleanup(m.Close)

	id, ok := m.bus.Load(PCIeECAMBase, 4)
	require.True(t, ok)
	assert.Equal(t, uint64(0x0008_1b36), id, "QEMU's host bridge")
	slot1, ok := m.bus.Load(PCIeECAMBase+1<<15, 4)
	require.True(t, ok)
	assert.Equal(t, uint64(0xffff_ffff), slot1, "no device")
}
