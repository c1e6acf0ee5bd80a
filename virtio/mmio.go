// Package virtio is a virtio-mmio block device (virtio 1.1 sections 4.2 and
// 5.2, plus the legacy "version 1" register layout) as QEMU's virt board has
// it at 0x10001000.
//
// Requests are served synchronously when the driver writes QueueNotify, so
// a run is deterministic: by the time the store that notified the device
// retires, the data is in place, the used ring updated and the interrupt
// raised. Guest memory is reached only through the bus's DMA calls; a
// driver that points the device at bad memory gets an I/O error or, when
// the rings themselves are broken, DEVICE_NEEDS_RESET, never a panic.
//
// Values that mirror QEMU 7.2 (checked against it with a bare-metal probe):
// QueueNumMax 1024, the feature words below, the block config space (length
// 0x39, reads past it return all ones), registers that read as zero because
// they are write-only (QueueNum, QueueDesc..., GuestPageSize, QueueAlign),
// 1- and 2-byte register accesses ignored, 8-byte ones split in two.
package virtio

import (
	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/disk"
)

// MMIO register offsets.
const (
	RegMagic              = 0x000
	RegVersion            = 0x004
	RegDeviceID           = 0x008
	RegVendorID           = 0x00c
	RegDeviceFeatures     = 0x010
	RegDeviceFeaturesSel  = 0x014
	RegDriverFeatures     = 0x020
	RegDriverFeaturesSel  = 0x024
	RegGuestPageSize      = 0x028 // legacy
	RegQueueSel           = 0x030
	RegQueueNumMax        = 0x034
	RegQueueNum           = 0x038
	RegQueueAlign         = 0x03c // legacy
	RegQueuePFN           = 0x040 // legacy
	RegQueueReady         = 0x044 // modern
	RegQueueNotify        = 0x050
	RegInterruptStatus    = 0x060
	RegInterruptACK       = 0x064
	RegStatus             = 0x070
	RegQueueDescLow       = 0x080 // modern, 0x080..0x0a4
	RegQueueDescHigh      = 0x084
	RegQueueDriverLow     = 0x090
	RegQueueDriverHigh    = 0x094
	RegQueueDeviceLow     = 0x0a0
	RegQueueDeviceHigh    = 0x0a4
	RegQueueReset         = 0x0c0 // modern, VIRTIO_F_RING_RESET
	RegConfigGeneration   = 0x0fc
	RegConfig             = 0x100
	Size                  = 0x1000
	MagicValue            = 0x74726976 // "virt"
	VendorQEMU            = 0x554d4551 // "QEMU"
	DeviceIDBlock         = 2
	QueueNumMax           = 1024
	defaultQueueNum       = 256 // QEMU's virtio-blk queue-size
	defaultLegacyPageSize = 4096
	defaultLegacyAlign    = 4096
)

// Device status bits.
const (
	StatusAcknowledge      = 1
	StatusDriver           = 2
	StatusDriverOK         = 4
	StatusFeaturesOK       = 8
	StatusDeviceNeedsReset = 0x40
	StatusFailed           = 0x80
)

// InterruptStatus bits.
const (
	IntUsedBuffer   = 1
	IntConfigChange = 2
)

// Block is a virtio-mmio block device backed by a disk.Disk. It implements
// bus.Device and is not safe for concurrent use.
type Block struct {
	mem    *bus.Bus
	disk   *disk.Disk
	irq    *bus.IRQ
	legacy bool

	// Serial is the id string a GET_ID request returns, at most 20 bytes
	// of it. Empty by default, like a QEMU drive without serial=.
	Serial string

	offered        uint64 // feature bits the device offers
	devFeaturesSel uint32
	drvFeaturesSel uint32
	driverFeatures uint64
	status         uint32
	intStatus      uint32
	queueSel       uint32
	writeback      byte   // config writeback (WCE) byte
	pageSize       uint32 // legacy GuestPageSize; a device reset keeps it
	q              queue
	config         [configLen]byte

	desc       [descSize]byte // descriptor being read
	scratch    []byte         // bounce buffer between disk and guest RAM
	segs       []segment      // the chain being served
	readDescs  int            // descriptors of the chain, empty ones too,
	writeDescs int            // by direction
}

// NewBlock returns a virtio block device in its reset state serving d, that
// reaches guest memory through mem and interrupts through irq. legacy picks
// the version 1 register layout (QEMU's virtio-mmio.force-legacy=true, the
// default in QEMU 7.2, which old xv6 needs); otherwise the device is
// version 2 (force-legacy=false, which newer xv6 Makefiles ask for).
func NewBlock(mem *bus.Bus, d *disk.Disk, irq *bus.IRQ, legacy bool) *Block {
	b := &Block{
		mem:      mem,
		disk:     d,
		irq:      irq,
		legacy:   legacy,
		pageSize: defaultLegacyPageSize,
		scratch:  make([]byte, 64<<10),
	}
	b.offered = modernFeatures
	if legacy {
		b.offered = legacyFeatures
	}
	b.reset()
	return b
}

// reset returns the device to its power-on state (a driver writing 0 to
// Status).
func (b *Block) reset() {
	b.devFeaturesSel, b.drvFeaturesSel, b.driverFeatures = 0, 0, 0
	b.status, b.intStatus, b.queueSel = 0, 0, 0
	b.writeback = 1
	b.q.reset()
	b.fillConfig()
	b.irq.Set(false)
}

func (b *Block) negotiated(bit uint) bool { return b.driverFeatures&(1<<bit) != 0 }

