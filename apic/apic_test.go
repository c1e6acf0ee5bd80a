package apic

import (
	"testing"

	"github.com/xv6emu/xv6emu/bus"
)

// board is a test harness: n CPUs, a settable clock, and a record of what
// the LAPICs told their CPUs.
type board struct {
	t       *testing.T
	now     uint64
	s       *System
	intr    []bool
	inits   []int
	sipis   [][]uint8
	current int
}

func newBoard(t *testing.T, n int) *board {
	b := &board{t: t, intr: make([]bool, n), inits: make([]int, n), sipis: make([][]uint8, n)}
	b.s = New(n, uint8(n), func() uint64 { return b.now })
	for i := 0; i < n; i++ {
		l := b.s.LAPIC(i)
		l.SetINTR = func(level bool) { b.intr[i] = level }
		l.OnINIT = func() { b.inits[i]++ }
		l.OnStartup = func(v uint8) { b.sipis[i] = append(b.sipis[i], v) }
	}
	return b
}

func (b *board) w(cpu int, reg uint64, v uint32) { b.s.LAPIC(cpu).Write(reg, 4, uint64(v)) }
func (b *board) r(cpu int, reg uint64) uint32    { return uint32(b.s.LAPIC(cpu).Read(reg, 4)) }

func (b *board) ioWrite(reg, v uint32) {
	b.s.IOAPIC().Write(IORegSel, 4, uint64(reg))
	b.s.IOAPIC().Write(IOWin, 4, uint64(v))
}

func (b *board) ioRead(reg uint32) uint32 {
	b.s.IOAPIC().Write(IORegSel, 4, uint64(reg))
	return uint32(b.s.IOAPIC().Read(IOWin, 4))
}

// ack takes an interrupt on cpu as the CPU would, failing if none is there.
func (b *board) ack(cpu int) uint8 {
	b.t.Helper()
	if !b.intr[cpu] {
		b.t.Fatalf("cpu %d: INTR low, expected an interrupt", cpu)
	}
	v, ok := b.s.LAPIC(cpu).Acknowledge()
	if !ok {
		b.t.Fatalf("cpu %d: INTR high but acknowledge found nothing", cpu)
	}
	return v
}

// xv6Init is classic xv6's lapicinit: enable, periodic timer at vector 32
// every 10,000,000 bus cycles, LINTs masked, error vector 51, clear ESR,
// EOI, broadcast INIT de-assert, TPR 0.
func (b *board) xv6Init(cpu int) {
	b.w(cpu, RegSVR, SVREnable|63)
	b.w(cpu, RegTimerDCR, 0xB)
	b.w(cpu, RegLVTTimer, LVTPeriodic|32)
	b.w(cpu, RegTimerICR, 10_000_000)
	b.w(cpu, RegLINT0, LVTMasked)
	b.w(cpu, RegLINT1, LVTMasked)
	if b.r(cpu, RegVersion)>>16&0xFF >= 4 {
		b.w(cpu, RegLVTPerf, LVTMasked)
	}
	b.w(cpu, RegLVTError, 51)
	b.w(cpu, RegESR, 0)
	b.w(cpu, RegESR, 0)
	b.w(cpu, RegEOI, 0)
	b.w(cpu, RegICRHigh, 0)
	b.w(cpu, RegICRLow, 2<<18|ModeINIT<<8|ICRLevel)
	for b.r(cpu, RegICRLow)&ICRPending != 0 {
	}
	b.w(cpu, RegTPR, 0)
}

func TestResetValues(t *testing.T) {
	b := newBoard(t, 2)
	if id := b.r(1, RegID); id != 1<<24 {
		t.Errorf("cpu 1 ID = %#x", id)
	}
	if v := b.r(0, RegVersion); v != Version {
		t.Errorf("version = %#x", v)
	}
	if v := b.r(0, RegSVR); v != 0xFF {
		t.Errorf("SVR = %#x", v)
	}
	for _, reg := range []uint64{RegLVTTimer, RegLINT0, RegLINT1, RegLVTError} {
		if v := b.r(0, reg); v != LVTMasked {
			t.Errorf("LVT %#x = %#x, want masked", reg, v)
		}
	}
	if v := b.r(0, RegDFR); v != 0xFFFFFFFF {
		t.Errorf("DFR = %#x", v)
	}
	if v := uint32(b.s.LAPIC(1).Read(RegID+3, 1)); v != 1 {
		t.Errorf("byte read of ID's top byte = %d", v)
	}
}

