// Package ide is the primary ATA channel of a PC: a PIO disk controller with
// a master and a slave drive, command block at ports 0x1F0-0x1F7 and the
// control register at 0x3F6, interrupting on ISA irq 14.
//
// Commands complete at once: a read has its data ready (DRQ) by the next
// status read, a write is on the disk when its last word arrives. A polling
// driver therefore never sees BSY, and an interrupt-driven one gets its
// interrupt as soon as it could take it. Addressing is LBA28 (or CHS with a
// 16-head, 63-sector geometry for old code); READ/WRITE SECTORS, the
// MULTIPLE variants, IDENTIFY, SET MULTIPLE, FLUSH CACHE and a few no-ops
// are understood, anything else aborts.
//
// Like QEMU's: an absent slave reads status 0 (how classic xv6 finds out
// there is no disk 1), and every register reads 0 when no drive is present.
// INTRQ is pending from the end of a command phase until the status
// register is read or a new command is written; nIEN in the control
// register keeps the line low.
package ide

import (
	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/disk"
)

// Command block register offsets (from port 0x1F0).
const (
	RegData    = 0
	RegError   = 1 // read; write: features
	RegCount   = 2
	RegLBALow  = 3 // sector number
	RegLBAMid  = 4 // cylinder low
	RegLBAHigh = 5 // cylinder high
	RegDevice  = 6 // drive/head: bit 4 selects the slave, bit 6 LBA
	RegStatus  = 7 // read; write: command

	CommandPorts = 8
)

// Status bits.
const (
	StatusERR  = 0x01
	StatusDRQ  = 0x08
	StatusDSC  = 0x10
	StatusDF   = 0x20
	StatusDRDY = 0x40
	StatusBSY  = 0x80
)

// Error register bits.
const (
	ErrABRT = 0x04
	ErrIDNF = 0x10
	ErrUNC  = 0x40
)

// Device control register bits (port 0x3F6, write).
const (
	CtlNIEN = 0x02
	CtlSRST = 0x04
)

// Commands.
const (
	CmdRecalibrate  = 0x10
	CmdReadSectors  = 0x20
	CmdReadNoRetry  = 0x21
	CmdWriteSectors = 0x30
	CmdWriteNoRetry = 0x31
	CmdVerify       = 0x40
	CmdSeek         = 0x70
	CmdDiagnose     = 0x90
	CmdInitParams   = 0x91
	CmdReadMultiple = 0xC4
	CmdWriteMulti   = 0xC5
	CmdSetMultiple  = 0xC6
	CmdFlushCache   = 0xE7
	CmdIdentify     = 0xEC
	CmdSetFeatures  = 0xEF
)

// CHS geometry used when a command does not set the LBA bit.
const (
	heads   = 16
	sectors = 63
)

// maxMultiple is the largest SET MULTIPLE block, in sectors.
const maxMultiple = 16

type xfer int

const (
	xferNone xfer = iota
	xferIn        // device to host (read, identify)
	xferOut       // host to device (write)
)

// Controller implements bus.Device for the command block; Control returns
// the device for the control register. It is not safe for concurrent use.
type Controller struct {
	drives [2]*disk.Disk
	irq    *bus.IRQ

	// The task file is shared by both drives, as on the cable.
	features, count, lbaLow, lbaMid, lbaHigh, device uint8

	status, errReg uint8
	nIEN           bool
	pending        bool // INTRQ pending (drawn on irq unless nIEN)
	multiple       [2]int

	mode      xfer
	cmd       uint8
	lba       uint64 // next sector of the command
	remaining int    // sectors of the command not yet transferred
	block     int    // sectors per DRQ block of the command
	buf       [maxMultiple * disk.SectorSize]byte
	pos, end  int // data-port window into buf

	// Err is the last host I/O error (the guest saw ABRT or UNC); nil if none.
	Err error
}

// New returns a controller with master and slave drives (either may be nil
// for absent) raising irq.
func New(master, slave *disk.Disk, irq *bus.IRQ) *Controller {
	c := &Controller{drives: [2]*disk.Disk{master, slave}, irq: irq}
	c.reset()
	return c
}

