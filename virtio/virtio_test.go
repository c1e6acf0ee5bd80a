package virtio

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// both runs f once for the legacy and once for the modern device.
func both(t *testing.T, f func(t *testing.T, legacy bool)) {
	for _, legacy := range []bool{true, false} {
		name := "modern"
		if legacy {
			name = "legacy"
		}
		t.Run(name, func(t *testing.T) { f(t, legacy) })
	}
}

// The identity and feature values QEMU 7.2 shows a probe.
func TestIdentityRegisters(t *testing.T) {
	tests := []struct {
		legacy         bool
		version        uint32
		featLo, featHi uint32
	}{
		{true, 1, 0x31006ed4, 0},
		{false, 2, 0x30006e54, 0x101},
	}
	for _, tc := range tests {
		r := newRig(t, tc.legacy)
		assert.Equal(t, uint32(0x74726976), r.reg(RegMagic))
		assert.Equal(t, tc.version, r.reg(RegVersion))
		assert.Equal(t, uint32(2), r.reg(RegDeviceID))
		assert.Equal(t, uint32(0x554d4551), r.reg(RegVendorID))
		r.set(RegDeviceFeaturesSel, 0)
		assert.Equal(t, tc.featLo, r.reg(RegDeviceFeatures))
		r.set(RegDeviceFeaturesSel, 1)
		assert.Equal(t, tc.featHi, r.reg(RegDeviceFeatures))
		r.set(RegDeviceFeaturesSel, 2)
		assert.Equal(t, tc.featHi, r.reg(RegDeviceFeatures), "any nonzero selector is the high word")
		assert.Equal(t, uint32(1024), r.reg(RegQueueNumMax))
		r.set(RegQueueSel, 1)
		assert.Zero(t, r.reg(RegQueueNumMax), "only queue 0 exists")
		r.set(RegQueueSel, 0)
		assert.Zero(t, r.reg(RegConfigGeneration))
		assert.Zero(t, r.reg(RegStatus))
		assert.Zero(t, r.reg(RegInterruptStatus))
		assert.Equal(t, uint64(0x74726976)|uint64(tc.version)<<32, r.dev.Read(RegMagic, 8), "8-byte access is two 4-byte ones")
		assert.Zero(t, r.dev.Read(RegMagic, 2), "narrow register access reads zero")
		assert.Zero(t, r.dev.Read(RegMagic, 1))
	}
}

func TestWriteOnlyRegistersReadZero(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.init(8, xv6Features)
		for _, off := range []uint64{RegQueueNum, RegGuestPageSize, RegQueueAlign, RegQueueDescLow,
			RegQueueDescHigh, RegQueueDriverLow, RegQueueDeviceLow, RegDriverFeatures, RegQueueNotify, RegInterruptACK} {
			assert.Zero(t, r.reg(off), "register %#x", off)
		}
		if legacy {
			assert.Equal(t, uint32(ringPage>>12), r.reg(RegQueuePFN))
			assert.Zero(t, r.reg(RegQueueReady), "no QueueReady in legacy")
		} else {
			assert.Equal(t, uint32(1), r.reg(RegQueueReady))
			assert.Zero(t, r.reg(RegQueuePFN), "no QueuePFN in modern")
		}
	})
}

