package pcdev

import "github.com/xv6emu/xv6emu/bus"

// Ports of the power-off devices (see the package doc).
const (
	ACPIPM1aControl = 0x604 // PIIX4 PM1a_CNT on QEMU's "pc" machine
	DebugExitPort   = 0xF4  // QEMU isa-debug-exit, iosize 4

	SLPEn = 1 << 13 // PM1 control: enter the sleep type in bits 12:10
)

// PowerOff latches the first way the guest ends the run: an ACPI S5 power
// off (success, code 0), an isa-debug-exit write of v (code 2v+1, the
// status QEMU exits with), or a reset
// request (from the 8042 or port 0x92, wired by the board).
type PowerOff struct {
	done, reset bool
	code        int

	// OnHalt, if set, is called once when the guest stops the machine.
	OnHalt func()
}

// NewPowerOff returns a running machine's power-off latch.
func NewPowerOff() *PowerOff { return &PowerOff{} }

// Halted reports the latched stop: done with an exit code (0 = clean power
// off), or a reset request.
func (p *PowerOff) Halted() (done bool, code int, reset bool) { return p.done, p.code, p.reset }

// Clear forgets a latched stop.
func (p *PowerOff) Clear() { p.done, p.code, p.reset = false, 0, false }

func (p *PowerOff) latch(done bool, code int, reset bool) {
	if p.done || p.reset {
		return
	}
	p.done, p.code, p.reset = done, code, reset
	if p.OnHalt != nil {
		p.OnHalt()
	}
}

// RequestReset latches a reset request.
func (p *PowerOff) RequestReset() { p.latch(false, 0, true) }

// ACPI is the device for ports 0x604-0x605 (PM1a control). A write with
// SLP_EN set and sleep type 0 powers off; other sleep types are ignored, as
// QEMU ignores states it does not offer.
func (p *PowerOff) ACPI() bus.Device { return acpiPM{p} }

type acpiPM struct{ p *PowerOff }

func (d acpiPM) Read(offset uint64, size int) uint64 { return 0 }

func (d acpiPM) Write(offset uint64, size int, value uint64) {
	if offset != 0 || size < 2 {
		return
	}
	if value&SLPEn != 0 && value>>10&7 == 0 {
		d.p.latch(true, 0, false)
	}
}

// DebugExit is the device for ports 0xF4-0xF7: writing v ends the run with
// code 2v+1, the exit status QEMU gives, so never a clean power off.
func (p *PowerOff) DebugExit() bus.Device { return debugExit{p} }

type debugExit struct{ p *PowerOff }

func (d debugExit) Read(offset uint64, size int) uint64 { return 0 }

func (d debugExit) Write(offset uint64, size int, value uint64) {
	if offset != 0 {
		return
	}
	code := int(value & (1<<(8*uint(size)) - 1))
	if size >= 4 {
		code = int(uint32(value))
	}
	d.p.latch(true, 2*code+1, false)
}
