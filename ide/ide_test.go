package ide

import (
	"bytes"
	"testing"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/disk"
)

// image returns a disk of n sectors where byte i of sector s is s+i.
func image(t *testing.T, n int) *disk.Disk {
	t.Helper()
	img := make([]byte, n*disk.SectorSize)
	for s := 0; s < n; s++ {
		for i := 0; i < disk.SectorSize; i++ {
			img[s*disk.SectorSize+i] = byte(s + i)
		}
	}
	d, err := disk.FromBytes(img)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// rig drives a controller through its ports the way a driver does.
type rig struct {
	t    *testing.T
	c    *Controller
	irq  *bus.IRQ
	b    *bus.Bus
	ints int // rising edges seen on irq
}

func newRig(t *testing.T, master, slave *disk.Disk) *rig {
	r := &rig{t: t, irq: &bus.IRQ{}, b: bus.New(0, 4096)}
	r.irq.Connect(func(l bool) {
		if l {
			r.ints++
		}
	})
	r.c = New(master, slave, r.irq)
	if err := r.b.MapPorts(0x1F0, CommandPorts, r.c, "ide"); err != nil {
		t.Fatal(err)
	}
	if err := r.b.MapPorts(0x3F6, 1, r.c.Control(), "ide-ctl"); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) in(p uint16) uint8     { return uint8(r.b.In(p, 1)) }
func (r *rig) out(p uint16, v uint8) { r.b.Out(p, 1, uint64(v)) }

// setup writes an LBA28 task file for drive dev, as classic xv6 does.
func (r *rig) setup(dev int, lba uint32, count uint8) {
	r.out(0x1F2, count)
	r.out(0x1F3, uint8(lba))
	r.out(0x1F4, uint8(lba>>8))
	r.out(0x1F5, uint8(lba>>16))
	r.out(0x1F6, 0xE0|uint8(dev&1)<<4|uint8(lba>>24)&0x0F)
}

// wait polls status like xv6's idewait: not busy and ready.
func (r *rig) wait() uint8 {
	for i := 0; i < 10; i++ {
		if s := r.in(0x1F7); s&(StatusBSY|StatusDRDY) == StatusDRDY {
			return s
		}
	}
	r.t.Fatal("drive never became ready")
	return 0
}

func (r *rig) insl(n int) []byte {
	out := make([]byte, 0, 4*n)
	for i := 0; i < n; i++ {
		v := uint32(r.b.In(0x1F0, 4))
		out = append(out, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	return out
}

func (r *rig) outsw(data []byte) {
	for i := 0; i < len(data); i += 2 {
		r.b.Out(0x1F0, 2, uint64(data[i])|uint64(data[i+1])<<8)
	}
}

func sector(d *disk.Disk, s int) []byte {
	b := make([]byte, disk.SectorSize)
	if _, err := d.ReadAt(b, int64(s)*disk.SectorSize); err != nil {
		panic(err)
	}
	return b
}

func TestResetState(t *testing.T) {
	r := newRig(t, image(t, 8), nil)
	if s := r.in(0x1F7); s != StatusDRDY|StatusDSC {
		t.Errorf("status after reset = %#x, want %#x", s, StatusDRDY|StatusDSC)
	}
	if got := [4]uint8{r.in(0x1F1), r.in(0x1F2), r.in(0x1F3), r.in(0x1F6)}; got != [4]uint8{1, 1, 1, 0xA0} {
		t.Errorf("error/count/lba/device after reset = %#x, want the ATA signature", got)
	}
}

func TestAbsentSlaveReadsZero(t *testing.T) {
	r := newRig(t, image(t, 8), nil)
	r.out(0x1F6, 0xE0|1<<4)
	if s := r.in(0x1F7); s != 0 {
		t.Errorf("absent slave status = %#x, want 0", s)
	}
	if s := r.in(0x3F6); s != 0 {
		t.Errorf("absent slave alt status = %#x, want 0", s)
	}
	r.out(0x1F7, CmdReadSectors)
	if r.ints != 0 || r.in(0x1F7) != 0 {
		t.Error("a command to an absent slave had an effect")
	}
	r.out(0x1F6, 0xE0)
	if s := r.in(0x1F7); s != StatusDRDY|StatusDSC {
		t.Errorf("master status = %#x", s)
	}
}

func TestNoDrivesReadZero(t *testing.T) {
	r := newRig(t, nil, nil)
	for p := uint16(0x1F1); p <= 0x1F7; p++ {
		if v := r.in(p); v != 0 {
			t.Errorf("port %#x = %#x with no drives, want 0", p, v)
		}
	}
}

func TestAbsentMasterPresentSlave(t *testing.T) {
	r := newRig(t, nil, image(t, 8))
	if s := r.in(0x1F7); s != StatusDRDY|StatusDSC {
		t.Errorf("absent master behind a slave: status %#x, want ready as on QEMU", s)
	}
	r.setup(0, 0, 1)
	r.out(0x1F7, CmdReadSectors)
	if s := r.in(0x1F7); s&StatusERR == 0 || r.in(0x1F1) != ErrABRT {
		t.Errorf("read from absent master: status %#x error %#x, want ABRT", s, r.in(0x1F1))
	}
}

func TestReadSectorsPolling(t *testing.T) {
	d := image(t, 64)
	r := newRig(t, d, nil)
	r.out(0x3F6, CtlNIEN)
	r.wait()
	r.setup(0, 5, 3)
	r.out(0x1F7, CmdReadSectors)
	for s := 5; s < 8; s++ {
		if st := r.wait(); st&StatusDRQ == 0 {
			t.Fatalf("sector %d: no DRQ (status %#x)", s, st)
		}
		if got := r.insl(128); !bytes.Equal(got, sector(d, s)) {
			t.Fatalf("sector %d: wrong data", s)
		}
	}
	if st := r.in(0x1F7); st != StatusDRDY|StatusDSC {
		t.Errorf("status after the last sector = %#x", st)
	}
	if r.ints != 0 {
		t.Errorf("%d interrupts with nIEN set", r.ints)
	}
	if lba := r.in(0x1F3); lba != 7 {
		t.Errorf("task file after read names sector %d, want 7", lba)
	}
	if v := r.b.In(0x1F0, 2); v != 0 {
		t.Errorf("data port with no transfer = %#x", v)
	}
}

func TestWriteSectorsInterrupts(t *testing.T) {
	d := image(t, 64)
	slave := image(t, 64)
	r := newRig(t, d, slave)
	r.out(0x3F6, 0)
	data := bytes.Repeat([]byte("xv6!"), 2*disk.SectorSize/4)
	r.setup(1, 10, 2)
	r.out(0x1F7, CmdWriteSectors)
	if st := r.in(0x3F6); st&StatusDRQ == 0 || r.ints != 0 {
		t.Fatalf("write: status %#x, %d interrupts before data; want DRQ and none", st, r.ints)
	}
	r.outsw(data[:disk.SectorSize])
	if r.ints != 1 || !r.irq.Level() {
		t.Fatalf("after one sector: %d interrupts, line %v", r.ints, r.irq.Level())
	}
	if st := r.in(0x1F7); st&StatusDRQ == 0 {
		t.Fatalf("second sector not requested: %#x", st)
	}
	if r.irq.Level() {
		t.Error("reading status did not clear INTRQ")
	}
	r.outsw(data[disk.SectorSize:])
	if r.ints != 2 {
		t.Fatalf("after two sectors: %d interrupts", r.ints)
	}
	if !bytes.Equal(sector(slave, 10), data[:512]) || !bytes.Equal(sector(slave, 11), data[512:]) {
		t.Error("data did not reach the slave disk")
	}
	if bytes.Equal(sector(d, 10), data[:512]) {
		t.Error("write to the slave reached the master")
	}
	// A new command clears a pending interrupt left unacknowledged, so an
	// edge-triggered IOAPIC sees the next one.
	r.setup(1, 10, 1)
	r.out(0x1F7, CmdReadSectors)
	if r.ints != 3 {
		t.Errorf("read after unacknowledged write: %d interrupts, want 3", r.ints)
	}
	if got := r.insl(128); !bytes.Equal(got, data[:512]) {
		t.Error("read back differs")
	}
}

func TestNIENHoldsLineLow(t *testing.T) {
	r := newRig(t, image(t, 8), nil)
	r.out(0x3F6, CtlNIEN)
	r.setup(0, 0, 1)
	r.out(0x1F7, CmdReadSectors)
	if r.irq.Level() {
		t.Fatal("line high with nIEN")
	}
	r.out(0x3F6, 0)
	if !r.irq.Level() {
		t.Error("pending interrupt not shown once nIEN cleared")
	}
}

func TestMultiple(t *testing.T) {
	d := image(t, 64)
	r := newRig(t, d, nil)
	r.setup(0, 0, 3)
	r.out(0x1F7, CmdReadMultiple)
	if r.in(0x1F7)&StatusERR == 0 {
		t.Fatal("READ MULTIPLE without SET MULTIPLE did not abort")
	}
	r.out(0x1F2, 3)
	r.out(0x1F7, CmdSetMultiple)
	if r.in(0x1F7)&StatusERR == 0 {
		t.Error("SET MULTIPLE 3 accepted")
	}
	r.out(0x1F2, 2)
	r.out(0x1F7, CmdSetMultiple)
	if r.in(0x1F7)&StatusERR != 0 {
		t.Fatal("SET MULTIPLE 2 refused")
	}
	r.ints = 0
	r.setup(0, 1, 3)
	r.out(0x1F7, CmdReadMultiple)
	r.wait() // a driver acknowledges each block's interrupt
	got := r.insl(256)
	if r.in(0x1F7)&StatusDRQ == 0 {
		t.Fatal("no DRQ for the second block")
	}
	got = append(got, r.insl(128)...)
	want := append(append(sector(d, 1), sector(d, 2)...), sector(d, 3)...)
	if !bytes.Equal(got, want) || r.ints != 2 {
		t.Errorf("read multiple: data ok %v, %d interrupts (want 2)", bytes.Equal(got, want), r.ints)
	}
}

func TestOutOfRangeAndUnknown(t *testing.T) {
	r := newRig(t, image(t, 8), nil)
	r.setup(0, 7, 2)
	r.out(0x1F7, CmdReadSectors)
	if st := r.in(0x1F7); st&StatusERR == 0 || r.in(0x1F1) != ErrIDNF {
		t.Errorf("read past the end: status %#x error %#x", st, r.in(0x1F1))
	}
	r.out(0x1F7, 0xFF)
	if st := r.in(0x1F7); st&StatusERR == 0 || r.in(0x1F1) != ErrABRT {
		t.Errorf("unknown command: status %#x error %#x", st, r.in(0x1F1))
	}
	r.setup(0, 0, 1)
	r.out(0x1F7, CmdReadSectors)
	if st := r.in(0x1F7); st&StatusERR != 0 || r.in(0x1F1) != 0 {
		t.Errorf("error not cleared by the next command: %#x", st)
	}
}

func TestIdentify(t *testing.T) {
	r := newRig(t, image(t, 2048), nil)
	r.out(0x1F6, 0xA0)
	r.out(0x1F7, CmdIdentify)
	if r.in(0x1F7)&StatusDRQ == 0 {
		t.Fatal("IDENTIFY: no DRQ")
	}
	p := r.insl(128)
	word := func(i int) uint16 { return uint16(p[2*i]) | uint16(p[2*i+1])<<8 }
	if total := uint32(word(60)) | uint32(word(61))<<16; total != 2048 {
		t.Errorf("LBA sectors = %d, want 2048", total)
	}
	if word(49)&(1<<9) == 0 {
		t.Error("LBA not advertised")
	}
	if model := string([]byte{p[55], p[54], p[57], p[56], p[59], p[58]}); model != "XV6EMU" {
		t.Errorf("model starts %q", model)
	}
}

func TestCHS(t *testing.T) {
	d := image(t, 2*heads*sectors)
	r := newRig(t, d, nil)
	// cylinder 1, head 2, sector 4 = (1*16+2)*63 + 3
	r.out(0x1F2, 1)
	r.out(0x1F3, 4)
	r.out(0x1F4, 1)
	r.out(0x1F5, 0)
	r.out(0x1F6, 0xA2)
	r.out(0x1F7, CmdReadSectors)
	if got := r.insl(128); !bytes.Equal(got, sector(d, (16+2)*63+3)) {
		t.Error("CHS read returned the wrong sector")
	}
}

func TestSoftReset(t *testing.T) {
	r := newRig(t, image(t, 8), nil)
	r.setup(0, 0, 1)
	r.out(0x1F7, CmdReadSectors)
	r.out(0x3F6, CtlSRST)
	if st := r.in(0x3F6); st&StatusBSY == 0 {
		t.Errorf("status during SRST = %#x", st)
	}
	r.out(0x3F6, 0)
	if st := r.in(0x1F7); st != StatusDRDY|StatusDSC || r.b.In(0x1F0, 2) != 0 {
		t.Errorf("after reset: status %#x or a transfer survived", st)
	}
}

func FuzzPorts(f *testing.F) {
	f.Add([]byte{0xF2, 1, 0xF6, 0xE0, 0xF7, 0x20, 0x70, 4})
	f.Add([]byte{0xF2, 0, 0xF7, 0x30, 0x70, 2, 0x76, 4})
	f.Fuzz(func(t *testing.T, ops []byte) {
		r := newRig(t, image(t, 4), image(t, 3))
		for len(ops) >= 2 {
			op, v := ops[0], ops[1]
			ops = ops[2:]
			port := uint16(0x1F0) + uint16(op&7)
			if op&0x08 != 0 {
				port = 0x3F6
			}
			size := []int{1, 2, 4, 1}[op>>4&3]
			if op&0x40 != 0 {
				r.b.In(port, size)
			} else {
				r.b.Out(port, size, uint64(v)*0x01010101)
			}
		}
	})
}