func TestXv6InitSendsNoINIT(t *testing.T) {
	b := newBoard(t, 2)
	b.xv6Init(0)
	if b.inits[0]+b.inits[1] != 0 {
		t.Errorf("INIT de-assert reset CPUs: %v", b.inits)
	}
	if b.intr[0] {
		t.Error("INTR high right after init")
	}
}

func TestPeriodicTimer(t *testing.T) {
	b := newBoard(t, 1)
	b.now = 1000
	b.xv6Init(0)
	// 10,000,000 cycles at 1 GHz = 10 ms = 100,000 ticks of 10 MHz.
	if d, ok := b.s.NextDeadline(); !ok || d != 101_000 {
		t.Fatalf("deadline = %d %v, want 101000", d, ok)
	}
	b.now = 51_000
	if c := b.r(0, RegTimerCCR); c != 5_000_000 {
		t.Errorf("current count half-way = %d", c)
	}
	b.s.Update()
	if b.intr[0] {
		t.Fatal("timer fired early")
	}
	b.now = 101_000
	b.s.Update()
	if v := b.ack(0); v != 32 {
		t.Fatalf("vector %d, want 32", v)
	}
	if b.intr[0] || b.r(0, RegISR+0x10)&1 == 0 {
		t.Error("after acknowledge: INTR still high or ISR bit 32 clear")
	}
	if d, _ := b.s.NextDeadline(); d != 201_000 {
		t.Errorf("next deadline %d, want 201000", d)
	}
	// Three periods pass at once (an idle skip): one interrupt, and the
	// schedule stays on the original grid.
	b.w(0, RegEOI, 0)
	b.now = 420_000
	b.s.Update()
	if v := b.ack(0); v != 32 {
		t.Fatal("no coalesced tick")
	}
	if _, ok := b.s.LAPIC(0).Acknowledge(); ok {
		t.Error("more than one interrupt for the missed periods")
	}
	if d, _ := b.s.NextDeadline(); d != 501_000 {
		t.Errorf("deadline after skip %d, want 501000", d)
	}
	if c := b.r(0, RegTimerCCR); c != 10_000_000-(420_000-401_000)*100 {
		t.Errorf("current count after skip = %d", c)
	}
}

func TestOneShotAndDivide(t *testing.T) {
	b := newBoard(t, 1)
	b.w(0, RegSVR, SVREnable|0xFF)
	b.w(0, RegTimerDCR, 0x3) // divide by 16
	b.w(0, RegLVTTimer, 40)
	b.w(0, RegTimerICR, 1000) // 16,000 ns = 160 ticks
	if d, ok := b.s.NextDeadline(); !ok || d != 160 {
		t.Fatalf("one-shot deadline %d %v", d, ok)
	}
	b.now = 80
	if c := b.r(0, RegTimerCCR); c != 500 {
		t.Errorf("count = %d, want 500", c)
	}
	b.now = 160
	b.s.Update()
	if b.ack(0) != 40 {
		t.Fatal("wrong vector")
	}
	if c := b.r(0, RegTimerCCR); c != 0 {
		t.Errorf("expired one-shot count = %d", c)
	}
	if _, ok := b.s.NextDeadline(); ok {
		t.Error("expired one-shot still has a deadline")
	}
	b.now = 10_000
	b.s.Update()
	if b.intr[0] {
		t.Error("one-shot fired twice")
	}
	// Masked timers count but neither interrupt nor report deadlines.
	b.w(0, RegLVTTimer, LVTMasked|LVTPeriodic|40)
	b.w(0, RegTimerICR, 1000)
	if _, ok := b.s.NextDeadline(); ok {
		t.Error("masked timer reports a deadline")
	}
	b.now += 1000
	b.s.Update()
	if b.intr[0] || b.r(0, RegTimerCCR) == 0 {
		t.Error("masked periodic timer interrupted or stopped counting")
	}
}