// The config space QEMU 7.2 shows for a 1 MiB raw drive.
func TestConfigSpace(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		want := []uint32{0x800, 0, 0, 0xfe, 0x3f100002, 0x200, 0, 0, 0x10001,
			0x3fffff, 1, 1, 0x3fffff, 1, 0xffffffff, 0xffffffff}
		for i, w := range want {
			assert.Equal(t, w, r.reg(RegConfig+4*uint64(i)), "config word %#x", 4*i)
		}
		assert.Equal(t, uint64(0x800), r.dev.Read(RegConfig, 8), "capacity as one u64")
		assert.Equal(t, uint64(1), r.dev.Read(RegConfig+0x38, 1), "write_zeroes_may_unmap")
		assert.Equal(t, uint64(0xff), r.dev.Read(RegConfig+0x39, 1), "past the end")
		assert.Equal(t, uint64(0), r.dev.Read(RegConfig+0x36, 2))
		assert.Equal(t, uint64(0x3f), r.dev.Read(RegConfig+0x13, 1))
		assert.Equal(t, uint64(0xffffffff), r.dev.Read(RegConfig+0xefc, 4))

		r.dev.Write(RegConfig, 1, 5)
		assert.Equal(t, uint32(0x800), r.reg(RegConfig), "capacity is read-only")
		r.dev.Write(RegConfig+0x20, 1, 0)
		assert.Equal(t, uint64(0), r.dev.Read(RegConfig+0x20, 1), "writeback is writable")
		r.dev.Write(RegConfig+0x20, 4, 0xffff0007)
		assert.Equal(t, uint32(0x10001), r.reg(RegConfig+0x20), "only the writeback byte changes, to 0 or 1")
		r.dev.Write(RegConfig+0x20, 1, 0)
		r.set(RegStatus, 0)
		assert.Equal(t, uint64(1), r.dev.Read(RegConfig+0x20, 1), "reset restores writeback")
	})
}

func TestGeometryFollowsCapacity(t *testing.T) {
	tests := []struct {
		sectors uint64
		want    uint32
	}{
		{1, 0x3f100002},
		{40960, 0x3f100028},
		{20971520, 0x3f103fff},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.sectors), func(t *testing.T) {
			r := newRigSized(t, tc.sectors)
			assert.Equal(t, tc.want, r.reg(RegConfig+cfgGeometry))
			assert.Equal(t, tc.sectors, r.dev.Read(RegConfig, 8))
		})
	}
}

func TestReadWriteRequests(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.init(8, xv6Features)

		// Write two sectors (xv6's BSIZE 1024) at sector 10.
		data := bytes.Repeat([]byte("xv6emu!\n"), 128)
		dataAddr := uint64(bufBase + 0x8000)
		r.put(dataAddr, data)
		head, st := r.xv6Request(0, ReqOut, 10, dataAddr, 1024)
		r.submit(head)
		assert.Equal(t, byte(StatusOK), r.statusByte(st))
		assert.Equal(t, [][2]uint32{{0, 1}}, r.completions(), "write: used len is the status byte")
		assert.True(t, r.irq.Level())
		assert.Equal(t, uint32(IntUsedBuffer), r.reg(RegInterruptStatus))
		r.ack()
		assert.False(t, r.irq.Level())
		assert.Zero(t, r.reg(RegInterruptStatus))
		assert.Equal(t, data, r.diskBytesAt(10*512, 1024))

		// Read it back elsewhere.
		readAddr := uint64(bufBase + 0xc000)
		head, st = r.xv6Request(3, ReqIn, 10, readAddr, 1024)
		r.submit(head)
		assert.Equal(t, byte(StatusOK), r.statusByte(st))
		assert.Equal(t, [][2]uint32{{3, 1025}}, r.completions(), "read: data plus status")
		assert.Equal(t, data, r.bytesAt(readAddr, 1024))

		// Read an untouched sector: the original image pattern.
		head, st = r.xv6Request(5, ReqIn, 2047, readAddr, 512)
		r.submit(head)
		assert.Equal(t, byte(StatusOK), r.statusByte(st))
		assert.Equal(t, r.diskBytesAt(2047*512, 512), r.bytesAt(readAddr, 512))
	})
}

func TestBatchOfRequests(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.init(16, xv6Features)
		var heads []uint16
		var stats []uint64
		for i := 0; i < 2; i++ {
			addr := uint64(bufBase + 0x8000 + 0x1000*uint64(i))
			r.put(addr, bytes.Repeat([]byte{byte('A' + i)}, 512))
			h, st := r.xv6Request(3*i, ReqOut, uint64(100+i), addr, 512)
			heads, stats = append(heads, h), append(stats, st)
		}
		h, st := r.xv6Request(6, ReqIn, 100, bufBase+0xe000, 512)
		heads, stats = append(heads, h), append(stats, st)
		r.submit(heads...)

		for _, st := range stats {
			assert.Equal(t, byte(StatusOK), r.statusByte(st))
		}
		assert.Equal(t, [][2]uint32{{0, 1}, {3, 1}, {6, 513}}, r.completions(), "in avail order")
		assert.Equal(t, bytes.Repeat([]byte{'A'}, 512), r.bytesAt(bufBase+0xe000, 512), "requests run in order")
		assert.Equal(t, bytes.Repeat([]byte{'B'}, 512), r.diskBytesAt(101*512, 512))
		assert.Equal(t, uint32(IntUsedBuffer), r.reg(RegInterruptStatus))
	})
}

