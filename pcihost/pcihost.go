// Package pcihost is the PCIe host bridge of QEMU's virt board as seen
// through its configuration window (ECAM at 0x30000000), with nothing
// plugged in behind it. Kernels that look for a PCI device (MIT's 2024 net
// lab scans bus 0 for an e1000 at boot) find the bridge itself at 00:00.0
// and an empty slot everywhere else, as on QEMU without -device, instead
// of an access fault.
package pcihost

// Window is the size of the configuration window: 256 buses of 32 devices
// of 8 functions of 4 KiB each.
const Window = 0x1000_0000

// The bridge's identity, as QEMU's generic host bridge reports it.
const (
	VendorRedHat = 0x1b36
	DeviceHost   = 0x0008
	ClassBridge  = 0x0600_0000 // class 06 (bridge), subclass 00 (host), prog-if 0, revision 0
)

// Bridge is the configuration window. Writes change nothing: the bridge
// has no BARs worth programming and the empty slots have no registers.
type Bridge struct{}

// Read implements bus.Device: the bridge's ID and class registers at
// 00:00.0, zeros for the rest of its header, and all ones (no device) in
// every other function.
func (Bridge) Read(offset uint64, size int) uint64 {
	if offset >= 0x1000 { // another bus, device or function: empty
		return allOnes(size)
	}
	var dword uint32
	switch offset &^ 3 {
	case 0x00:
		dword = DeviceHost<<16 | VendorRedHat
	case 0x08:
		dword = ClassBridge
	}
	v := uint64(dword >> (8 * (offset & 3)))
	return v & allOnes(size)
}

// Write implements bus.Device.
func (Bridge) Write(offset uint64, size int, value uint64) {}

func allOnes(size int) uint64 {
	if size >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*size) - 1
}