func TestPriorities(t *testing.T) {
	b := newBoard(t, 1)
	l := b.s.LAPIC(0)
	l.accept(0x35, false)
	if b.intr[0] {
		t.Fatal("software-disabled LAPIC raised INTR")
	}
	b.w(0, RegSVR, SVREnable|0xFF)
	b.w(0, RegTPR, 0x40)
	if b.intr[0] {
		t.Error("vector 0x35 delivered above TPR 0x40")
	}
	b.w(0, RegTPR, 0x30)
	if b.intr[0] {
		t.Error("vector 0x35 delivered at TPR class 3")
	}
	b.w(0, RegTPR, 0)
	l.accept(0x61, false)
	if b.ack(0) != 0x61 {
		t.Fatal("highest vector not first")
	}
	if b.r(0, RegPPR) != 0x60 {
		t.Errorf("PPR = %#x, want 0x60", b.r(0, RegPPR))
	}
	if b.intr[0] {
		t.Error("lower class delivered while 0x61 in service")
	}
	l.accept(0x72, false)
	if b.ack(0) != 0x72 {
		t.Fatal("higher class did not preempt")
	}
	b.w(0, RegEOI, 0) // ends 0x72
	b.w(0, RegEOI, 0) // ends 0x61
	if b.ack(0) != 0x35 {
		t.Fatal("pending vector lost")
	}
	b.w(0, RegEOI, 0)
	if b.r(0, RegISR+0x30) != 0 || b.r(0, RegIRR+0x30) != 0 {
		t.Error("ISR/IRR not clear at the end")
	}
}

func TestIPIs(t *testing.T) {
	b := newBoard(t, 3)
	for i := 0; i < 3; i++ {
		b.xv6Init(i)
	}
	// xv6's lapicstartap: INIT assert, INIT de-assert, two STARTUPs.
	b.w(0, RegICRHigh, 2<<24)
	b.w(0, RegICRLow, ModeINIT<<8|ICRLevel|ICRAssert)
	b.w(0, RegICRLow, ModeINIT<<8|ICRLevel)
	for k := 0; k < 2; k++ {
		b.w(0, RegICRHigh, 2<<24)
		b.w(0, RegICRLow, ModeStartup<<8|0x7000>>12)
	}
	if b.inits[0] != 0 || b.inits[1] != 0 || b.inits[2] != 1 {
		t.Errorf("INITs = %v, want only cpu 2", b.inits)
	}
	if len(b.sipis[2]) != 2 || b.sipis[2][0] != 7 || len(b.sipis[1]) != 0 {
		t.Errorf("STARTUPs = %v", b.sipis)
	}
	if b.r(2, RegSVR) != 0xFF || b.r(2, RegID) != 2<<24 {
		t.Error("INIT did not reset the target LAPIC (or lost its id)")
	}
	if b.r(0, RegICRLow)&ICRPending != 0 {
		t.Error("delivery status busy")
	}
	// Fixed IPI to cpu 1 by physical id.
	b.w(0, RegICRHigh, 1<<24)
	b.w(0, RegICRLow, 0x50)
	if b.intr[0] || b.ack(1) != 0x50 {
		t.Error("fixed IPI went astray")
	}
	b.w(1, RegEOI, 0)
	// All excluding self.
	b.w(1, RegICRLow, 3<<18|0x51)
	if b.intr[1] || b.ack(0) != 0x51 {
		t.Error("all-but-self IPI went astray")
	}
	b.w(0, RegEOI, 0)
	// Self.
	b.w(1, RegICRLow, 1<<18|0x52)
	if b.ack(1) != 0x52 {
		t.Error("self IPI lost")
	}
	b.w(1, RegEOI, 0)
	// Logical flat mode.
	b.w(0, RegLDR, 0x02<<24)
	b.w(1, RegLDR, 0x04<<24)
	b.w(1, RegTPR, 0)
	b.w(2, RegICRHigh, 0x06<<24)
	b.w(2, RegICRLow, ICRLogical|0x53)
	if b.ack(0) != 0x53 || b.ack(1) != 0x53 {
		t.Error("logical IPI missed a CPU")
	}
}

func TestIllegalVectorError(t *testing.T) {
	b := newBoard(t, 2)
	b.xv6Init(0)
	b.w(0, RegICRHigh, 1<<24)
	b.w(0, RegICRLow, 5)
	if b.r(0, RegESR) != 0 {
		t.Error("ESR changed before a latching write")
	}
	b.w(0, RegESR, 0)
	if b.r(0, RegESR) != ESRSendIllegal {
		t.Errorf("ESR = %#x", b.r(0, RegESR))
	}
	if b.ack(0) != 51 {
		t.Error("error LVT did not interrupt")
	}
}

