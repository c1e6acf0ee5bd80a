package virtio

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/disk"
)

// This file is a small virtio-blk driver for the tests: it sets the device
// up the way xv6 does and builds descriptor chains in a bus's RAM.

const (
	ramBase   = 0x80000000
	ramSize   = 1 << 20
	diskBytes = 2048 * disk.SectorSize // 1 MiB: QEMU reports 0x3f100002 geometry

	// Guest memory map of the test driver.
	ringPage = ramBase + 0x10000 // legacy: two pages, desc+avail then used
	descAddr = ramBase + 0x20000 // modern rings
	availAdr = ramBase + 0x21000
	usedAddr = ramBase + 0x22000
	bufBase  = ramBase + 0x40000 // request headers, data, status bytes
)

// xv6Features is what every xv6 driver accepts: the offer minus RO, SCSI,
// CONFIG_WCE, MQ, ANY_LAYOUT, EVENT_IDX and INDIRECT_DESC.
// xv6 only reads and writes feature word 0, so it never acknowledges
// VERSION_1 or anything above bit 31.
func xv6Features(offered uint64) uint64 {
	return offered & 0xffffffff &^ (1<<FeatureReadOnly | 1<<FeatureSCSI | 1<<FeatureConfigWCE |
		1<<FeatureMQ | 1<<FeatureAnyLayout | 1<<FeatureEventIdx | 1<<FeatureIndirectDesc)
}

type rig struct {
	t      testing.TB
	mem    *bus.Bus
	disk   *disk.Disk
	dev    *Block
	irq    *bus.IRQ
	legacy bool
	num    uint32
	desc   uint64
	avail  uint64
	used   uint64
	availN uint16 // driver's avail idx
	usedN  uint16 // driver's last seen used idx
}

func newRig(t testing.TB, legacy bool) *rig {
	t.Helper()
	img := make([]byte, diskBytes)
	for i := range img {
		img[i] = byte(i/disk.SectorSize) ^ byte(i)
	}
	d, err := disk.FromBytes(img)
	require.NoError(t, err)
	r := &rig{t: t, mem: bus.New(ramBase, ramSize), disk: d, irq: &bus.IRQ{}, legacy: legacy}
	r.dev = NewBlock(r.mem, d, r.irq, legacy)
	return r
}

func (r *rig) reg(off uint64) uint32    { return uint32(r.dev.Read(off, 4)) }
func (r *rig) set(off uint64, v uint32) { r.dev.Write(off, 4, uint64(v)) }
func (r *rig) status() uint32           { return r.reg(RegStatus) }
func (r *rig) features() (offered uint64) {
	r.set(RegDeviceFeaturesSel, 0)
	lo := r.reg(RegDeviceFeatures)
	r.set(RegDeviceFeaturesSel, 1)
	return uint64(lo) | uint64(r.reg(RegDeviceFeatures))<<32
}

// init runs xv6's virtio_disk_init with accept(offered) as the features and
// a queue of num entries.
func (r *rig) init(num uint32, accept func(uint64) uint64) {
	r.t.Helper()
	require.Equal(r.t, uint32(MagicValue), r.reg(RegMagic))
	r.set(RegStatus, 0)
	st := uint32(StatusAcknowledge)
	r.set(RegStatus, st)
	st |= StatusDriver
	r.set(RegStatus, st)
	f := accept(r.features())
	r.set(RegDriverFeaturesSel, 0)
	r.set(RegDriverFeatures, uint32(f))
	r.set(RegDriverFeaturesSel, 1)
	r.set(RegDriverFeatures, uint32(f>>32))
	if !r.legacy {
		st |= StatusFeaturesOK
		r.set(RegStatus, st)
		require.NotZero(r.t, r.status()&StatusFeaturesOK, "FEATURES_OK not kept")
	}
	if r.legacy {
		// Old xv6 sets DRIVER_OK before it sets up the queue.
		st |= StatusDriverOK
		r.set(RegStatus, st)
	}
	r.set(RegQueueSel, 0)
	require.GreaterOrEqual(r.t, r.reg(RegQueueNumMax), num)
	r.set(RegQueueNum, num)
	r.num = num
	if r.legacy {
		r.set(RegGuestPageSize, 4096)
		r.set(RegQueuePFN, uint32((ringPage-0)>>12))
		r.desc = ringPage
		r.avail = ringPage + 16*uint64(num)
		r.used = ringPage + 4096
	} else {
		require.Zero(r.t, r.reg(RegQueueReady))
		r.desc, r.avail, r.used = descAddr, availAdr, usedAddr
		r.set(RegQueueDescLow, uint32(r.desc))
		r.set(RegQueueDescHigh, uint32(r.desc>>32))
		r.set(RegQueueDriverLow, uint32(r.avail))
		r.set(RegQueueDriverHigh, uint32(r.avail>>32))
		r.set(RegQueueDeviceLow, uint32(r.used))
		r.set(RegQueueDeviceHigh, uint32(r.used>>32))
		r.set(RegQueueReady, 1)
		st |= StatusDriverOK
		r.set(RegStatus, st)
	}
	r.availN, r.usedN = 0, 0
}

