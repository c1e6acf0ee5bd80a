package virtio

import (
	"encoding/binary"
	"errors"

	"github.com/xv6emu/xv6emu/disk"
)

// Feature bits (virtio 1.1 sections 5.2.3 and 6; 1.2 for RING_RESET).
const (
	FeatureSegMax        = 2
	FeatureGeometry      = 4
	FeatureReadOnly      = 5
	FeatureBlkSize       = 6
	FeatureSCSI          = 7 // legacy only
	FeatureFlush         = 9
	FeatureTopology      = 10
	FeatureConfigWCE     = 11
	FeatureMQ            = 12
	FeatureDiscard       = 13
	FeatureWriteZeroes   = 14
	FeatureNotifyOnEmpty = 24 // legacy only
	FeatureAnyLayout     = 27
	FeatureIndirectDesc  = 28
	FeatureEventIdx      = 29
	FeatureVersion1      = 32
	FeatureRingReset     = 40
)

// What QEMU 7.2's virtio-blk offers for a raw, writable drive:
// 0x31006ed4 / 0x00000000 as a legacy device, 0x30006e54 / 0x00000101 as a
// modern one.
const (
	commonFeatures = 1<<FeatureSegMax | 1<<FeatureGeometry | 1<<FeatureBlkSize |
		1<<FeatureFlush | 1<<FeatureTopology | 1<<FeatureConfigWCE |
		1<<FeatureDiscard | 1<<FeatureWriteZeroes |
		1<<FeatureIndirectDesc | 1<<FeatureEventIdx
	legacyFeatures = commonFeatures | 1<<FeatureSCSI | 1<<FeatureNotifyOnEmpty
	modernFeatures = commonFeatures | 1<<FeatureVersion1 | 1<<FeatureRingReset
)

// Request types and status values (virtio 1.1 section 5.2.6).
const (
	ReqIn          = 0
	ReqOut         = 1
	ReqSCSI        = 2 // legacy SCSI passthrough, never supported
	ReqFlush       = 4
	ReqGetID       = 8
	ReqDiscard     = 11
	ReqWriteZeroes = 13

	StatusOK     = 0
	StatusIOErr  = 1
	StatusUnsupp = 2

	headerSize = 16
	idSize     = 20
	// A discard or write-zeroes segment: sector u64, num_sectors u32, flags u32.
	rangeSize        = 16
	rangeFlagUnmap   = 1
	maxRangeSectors  = 0x3fffff // QEMU's max_discard_sectors / max_write_zeroes_sectors
	maxRangeSegments = 1
)

// The virtio_blk_config layout, as far as QEMU 7.2 exposes it.
const (
	cfgCapacity          = 0x00 // u64, 512-byte sectors
	cfgSizeMax           = 0x08 // u32
	cfgSegMax            = 0x0c // u32
	cfgGeometry          = 0x10 // u16 cylinders, u8 heads, u8 sectors
	cfgBlkSize           = 0x14 // u32
	cfgTopology          = 0x18 // 8 bytes of zeros: one logical block per physical one
	cfgWriteback         = 0x20 // u8
	cfgNumQueues         = 0x22 // u16
	cfgMaxDiscardSectors = 0x24
	cfgMaxDiscardSeg     = 0x28
	cfgDiscardAlign      = 0x2c
	cfgMaxWZSectors      = 0x30
	cfgMaxWZSeg          = 0x34
	cfgWZMayUnmap        = 0x38 // u8
	configLen            = 0x39

	segMax = 254 // QEMU: queue size - 2
)

// fillConfig lays out the config space for the current disk and writeback
// setting.
func (b *Block) fillConfig() {
	c := b.config[:]
	clear(c)
	sectors := b.disk.Sectors()
	le := binary.LittleEndian
	le.PutUint64(c[cfgCapacity:], sectors)
	le.PutUint32(c[cfgSegMax:], segMax)
	// QEMU's geometry guess for a disk without a partition table.
	cyls := min(max(sectors/(16*63), 2), 16383)
	le.PutUint16(c[cfgGeometry:], uint16(cyls))
	c[cfgGeometry+2], c[cfgGeometry+3] = 16, 63
	le.PutUint32(c[cfgBlkSize:], disk.SectorSize)
	c[cfgWriteback] = b.writeback
	le.PutUint16(c[cfgNumQueues:], 1)
	le.PutUint32(c[cfgMaxDiscardSectors:], maxRangeSectors)
	le.PutUint32(c[cfgMaxDiscardSeg:], maxRangeSegments)
	le.PutUint32(c[cfgDiscardAlign:], 1)
	le.PutUint32(c[cfgMaxWZSectors:], maxRangeSectors)
	le.PutUint32(c[cfgMaxWZSeg:], maxRangeSegments)
	c[cfgWZMayUnmap] = 1
}

// readConfig reads the config space little-endian. An access that runs
// past its end reads all ones, as on QEMU.
func (b *Block) readConfig(off uint64, size int) uint64 {
	if size < 1 || size > 4 || off >= configLen || configLen-off < uint64(size) {
		return 1<<(8*uint(size)) - 1
	}
	var v uint64
	for i := size - 1; i >= 0; i-- {
		v = v<<8 | uint64(b.config[off+uint64(i)])
	}
	return v
}

// writeConfig: only the writeback byte is writable.
func (b *Block) writeConfig(off uint64, size int, value uint64) {
	if size < 1 || size > 4 || off > cfgWriteback || off+uint64(size) <= cfgWriteback {
		return
	}
	b.writeback = 0
	if byte(value>>(8*(cfgWriteback-off))) != 0 {
		b.writeback = 1
	}
	b.config[cfgWriteback] = b.writeback
}

