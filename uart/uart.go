// Package uart is a 16550A serial port: the console of both boards (MMIO on
// the RISC-V virt board, port 0x3F8 on the PC).
//
// Transmission is instantaneous: a byte written to THR goes straight to the
// output writer, so THR and the transmitter are always empty. Reception is a
// FIFO the board fills with Receive, checking CanReceive first; the board
// keeps any backlog (pasted text) on its side, so nothing is ever lost.
//
// There is no clock in here. The character-timeout interrupt, which a real
// chip raises when fewer bytes than the FIFO trigger level sit unread for a
// while, is reported at once instead. Modem-status deltas never occur.
//
// The interrupt line is high whenever an enabled cause is pending. Like
// QEMU's 16550, the device also re-asserts it (a low-high pulse when it is
// already high) at the moments QEMU re-evaluates its interrupt: a byte
// received, RBR read, THR written, IER changed, FCR changed, THR-empty
// acknowledged through IIR, an overrun cleared through LSR. QEMU 7.2's
// PLIC latches a request on each of those; xv6 relies on that to hear of
// input while an unacknowledged THR-empty interrupt holds the line high.
package uart

import (
	"io"

	"github.com/xv6emu/xv6emu/bus"
)

// Register offsets (DLL and DLM overlay RBR/THR and IER while LCR.DLAB is set).
const (
	RBR = 0 // read: receive buffer; write: THR, transmit holding
	IER = 1 // interrupt enable
	IIR = 2 // read: interrupt identification; write: FCR, FIFO control
	LCR = 3 // line control
	MCR = 4 // modem control
	LSR = 5 // line status
	MSR = 6 // modem status
	SCR = 7 // scratch
)

// Bits of the registers the guest sees.
const (
	IERRxData    = 0x01
	IERTxEmpty   = 0x02
	IERLineStat  = 0x04
	IERModemStat = 0x08

	IIRNone    = 0x01
	IIRLine    = 0x06
	IIRRxData  = 0x04
	IIRTimeout = 0x0C
	IIRTxEmpty = 0x02
	IIRFIFO    = 0xC0 // both bits set while FIFOs are enabled

	FCREnable  = 0x01
	FCRClearRx = 0x02
	FCRClearTx = 0x04

	LCRDLAB = 0x80

	MCROut2 = 0x08
	MCRLoop = 0x10

	LSRDataReady = 0x01
	LSROverrun   = 0x02
	LSRTxEmpty   = 0x20 // THRE
	LSRIdle      = 0x40 // TEMT

	msrIdle = 0xB0 // DCD, DSR and CTS asserted: a cable with a terminal on it
)

// FIFODepth is the receive FIFO size with FIFOs enabled; without them the
// chip holds a single byte.
const FIFODepth = 16

// UART implements bus.Device. It is not safe for concurrent use.
type UART struct {
	out io.Writer
	err error
	irq *bus.IRQ

	rx          [FIFODepth]byte
	rxHead, rxN int
	ier, lcr    uint8
	mcr, scr    uint8
	dll, dlm    uint8
	fifoOn      bool
	fcr         uint8 // FCR bits that persist: enable, DMA mode, trigger
	trigger     int   // receive FIFO trigger level, bytes
	overrun     bool  // LSR.OE, cleared by reading LSR
	txEmptyPend bool  // THR-empty interrupt pending
	lastRx      byte  // last byte read from RBR
	oneByte     [1]byte
}

// New returns a UART in its reset state that writes transmitted bytes to
// out (which may be nil to discard them) and drives irq. The reset values
// of MCR (OUT2 set) and the divisor (12, 9600 baud) are QEMU's.
func New(out io.Writer, irq *bus.IRQ) *UART {
	if out == nil {
		out = io.Discard
	}
	return &UART{out: out, irq: irq, trigger: 1, mcr: MCROut2, dll: 12}
}

// Err is the first error the output writer returned, if any. Output after
// an error is still attempted; the guest never sees a failure.
func (u *UART) Err() error { return u.err }

func (u *UART) capacity() int {
	if u.fifoOn {
		return FIFODepth
	}
	return 1
}

func (u *UART) loopback() bool { return u.mcr&MCRLoop != 0 }

// CanReceive reports whether Receive would accept a byte now. In loopback
// mode the serial input is disconnected and nothing is accepted.
func (u *UART) CanReceive() bool { return !u.loopback() && u.rxN < u.capacity() }

// Receive delivers a byte from the serial line. It reports false, and
// changes nothing, when the byte cannot be taken (see CanReceive); the
// caller keeps it and tries again later.
func (u *UART) Receive(b byte) bool {
	if !u.CanReceive() {
		return false
	}
	u.push(b)
	u.reassert()
	return true
}

func (u *UART) push(b byte) {
	if u.rxN == u.capacity() {
		u.overrun = true
		return
	}
	u.rx[(u.rxHead+u.rxN)%FIFODepth] = b
	u.rxN++
}

