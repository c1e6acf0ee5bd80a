package virtio

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Split virtqueue layout (virtio 1.1 section 2.6).
const (
	descSize      = 16
	descFNext     = 1
	descFWrite    = 2
	descFIndirect = 4

	availFNoInterrupt = 1

	// maxIndirect bounds an indirect table the way QEMU does.
	maxIndirect = QueueNumMax
)

// queue is the device's view of its one virtqueue.
type queue struct {
	num       uint32
	ready     bool   // modern: QueueReady
	resetDone bool   // modern: QueueReset reads 1 until the queue is re-enabled
	desc      uint64 // modern ring addresses
	avail     uint64
	used      uint64
	pfn       uint32 // legacy: QueuePFN, 0 = no queue
	align     uint32 // legacy: QueueAlign
	lastAvail uint16 // next avail ring entry to serve
	usedIdx   uint16 // next used ring entry to fill
}

func (q *queue) reset() {
	*q = queue{num: defaultQueueNum, align: defaultLegacyAlign}
}

// segment is one non-empty buffer of a descriptor chain.
type segment struct {
	addr  uint64
	len   uint32
	write bool // device-writable
}

// errRing marks a driver error in the rings themselves, after which the
// device needs a reset.
var errRing = errors.New("virtio: broken ring")

func ringErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errRing, fmt.Sprintf(format, args...))
}

// rings returns the ring addresses of the queue, or ok false if the driver
// has not made it usable.
func (b *Block) rings() (desc, avail, used uint64, ok bool) {
	q := &b.q
	if !b.legacy {
		return q.desc, q.avail, q.used, q.ready
	}
	if q.pfn == 0 {
		return 0, 0, 0, false
	}
	// Legacy layout: descriptors, then the avail ring (flags, idx,
	// ring[num], used_event), then the used ring at the next QueueAlign
	// boundary.
	num := uint64(q.num)
	desc = uint64(q.pfn) * uint64(b.pageSize)
	avail = desc + descSize*num
	used = avail + 2*(3+num)
	if a := uint64(q.align); a > 1 {
		used = (used + a - 1) / a * a
	}
	return desc, avail, used, true
}

func (b *Block) read16(addr uint64) (uint16, error) {
	var p [2]byte
	if err := b.mem.ReadRAM(addr, p[:]); err != nil {
		return 0, ringErr("%v", err)
	}
	return binary.LittleEndian.Uint16(p[:]), nil
}

func (b *Block) write16(addr uint64, v uint16) error {
	var p [2]byte
	binary.LittleEndian.PutUint16(p[:], v)
	if err := b.mem.WriteRAM(addr, p[:]); err != nil {
		return ringErr("%v", err)
	}
	return nil
}

// notify serves every request the driver has made available, then
// interrupts unless the driver asked not to be.
func (b *Block) notify() {
	if b.status&StatusDeviceNeedsReset != 0 {
		return
	}
	desc, avail, used, ok := b.rings()
	if !ok {
		return
	}
	if err := b.drain(desc, avail, used); err != nil {
		b.needsReset()
	}
}

func (b *Block) drain(desc, avail, used uint64) error {
	q := &b.q
	num := q.num
	availIdx, err := b.read16(avail + 2)
	if err != nil {
		return err
	}
	if uint32(availIdx-q.lastAvail) > num {
		return ringErr("avail idx %d is more than %d ahead of %d", availIdx, num, q.lastAvail)
	}
	oldUsed := q.usedIdx
	for q.lastAvail != availIdx {
		head, err := b.read16(avail + 4 + 2*uint64(uint32(q.lastAvail)%num))
		if err != nil {
			return err
		}
		written, err := b.serveChain(desc, num, head)
		if err != nil {
			return err
		}
		var elem [8]byte
		binary.LittleEndian.PutUint32(elem[0:], uint32(head))
		binary.LittleEndian.PutUint32(elem[4:], written)
		if err := b.mem.WriteRAM(used+4+8*uint64(uint32(q.usedIdx)%num), elem[:]); err != nil {
			return ringErr("%v", err)
		}
		q.usedIdx++
		q.lastAvail++
	}
	if err := b.write16(used+2, q.usedIdx); err != nil {
		return err
	}
	if b.negotiated(FeatureEventIdx) {
		// avail_event: kick us again for anything past what we served.
		if err := b.write16(used+4+8*uint64(num), q.lastAvail); err != nil {
			return err
		}
	}
	if q.usedIdx == oldUsed {
		return nil
	}
	notify, err := b.wantsInterrupt(avail, num, oldUsed)
	if err != nil {
		return err
	}
	if notify {
		b.raise(IntUsedBuffer)
	}
	return nil
}

