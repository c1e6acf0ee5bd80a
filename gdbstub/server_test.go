package gdbstub

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTarget is a two-thread machine whose "instructions" just count: each
// Continue runs until pause or until a breakpoint address equals the pc of
// thread 1 after it moves by 4 per step.
type fakeTarget struct {
	regs    [2][RV64Priv + 1]uint64
	mem     [256]byte
	breaks  map[uint64]int
	killed  bool
	lastRun []bool
	exitAt  uint64 // thread 1's pc at which the machine ends; 0 never
	running atomic.Bool
	steps   int
}

func newFake() *fakeTarget {
	f := &fakeTarget{breaks: map[uint64]int{}}
	f.regs[0][RV64PC] = 0x1000
	f.regs[1][RV64PC] = 0x2000
	for i := range f.mem {
		f.mem[i] = byte(i)
	}
	return f
}

func (f *fakeTarget) Arch() *Arch  { return RV64 }
func (f *fakeTarget) Threads() int { return 2 }
func (f *fakeTarget) ReadReg(t, r int) (uint64, bool) {
	return f.regs[t][r], true
}
func (f *fakeTarget) WriteReg(t, r int, v uint64) bool { f.regs[t][r] = v; return true }
func (f *fakeTarget) ReadMem(t int, a uint64, p []byte) error {
	if a+uint64(len(p)) > uint64(len(f.mem)) {
		return fmt.Errorf("unmapped")
	}
	copy(p, f.mem[a:])
	return nil
}
func (f *fakeTarget) WriteMem(t int, a uint64, p []byte) error {
	if a+uint64(len(p)) > uint64(len(f.mem)) {
		return fmt.Errorf("unmapped")
	}
	copy(f.mem[a:], p)
	return nil
}
func (f *fakeTarget) AddBreak(k int, a, l uint64) error {
	if k > BreakHardware {
		return ErrUnsupported
	}
	f.breaks[a]++
	return nil
}
func (f *fakeTarget) RemoveBreak(k int, a, l uint64) error { delete(f.breaks, a); return nil }
func (f *fakeTarget) RemoveAllBreaks()                     { f.breaks = map[uint64]int{} }
func (f *fakeTarget) Step(t int) Event {
	f.steps++
	f.regs[t][RV64PC] += 4
	return Event{Kind: StopStep, Thread: t}
}
func (f *fakeTarget) Continue(run []bool, pause func() bool) Event {
	f.lastRun = run
	f.running.Store(true)
	defer f.running.Store(false)
	for {
		if pause() {
			return Event{Kind: StopInterrupt}
		}
		f.regs[1][RV64PC] += 4
		if f.breaks[f.regs[1][RV64PC]] > 0 {
			return Event{Kind: StopBreak, Thread: 1}
		}
		if f.exitAt != 0 && f.regs[1][RV64PC] >= f.exitAt {
			return Event{Kind: StopExited, Code: 3}
		}
		time.Sleep(time.Microsecond)
	}
}
func (f *fakeTarget) Kill() { f.killed = true }

// client is a minimal RSP client with acks on.
type client struct {
	t     *testing.T
	c     net.Conn
	r     *bufio.Reader
	noAck bool
}

func dial(t *testing.T, s *Server) *client {
	c, err := net.Dial("tcp", s.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &client{t: t, c: c, r: bufio.NewReader(c)}
}

func (c *client) send(p string) {
	fmt.Fprintf(c.c, "$%s#%02x", p, checksum([]byte(p)))
	if !c.noAck {
		b, err := c.r.ReadByte()
		require.NoError(c.t, err)
		require.Equal(c.t, byte('+'), b, "ack for %q", p)
	}
}

func (c *client) recv() string {
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		b, err := c.r.ReadByte()
		require.NoError(c.t, err)
		if b == '$' {
			break
		}
	}
	body, err := c.r.ReadString('#')
	require.NoError(c.t, err)
	body = body[:len(body)-1]
	var sum [2]byte
	_, err = c.r.Read(sum[:1])
	require.NoError(c.t, err)
	_, err = c.r.Read(sum[1:])
	require.NoError(c.t, err)
	require.Equal(c.t, fmt.Sprintf("%02x", checksum([]byte(body))), string(sum[:]), "checksum of %q", body)
	if !c.noAck {
		c.c.Write([]byte("+"))
	}
	return string(unescape([]byte(body)))
}

func (c *client) ask(p string) string {
	c.send(p)
	return c.recv()
}

func startServer(t *testing.T, f *fakeTarget, wait bool) (*Server, chan Outcome) {
	s := New(f)
	require.NoError(t, s.Listen("tcp:127.0.0.1:0"))
	done := make(chan Outcome, 1)
	go func() { done <- s.Run(wait) }()
	return s, done
}

