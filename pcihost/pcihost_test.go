package pcihost

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// ecam is the configuration offset of bus b, device d, function f, register r.
func ecam(b, d, f, r uint64) uint64 { return b<<20 | d<<15 | f<<12 | r }

func TestScanFindsOnlyTheBridge(t *testing.T) {
	var br Bridge
	assert.Equal(t, uint64(DeviceHost<<16|VendorRedHat), br.Read(ecam(0, 0, 0, 0), 4))
	assert.Equal(t, uint64(VendorRedHat), br.Read(ecam(0, 0, 0, 0), 2), "vendor")
	assert.Equal(t, uint64(DeviceHost), br.Read(ecam(0, 0, 0, 2), 2), "device")
	assert.Equal(t, uint64(0x06), br.Read(ecam(0, 0, 0, 0xb), 1), "class: bridge")
	assert.Zero(t, br.Read(ecam(0, 0, 0, 0x10), 4), "no BAR")

	for _, off := range []uint64{ecam(0, 1, 0, 0), ecam(0, 31, 7, 0), ecam(1, 0, 0, 0), ecam(255, 31, 7, 0xffc)} {
		assert.Equal(t, uint64(0xffff_ffff), br.Read(off, 4), "empty slot at %#x", off)
		assert.Equal(t, uint64(0xffff), br.Read(off, 2))
	}
	br.Write(ecam(0, 0, 0, 0x04), 2, 0x7) // command register: nothing to enable
	assert.Equal(t, uint64(DeviceHost<<16|VendorRedHat), br.Read(0, 4))
}
