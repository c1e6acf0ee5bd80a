// Package poweroff is the "SiFive test" finisher device of QEMU's virt
// board: the guest writes a magic value to end the run with a pass, a
// failure code, or a request to reset the machine.
package poweroff

// Values written to the register at offset 0. A failure carries its exit
// code in the upper 16 bits.
const (
	Fail  = 0x3333
	Pass  = 0x5555
	Reset = 0x7777
)

// Device latches the first finisher command it sees until the board calls
// Clear. Reads return zero.
type Device struct {
	done, reset bool
	code        int

	// OnHalt, if set, is called once when the guest powers off or asks for
	// a reset, so the board can stop its run loop at once instead of
	// polling Halted.
	OnHalt func()
}

// New returns an idle finisher.
func New() *Device { return &Device{} }

// Read implements bus.Device; the finisher has nothing to read.
func (d *Device) Read(offset uint64, size int) uint64 { return 0 }

// Write implements bus.Device. Only a write of 2 bytes or more to offset 0
// is a command (QEMU's device takes 2- and 4-byte accesses); unknown values
// are ignored.
func (d *Device) Write(offset uint64, size int, value uint64) {
	if offset != 0 || size < 2 || d.done || d.reset {
		return
	}
	if size == 8 {
		value = uint64(uint32(value))
	}
	switch value & 0xffff {
	case Pass:
		d.done, d.code = true, 0
	case Fail:
		d.done, d.code = true, int(value>>16)
	case Reset:
		d.reset = true
	default:
		return
	}
	if d.OnHalt != nil {
		d.OnHalt()
	}
}

// Halted reports what the guest asked for: done with an exit code (0 for
// pass), or a reset.
func (d *Device) Halted() (done bool, code int, reset bool) {
	return d.done, d.code, d.reset
}

// Clear forgets a latched command, e.g. after the board has reset.
func (d *Device) Clear() { d.done, d.code, d.reset = false, 0, false }