func TestRingWrapsAround(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.init(4, xv6Features)
		// 70000 requests push both 16-bit indexes past their wrap.
		for i := 0; i < 70000; i++ {
			h, st := r.xv6Request(0, ReqIn, uint64(i%2048), bufBase+0x8000, 512)
			r.submit(h)
			require.Equal(t, byte(StatusOK), r.statusByte(st))
			require.Equal(t, [][2]uint32{{0, 513}}, r.completions(), "request %d", i)
		}
	})
}

// Any split of header, data and status across descriptors works.
func TestSplitLayouts(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.init(16, xv6Features)
		hdr := uint64(bufBase)
		r.header(hdr, ReqOut, 20)
		payload := make([]byte, 1024)
		for i := range payload {
			payload[i] = byte(i * 13)
		}
		// Header in two pieces (10+6), the payload glued to the header's
		// second piece and then split 500/524.
		r.put(hdr+0x100, r.bytesAt(hdr+10, 6))
		r.put(hdr+0x106, payload[:500])
		r.put(hdr+0x800, payload[500:])
		st := hdr + 0xf00
		head := r.chain(0,
			desc{addr: hdr, len: 10},
			desc{addr: hdr + 0x100, len: 506},
			desc{addr: hdr + 0x800, len: 524},
			desc{addr: st, len: 1, flags: descFWrite})
		r.submit(head)
		require.Equal(t, byte(StatusOK), r.statusByte(st))
		assert.Equal(t, payload, r.diskBytesAt(20*512, 1024))
		r.completions()

		// Read with data and status in one writable buffer, after a
		// zero-length descriptor.
		r.header(hdr, ReqIn, 20)
		out := uint64(bufBase + 0x2000)
		head = r.chain(5,
			desc{addr: hdr, len: 16},
			desc{addr: 0, len: 0, flags: descFWrite},
			desc{addr: out, len: 1025, flags: descFWrite})
		r.submit(head)
		assert.Equal(t, byte(StatusOK), r.statusByte(out+1024))
		assert.Equal(t, payload, r.bytesAt(out, 1024))
		assert.Equal(t, [][2]uint32{{5, 1025}}, r.completions())
	})
}

func TestIndirectDescriptors(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.init(8, func(f uint64) uint64 { return f })
		hdr, data, st := uint64(bufBase), uint64(bufBase+0x1000), uint64(bufBase+0x900)
		table := uint64(bufBase + 0x800)
		r.header(hdr, ReqIn, 7)
		r.writeDescs(table, 0,
			desc{addr: hdr, len: 16, flags: descFNext, next: 2},
			desc{addr: st, len: 1, flags: descFWrite},
			desc{addr: data, len: 512, flags: descFWrite | descFNext, next: 1})
		r.writeDescs(r.desc, 4, desc{addr: table, len: 48, flags: descFIndirect})
		r.submit(4)
		assert.Equal(t, byte(StatusOK), r.statusByte(st))
		assert.Equal(t, r.diskBytesAt(7*512, 512), r.bytesAt(data, 512))
		assert.Equal(t, [][2]uint32{{4, 513}}, r.completions())
	})
}

