package pcdev

import (
	"strings"
	"testing"
	"time"

	"github.com/xv6emu/xv6emu/bus"
)

// ports maps devices on a bus at their PC ports, as the board does.
func ports(t *testing.T, maps map[uint16]struct {
	n   uint16
	dev bus.Device
}) *bus.Bus {
	t.Helper()
	b := bus.New(0, 1<<20)
	for base, m := range maps {
		if err := b.MapPorts(base, m.n, m.dev, "dev"); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

type pm = map[uint16]struct {
	n   uint16
	dev bus.Device
}

func TestPICMaskedLikeXv6(t *testing.T) {
	var out bus.IRQ
	p := NewPIC(&out)
	b := ports(t, pm{0x20: {2, p.Master()}, 0xA0: {2, p.Slave()}})
	b.Out(0x21, 1, 0xFF)
	b.Out(0xA1, 1, 0xFF)
	var l1, l14 bus.IRQ
	l1.Connect(p.Input(1))
	l14.Connect(p.Input(14))
	l1.Set(true)
	l14.Set(true)
	if out.Level() {
		t.Error("masked PIC raised INT")
	}
	if m, s := b.In(0x21, 1), b.In(0xA1, 1); m != 0xFF || s != 0xFF {
		t.Errorf("masks read back %#x %#x", m, s)
	}
}

func TestPICRemapAndCascade(t *testing.T) {
	var out bus.IRQ
	p := NewPIC(&out)
	b := ports(t, pm{0x20: {2, p.Master()}, 0xA0: {2, p.Slave()}})
	// The classic initialisation: edge, cascade, ICW4; vectors 32 and 40.
	for _, w := range [][2]uint16{{0x20, 0x11}, {0x21, 32}, {0x21, 4}, {0x21, 1},
		{0xA0, 0x11}, {0xA1, 40}, {0xA1, 2}, {0xA1, 1}, {0x21, 0xFB &^ 1}, {0xA1, 0xFF &^ (1 << 6)}} {
		b.Out(w[0], 1, uint64(w[1]))
	}
	var l0, l14 bus.IRQ
	l0.Connect(p.Input(0))
	l14.Connect(p.Input(14))
	l14.Set(true)
	if !out.Level() {
		t.Fatal("slave irq 14 did not reach INT")
	}
	l0.Set(true)
	if v, ok := p.Acknowledge(); !ok || v != 32 {
		t.Fatalf("first vector %d %v, want 32 (irq 0 has priority)", v, ok)
	}
	if out.Level() {
		t.Error("irq 14 delivered while irq 0 in service")
	}
	b.Out(0x20, 1, 0x20) // EOI
	if v, ok := p.Acknowledge(); !ok || v != 46 {
		t.Fatalf("second vector %d %v, want 46", v, ok)
	}
	b.Out(0xA0, 1, 0x0B) // OCW3: read ISR
	if isr := b.In(0xA0, 1); isr != 1<<6 {
		t.Errorf("slave ISR = %#x", isr)
	}
	b.Out(0xA0, 1, 0x20)
	b.Out(0x20, 1, 0x20)
	if out.Level() {
		t.Error("INT high with nothing new requested")
	}
	if _, ok := p.Acknowledge(); ok {
		t.Error("acknowledge found an interrupt")
	}
	// Edge mode: a line held high does not request again.
	l14.Set(true)
	if out.Level() {
		t.Error("no new edge, yet a request")
	}
	l14.Set(false)
	l14.Set(true)
	if !out.Level() {
		t.Error("new edge lost")
	}
}

func TestPITReadback(t *testing.T) {
	var now uint64
	var irq bus.IRQ
	edges := 0
	irq.Connect(func(l bool) {
		if l {
			edges++
		}
	})
	p := NewPIT(func() uint64 { return now }, &irq)
	b := ports(t, pm{0x40: {4, p}, 0x61: {1, p.Port61()}})
	b.Out(0x43, 1, 0x34) // channel 0, lo/hi, mode 2
	b.Out(0x40, 1, 0x9C) // 11932 = 100 Hz
	b.Out(0x40, 1, 0x2E)
	read := func() uint16 {
		b.Out(0x43, 1, 0x00) // latch channel 0
		lo := b.In(0x40, 1)
		return uint16(lo | b.In(0x40, 1)<<8)
	}
	if c := read(); c != 11932 {
		t.Errorf("count at load = %d", c)
	}
	now = 50_000 // 5 ms = 5965.9 PIT clocks
	if c := read(); c != 11932-5965 {
		t.Errorf("count after 5 ms = %d, want %d", c, 11932-5965)
	}
	d, ok := p.NextDeadline()
	if !ok || d != 100_002 { // 11932 clocks are 10.00015 ms
		t.Fatalf("deadline %d %v, want 100002", d, ok)
	}
	now = d - 1
	p.Update()
	n := edges
	now = d
	p.Update()
	if edges != n+1 {
		t.Errorf("no irq edge at the period boundary")
	}
	// Read-back status of channel 0: OUT high, lo/hi, mode 2, binary.
	b.Out(0x43, 1, 0xE2)
	if s := b.In(0x40, 1); s != 0x80|3<<4|2<<1 {
		t.Errorf("status byte %#x", s)
	}
	// Channel 2 one-shot through port 0x61, as calibration loops use it.
	b.Out(0x61, 1, 0)
	b.Out(0x43, 1, 0xB0) // channel 2, lo/hi, mode 0
	b.Out(0x42, 1, 0xFF)
	b.Out(0x42, 1, 0xFF)
	b.Out(0x61, 1, 1) // gate on
	start := now
	if b.In(0x61, 1)&0x20 != 0 {
		t.Error("OUT2 high right after the gate opened")
	}
	now = start + 10_000_000*65535/PITHz + 2
	if b.In(0x61, 1)&0x20 == 0 {
		t.Error("OUT2 low after terminal count")
	}
}

func TestCMOS(t *testing.T) {
	var now uint64
	boot := time.Date(2026, 12, 4, 23, 59, 58, 0, time.UTC)
	c := NewCMOS(func() uint64 { return now }, boot, 512<<20)
	b := ports(t, pm{0x70: {2, c}})
	reg := func(r uint8) uint8 {
		b.Out(0x70, 1, uint64(r))
		return uint8(b.In(0x71, 1))
	}
	if got := [3]uint8{reg(4), reg(2), reg(0)}; got != [3]uint8{0x23, 0x59, 0x58} {
		t.Errorf("time = %x, want BCD 23:59:58", got)
	}
	now = 3 * TicksPerSecond
	if got := [5]uint8{reg(7), reg(8), reg(9), reg(0x32), reg(0)}; got != [5]uint8{0x05, 0x12, 0x26, 0x20, 0x01} {
		t.Errorf("after 3 s date = %x", got)
	}
	if base := uint16(reg(0x15)) | uint16(reg(0x16))<<8; base != 640 {
		t.Errorf("base memory %d KiB", base)
	}
	if ext := uint16(reg(0x17)) | uint16(reg(0x18))<<8; ext != 0xFFFF {
		t.Errorf("extended memory %d KiB, want capped", ext)
	}
	if hi := uint16(reg(0x34)) | uint16(reg(0x35))<<8; hi != (512-16)<<4 {
		t.Errorf("high memory %d units", hi)
	}
	// Binary mode, and a write that moves the clock.
	b.Out(0x70, 1, 0x0B)
	b.Out(0x71, 1, statusB24h|statusBBinary)
	b.Out(0x70, 1, 0x04)
	b.Out(0x71, 1, 7)
	if h := reg(4); h != 7 {
		t.Errorf("hour after write = %d", h)
	}
	if reg(0x0A)&0x80 != 0 {
		t.Error("update in progress shows")
	}
	b.Out(0x70, 1, 0x0F)
	b.Out(0x71, 1, 0x0A) // xv6's warm reset code
	if reg(0x0F) != 0x0A {
		t.Error("shutdown status byte not kept")
	}
	small := NewCMOS(func() uint64 { return 0 }, boot, 32<<20)
	if ext := uint16(small.Reg(0x17)) | uint16(small.Reg(0x18))<<8; ext != 31*1024 {
		t.Errorf("32 MiB machine: extended %d KiB", ext)
	}
}

func TestKBCA20LikeBootasm(t *testing.T) {
	k := NewKBC()
	resets := 0
	k.OnReset = func() { resets++ }
	b := ports(t, pm{0x60: {1, k}, 0x64: {1, k.Command()}, 0x92: {1, k.Port92()}})
	// bootasm.S seta20: wait for !IBF, 0xD1 to 0x64, wait, 0xDF to 0x60.
	k.setA20(false)
	for b.In(0x64, 1)&KBCInFull != 0 {
	}
	b.Out(0x64, 1, 0xD1)
	for b.In(0x64, 1)&KBCInFull != 0 {
	}
	b.Out(0x60, 1, 0xDF)
	if !k.A20() || resets != 0 {
		t.Fatalf("A20 %v, resets %d", k.A20(), resets)
	}
	if b.In(0x92, 1)&2 == 0 {
		t.Error("port 0x92 does not show A20")
	}
	b.Out(0x64, 1, 0xD0)
	if b.In(0x64, 1)&KBCOutFull == 0 || b.In(0x60, 1) != 0x03 {
		t.Error("output port read-back")
	}
	b.Out(0x64, 1, 0xAA)
	if b.In(0x60, 1) != 0x55 {
		t.Error("self test")
	}
	if b.In(0x64, 1)&KBCOutFull != 0 {
		t.Error("OBF after the byte was read (xv6's kbdgetc would read garbage)")
	}
	b.Out(0x60, 1, 0xFF) // keyboard reset
	if b.In(0x60, 1) != 0xFA || b.In(0x60, 1) != 0xAA {
		t.Error("keyboard reset reply")
	}
	b.Out(0x92, 1, 0)
	if k.A20() {
		t.Error("port 0x92 did not close A20")
	}
	b.Out(0x64, 1, 0xFE)
	b.Out(0x92, 1, 3)
	if resets != 2 {
		t.Errorf("resets = %d, want 2", resets)
	}
}

func TestCRTCCursorAndScreen(t *testing.T) {
	c := NewCRTC()
	b := ports(t, pm{0x3D0: {16, c}})
	// xv6's cgaputc: write the position, read it back.
	pos := 3*80 + 7
	b.Out(0x3D4, 1, 14)
	b.Out(0x3D5, 1, uint64(pos>>8))
	b.Out(0x3D4, 1, 15)
	b.Out(0x3D5, 1, uint64(pos&0xFF))
	b.Out(0x3D4, 1, 14)
	got := int(b.In(0x3D5, 1)) << 8
	b.Out(0x3D4, 1, 15)
	got |= int(b.In(0x3D5, 1))
	if got != pos || c.Cursor() != pos {
		t.Errorf("cursor read back %d, want %d", got, pos)
	}
	s1, s2 := b.In(0x3DA, 1), b.In(0x3DA, 1)
	if s1&8 == s2&8 {
		t.Error("retrace bit does not toggle")
	}
	ram := make([]byte, 1<<20)
	if CGAText(ram) != "" {
		t.Error("blank screen renders text")
	}
	put := func(row, col int, s string) {
		for i := 0; i < len(s); i++ {
			ram[CGABase+2*(row*80+col+i)] = s[i]
			ram[CGABase+2*(row*80+col+i)+1] = 0x07
		}
	}
	put(0, 0, "SeaBIOS")
	put(2, 4, "panic: \x01boom")
	want := "SeaBIOS\n\n    panic: .boom\n"
	if got := CGAText(ram); got != want {
		t.Errorf("screen:\n%q\nwant\n%q", got, want)
	}
	if CGAText(ram[:1000]) != "" {
		t.Error("short RAM rendered")
	}
}

func TestPowerOff(t *testing.T) {
	p := NewPowerOff()
	halts := 0
	p.OnHalt = func() { halts++ }
	b := ports(t, pm{0x604: {2, p.ACPI()}, 0xF4: {4, p.DebugExit()}})
	b.Out(0x604, 2, 0x1400) // S5 type bits but no SLP_EN
	b.Out(0x604, 2, 5<<10|SLPEn)
	if done, _, _ := p.Halted(); done {
		t.Fatal("powered off without SLP_EN or with another sleep type")
	}
	b.Out(0x604, 2, 0x2000)
	if done, code, reset := p.Halted(); !done || code != 0 || reset {
		t.Errorf("after outw(0x604, 0x2000): %v %d %v", done, code, reset)
	}
	b.Out(0xF4, 1, 3) // first stop wins
	if _, code, _ := p.Halted(); code != 0 || halts != 1 {
		t.Errorf("second stop changed the verdict: code %d, %d halts", code, halts)
	}
	p.Clear()
	b.Out(0xF4, 4, 3)
	if done, code, _ := p.Halted(); !done || code != 7 {
		t.Errorf("debug exit 3: done %v code %d, want 7", done, code)
	}
}

func FuzzDevices(f *testing.F) {
	f.Add([]byte{0x43, 0x34, 0x40, 0x9c, 0x40, 0x2e, 0x20, 0x11})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var now uint64
		clock := func() uint64 { return now }
		var out, irq0 bus.IRQ
		pic := NewPIC(&out)
		pit := NewPIT(clock, &irq0)
		irq0.Connect(pic.Input(0))
		k := NewKBC()
		p := NewPowerOff()
		k.OnReset = p.RequestReset
		b := ports(t, pm{
			0x20: {2, pic.Master()}, 0xA0: {2, pic.Slave()}, 0x40: {4, pit}, 0x61: {1, pit.Port61()},
			0x70: {2, NewCMOS(clock, time.Unix(0, 0), 64<<20)}, 0x60: {1, k}, 0x64: {1, k.Command()}, 0x92: {1, k.Port92()},
			0x3D0: {16, NewCRTC()}, 0x604: {2, p.ACPI()}, 0xF4: {4, p.DebugExit()},
		})
		portList := []uint16{0x20, 0x21, 0xA0, 0xA1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71, 0x60, 0x64, 0x92, 0x3D4, 0x3D5, 0x3DA, 0x604, 0xF4}
		for len(ops) >= 2 {
			op, v := ops[0], ops[1]
			ops = ops[2:]
			port := portList[int(op&0x1F)%len(portList)]
			switch op >> 5 {
			case 0, 1:
				b.Out(port, 1, uint64(v))
			case 2:
				b.In(port, 1)
			case 3:
				b.Out(port, 2, uint64(v)<<8|uint64(v))
			case 4:
				now += uint64(v) * 1000
				pit.Update()
				pit.NextDeadline()
			case 5:
				pic.Acknowledge()
			default:
				b.In(port, 4)
			}
		}
		_ = strings.TrimSpace(CGAText(b.RAM))
	})
}