// pop takes the oldest received byte. With nothing received, the holding
// register of a FIFO-less chip still shows the last byte; an empty FIFO
// reads zero.
func (u *UART) pop() byte {
	if u.rxN == 0 {
		if u.fifoOn {
			return 0
		}
		return u.lastRx
	}
	b := u.rx[u.rxHead]
	u.rxHead = (u.rxHead + 1) % FIFODepth
	u.rxN--
	u.lastRx = b
	return b
}

func (u *UART) clearRx() { u.rxHead, u.rxN = 0, 0 }

// cause is the highest-priority enabled interrupt, as IIR bits 3:0.
func (u *UART) cause() uint8 {
	switch {
	case u.ier&IERLineStat != 0 && u.overrun:
		return IIRLine
	case u.ier&IERRxData != 0 && u.rxN > 0:
		if u.fifoOn && u.rxN < u.trigger {
			return IIRTimeout
		}
		return IIRRxData
	case u.ier&IERTxEmpty != 0 && u.txEmptyPend:
		return IIRTxEmpty
	}
	return IIRNone
}

// settle drives the line to its level without a new assertion.
func (u *UART) settle() { u.irq.Set(u.cause() != IIRNone) }

// reassert re-evaluates the interrupt the way QEMU's 16550 does after a
// state change: if a cause is pending the line is asserted afresh, with a
// pulse if it was already high, so an edge-latching controller sees a new
// request.
func (u *UART) reassert() {
	if u.cause() == IIRNone {
		u.irq.Set(false)
		return
	}
	if u.irq.Level() {
		u.irq.Set(false)
	}
	u.irq.Set(true)
}

func (u *UART) lsr() uint8 {
	v := uint8(LSRTxEmpty | LSRIdle)
	if u.rxN > 0 {
		v |= LSRDataReady
	}
	if u.overrun {
		v |= LSROverrun
	}
	return v
}

func (u *UART) msr() uint8 {
	if !u.loopback() {
		return msrIdle
	}
	// Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
	m := u.mcr
	return (m&0x01)<<5 | (m&0x02)<<3 | (m&0x04)<<4 | (m&0x08)<<4
}

// Read implements bus.Device. The chip has byte registers at offsets 0..7;
// a wider access reads the byte at offset, zero-extended. Other offsets
// read zero.
func (u *UART) Read(offset uint64, size int) uint64 {
	switch offset {
	case RBR:
		if u.lcr&LCRDLAB != 0 {
			return uint64(u.dll)
		}
		b := u.pop()
		u.reassert()
		return uint64(b)
	case IER:
		if u.lcr&LCRDLAB != 0 {
			return uint64(u.dlm)
		}
		return uint64(u.ier)
	case IIR:
		c := u.cause()
		if c == IIRTxEmpty {
			u.txEmptyPend = false // reading IIR acknowledges THR empty
			u.reassert()
		}
		if u.fifoOn {
			c |= IIRFIFO
		}
		return uint64(c)
	case LCR:
		return uint64(u.lcr)
	case MCR:
		return uint64(u.mcr)
	case LSR:
		v := u.lsr()
		if u.overrun {
			u.overrun = false
			u.reassert()
		}
		return uint64(v)
	case MSR:
		return uint64(u.msr())
	case SCR:
		return uint64(u.scr)
	}
	return 0
}

// Write implements bus.Device; only the low byte of value is used.
func (u *UART) Write(offset uint64, size int, value uint64) {
	b := uint8(value)
	switch offset {
	case RBR:
		if u.lcr&LCRDLAB != 0 {
			u.dll = b
			return
		}
		u.transmit(b)
		// Sent at once, so THR is empty again right away.
		u.txEmptyPend = u.ier&IERTxEmpty != 0
		u.reassert()
	case IER:
		if u.lcr&LCRDLAB != 0 {
			u.dlm = b
			return
		}
		old := u.ier
		u.ier = b & 0x0F
		if old == u.ier {
			return
		}
		if (old^u.ier)&IERTxEmpty != 0 {
			// Enabling THR-empty while THR is empty (always) raises it.
			u.txEmptyPend = u.ier&IERTxEmpty != 0
		}
		u.reassert()
	case IIR:
		if b == u.fcr {
			return // nothing to clear, nothing changes
		}
		u.writeFCR(b)
		u.reassert()
	case LCR:
		u.lcr = b
	case MCR:
		u.mcr = b & 0x1F
		u.settle()
	case SCR:
		u.scr = b
	}
}

func (u *UART) transmit(b byte) {
	if u.loopback() {
		u.push(b)
		return
	}
	u.oneByte[0] = b
	if _, err := u.out.Write(u.oneByte[:]); err != nil && u.err == nil {
		u.err = err
	}
}

func (u *UART) writeFCR(b uint8) {
	u.fcr = b & 0xC9
	on := b&FCREnable != 0
	if on != u.fifoOn {
		b |= FCRClearRx | FCRClearTx // switching FIFO mode empties the FIFOs
		u.fifoOn = on
	}
	if b&FCRClearRx != 0 {
		u.clearRx()
	}
	if b&FCRClearTx != 0 {
		// An emptied transmitter pends THR empty again (as on QEMU), shown
		// if IER enables it.
		u.txEmptyPend = true
	}
	u.trigger = 1
	if on {
		u.trigger = [4]int{1, 4, 8, 14}[b>>6]
	}
}