// wantsInterrupt applies the driver's interrupt suppression after the used
// index moved from oldUsed to q.usedIdx. The queue is always empty here,
// so NOTIFY_ON_EMPTY, when negotiated, overrides suppression.
func (b *Block) wantsInterrupt(avail uint64, num uint32, oldUsed uint16) (bool, error) {
	if b.negotiated(FeatureNotifyOnEmpty) {
		return true, nil
	}
	if b.negotiated(FeatureEventIdx) {
		usedEvent, err := b.read16(avail + 4 + 2*uint64(num))
		if err != nil {
			return false, err
		}
		// Interrupt if used_event lies in [oldUsed, usedIdx).
		return b.q.usedIdx-usedEvent-1 < b.q.usedIdx-oldUsed, nil
	}
	flags, err := b.read16(avail)
	if err != nil {
		return false, err
	}
	return flags&availFNoInterrupt == 0, nil
}

// readChain collects the buffers of the chain starting at head into b.segs.
// Device-readable buffers must all come before device-writable ones.
// Every walk is bounded by the size of the table it is in, so a looping
// chain is an error rather than a hang.
func (b *Block) readChain(table uint64, size uint32, head uint16) error {
	b.segs = b.segs[:0]
	b.readDescs, b.writeDescs = 0, 0
	idx, steps := uint32(head), uint32(0)
	indirect, sawWrite := false, false
	for {
		if idx >= size {
			return ringErr("descriptor %d out of a table of %d", idx, size)
		}
		if steps++; steps > size {
			return ringErr("descriptor chain loops")
		}
		if err := b.mem.ReadRAM(table+descSize*uint64(idx), b.desc[:]); err != nil {
			return ringErr("%v", err)
		}
		addr := binary.LittleEndian.Uint64(b.desc[0:])
		length := binary.LittleEndian.Uint32(b.desc[8:])
		flags := binary.LittleEndian.Uint16(b.desc[12:])
		next := binary.LittleEndian.Uint16(b.desc[14:])

		if flags&descFIndirect != 0 {
			if indirect || flags&descFNext != 0 {
				return ringErr("misplaced indirect descriptor")
			}
			if length == 0 || length%descSize != 0 || length/descSize > maxIndirect {
				return ringErr("indirect table of %d bytes", length)
			}
			table, size, idx, steps, indirect = addr, length/descSize, 0, 0, true
			continue
		}
		write := flags&descFWrite != 0
		if sawWrite && !write {
			return ringErr("device-readable buffer after a writable one")
		}
		sawWrite = sawWrite || write
		if write {
			b.writeDescs++
		} else {
			b.readDescs++
		}
		if length > 0 {
			b.segs = append(b.segs, segment{addr: addr, len: length, write: write})
		}
		if flags&descFNext == 0 {
			return nil
		}
		idx = uint32(next)
	}
}

// streamLen is the total size of the readable (write=false) or writable
// buffers of the chain.
func (b *Block) streamLen(write bool) uint64 {
	var n uint64
	for _, s := range b.segs {
		if s.write == write {
			n += uint64(s.len)
		}
	}
	return n
}

// walk calls fn for each guest-memory piece of the readable or writable
// stream of the chain covering stream bytes [off, off+n), in order, with
// pieces no longer than max. fn gets the guest address, the piece length
// and the piece's position relative to off.
func (b *Block) walk(write bool, off, n uint64, chunk int, fn func(addr uint64, length int, pos uint64) error) error {
	var pos uint64
	for _, s := range b.segs {
		if s.write != write || n == 0 {
			continue
		}
		if off >= uint64(s.len) {
			off -= uint64(s.len)
			continue
		}
		addr, avail := s.addr+off, uint64(s.len)-off
		off = 0
		for avail > 0 && n > 0 {
			c := min(avail, n, uint64(chunk))
			if err := fn(addr, int(c), pos); err != nil {
				return err
			}
			addr, avail, n, pos = addr+c, avail-c, n-c, pos+c
		}
	}
	return nil
}