// reset puts the channel in its power-on state: drive 0 selected, the ATA
// signature in the task file, diagnostics passed.
func (c *Controller) reset() {
	c.features, c.count, c.lbaLow, c.lbaMid, c.lbaHigh, c.device = 0, 1, 1, 0, 0, 0
	c.status = StatusDRDY | StatusDSC
	c.errReg = 0x01
	c.mode = xferNone
	c.pos, c.end = 0, 0
	c.pending = false
	c.update()
}

func (c *Controller) sel() int { return int(c.device>>4) & 1 }

func (c *Controller) none() bool { return c.drives[0] == nil && c.drives[1] == nil }

// absent reports whether the selected drive reads status 0: no drive at
// all, or an absent slave.
func (c *Controller) absent() bool {
	return c.none() || (c.sel() == 1 && c.drives[1] == nil)
}

func (c *Controller) update() { c.irq.Set(c.pending && !c.nIEN) }

func (c *Controller) interrupt() {
	c.pending = true
	c.update()
}

// Status is the status register without the side effect of a read (what
// the alternate status port returns).
func (c *Controller) Status() uint8 {
	if c.absent() {
		return 0
	}
	return c.status
}

// Read implements bus.Device for ports 0x1F0-0x1F7.
func (c *Controller) Read(offset uint64, size int) uint64 {
	if offset == RegData {
		return c.readData(size)
	}
	if c.none() {
		return 0
	}
	switch offset {
	case RegError:
		return uint64(c.errReg)
	case RegCount:
		return uint64(c.count)
	case RegLBALow:
		return uint64(c.lbaLow)
	case RegLBAMid:
		return uint64(c.lbaMid)
	case RegLBAHigh:
		return uint64(c.lbaHigh)
	case RegDevice:
		return uint64(c.device | 0xA0)
	case RegStatus:
		s := c.Status()
		c.pending = false
		c.update()
		return uint64(s)
	}
	return 0
}

// Write implements bus.Device for ports 0x1F0-0x1F7.
func (c *Controller) Write(offset uint64, size int, value uint64) {
	v := uint8(value)
	switch offset {
	case RegData:
		c.writeData(size, value)
	case RegError:
		c.features = v
	case RegCount:
		c.count = v
	case RegLBALow:
		c.lbaLow = v
	case RegLBAMid:
		c.lbaMid = v
	case RegLBAHigh:
		c.lbaHigh = v
	case RegDevice:
		c.device = v
	case RegStatus:
		c.command(v)
	}
}

func (c *Controller) readData(size int) uint64 {
	if c.mode != xferIn || size < 1 || size > 4 {
		return 0
	}
	var v uint64
	for i := 0; i < size && c.pos < c.end; i++ {
		v |= uint64(c.buf[c.pos]) << (8 * i)
		c.pos++
	}
	if c.pos >= c.end {
		c.blockRead()
	}
	return v
}

func (c *Controller) writeData(size int, value uint64) {
	if c.mode != xferOut || size < 1 || size > 4 {
		return
	}
	for i := 0; i < size && c.pos < c.end; i++ {
		c.buf[c.pos] = byte(value >> (8 * i))
		c.pos++
	}
	if c.pos >= c.end {
		c.blockWritten()
	}
}

// Control is the device for port 0x3F6: alternate status when read, device
// control (nIEN, SRST) when written.
func (c *Controller) Control() bus.Device { return control{c} }

type control struct{ c *Controller }

func (d control) Read(offset uint64, size int) uint64 {
	if offset != 0 {
		return 0
	}
	return uint64(d.c.Status())
}

func (d control) Write(offset uint64, size int, value uint64) {
	if offset != 0 {
		return
	}
	c := d.c
	c.nIEN = value&CtlNIEN != 0
	if value&CtlSRST != 0 {
		c.reset()
		c.status = StatusBSY // held in reset until SRST is cleared
		return
	}
	if c.status == StatusBSY {
		c.status = StatusDRDY | StatusDSC
	}
	c.update()
}