func TestRequestErrors(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		tests := []struct {
			name   string
			typ    uint32
			sector uint64
			data   uint64
			n      uint32
			want   byte
		}{
			{"read past the end", ReqIn, 2048, bufBase + 0x8000, 512, StatusIOErr},
			{"read straddling the end", ReqIn, 2047, bufBase + 0x8000, 1024, StatusIOErr},
			{"write past the end", ReqOut, 1 << 60, bufBase + 0x8000, 512, StatusIOErr},
			{"partial sector", ReqIn, 0, bufBase + 0x8000, 100, StatusIOErr},
			{"data outside RAM", ReqIn, 0, 0x1000, 512, StatusIOErr},
			{"data runs off RAM", ReqOut, 0, ramBase + ramSize - 256, 512, StatusIOErr},
			{"unknown type", 99, 0, bufBase + 0x8000, 512, StatusUnsupp},
			{"flush", ReqFlush, 0, bufBase + 0x8000, 0, StatusOK},
			{"read last sector", ReqIn, 2047, bufBase + 0x8000, 512, StatusOK},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := newRig(t, legacy)
				r.init(8, xv6Features)
				before := r.diskBytesAt(0, 1024)
				head, st := r.xv6Request(0, tc.typ, tc.sector, tc.data, tc.n)
				r.submit(head)
				assert.Equal(t, tc.want, r.statusByte(st))
				assert.Len(t, r.completions(), 1)
				assert.Zero(t, r.status()&StatusDeviceNeedsReset, "an I/O error is not a ring error")
				assert.Equal(t, before, r.diskBytesAt(0, 1024), "failed writes change nothing")
			})
		}
	})
}

// GET_ID as QEMU 7.2 answers it: the serial and its NUL, at most 20
// bytes, within the buffer; nothing else is touched.
func TestGetID(t *testing.T) {
	tests := []struct {
		serial string
		room   uint32
		want   []byte // the first 24 bytes of the buffer afterwards
	}{
		{"", 20, append([]byte{0}, bytes.Repeat([]byte{0xaa}, 23)...)},
		{"abc", 20, append([]byte("abc\x00"), bytes.Repeat([]byte{0xaa}, 20)...)},
		{"disk-serial-0123456789-long", 20, append([]byte("disk-serial-01234567"), 0xaa, 0xaa, 0xaa, 0xaa)},
		{"exactly-twenty-chars", 20, append([]byte("exactly-twenty-chars"), 0xaa, 0xaa, 0xaa, 0xaa)},
		{"abcdefgh", 8, append([]byte("abcdefgh"), bytes.Repeat([]byte{0xaa}, 16)...)},
	}
	both(t, func(t *testing.T, legacy bool) {
		for _, tc := range tests {
			r := newRig(t, legacy)
			r.dev.Serial = tc.serial
			r.init(8, xv6Features)
			out := uint64(bufBase + 0x8000)
			r.put(out, bytes.Repeat([]byte{0xaa}, 32))
			head, st := r.xv6Request(0, ReqGetID, 0, out, tc.room)
			r.submit(head)
			assert.Equal(t, byte(StatusOK), r.statusByte(st))
			assert.Equal(t, tc.want, r.bytesAt(out, 24), "serial %q", tc.serial)
			assert.Equal(t, [][2]uint32{{0, tc.room + 1}}, r.completions())
		}
	})
}

// SCSI passthrough is refused: IOERR when the chain cannot be a SCSI
// request (as QEMU answers both probe layouts), UNSUPP otherwise.
func TestSCSIRefused(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.init(8, xv6Features)
		head, st := r.xv6Request(0, ReqSCSI, 0, bufBase+0x8000, 512)
		r.submit(head)
		assert.Equal(t, byte(StatusIOErr), r.statusByte(st), "xv6 layout")

		r.header(bufBase, ReqSCSI, 0)
		st = bufBase + 0x900
		head = r.chain(3,
			desc{addr: bufBase, len: 16},
			desc{addr: bufBase + 0x100, len: 16},
			desc{addr: bufBase + 0x200, len: 96, flags: descFWrite},
			desc{addr: bufBase + 0x300, len: 16, flags: descFWrite},
			desc{addr: st, len: 1, flags: descFWrite})
		r.submit(head)
		assert.Equal(t, byte(StatusUnsupp), r.statusByte(st), "passthrough layout")
	})
}

