package uart

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/bus"
)

func newUART() (*UART, *bytes.Buffer, *bus.IRQ) {
	out := &bytes.Buffer{}
	irq := &bus.IRQ{}
	return New(out, irq), out, irq
}

func rd(u *UART, reg uint64) uint8    { return uint8(u.Read(reg, 1)) }
func wr(u *UART, reg uint64, v uint8) { u.Write(reg, 1, uint64(v)) }

func TestResetValues(t *testing.T) {
	u, _, irq := newUART()
	// The values QEMU 7.2's 16550 shows a bare-metal probe.
	want := map[uint64]uint8{IER: 0, IIR: IIRNone, LCR: 0, MCR: MCROut2, LSR: LSRTxEmpty | LSRIdle, MSR: 0xB0, SCR: 0, RBR: 0}
	for reg := uint64(0); reg < 8; reg++ {
		assert.Equal(t, want[reg], rd(u, reg), "register %d", reg)
	}
	assert.False(t, irq.Level())
	assert.True(t, u.CanReceive())
	wr(u, LCR, LCRDLAB)
	assert.Equal(t, uint8(12), rd(u, RBR), "DLL")
	assert.Equal(t, uint8(0), rd(u, IER), "DLM")
}

// Emptying the transmitter through FCR pends THR empty again; QEMU shows
// IIR 0xC2 after IER=2, an IIR read, IER=3 and FCR=1.
func TestFCRClearTxPendsTHREmpty(t *testing.T) {
	u, _, irq := newUART()
	wr(u, IER, IERTxEmpty)
	assert.Equal(t, uint8(IIRTxEmpty), rd(u, IIR))
	assert.Equal(t, uint8(IIRNone), rd(u, IIR))
	wr(u, IER, IERTxEmpty|IERRxData)
	assert.Equal(t, uint8(IIRNone), rd(u, IIR), "no edge on IER bit 1")
	wr(u, IIR, FCREnable)
	assert.True(t, irq.Level())
	assert.Equal(t, uint8(IIRFIFO|IIRTxEmpty), rd(u, IIR))
	wr(u, IIR, 0x81)
	assert.Equal(t, uint8(IIRFIFO|IIRNone), rd(u, IIR), "same FIFO mode, no TX clear")
	wr(u, IIR, FCREnable|FCRClearTx)
	assert.Equal(t, uint8(IIRFIFO|IIRTxEmpty), rd(u, IIR))
}

func TestTransmit(t *testing.T) {
	u, out, irq := newUART()
	for _, c := range []byte("hello\n") {
		require.NotZero(t, rd(u, LSR)&LSRTxEmpty, "old xv6 polls THRE before each byte")
		wr(u, RBR, c)
	}
	assert.Equal(t, "hello\n", out.String())
	assert.False(t, irq.Level(), "no interrupt with IER clear")
}

func TestDivisorLatch(t *testing.T) {
	u, out, _ := newUART()
	wr(u, LCR, LCRDLAB)
	wr(u, RBR, 0x03)
	wr(u, IER, 0x00)
	assert.Equal(t, uint8(3), rd(u, RBR))
	assert.Equal(t, uint8(0), rd(u, IER))
	wr(u, LCR, 0x03)
	assert.Empty(t, out.String(), "DLL writes are not transmitted")
	assert.Zero(t, rd(u, IER), "IER was not touched while DLAB was set")
	wr(u, LCR, 0x83)
	assert.Equal(t, uint8(3), rd(u, RBR))
	assert.Equal(t, uint8(0x83), rd(u, LCR))
}

func TestScratchAndMCR(t *testing.T) {
	u, _, _ := newUART()
	wr(u, SCR, 0x5A)
	assert.Equal(t, uint8(0x5A), rd(u, SCR))
	wr(u, MCR, 0xFF)
	assert.Equal(t, uint8(0x1F), rd(u, MCR))
	wr(u, IER, 0xFF)
	assert.Equal(t, uint8(0x0F), rd(u, IER))
	wr(u, LSR, 0)
	assert.Equal(t, uint8(LSRTxEmpty|LSRIdle), rd(u, LSR), "LSR is read-only")
}