// serveChain performs the block request in the chain at head and returns
// how many bytes the used ring reports: like QEMU, the whole writable part
// of the chain (data and status byte). Only a broken chain is an error;
// failed I/O is reported to the driver in the status byte.
func (b *Block) serveChain(table uint64, num uint32, head uint16) (uint32, error) {
	if err := b.readChain(table, num, head); err != nil {
		return 0, err
	}
	in, out := b.streamLen(true), b.streamLen(false)
	if out < headerSize || in < 1 {
		return 0, ringErr("request without header or status byte")
	}
	var hdr [headerSize]byte
	if err := b.gather(hdr[:], 0); err != nil {
		return 0, ringErr("header: %v", err)
	}
	typ := binary.LittleEndian.Uint32(hdr[0:])
	sector := binary.LittleEndian.Uint64(hdr[8:])
	dataIn, dataOut := in-1, out-headerSize

	status := byte(StatusOK)
	switch typ {
	case ReqIn:
		status = b.transfer(sector, dataIn, true)
	case ReqOut:
		status = b.transfer(sector, dataOut, false)
	case ReqFlush:
		if b.disk.Flush() != nil {
			status = StatusIOErr
		}
	case ReqGetID:
		status = b.getID(dataIn)
	case ReqSCSI:
		// QEMU checks the passthrough layout (command block, and SCSI
		// header, sense and status buffers) before refusing.
		status = StatusUnsupp
		if b.readDescs < 2 || b.writeDescs < 3 {
			status = StatusIOErr
		}
	case ReqDiscard, ReqWriteZeroes:
		status = b.zeroRanges(typ, dataOut)
	default:
		status = StatusUnsupp
	}
	// The status byte is the last writable byte of the chain.
	var st [1]byte
	st[0] = status
	if err := b.walk(true, dataIn, 1, 1, func(addr uint64, _ int, _ uint64) error {
		return b.mem.WriteRAM(addr, st[:])
	}); err != nil {
		return 0, ringErr("status: %v", err)
	}
	return uint32(min(in, 1<<32-1)), nil
}

// gather copies the readable stream at offset off into p.
func (b *Block) gather(p []byte, off uint64) error {
	return b.walk(false, off, uint64(len(p)), len(p), func(addr uint64, n int, pos uint64) error {
		return b.mem.ReadRAM(addr, p[pos:pos+uint64(n)])
	})
}

var errRange = errors.New("virtio: request beyond the end of the disk")

// checkRange validates n bytes at sector: whole sectors, inside the disk.
func (b *Block) checkRange(sector, n uint64) error {
	if n%disk.SectorSize != 0 {
		return errRange
	}
	total := b.disk.Sectors()
	if sector > total || n/disk.SectorSize > total-sector {
		return errRange
	}
	return nil
}

// transfer moves n bytes between the disk at sector and the data part of
// the chain: the writable stream for a read (toGuest), the readable stream
// after the header for a write.
func (b *Block) transfer(sector, n uint64, toGuest bool) byte {
	if b.checkRange(sector, n) != nil {
		return StatusIOErr
	}
	base := int64(sector * disk.SectorSize)
	off := uint64(0)
	if !toGuest {
		off = headerSize
	}
	err := b.walk(toGuest, off, n, len(b.scratch), func(addr uint64, c int, pos uint64) error {
		buf := b.scratch[:c]
		if toGuest {
			if _, err := b.disk.ReadAt(buf, base+int64(pos)); err != nil {
				return err
			}
			return b.mem.WriteRAM(addr, buf)
		}
		if err := b.mem.ReadRAM(addr, buf); err != nil {
			return err
		}
		_, err := b.disk.WriteAt(buf, base+int64(pos))
		return err
	})
	if err != nil {
		return StatusIOErr
	}
	return StatusOK
}

// getID answers GET_ID as QEMU does: the serial and its terminating NUL,
// at most 20 bytes and no more than the driver's buffer; bytes past that
// are left alone.
func (b *Block) getID(room uint64) byte {
	var id [idSize]byte
	copy(id[:], b.Serial)
	n := min(room, idSize, uint64(len(b.Serial))+1)
	err := b.walk(true, 0, n, idSize, func(addr uint64, c int, pos uint64) error {
		return b.mem.WriteRAM(addr, id[pos:pos+uint64(c)])
	})
	if err != nil {
		return StatusIOErr
	}
	return StatusOK
}

// zeroRanges serves DISCARD and WRITE_ZEROES. Discarded sectors read back
// as zeros too, which keeps runs deterministic.
func (b *Block) zeroRanges(typ uint32, n uint64) byte {
	if n == 0 || n%rangeSize != 0 || n/rangeSize > maxRangeSegments {
		return StatusUnsupp
	}
	for i := uint64(0); i < n/rangeSize; i++ {
		var r [rangeSize]byte
		if b.gather(r[:], headerSize+i*rangeSize) != nil {
			return StatusIOErr
		}
		sector := binary.LittleEndian.Uint64(r[0:])
		count := uint64(binary.LittleEndian.Uint32(r[8:]))
		flags := binary.LittleEndian.Uint32(r[12:])
		if flags&^rangeFlagUnmap != 0 || (typ == ReqDiscard && flags != 0) {
			return StatusUnsupp
		}
		if count > maxRangeSectors || b.checkRange(sector, count*disk.SectorSize) != nil {
			return StatusIOErr
		}
		zero := b.scratch
		clear(zero)
		for done := uint64(0); done < count*disk.SectorSize; {
			c := min(uint64(len(zero)), count*disk.SectorSize-done)
			if _, err := b.disk.WriteAt(zero[:c], int64(sector*disk.SectorSize+done)); err != nil {
				return StatusIOErr
			}
			done += c
		}
	}
	return StatusOK
}