func TestDiscardAndWriteZeroes(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.init(8, func(f uint64) uint64 { return f })
		seg := uint64(bufBase + 0x8000)
		put := func(sector uint64, n, flags uint32) {
			r.w64(seg, sector)
			r.w32(seg+8, n)
			r.w32(seg+12, flags)
		}
		tests := []struct {
			name   string
			typ    uint32
			sector uint64
			n      uint32
			flags  uint32
			want   byte
			zeroed bool
		}{
			{"write zeroes", ReqWriteZeroes, 30, 3, 0, StatusOK, true},
			{"write zeroes unmap", ReqWriteZeroes, 40, 1, rangeFlagUnmap, StatusOK, true},
			{"discard", ReqDiscard, 50, 2, 0, StatusOK, true},
			{"discard with unmap flag", ReqDiscard, 60, 2, rangeFlagUnmap, StatusUnsupp, false},
			{"past the end", ReqWriteZeroes, 2047, 2, 0, StatusIOErr, false},
			{"too many sectors", ReqWriteZeroes, 0, maxRangeSectors + 1, 0, StatusIOErr, false},
		}
		for i, tc := range tests {
			put(tc.sector, tc.n, tc.flags)
			st := uint64(bufBase + 0x9000)
			head := r.chain(0, desc{addr: bufBase, len: 16}, desc{addr: seg, len: 16}, desc{addr: st, len: 1, flags: descFWrite})
			r.header(bufBase, tc.typ, 0)
			before := r.diskBytesAt(int64(min(tc.sector, 2047))*512, 512)
			r.submit(head)
			assert.Equal(t, tc.want, r.statusByte(st), tc.name)
			got := r.diskBytesAt(int64(min(tc.sector, 2047))*512, 512)
			if tc.zeroed {
				assert.Equal(t, make([]byte, 512), got, tc.name)
				assert.Equal(t, make([]byte, 512), r.diskBytesAt(int64(tc.sector+uint64(tc.n)-1)*512, 512), tc.name)
			} else {
				assert.Equal(t, before, got, tc.name)
			}
			assert.Len(t, r.completions(), 1, "case %d", i)
		}
	})
}

// Ring errors leave the device needing a reset, with a config-change
// interrupt, and it serves nothing more until the driver resets it.
func TestBrokenRings(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *rig) (head uint16)
	}{
		{"head out of range", func(r *rig) uint16 { return 8 }},
		{"next out of range", func(r *rig) uint16 {
			r.writeDescs(r.desc, 0, desc{addr: bufBase, len: 16, flags: descFNext, next: 200})
			return 0
		}},
		{"loop", func(r *rig) uint16 {
			r.writeDescs(r.desc, 0,
				desc{addr: bufBase, len: 16, flags: descFNext, next: 1},
				desc{addr: bufBase, len: 16, flags: descFNext, next: 0})
			return 0
		}},
		{"readable after writable", func(r *rig) uint16 {
			return r.chain(0, desc{addr: bufBase, len: 16}, desc{addr: bufBase + 0x100, len: 1, flags: descFWrite},
				desc{addr: bufBase + 0x200, len: 4})
		}},
		{"no status byte", func(r *rig) uint16 {
			return r.chain(0, desc{addr: bufBase, len: 16}, desc{addr: bufBase + 0x100, len: 512})
		}},
		{"short header", func(r *rig) uint16 {
			return r.chain(0, desc{addr: bufBase, len: 8}, desc{addr: bufBase + 0x100, len: 1, flags: descFWrite})
		}},
		{"header outside RAM", func(r *rig) uint16 {
			return r.chain(0, desc{addr: 0x10, len: 16}, desc{addr: bufBase + 0x100, len: 1, flags: descFWrite})
		}},
		{"status outside RAM", func(r *rig) uint16 {
			r.header(bufBase, ReqFlush, 0)
			return r.chain(0, desc{addr: bufBase, len: 16}, desc{addr: 0xffff_ffff_ffff_fff0, len: 1, flags: descFWrite})
		}},
		{"nested indirect", func(r *rig) uint16 {
			r.writeDescs(bufBase+0x800, 0, desc{addr: bufBase + 0x800, len: 16, flags: descFIndirect})
			r.writeDescs(r.desc, 0, desc{addr: bufBase + 0x800, len: 16, flags: descFIndirect})
			return 0
		}},
		{"indirect with next", func(r *rig) uint16 {
			r.writeDescs(r.desc, 0, desc{addr: bufBase + 0x800, len: 16, flags: descFIndirect | descFNext, next: 1})
			return 0
		}},
		{"indirect table of odd size", func(r *rig) uint16 {
			r.writeDescs(r.desc, 0, desc{addr: bufBase + 0x800, len: 20, flags: descFIndirect})
			return 0
		}},
		{"huge indirect table", func(r *rig) uint16 {
			r.writeDescs(r.desc, 0, desc{addr: bufBase + 0x800, len: 16 * 4096, flags: descFIndirect})
			return 0
		}},
		{"indirect loop", func(r *rig) uint16 {
			r.writeDescs(bufBase+0x800, 0,
				desc{addr: bufBase, len: 16, flags: descFNext, next: 1},
				desc{addr: bufBase, len: 16, flags: descFNext, next: 0})
			r.writeDescs(r.desc, 0, desc{addr: bufBase + 0x800, len: 32, flags: descFIndirect})
			return 0
		}},
	}
	both(t, func(t *testing.T, legacy bool) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := newRig(t, legacy)
				r.init(8, xv6Features)
				r.submit(tc.setup(r))
				assert.NotZero(t, r.status()&StatusDeviceNeedsReset)
				assert.Equal(t, uint32(IntConfigChange), r.reg(RegInterruptStatus))
				assert.True(t, r.irq.Level())
				assert.Empty(t, r.completions())

				// Still broken: a good request is not served.
				r.ack()
				head, st := r.xv6Request(3, ReqIn, 0, bufBase+0x8000, 512)
				r.submit(head)
				assert.Equal(t, byte(0xff), r.statusByte(st))
				assert.False(t, r.irq.Level())

				// A reset brings it back.
				r.init(8, xv6Features)
				assert.Zero(t, r.status()&StatusDeviceNeedsReset)
				head, st = r.xv6Request(3, ReqIn, 0, bufBase+0x8000, 512)
				r.submit(head)
				assert.Equal(t, byte(StatusOK), r.statusByte(st))
			})
		}
	})
}