func (r *rig) w16(addr uint64, v uint16) { r.mem.Store(addr, 2, uint64(v)) }
func (r *rig) w32(addr uint64, v uint32) { r.mem.Store(addr, 4, uint64(v)) }
func (r *rig) w64(addr uint64, v uint64) { r.mem.Store(addr, 8, v) }
func (r *rig) r16(addr uint64) uint16 {
	v, ok := r.mem.Load(addr, 2)
	require.True(r.t, ok)
	return uint16(v)
}
func (r *rig) r32(addr uint64) uint32 {
	v, ok := r.mem.Load(addr, 4)
	require.True(r.t, ok)
	return uint32(v)
}

func (r *rig) bytesAt(addr uint64, n int) []byte {
	p := make([]byte, n)
	require.NoError(r.t, r.mem.ReadRAM(addr, p))
	return p
}

func (r *rig) put(addr uint64, p []byte) { require.NoError(r.t, r.mem.WriteRAM(addr, p)) }

// desc is one descriptor to place in a table.
type desc struct {
	addr  uint64
	len   uint32
	flags uint16
	next  uint16
}

// writeDescs places ds at table entries idx..., in order.
func (r *rig) writeDescs(table uint64, idx int, ds ...desc) {
	for i, d := range ds {
		a := table + 16*uint64(idx+i)
		r.w64(a, d.addr)
		r.w32(a+8, d.len)
		r.w16(a+12, d.flags)
		r.w16(a+14, d.next)
	}
}

// chain links ds as entries first..first+len(ds)-1 of the descriptor table,
// setting NEXT on all but the last.
func (r *rig) chain(first int, ds ...desc) uint16 {
	for i := range ds {
		if i < len(ds)-1 {
			ds[i].flags |= descFNext
			ds[i].next = uint16(first + i + 1)
		}
	}
	r.writeDescs(r.desc, first, ds...)
	return uint16(first)
}

// offer puts heads on the avail ring; submit also notifies.
func (r *rig) offer(heads ...uint16) {
	for _, h := range heads {
		r.w16(r.avail+4+2*uint64(uint32(r.availN)%r.num), h)
		r.availN++
	}
	r.w16(r.avail+2, r.availN)
}

func (r *rig) submit(heads ...uint16) {
	r.offer(heads...)
	r.set(RegQueueNotify, 0)
}

// completions returns the (id, len) pairs added to the used ring since the
// last call.
func (r *rig) completions() [][2]uint32 {
	var out [][2]uint32
	idx := r.r16(r.used + 2)
	for ; r.usedN != idx; r.usedN++ {
		e := r.used + 4 + 8*uint64(uint32(r.usedN)%r.num)
		out = append(out, [2]uint32{r.r32(e), r.r32(e + 4)})
	}
	return out
}

// header writes a request header at addr.
func (r *rig) header(addr uint64, typ uint32, sector uint64) {
	var h [16]byte
	binary.LittleEndian.PutUint32(h[0:], typ)
	binary.LittleEndian.PutUint64(h[8:], sector)
	r.put(addr, h[:])
}

// xv6Request builds xv6's three-descriptor request at descriptor slot
// first: header, data (device-writable for a read), status.
func (r *rig) xv6Request(first int, typ uint32, sector uint64, data uint64, n uint32) (head uint16, statusAddr uint64) {
	hdr := bufBase + 0x100*uint64(first)
	statusAddr = hdr + 0x80
	r.header(hdr, typ, sector)
	r.put(statusAddr, []byte{0xff})
	var dflags uint16
	if typ == ReqIn || typ == ReqGetID {
		dflags = descFWrite
	}
	head = r.chain(first,
		desc{addr: hdr, len: 16},
		desc{addr: data, len: n, flags: dflags},
		desc{addr: statusAddr, len: 1, flags: descFWrite})
	return head, statusAddr
}

func (r *rig) statusByte(addr uint64) byte { return r.bytesAt(addr, 1)[0] }

func (r *rig) ack() {
	r.set(RegInterruptACK, r.reg(RegInterruptStatus))
}

// diskBytesAt reads the backing disk directly.
func (r *rig) diskBytesAt(off int64, n int) []byte {
	p := make([]byte, n)
	_, err := r.disk.ReadAt(p, off)
	require.NoError(r.t, err)
	return p
}

// newRigSized makes a rig whose disk has the given number of sectors
// (sparse: only the config space is looked at).
func newRigSized(t *testing.T, sectors uint64) *rig {
	t.Helper()
	path := filepath.Join(t.TempDir(), "big.img")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(int64(sectors*disk.SectorSize)))
	require.NoError(t, f.Close())
	d, err := disk.Open(path, false)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	r := &rig{t: t, mem: bus.New(ramBase, ramSize), disk: d, irq: &bus.IRQ{}}
	r.dev = NewBlock(r.mem, d, r.irq, false)
	return r
}
