package virtio

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/disk"
)

// Fuzz layout: a small RAM whose first page holds whatever the fuzzer
// wants; the queue's rings sit at its start, so the fuzzer controls
// descriptors, avail ring and buffers alike.
const (
	fuzzRAM   = 64 << 10
	fuzzRings = ramBase // desc at +0, avail at +0x100, used at +0x200 (modern)
)

// fuzzSeed is a valid xv6 read request on an 8-entry queue in that layout.
func fuzzSeed(legacy bool) []byte {
	ram := make([]byte, 0x2000)
	le := binary.LittleEndian
	desc := func(i int, addr uint64, n uint32, flags, next uint16) {
		le.PutUint64(ram[16*i:], addr)
		le.PutUint32(ram[16*i+8:], n)
		le.PutUint16(ram[16*i+12:], flags)
		le.PutUint16(ram[16*i+14:], next)
	}
	desc(0, ramBase+0x1800, 16, descFNext, 1)
	desc(1, ramBase+0x1a00, 512, descFNext|descFWrite, 2)
	desc(2, ramBase+0x1900, 1, descFWrite, 0)
	avail := 0x100
	if legacy {
		avail = 16 * 8
	}
	le.PutUint16(ram[avail+2:], 1)
	le.PutUint32(ram[0x1800:], ReqIn)
	le.PutUint64(ram[0x1808:], 3)
	return ram
}

// FuzzQueue feeds the device arbitrary rings and buffers, then arbitrary
// register writes. It must never panic, and its interrupt line must always
// match InterruptStatus.
func FuzzQueue(f *testing.F) {
	f.Add(false, fuzzSeed(false), []byte{0x50, 0, 0, 0, 0})
	f.Add(true, fuzzSeed(true), []byte{0x50, 0, 0, 0, 0, 0x50, 0, 0, 0, 0})
	f.Add(false, fuzzSeed(false), []byte{0x70, 0, 0, 0, 0, 0x50, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, legacy bool, ram []byte, ops []byte) {
		mem := bus.New(ramBase, fuzzRAM)
		copy(mem.RAM, ram)
		d, err := disk.FromBytes(make([]byte, 64*disk.SectorSize))
		require.NoError(t, err)
		irq := &bus.IRQ{}
		dev := NewBlock(mem, d, irq, legacy)
		dev.scratch = make([]byte, 4096) // exercise chunking

		w := func(off uint64, v uint32) { dev.Write(off, 4, uint64(v)) }
		w(RegStatus, StatusAcknowledge|StatusDriver)
		w(RegDriverFeatures, 0xffffffff)
		w(RegDriverFeaturesSel, 1)
		w(RegDriverFeatures, 0xffffffff)
		w(RegQueueNum, 8)
		if legacy {
			w(RegGuestPageSize, 4096)
			w(RegQueuePFN, uint32(fuzzRings>>12))
		} else {
			w(RegQueueDescLow, uint32(fuzzRings))
			w(RegQueueDriverLow, uint32(fuzzRings+0x100))
			w(RegQueueDeviceLow, uint32(fuzzRings+0x200))
			w(RegQueueReady, 1)
		}
		w(RegStatus, StatusAcknowledge|StatusDriver|StatusFeaturesOK|StatusDriverOK)
		w(RegQueueNotify, 0)
		check(t, dev, irq)

		// Then register traffic: 1 byte offset (scaled by 4), 4 bytes value.
		for len(ops) >= 5 {
			off := uint64(ops[0]) * 4
			v := binary.LittleEndian.Uint32(ops[1:])
			ops = ops[5:]
			switch v % 3 {
			case 0:
				dev.Read(off, 4)
			case 1:
				dev.Read(off, int(1+v%8))
			}
			dev.Write(off, 4, uint64(v))
			check(t, dev, irq)
		}
		require.Equal(t, int64(64*disk.SectorSize), d.Size())
	})
}

func check(t *testing.T, dev *Block, irq *bus.IRQ) {
	require.Equal(t, dev.intStatus != 0, irq.Level(), "line follows InterruptStatus")
	require.LessOrEqual(t, dev.q.num, uint32(QueueNumMax))
}

// The seeds must be real requests, or the fuzzer starts far from anything
// interesting.
func TestFuzzSeedsServe(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		mem := bus.New(ramBase, fuzzRAM)
		copy(mem.RAM, fuzzSeed(legacy))
		d, err := disk.FromBytes(make([]byte, 64*disk.SectorSize))
		require.NoError(t, err)
		irq := &bus.IRQ{}
		dev := NewBlock(mem, d, irq, legacy)
		w := func(off uint64, v uint32) { dev.Write(off, 4, uint64(v)) }
		w(RegQueueNum, 8)
		used := uint64(0x200)
		if legacy {
			w(RegQueuePFN, uint32(fuzzRings>>12))
			used = 0x1000
		} else {
			w(RegQueueDescLow, uint32(fuzzRings))
			w(RegQueueDriverLow, uint32(fuzzRings+0x100))
			w(RegQueueDeviceLow, uint32(fuzzRings+0x200))
			w(RegQueueReady, 1)
		}
		w(RegQueueNotify, 0)
		require.Equal(t, byte(StatusOK), mem.RAM[0x1900], "legacy=%v", legacy)
		require.Equal(t, uint16(1), binary.LittleEndian.Uint16(mem.RAM[used+2:]))
		require.True(t, irq.Level())
	}
}