func TestAvailIndexTooFarAhead(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.init(8, xv6Features)
		r.w16(r.avail+2, 9)
		r.set(RegQueueNotify, 0)
		assert.NotZero(t, r.status()&StatusDeviceNeedsReset)
	})
}

func TestRingsOutsideRAM(t *testing.T) {
	r := newRig(t, false)
	r.init(8, xv6Features)
	r.set(RegQueueReady, 0)
	r.set(RegQueueDriverLow, 0x1000)
	r.set(RegQueueDriverHigh, 0)
	r.set(RegQueueReady, 1)
	r.set(RegQueueNotify, 0)
	assert.NotZero(t, r.status()&StatusDeviceNeedsReset)

	r = newRig(t, true)
	r.init(8, xv6Features)
	r.set(RegQueuePFN, 0xfffff)
	r.set(RegQueueNotify, 0)
	assert.NotZero(t, r.status()&StatusDeviceNeedsReset)
}

func TestNotifyIgnoredUntilQueueIsSetUp(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.set(RegQueueNotify, 0)
		assert.Zero(t, r.status())
		assert.False(t, r.irq.Level())

		r.init(8, xv6Features)
		head, st := r.xv6Request(0, ReqIn, 0, bufBase+0x8000, 512)
		r.offer(head)
		r.set(RegQueueNotify, 1) // no such queue
		assert.Equal(t, byte(0xff), r.statusByte(st))
		r.set(RegQueueNotify, 0)
		assert.Equal(t, byte(StatusOK), r.statusByte(st))
	})
}

func TestLegacyUsedRingAlignment(t *testing.T) {
	r := newRig(t, true)
	r.init(8, xv6Features)
	// A driver using a smaller alignment moves the used ring.
	r.set(RegQueueAlign, 256)
	r.used = r.desc + 256 // 8*16 + 2*(3+8) = 150 -> 256
	head, st := r.xv6Request(0, ReqIn, 0, bufBase+0x8000, 512)
	r.submit(head)
	assert.Equal(t, byte(StatusOK), r.statusByte(st))
	assert.Equal(t, [][2]uint32{{0, 513}}, r.completions())
}