func TestTHREmptyInterrupt(t *testing.T) {
	u, out, irq := newUART()

	// Enabling THR-empty while THR is empty raises it at once.
	wr(u, IER, IERTxEmpty)
	assert.True(t, irq.Level())
	assert.Equal(t, uint8(IIRTxEmpty), rd(u, IIR), "reading IIR reports it...")
	assert.False(t, irq.Level(), "...and acknowledges it")
	assert.Equal(t, uint8(IIRNone), rd(u, IIR))

	// Each write to THR: sent at once, so THR-empty pends again.
	wr(u, RBR, 'x')
	assert.True(t, irq.Level())
	wr(u, RBR, 'y')
	assert.True(t, irq.Level())
	assert.Equal(t, "xy", out.String())

	// Disabling clears it; re-enabling raises it again.
	wr(u, IER, 0)
	assert.False(t, irq.Level())
	assert.Equal(t, uint8(IIRNone), rd(u, IIR))
	wr(u, IER, IERTxEmpty)
	assert.True(t, irq.Level())

	// Rewriting IER with the bit already set is not an edge: once
	// acknowledged it stays quiet.
	rd(u, IIR)
	wr(u, IER, IERTxEmpty|IERRxData)
	assert.False(t, irq.Level())
}

// The 2021-2023 xv6 driver never reads IIR: after its last byte the
// interrupt stays pending until the next THR write, exactly as on QEMU.
func TestTHREmptyStaysUntilAcknowledged(t *testing.T) {
	u, _, irq := newUART()
	wr(u, IER, IERTxEmpty|IERRxData)
	wr(u, RBR, 'a')
	for i := 0; i < 3; i++ {
		assert.NotZero(t, rd(u, LSR)&LSRTxEmpty)
		assert.True(t, irq.Level())
	}
}

func TestReceiveFIFO(t *testing.T) {
	u, _, irq := newUART()
	wr(u, IIR, 0x07) // FCR: enable and clear FIFOs, trigger 1
	wr(u, IER, IERRxData)
	assert.Equal(t, uint8(IIRFIFO|IIRNone), rd(u, IIR))

	for i := 0; i < FIFODepth; i++ {
		require.True(t, u.CanReceive())
		require.True(t, u.Receive(byte('a'+i)))
	}
	assert.False(t, u.CanReceive())
	assert.False(t, u.Receive('!'), "full FIFO refuses, caller keeps the byte")
	assert.True(t, irq.Level())
	assert.Equal(t, uint8(IIRFIFO|IIRRxData), rd(u, IIR))
	assert.Zero(t, rd(u, LSR)&LSROverrun, "a refused byte is no overrun")

	var got []byte
	for rd(u, LSR)&LSRDataReady != 0 {
		got = append(got, rd(u, RBR))
	}
	assert.Equal(t, "abcdefghijklmnop", string(got))
	assert.False(t, irq.Level())
	assert.Equal(t, uint8(IIRFIFO|IIRNone), rd(u, IIR))
	assert.Zero(t, rd(u, RBR), "empty FIFO reads zero")
}

func TestReceiveWithoutFIFO(t *testing.T) {
	u, _, irq := newUART()
	wr(u, IER, IERRxData)
	require.True(t, u.Receive('q'))
	assert.False(t, u.CanReceive(), "one holding byte without FIFOs")
	assert.True(t, irq.Level())
	assert.Equal(t, uint8(IIRRxData), rd(u, IIR))
	assert.Equal(t, uint8('q'), rd(u, RBR))
	assert.True(t, u.CanReceive())
	assert.False(t, irq.Level())
	assert.Equal(t, uint8('q'), rd(u, RBR), "the holding register keeps its byte")
	assert.Zero(t, rd(u, LSR)&LSRDataReady)
}

func TestTriggerLevelAndTimeout(t *testing.T) {
	u, _, _ := newUART()
	wr(u, IIR, 0x81) // FIFO on, trigger 8
	wr(u, IER, IERRxData)
	u.Receive('1')
	assert.Equal(t, uint8(IIRFIFO|IIRTimeout), rd(u, IIR), "below trigger: character timeout")
	for i := 0; i < 7; i++ {
		u.Receive('x')
	}
	assert.Equal(t, uint8(IIRFIFO|IIRRxData), rd(u, IIR))
}

func TestFCRClears(t *testing.T) {
	u, _, irq := newUART()
	wr(u, IIR, 0x01)
	wr(u, IER, IERRxData)
	u.Receive('a')
	u.Receive('b')
	wr(u, IIR, 0x03) // clear receive FIFO
	assert.Zero(t, rd(u, LSR)&LSRDataReady)
	assert.False(t, irq.Level())

	u.Receive('c')
	wr(u, IIR, 0x00) // turning FIFOs off empties them too
	assert.Zero(t, rd(u, LSR)&LSRDataReady)
	assert.Equal(t, uint8(IIRNone), rd(u, IIR), "FIFO bits clear in IIR")
}