func TestIOAPICRegisters(t *testing.T) {
	b := newBoard(t, 2)
	if v := b.ioRead(IORegVersion); v>>16&0xFF != Pins-1 || v&0xFF != 0x11 {
		t.Errorf("version = %#x", v)
	}
	if v := b.ioRead(IORegID) >> 24; v != 2 {
		t.Errorf("id = %d, want 2", v)
	}
	for p := uint32(0); p < Pins; p++ {
		if v := b.ioRead(IORegTable + 2*p); v != LVTMasked {
			t.Errorf("pin %d after reset = %#x", p, v)
		}
	}
	b.ioWrite(IORegTable+2*4+1, 1<<24|0xFFFF)
	if v := b.ioRead(IORegTable + 2*4 + 1); v != 1<<24 {
		t.Errorf("high half = %#x", v)
	}
}

func TestIOAPICEdge(t *testing.T) {
	b := newBoard(t, 2)
	b.xv6Init(0)
	b.xv6Init(1)
	var line bus.IRQ
	line.Connect(b.s.IOAPIC().Input(4))
	line.Set(true)
	line.Set(false)
	if b.intr[0] || b.intr[1] {
		t.Fatal("masked pin delivered")
	}
	// xv6's ioapicenable(4, 1): vector 32+4, edge, to APIC id 1.
	b.ioWrite(IORegTable+2*4, 36)
	b.ioWrite(IORegTable+2*4+1, 1<<24)
	if b.intr[1] {
		t.Fatal("an edge from while the pin was masked was delivered")
	}
	line.Set(true)
	if b.intr[0] || b.ack(1) != 36 {
		t.Fatal("edge not routed to cpu 1")
	}
	line.Set(true) // no new edge
	b.w(1, RegEOI, 0)
	if b.intr[1] {
		t.Error("a steady high line sent again")
	}
	line.Set(false)
	line.Set(true)
	if b.ack(1) != 36 {
		t.Error("second edge lost")
	}
}

func TestIOAPICLevel(t *testing.T) {
	b := newBoard(t, 1)
	b.xv6Init(0)
	var line bus.IRQ
	line.Connect(b.s.IOAPIC().Input(14))
	line.Set(true)
	b.ioWrite(IORegTable+2*14, LVTLevel|46)
	if b.ack(0) != 46 {
		t.Fatal("asserted level pin not sent on unmask")
	}
	if b.ioRead(IORegTable+2*14)&RedirRemoteIRR == 0 {
		t.Error("Remote IRR clear while in service")
	}
	if b.r(0, RegTMR+0x10)&(1<<14) == 0 {
		t.Error("TMR bit not set for a level vector")
	}
	b.w(0, RegEOI, 0) // line still high: sent again
	if b.ack(0) != 46 {
		t.Fatal("level pin still asserted not re-sent after EOI")
	}
	line.Set(false)
	b.w(0, RegEOI, 0)
	if b.intr[0] || b.ioRead(IORegTable+2*14)&RedirRemoteIRR != 0 {
		t.Error("deasserted level pin: INTR or Remote IRR left")
	}
}

func TestWindow(t *testing.T) {
	b := newBoard(t, 2)
	w := b.s.Window(func() int { return b.current })
	b.current = 1
	if id := w.Read(RegID, 4); id != 1<<24 {
		t.Errorf("window for cpu 1 reads id %#x", id)
	}
	w.Write(RegTPR, 4, 0x20)
	if b.r(1, RegTPR) != 0x20 || b.r(0, RegTPR) != 0 {
		t.Error("window wrote the wrong LAPIC")
	}
}

func FuzzRegisters(f *testing.F) {
	f.Add([]byte{0x0F, 0x01, 0x30, 0x01, 0x32, 0x20})
	f.Fuzz(func(t *testing.T, ops []byte) {
		b := newBoard(t, 2)
		var line bus.IRQ
		line.Connect(b.s.IOAPIC().Input(3))
		for len(ops) >= 3 {
			op, reg, v := ops[0], uint64(ops[1])<<4, uint32(ops[2])*0x01010101
			ops = ops[3:]
			cpu := int(op & 1)
			switch op >> 1 & 7 {
			case 0:
				b.s.LAPIC(cpu).Read(reg, 4)
			case 1:
				b.w(cpu, reg, v)
			case 2:
				b.ioWrite(uint32(ops2(reg)), v)
			case 3:
				b.ioRead(uint32(ops2(reg)))
			case 4:
				b.now += uint64(v)
				b.s.Update()
				b.s.NextDeadline()
			case 5:
				line.Set(v&1 != 0)
			case 6:
				b.s.LAPIC(cpu).Acknowledge()
			}
		}
	})
}

func ops2(reg uint64) uint64 { return reg >> 4 }