// Read implements bus.Device.
func (b *Block) Read(offset uint64, size int) uint64 {
	if size == 8 {
		lo := b.Read(offset, 4)
		return lo | b.Read(offset+4, 4)<<32
	}
	if offset >= RegConfig {
		return b.readConfig(offset-RegConfig, size)
	}
	if size != 4 {
		return 0
	}
	return uint64(b.readReg(offset))
}

// Write implements bus.Device.
func (b *Block) Write(offset uint64, size int, value uint64) {
	if size == 8 {
		b.Write(offset, 4, value&0xffffffff)
		b.Write(offset+4, 4, value>>32)
		return
	}
	if offset >= RegConfig {
		b.writeConfig(offset-RegConfig, size, value)
		return
	}
	if size == 4 {
		b.writeReg(offset, uint32(value))
	}
}

func (b *Block) readReg(offset uint64) uint32 {
	switch offset {
	case RegMagic:
		return MagicValue
	case RegVersion:
		if b.legacy {
			return 1
		}
		return 2
	case RegDeviceID:
		return DeviceIDBlock
	case RegVendorID:
		return VendorQEMU
	case RegDeviceFeatures:
		// Like QEMU, any nonzero selector picks the high word.
		if b.devFeaturesSel != 0 {
			return uint32(b.offered >> 32)
		}
		return uint32(b.offered)
	case RegQueueNumMax:
		if b.queueSel != 0 {
			return 0
		}
		return QueueNumMax
	case RegInterruptStatus:
		return b.intStatus
	case RegStatus:
		return b.status
	case RegConfigGeneration:
		return 0 // the config space never changes under the driver
	}
	if b.queueSel != 0 {
		return 0
	}
	if b.legacy {
		if offset == RegQueuePFN {
			return b.q.pfn
		}
		return 0
	}
	switch offset {
	case RegQueueReady:
		return b32(b.q.ready)
	case RegQueueReset:
		return b32(b.q.resetDone)
	}
	return 0
}

func b32(v bool) uint32 {
	if v {
		return 1
	}
	return 0
}

func (b *Block) writeReg(offset uint64, v uint32) {
	switch offset {
	case RegDeviceFeaturesSel:
		b.devFeaturesSel = v
	case RegDriverFeaturesSel:
		b.drvFeaturesSel = v
	case RegDriverFeatures:
		// Any nonzero selector picks the high word; features the device
		// never offered cannot be accepted.
		shift := uint64(0)
		if b.drvFeaturesSel != 0 {
			shift = 32
		}
		b.driverFeatures = b.driverFeatures&^(0xffffffff<<shift) | uint64(v)<<shift&b.offered
	case RegQueueSel:
		b.queueSel = v
	case RegQueueNotify:
		if v == 0 {
			b.notify()
		}
	case RegInterruptACK:
		b.intStatus &^= v
		b.reassert()
	case RegStatus:
		if v == 0 {
			b.reset()
			return
		}
		// VERSION_1 is not required: xv6 never acknowledges it, and QEMU
		// accepts FEATURES_OK without it.
		b.status = v | b.status&StatusDeviceNeedsReset
	default:
		if b.queueSel == 0 {
			b.writeQueueReg(offset, v)
		}
	}
}

// writeQueueReg handles the registers that configure the selected queue.
func (b *Block) writeQueueReg(offset uint64, v uint32) {
	q := &b.q
	switch offset {
	case RegQueueNum:
		if v >= 1 && v <= QueueNumMax {
			q.num = v
		}
		return
	}
	if b.legacy {
		switch offset {
		case RegGuestPageSize:
			b.pageSize = v
		case RegQueueAlign:
			q.align = v
		case RegQueuePFN:
			q.pfn = v
		}
		return
	}
	switch offset {
	case RegQueueReady:
		q.ready = v&1 != 0
		if q.ready {
			q.resetDone = false
		}
	case RegQueueDescLow:
		q.desc = q.desc&^0xffffffff | uint64(v)
	case RegQueueDescHigh:
		q.desc = q.desc&0xffffffff | uint64(v)<<32
	case RegQueueDriverLow:
		q.avail = q.avail&^0xffffffff | uint64(v)
	case RegQueueDriverHigh:
		q.avail = q.avail&0xffffffff | uint64(v)<<32
	case RegQueueDeviceLow:
		q.used = q.used&^0xffffffff | uint64(v)
	case RegQueueDeviceHigh:
		q.used = q.used&0xffffffff | uint64(v)<<32
	case RegQueueReset:
		if v&1 != 0 && b.negotiated(FeatureRingReset) {
			q.reset()
			q.resetDone = true
		}
	}
}

// raise sets bits in InterruptStatus and asserts the line.
func (b *Block) raise(bits uint32) {
	b.intStatus |= bits
	b.reassert()
}

// reassert drives the line from InterruptStatus the way QEMU's virtio-mmio
// does on every notification and acknowledgement: while any bit is set the
// line is asserted afresh, with a low-high pulse if it was already high, so
// an edge-latching PLIC sees a new request.
func (b *Block) reassert() {
	if b.intStatus == 0 {
		b.irq.Set(false)
		return
	}
	if b.irq.Level() {
		b.irq.Set(false)
	}
	b.irq.Set(true)
}

// needsReset is how the device gives up on a driver that broke the rules:
// it stops serving requests until the driver resets it.
func (b *Block) needsReset() {
	if b.status&StatusDeviceNeedsReset == 0 {
		b.status |= StatusDeviceNeedsReset
		b.raise(IntConfigChange)
	}
}