func TestInterruptSuppression(t *testing.T) {
	t.Run("no interrupt flag", func(t *testing.T) {
		r := newRig(t, false)
		r.init(8, xv6Features)
		r.w16(r.avail, availFNoInterrupt)
		head, _ := r.xv6Request(0, ReqIn, 0, bufBase+0x8000, 512)
		r.submit(head)
		assert.Len(t, r.completions(), 1)
		assert.False(t, r.irq.Level())
	})
	t.Run("notify on empty overrides", func(t *testing.T) {
		r := newRig(t, true)
		r.init(8, xv6Features) // legacy xv6 accepts NOTIFY_ON_EMPTY
		r.w16(r.avail, availFNoInterrupt)
		head, _ := r.xv6Request(0, ReqIn, 0, bufBase+0x8000, 512)
		r.submit(head)
		assert.True(t, r.irq.Level())
	})
	t.Run("event idx", func(t *testing.T) {
		r := newRig(t, false)
		r.init(8, func(f uint64) uint64 { return f })
		usedEvent := r.avail + 4 + 2*8
		availEvent := r.used + 4 + 8*8
		r.w16(usedEvent, 1) // interrupt once used idx passes 1
		h0, _ := r.xv6Request(0, ReqIn, 0, bufBase+0x8000, 512)
		r.submit(h0)
		assert.False(t, r.irq.Level(), "used idx 0->1 does not cross used_event 1")
		assert.Equal(t, uint16(1), r.r16(availEvent))
		h1, _ := r.xv6Request(3, ReqIn, 0, bufBase+0x8000, 512)
		r.submit(h1)
		assert.True(t, r.irq.Level(), "used idx 1->2 crosses it")
		assert.Equal(t, uint16(2), r.r16(availEvent))
		assert.Len(t, r.completions(), 2)
	})
}

func TestFeatureNegotiation(t *testing.T) {
	r := newRig(t, false)
	r.set(RegDriverFeaturesSel, 0)
	r.set(RegDriverFeatures, 0xffffffff)
	r.set(RegDriverFeaturesSel, 1)
	r.set(RegDriverFeatures, 0xffffffff)
	assert.Equal(t, uint64(modernFeatures), r.dev.driverFeatures, "unoffered bits are dropped")
	r.set(RegDriverFeaturesSel, 0)
	r.set(RegDriverFeatures, 0)
	assert.Equal(t, uint64(modernFeatures)&^0xffffffff, r.dev.driverFeatures, "each word is set on its own")

	// xv6 never acknowledges VERSION_1; FEATURES_OK sticks anyway.
	r.init(8, xv6Features)
	r.set(RegDeviceFeaturesSel, 1)
	assert.NotZero(t, r.reg(RegDeviceFeatures)&1)
	assert.NotZero(t, r.status()&StatusFeaturesOK)
	assert.False(t, r.dev.negotiated(FeatureVersion1))
}

func TestStatusAndReset(t *testing.T) {
	both(t, func(t *testing.T, legacy bool) {
		r := newRig(t, legacy)
		r.init(8, xv6Features)
		head, _ := r.xv6Request(0, ReqIn, 0, bufBase+0x8000, 512)
		r.submit(head)
		require.True(t, r.irq.Level())
		r.set(RegStatus, 0)
		assert.Zero(t, r.status())
		assert.Zero(t, r.reg(RegInterruptStatus))
		assert.False(t, r.irq.Level(), "reset lowers the line")
		assert.Zero(t, r.reg(RegQueueReady))
		assert.Zero(t, r.reg(RegQueuePFN))

		// After reset the device starts again from ring index 0.
		r.init(8, xv6Features)
		r.put(r.used, make([]byte, 4+8*8))
		head, st := r.xv6Request(0, ReqIn, 0, bufBase+0x8000, 512)
		r.submit(head)
		assert.Equal(t, byte(StatusOK), r.statusByte(st))
		assert.Equal(t, uint16(1), r.r16(r.used+2))
	})
}

