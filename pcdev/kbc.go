package pcdev

import "github.com/xv6emu/xv6emu/bus"

// 8042 status bits (port 0x64).
const (
	KBCOutFull = 0x01 // a byte waits at port 0x60
	KBCInFull  = 0x02
	KBCSystem  = 0x04
	KBCCommand = 0x08 // the last write went to port 0x64
	KBCUnlock  = 0x10
)

// KBC is the 8042 keyboard controller at ports 0x60 (data; the KBC itself)
// and 0x64 (status/command; Command), holding the A20 gate on its output port, together with
// System Control Port A (0x92, PS/2 fast A20 and reset) through Port92.
//
// No keyboard is attached: scancodes never arrive and irq 1 never fires.
// Keyboard commands are acknowledged (0xFA) so probes finish; controller
// commands for the command byte, the output port, self tests and the reset
// pulse work. A20 starts enabled, as a BIOS leaves it; the CPU's memory
// does not wrap at 1 MiB either way, since every kernel enables A20 first.
type KBC struct {
	out     [4]byte // bytes queued for port 0x60
	outN    int
	last    byte
	status  uint8
	cmdByte uint8
	pending uint8 // controller command waiting for its data byte
	a20     bool
	port92  uint8

	// OnReset, if set, is called when the guest pulses the reset line (output
	// port bit 0 low, command 0xFE, or port 0x92 bit 0).
	OnReset func()
}

// NewKBC returns an idle controller with A20 enabled.
func NewKBC() *KBC {
	return &KBC{status: KBCSystem | KBCUnlock, cmdByte: 0x45, a20: true, port92: 0x02}
}

// A20 reports whether the A20 gate is open.
func (k *KBC) A20() bool { return k.a20 }

func (k *KBC) push(b ...byte) {
	for _, x := range b {
		if k.outN < len(k.out) {
			k.out[k.outN] = x
			k.outN++
		}
	}
}

func (k *KBC) reset() {
	if k.OnReset != nil {
		k.OnReset()
	}
}

func (k *KBC) setA20(on bool) {
	k.a20 = on
	if on {
		k.port92 |= 2
	} else {
		k.port92 &^= 2
	}
}

// Read implements bus.Device for the data port 0x60.
func (k *KBC) Read(offset uint64, size int) uint64 {
	if k.outN > 0 {
		k.last = k.out[0]
		copy(k.out[:], k.out[1:k.outN])
		k.outN--
	}
	return uint64(k.last)
}

// Write implements bus.Device for the data port 0x60.
func (k *KBC) Write(offset uint64, size int, value uint64) {
	k.status &^= KBCCommand
	k.data(uint8(value))
}

// Command is the device for port 0x64: status when read, controller
// commands when written.
func (k *KBC) Command() bus.Device { return kbcCommand{k} }

type kbcCommand struct{ k *KBC }

func (d kbcCommand) Read(offset uint64, size int) uint64 {
	s := d.k.status
	if d.k.outN > 0 {
		s |= KBCOutFull
	}
	return uint64(s)
}

func (d kbcCommand) Write(offset uint64, size int, value uint64) {
	d.k.status |= KBCCommand
	d.k.command(uint8(value))
}

func (k *KBC) command(v uint8) {
	k.pending = 0
	switch {
	case v == 0x20:
		k.push(k.cmdByte)
	case v == 0x60, v == 0xD1, v == 0xD2, v == 0xD3, v == 0xD4:
		k.pending = v
	case v == 0xAA: // self test
		k.push(0x55)
	case v == 0xAB, v == 0xA9: // interface tests
		k.push(0x00)
	case v == 0xAD:
		k.cmdByte |= 0x10
	case v == 0xAE:
		k.cmdByte &^= 0x10
	case v == 0xA7:
		k.cmdByte |= 0x20
	case v == 0xA8:
		k.cmdByte &^= 0x20
	case v == 0xD0:
		k.push(k.outputPort())
	case v == 0xDD:
		k.setA20(false)
	case v == 0xDF:
		k.setA20(true)
	case v >= 0xF0: // pulse output lines; bit 0 low pulses reset
		if v&1 == 0 {
			k.reset()
		}
	}
}

func (k *KBC) outputPort() uint8 {
	p := uint8(0x01) // reset line high (not resetting)
	if k.a20 {
		p |= 0x02
	}
	return p
}

func (k *KBC) data(v uint8) {
	cmd := k.pending
	k.pending = 0
	switch cmd {
	case 0x60:
		k.cmdByte = v
		if v&0x04 != 0 {
			k.status |= KBCSystem
		}
	case 0xD1:
		k.setA20(v&0x02 != 0)
		if v&0x01 == 0 {
			k.reset()
		}
	case 0xD2, 0xD3: // write keyboard / aux output buffer: echo back
		k.push(v)
	case 0xD4: // to the mouse: none attached
	default: // a keyboard command: acknowledge
		switch v {
		case 0xFF:
			k.push(0xFA, 0xAA)
		case 0xF2:
			k.push(0xFA, 0xAB, 0x83)
		case 0xEE:
			k.push(0xEE)
		default:
			k.push(0xFA)
		}
	}
}

// Port92 is the device for port 0x92: bit 1 the A20 gate, bit 0 a reset
// when written as 1.
func (k *KBC) Port92() bus.Device { return port92{k} }

type port92 struct{ k *KBC }

func (d port92) Read(offset uint64, size int) uint64 { return uint64(d.k.port92 &^ 1) }

func (d port92) Write(offset uint64, size int, value uint64) {
	d.k.setA20(value&2 != 0)
	d.k.port92 = d.k.port92&^0xFC | uint8(value)&0xFC
	if value&1 != 0 {
		d.k.reset()
	}
}