// address is the sector the task file names: LBA28, or CHS.
func (c *Controller) address() uint64 {
	if c.device&0x40 != 0 {
		return uint64(c.device&0x0F)<<24 | uint64(c.lbaHigh)<<16 | uint64(c.lbaMid)<<8 | uint64(c.lbaLow)
	}
	cyl := uint64(c.lbaHigh)<<8 | uint64(c.lbaMid)
	head := uint64(c.device & 0x0F)
	sec := uint64(c.lbaLow)
	if sec == 0 {
		return ^uint64(0) // sector numbers start at 1
	}
	return (cyl*heads+head)*sectors + sec - 1
}

// setAddress writes sector n back into the task file, as drives do while a
// command advances (and on an error, where it names the failing sector).
func (c *Controller) setAddress(n uint64) {
	if c.device&0x40 != 0 {
		c.lbaLow, c.lbaMid, c.lbaHigh = uint8(n), uint8(n>>8), uint8(n>>16)
		c.device = c.device&0xF0 | uint8(n>>24)&0x0F
		return
	}
	cyl, rest := n/(heads*sectors), n%(heads*sectors)
	c.lbaMid, c.lbaHigh = uint8(cyl), uint8(cyl>>8)
	c.device = c.device&0xF0 | uint8(rest/sectors)
	c.lbaLow = uint8(rest%sectors + 1)
}

func (c *Controller) command(cmd uint8) {
	if c.none() || (c.sel() == 1 && c.drives[1] == nil) {
		return // no drive answers; QEMU ignores commands to an absent slave
	}
	c.pending = false
	c.update()
	c.mode = xferNone
	c.pos, c.end = 0, 0
	c.errReg = 0
	c.status = StatusDRDY | StatusDSC
	d := c.drives[c.sel()]
	if d == nil && cmd != CmdDiagnose {
		c.abort() // an absent master behind a present slave
		return
	}
	c.cmd = cmd
	n := int(c.count)
	if n == 0 {
		n = 256
	}
	switch cmd {
	case CmdReadSectors, CmdReadNoRetry, CmdReadMultiple:
		if !c.startSectors(cmd == CmdReadMultiple, n, d) {
			return
		}
		c.mode = xferIn
		c.loadBlock()
	case CmdWriteSectors, CmdWriteNoRetry, CmdWriteMulti:
		if !c.startSectors(cmd == CmdWriteMulti, n, d) {
			return
		}
		c.mode = xferOut
		c.end = c.block * disk.SectorSize
		if c.remaining < c.block {
			c.end = c.remaining * disk.SectorSize
		}
		c.status |= StatusDRQ // the first block needs no interrupt
	case CmdIdentify:
		c.identify(d)
		c.mode = xferIn
		c.remaining, c.block = 1, 1
		c.pos, c.end = 0, disk.SectorSize
		c.status |= StatusDRQ
		c.interrupt()
	case CmdSetMultiple:
		m := int(c.count)
		if m > maxMultiple || m&(m-1) != 0 {
			c.abort()
			return
		}
		c.multiple[c.sel()] = m
		c.interrupt()
	case CmdFlushCache:
		if err := d.Flush(); err != nil {
			c.Err = err
			c.abort()
			return
		}
		c.interrupt()
	case CmdVerify:
		a := c.address()
		if a >= d.Sectors() || uint64(n) > d.Sectors()-a {
			c.fail(ErrIDNF, a)
			return
		}
		c.setAddress(a + uint64(n) - 1)
		c.interrupt()
	case CmdRecalibrate, CmdSeek, CmdInitParams, CmdSetFeatures:
		c.interrupt()
	case CmdDiagnose:
		c.reset()
		c.interrupt()
	default:
		c.abort()
	}
}

// startSectors sets up a sector transfer of n sectors; false if it failed
// at once (bad address, or MULTIPLE without SET MULTIPLE).
func (c *Controller) startSectors(multi bool, n int, d *disk.Disk) bool {
	c.block = 1
	if multi {
		c.block = c.multiple[c.sel()]
		if c.block == 0 {
			c.abort()
			return false
		}
	}
	a := c.address()
	if a >= d.Sectors() || uint64(n) > d.Sectors()-a {
		c.fail(ErrIDNF, a)
		return false
	}
	c.lba, c.remaining = a, n
	return true
}