func TestInterruptACKClearsBits(t *testing.T) {
	r := newRig(t, false)
	r.init(8, xv6Features)
	r.dev.raise(IntUsedBuffer | IntConfigChange)
	r.set(RegInterruptACK, IntUsedBuffer)
	assert.Equal(t, uint32(IntConfigChange), r.reg(RegInterruptStatus))
	assert.True(t, r.irq.Level())
	r.set(RegInterruptACK, IntConfigChange)
	assert.False(t, r.irq.Level())
}

func TestQueueReset(t *testing.T) {
	r := newRig(t, false)
	r.init(8, func(f uint64) uint64 { return f })
	head, _ := r.xv6Request(0, ReqIn, 0, bufBase+0x8000, 512)
	r.submit(head)
	r.set(RegQueueReset, 1)
	assert.Equal(t, uint32(1), r.reg(RegQueueReset))
	assert.Zero(t, r.reg(RegQueueReady))

	// Set the queue up again at fresh rings: indexes restart at 0.
	r.put(r.avail, make([]byte, 64))
	r.put(r.used, make([]byte, 128))
	r.set(RegQueueNum, 8)
	r.set(RegQueueDescLow, uint32(r.desc))
	r.set(RegQueueDriverLow, uint32(r.avail))
	r.set(RegQueueDeviceLow, uint32(r.used))
	r.set(RegQueueReady, 1)
	assert.Zero(t, r.reg(RegQueueReset))
	r.availN, r.usedN = 0, 0
	head, st := r.xv6Request(0, ReqIn, 0, bufBase+0x8000, 512)
	r.submit(head)
	assert.Equal(t, byte(StatusOK), r.statusByte(st))
	assert.Len(t, r.completions(), 1)

	// Without RING_RESET negotiated the register does nothing.
	r = newRig(t, false)
	r.init(8, xv6Features)
	r.set(RegQueueReset, 1)
	assert.Equal(t, uint32(1), r.reg(RegQueueReady))
}

func TestQueueNumLimits(t *testing.T) {
	r := newRig(t, false)
	r.set(RegQueueNum, 0)
	assert.Equal(t, uint32(defaultQueueNum), r.dev.q.num)
	r.set(RegQueueNum, 1025)
	assert.Equal(t, uint32(defaultQueueNum), r.dev.q.num)
	r.set(RegQueueNum, 1024)
	assert.Equal(t, uint32(1024), r.dev.q.num)
	r.set(RegQueueSel, 3)
	r.set(RegQueueNum, 8)
	assert.Equal(t, uint32(1024), r.dev.q.num, "writes to a missing queue are ignored")
}

// Disk failures reach the driver as IOERR in the status byte.
func TestFlushFailsOnClosedDisk(t *testing.T) {
	r := newRig(t, false)
	r.init(8, xv6Features)
	require.NoError(t, r.disk.Close())
	head, st := r.xv6Request(0, ReqFlush, 0, bufBase, 0)
	r.submit(head)
	assert.Equal(t, byte(StatusIOErr), r.statusByte(st))
	head, st = r.xv6Request(3, ReqIn, 0, bufBase+0x8000, 512)
	r.submit(head)
	assert.Equal(t, byte(StatusIOErr), r.statusByte(st))
}

// Each new completion re-asserts the line, even when the driver has not yet
// acknowledged the last one, so an edge-latching PLIC hears about it.
func TestCompletionReassertsLine(t *testing.T) {
	r := newRig(t, false)
	r.init(8, xv6Features)
	edges := 0
	r.irq.Connect(func(level bool) {
		if level {
			edges++
		}
	})
	head, _ := r.xv6Request(0, ReqIn, 0, bufBase+0x8000, 512)
	r.submit(head)
	assert.Equal(t, 1, edges)
	r.submit(head)
	assert.Equal(t, 2, edges, "second completion while unacknowledged")
	r.set(RegInterruptACK, IntConfigChange) // nothing to clear: still asserted afresh
	assert.Equal(t, 3, edges)
	assert.True(t, r.irq.Level())
	r.ack()
	assert.False(t, r.irq.Level())
	assert.Equal(t, 3, edges)
}