func TestSessionPackets(t *testing.T) {
	f := newFake()
	s, done := startServer(t, f, true)
	c := dial(t, s)

	assert.Contains(t, c.ask("qSupported:multiprocess+;swbreak+"), "PacketSize=4000")
	assert.Equal(t, "OK", c.ask("QStartNoAckMode"))
	c.noAck = true
	assert.Equal(t, "T02thread:1;", c.ask("?"))
	assert.Equal(t, "m1,2", c.ask("qfThreadInfo"))
	assert.Equal(t, "l", c.ask("qsThreadInfo"))
	assert.Equal(t, "QC1", c.ask("qC"))
	assert.Equal(t, "1", c.ask("qAttached"))

	// The target description arrives in pieces and reassembles.
	var xml string
	for off := 0; ; off += 0x100 {
		r := c.ask(fmt.Sprintf("qXfer:features:read:target.xml:%x,100", off))
		xml += r[1:]
		if r[0] == 'l' {
			break
		}
		require.Equal(t, byte('m'), r[0])
	}
	assert.Equal(t, RV64.XML, xml)
	assert.Contains(t, xml, `<reg name="sepc" bitsize="64" regnum="`)

	// Registers: g has x0..x31 and pc; p reaches the rest.
	f.regs[0][5] = 0x1122334455667788
	g := c.ask("g")
	assert.Len(t, g, 33*16)
	assert.Equal(t, "8877665544332211", g[5*16:6*16])
	assert.Equal(t, "0010000000000000", g[32*16:])
	assert.Equal(t, "OK", c.ask(fmt.Sprintf("P%x=efbeadde00000000", RV64FirstCS+5)))
	assert.Equal(t, uint64(0xdeadbeef), f.regs[0][RV64FirstCS+5])
	assert.Equal(t, "efbeadde00000000", c.ask(fmt.Sprintf("p%x", RV64FirstCS+5)))
	assert.Equal(t, "E01", c.ask(fmt.Sprintf("p%x", RV64.Regs)))
	assert.Equal(t, "OK", c.ask("Hg2"))
	assert.Equal(t, "0020000000000000", c.ask("p20"))
	assert.Equal(t, "OK", c.ask("Hg1"))

	// Memory, in hex and binary (with an escaped byte).
	assert.Equal(t, "10111213", c.ask("m10,4"))
	assert.Equal(t, "E14", c.ask("mff,4"))
	assert.Equal(t, "OK", c.ask("M20,2:abcd"))
	assert.Equal(t, "OK", c.ask("X30,2:}\x03x"))
	assert.Equal(t, "abcd", c.ask("m20,2"))
	assert.Equal(t, "2378", c.ask("m30,2"))
	assert.Equal(t, "OK", c.ask("X30,0:"))

	// Breakpoints; watchpoints are the target's to refuse.
	assert.Equal(t, "OK", c.ask("Z0,2010,2"))
	assert.Equal(t, "", c.ask("Z2,40,4"))
	assert.Equal(t, "", c.ask("qUnknownThing"))

	// Step one thread, then continue to the breakpoint.
	assert.Equal(t, "vCont;c;C;s;S", c.ask("vCont?"))
	assert.Equal(t, "T05thread:1;", c.ask("vCont;s:1;c"))
	assert.Equal(t, uint64(0x1004), f.regs[0][RV64PC])
	assert.Equal(t, "T05thread:2;", c.ask("vCont;c"))
	assert.Equal(t, uint64(0x2010), f.regs[1][RV64PC])
	assert.Equal(t, "QC2", c.ask("qC"), "the stopped thread becomes current")
	assert.Nil(t, f.lastRun, "vCont;c runs every thread")
	assert.Equal(t, "OK", c.ask("Z0,2020,2"))
	assert.Equal(t, "T05thread:2;", c.ask("vCont;c:2"))
	assert.Equal(t, []bool{false, true}, f.lastRun, "vCont;c:2 runs thread 2 only")

	// Ctrl-C stops a running target.
	assert.Equal(t, "OK", c.ask("z0,2010,2"))
	c.send("c")
	require.Eventually(t, f.running.Load, 5*time.Second, time.Millisecond)
	c.c.Write([]byte{0x03})
	assert.Equal(t, "T02thread:2;", c.recv())

	c.send("k")
	assert.Equal(t, OutcomeKilled, <-done)
	assert.True(t, f.killed)
}

func TestDetachResumesAndExitReported(t *testing.T) {
	f := newFake()
	f.exitAt = 0x3000
	s, done := startServer(t, f, true)
	c := dial(t, s)
	assert.Equal(t, "OK", c.ask("Z1,8,2"))
	assert.Equal(t, "OK", c.ask("D"))
	// Detached: breakpoints are gone and the target runs to its end.
	assert.Equal(t, OutcomeExited, <-done)
	assert.Empty(t, f.breaks)
}

func TestClientAttachingStopsRunningTarget(t *testing.T) {
	f := newFake()
	f.regs[1][RV64PC] = 0
	f.exitAt = 0x4000
	s, done := startServer(t, f, false)
	require.Eventually(t, f.running.Load, 5*time.Second, time.Millisecond)
	c := dial(t, s)
	assert.Equal(t, "T02thread:1;", c.ask("?"))
	assert.False(t, f.running.Load())
	before := f.regs[1][RV64PC]
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, before, f.regs[1][RV64PC], "stopped while the client is attached")
	assert.Equal(t, "W03", c.ask("c"))
	assert.Equal(t, OutcomeExited, <-done)
}

func TestQuitAndBadChecksum(t *testing.T) {
	f := newFake()
	s, done := startServer(t, f, true)
	c := dial(t, s)
	fmt.Fprintf(c.c, "$qC#00")
	b, err := c.r.ReadByte()
	require.NoError(t, err)
	assert.Equal(t, byte('-'), b, "a bad checksum is nak'ed")
	assert.Equal(t, "QC1", c.ask("qC"))
	s.Quit()
	assert.Equal(t, OutcomeQuit, <-done)
}

func TestRV64Description(t *testing.T) {
	assert.True(t, strings.HasPrefix(RV64.XML, "<?xml"))
	assert.Equal(t, RV64Priv+1, RV64.Regs)
	for i := 0; i < RV64.Regs; i++ {
		assert.Contains(t, RV64.XML, fmt.Sprintf(`regnum="%d"`, i))
	}
	for _, n := range []string{"zero", "fp", "t6", "pc", "ft0", "ft11", "fcsr", "satp", "mhartid", "priv"} {
		assert.Contains(t, RV64.XML, fmt.Sprintf(`name="%s"`, n))
	}
}