// loadBlock reads the next block of a read command into the buffer and
// announces it with DRQ and an interrupt.
func (c *Controller) loadBlock() {
	k := min(c.block, c.remaining)
	data := c.buf[:k*disk.SectorSize]
	if _, err := c.drives[c.sel()].ReadAt(data, int64(c.lba)*disk.SectorSize); err != nil {
		c.Err = err
		c.fail(ErrUNC, c.lba)
		return
	}
	c.setAddress(c.lba + uint64(k) - 1)
	c.pos, c.end = 0, len(data)
	c.status = StatusDRDY | StatusDSC | StatusDRQ
	c.interrupt()
}

// blockRead runs when the host has taken the whole buffer.
func (c *Controller) blockRead() {
	k := min(c.block, c.remaining)
	c.lba += uint64(k)
	c.remaining -= k
	if c.remaining > 0 {
		c.loadBlock()
		return
	}
	c.mode = xferNone
	c.status = StatusDRDY | StatusDSC
}

// blockWritten puts a full buffer on the disk, then asks for the next
// block or ends the command; either way with an interrupt.
func (c *Controller) blockWritten() {
	k := min(c.block, c.remaining)
	if _, err := c.drives[c.sel()].WriteAt(c.buf[:k*disk.SectorSize], int64(c.lba)*disk.SectorSize); err != nil {
		c.Err = err
		c.fail(ErrUNC, c.lba)
		return
	}
	c.setAddress(c.lba + uint64(k) - 1)
	c.lba += uint64(k)
	c.remaining -= k
	c.pos = 0
	if c.remaining > 0 {
		c.end = min(c.block, c.remaining) * disk.SectorSize
		c.status = StatusDRDY | StatusDSC | StatusDRQ
	} else {
		c.mode = xferNone
		c.end = 0
		c.status = StatusDRDY | StatusDSC
	}
	c.interrupt()
}

func (c *Controller) abort() { c.fail(ErrABRT, ^uint64(0)) }

// fail ends the command with ERR and err in the error register; at names
// the failing sector (all ones: leave the task file alone).
func (c *Controller) fail(err uint8, at uint64) {
	if at != ^uint64(0) && at < 1<<28 {
		c.setAddress(at)
	}
	c.mode = xferNone
	c.pos, c.end = 0, 0
	c.errReg = err
	c.status = StatusDRDY | StatusDSC | StatusERR
	c.interrupt()
}

// identify fills the buffer with the IDENTIFY DEVICE page of d.
func (c *Controller) identify(d *disk.Disk) {
	for i := range c.buf[:disk.SectorSize] {
		c.buf[i] = 0
	}
	w := func(i int, v uint16) { c.buf[2*i], c.buf[2*i+1] = byte(v), byte(v>>8) }
	str := func(first, words int, s string) {
		for i := 0; i < 2*words; i++ {
			ch := byte(' ')
			if i < len(s) {
				ch = s[i]
			}
			c.buf[(2*first+i)^1] = ch // ATA strings swap the bytes of each word
		}
	}
	total := min(d.Sectors(), 1<<28-1)
	cyls := min(total/(heads*sectors), 16383)
	w(0, 0x0040) // fixed disk
	w(1, uint16(cyls))
	w(3, heads)
	w(6, sectors)
	str(10, 10, "XV6EMU0000000001")
	str(23, 4, "1.0")
	str(27, 20, "XV6EMU HARDDISK")
	w(47, 0x8000|maxMultiple)
	w(49, 1<<9) // LBA
	w(53, 0x0001)
	w(54, uint16(cyls))
	w(55, heads)
	w(56, sectors)
	chs := uint32(cyls) * heads * sectors
	w(57, uint16(chs))
	w(58, uint16(chs>>16))
	if m := c.multiple[c.sel()]; m != 0 {
		w(59, 0x100|uint16(m))
	}
	w(60, uint16(total))
	w(61, uint16(total>>16))
	w(80, 0x00F0) // ATA-4..7
	w(82, 1<<14)
	w(83, 1<<14|1<<12) // FLUSH CACHE
	w(84, 1<<14)
	w(85, 1<<14)
	w(86, 1<<12)
	w(87, 1<<14)
}