func TestPriorityRxOverTx(t *testing.T) {
	u, _, irq := newUART()
	wr(u, IER, IERRxData|IERTxEmpty)
	u.Receive('z')
	assert.Equal(t, uint8(IIRRxData), rd(u, IIR), "receive outranks THR empty")
	assert.Equal(t, uint8(IIRRxData), rd(u, IIR), "and reading IIR did not ack THR empty")
	rd(u, RBR)
	assert.True(t, irq.Level())
	assert.Equal(t, uint8(IIRTxEmpty), rd(u, IIR))
	assert.False(t, irq.Level())
}

// New xv6 (2024+): uartintr reads ISR to acknowledge, then LSR for TX idle,
// then drains RHR.
func TestNewXv6InterruptHandler(t *testing.T) {
	u, out, irq := newUART()
	wr(u, IER, 0)
	wr(u, LCR, LCRDLAB)
	wr(u, 0, 3)
	wr(u, 1, 0)
	wr(u, LCR, 3)
	wr(u, IIR, 0x07)
	wr(u, IER, IERTxEmpty|IERRxData)

	intr := func() string {
		rd(u, IIR)
		var in []byte
		for rd(u, LSR)&LSRDataReady != 0 {
			in = append(in, rd(u, RBR))
		}
		return string(in)
	}
	assert.True(t, irq.Level())
	assert.Empty(t, intr())
	assert.False(t, irq.Level())

	wr(u, RBR, '$') // sleeps until THR-empty interrupt
	assert.True(t, irq.Level())
	intr()
	assert.False(t, irq.Level())
	u.Receive('l')
	u.Receive('s')
	assert.True(t, irq.Level())
	assert.Equal(t, "ls", intr())
	assert.False(t, irq.Level())
	assert.Equal(t, "$", out.String())
}

func TestLoopback(t *testing.T) {
	u, out, irq := newUART()
	wr(u, MCR, MCRLoop|0x0F)
	assert.Equal(t, uint8(0xF0), rd(u, MSR))
	wr(u, MCR, MCRLoop|0x01)
	assert.Equal(t, uint8(0x20), rd(u, MSR), "DTR->DSR")
	assert.False(t, u.CanReceive())
	assert.False(t, u.Receive('x'))

	wr(u, IER, IERRxData|IERLineStat)
	wr(u, RBR, 0x42)
	assert.Empty(t, out.String())
	assert.True(t, irq.Level())
	wr(u, RBR, 0x43) // no FIFO: one holding byte, so this overruns
	assert.Equal(t, uint8(IIRLine), rd(u, IIR))
	assert.Equal(t, uint8(LSROverrun|LSRDataReady|LSRTxEmpty|LSRIdle), rd(u, LSR))
	assert.Zero(t, rd(u, LSR)&LSROverrun, "reading LSR clears OE")
	assert.Equal(t, uint8(0x42), rd(u, RBR))
	assert.False(t, irq.Level())

	wr(u, MCR, 0)
	assert.Equal(t, uint8(0xB0), rd(u, MSR))
	wr(u, RBR, 'k')
	assert.Equal(t, "k", out.String())
}

func TestWideAccessAndOtherOffsets(t *testing.T) {
	u, out, _ := newUART()
	u.Write(RBR, 4, 0x12345641)
	assert.Equal(t, "A", out.String(), "only the low byte is a register value")
	u.Write(SCR, 8, 0xAB)
	assert.Equal(t, uint64(0xAB), u.Read(SCR, 4))
	u.Write(8, 1, 0xFF)
	assert.Zero(t, u.Read(8, 1))
	assert.Zero(t, u.Read(0xFF, 1))
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("broken pipe")
}

func TestWriterError(t *testing.T) {
	w := &failWriter{}
	u := New(w, nil)
	u.Write(RBR, 1, 'a')
	u.Write(RBR, 1, 'b')
	assert.EqualError(t, u.Err(), "broken pipe")
	assert.Equal(t, 2, w.n)
	assert.NotZero(t, u.Read(LSR, 1)&LSRTxEmpty)
}

func TestNilOutput(t *testing.T) {
	u := New(nil, nil)
	u.Write(RBR, 1, 'a')
	assert.NoError(t, u.Err())
}
