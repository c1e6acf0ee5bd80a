// Package gdbstub serves the GDB remote serial protocol over TCP for an
// emulated machine, as QEMU's -gdb option does: registers, memory through
// the CPU's MMU, software and hardware breakpoints, watchpoints, one thread
// per CPU, all-stop execution control, Ctrl-C, and no-ack mode.
//
// The package knows nothing about boards. A Target (implemented by the
// machine) does the work; Server owns the connection and the run/stop
// state, and calls the Target from one goroutine only: the one running
// Server.Run, which is also the goroutine that runs the machine. So the
// machine needs no locks.
package gdbstub

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
)

// Arch describes a target's registers for the client.
type Arch struct {
	XML      string // target description (qXfer:features:read:target.xml)
	Regs     int    // registers numbered 0..Regs-1
	GRegs    int    // the first GRegs of them travel in the g packet
	RegBytes int    // every register's size, little-endian
	// Sizes, when set, gives register r's size instead (an i386 x87
	// register is 10 bytes); a Target reads and writes only the registers
	// of up to 8 bytes.
	Sizes []int
	PC    int // the register gdb resumes at (c ADDR); 0 means GRegs-1
}

// size returns register r's size in bytes.
func (a *Arch) size(r int) int {
	if r < len(a.Sizes) {
		return a.Sizes[r]
	}
	return a.RegBytes
}

// Break kinds, numbered as Z packets number them.
const (
	BreakSoftware = 0
	BreakHardware = 1
	WatchWrite    = 2
	WatchRead     = 3
	WatchAccess   = 4
)

// StopKind says why the target stopped.
type StopKind int

const (
	StopBreak     StopKind = iota // a breakpoint at the thread's pc
	StopWatch                     // a watchpoint: Addr and Watch say which
	StopStep                      // a single step finished
	StopInterrupt                 // Continue's pause function asked to stop
	StopExited                    // the machine ended; it cannot run again
)

// Event is a stop.
type Event struct {
	Kind   StopKind
	Thread int    // 0-based CPU index
	Addr   uint64 // StopWatch: the watched address that was accessed
	Watch  int    // StopWatch: WatchWrite, WatchRead or WatchAccess
	Code   int    // StopExited: exit status
}

// Target is the machine under debug. Threads are 0-based CPU indexes.
// Every method is called from the goroutine running Server.Run.
type Target interface {
	Arch() *Arch
	Threads() int
	ReadReg(thread, reg int) (uint64, bool)
	WriteReg(thread, reg int, v uint64) bool
	ReadMem(thread int, addr uint64, p []byte) error
	WriteMem(thread int, addr uint64, p []byte) error
	AddBreak(kind int, addr, length uint64) error
	RemoveBreak(kind int, addr, length uint64) error
	RemoveAllBreaks()
	// Step executes one instruction of thread while the others stay put.
	Step(thread int) Event
	// Continue runs the threads run selects (all when nil; the others
	// stay stopped) until a breakpoint or watchpoint hits, the machine
	// ends, or pause() (polled often) reports true.
	Continue(run []bool, pause func() bool) Event
	Kill()
}

// Outcome is how Server.Run ended.
type Outcome int

const (
	OutcomeExited Outcome = iota // the machine ended by itself
	OutcomeKilled                // the debugger sent k
	OutcomeQuit                  // Quit was called
)

// packetSize is the largest packet we accept and advertise.
const packetSize = 0x4000

// Server is one machine's debug server. At most one client is attached at
// a time; another connection while one is attached is closed at once.
type Server struct {
	t    Target
	arch *Arch
	ln   net.Listener

	conns       chan net.Conn
	connPending atomic.Bool
	quit        chan struct{}
	quitting    atomic.Bool
	reqs        chan func()
	reqPending  atomic.Int32
	resumeReq   bool         // Resume was called: leave the -S wait (Run's goroutine only)
	goneGen     atomic.Int64 // the last client (by gen) to close its connection
	gen         int64        // the attached client's number, from 1

	// The attached client, if any.
	conn    net.Conn
	out     *writer
	pkts    chan string // closed when the client goes away
	gThread int         // thread for g, p, m: the last one to stop
	only    []bool      // the threads the next resume runs; nil for all
	last    Event       // the last stop, for '?'

	// Log receives notes for the user (stderr); nil discards them.
	Log io.Writer
}

// New returns a server for t with no listener yet.
func New(t Target) *Server {
	return &Server{
		t:     t,
		arch:  t.Arch(),
		conns: make(chan net.Conn, 1),
		quit:  make(chan struct{}),
		reqs:  make(chan func(), 16),
		last:  Event{Kind: StopInterrupt},
	}
}

// Listen accepts debugger connections on addr, in QEMU's forms
// ("tcp::1234", "tcp:host:1234", ":1234", "1234").
func (s *Server) Listen(addr string) error {
	addr = strings.TrimPrefix(addr, "tcp:")
	if !strings.Contains(addr, ":") {
		addr = ":" + addr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("gdbstub: %w", err)
	}
	s.ln = ln
	go s.accept()
	return nil
}

// Addr returns the listening address, nil before Listen.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

func (s *Server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		select {
		case s.conns <- c:
			s.connPending.Store(true)
		default:
			c.Close() // one client at a time
		}
	}
}

// Quit makes Run return OutcomeQuit soon. Safe from any goroutine.
func (s *Server) Quit() {
	if s.quitting.CompareAndSwap(false, true) {
		close(s.quit)
	}
}

// Do runs f on Run's goroutine at the next point where the machine is
// stopped or between two of its slices, so f may use the machine. Safe from
// any goroutine; it does not wait for f.
func (s *Server) Do(f func()) {
	s.reqPending.Add(1)
	s.reqs <- f
}

func (s *Server) runRequests() {
	for {
		select {
		case f := <-s.reqs:
			s.reqPending.Add(-1)
			f()
		default:
			return
		}
	}
}

// Resume lets a machine that waits for a debugger (Run's waitForDebugger)
// run without one, as QEMU's monitor command 'c' does. Safe from any
// goroutine.
func (s *Server) Resume() { s.Do(func() { s.resumeReq = true }) }

// pause is Continue's question: is there a reason to stop the machine?
func (s *Server) pause() bool {
	return s.quitting.Load() || s.connPending.Load() || s.gone() || s.reqPending.Load() > 0 ||
		(s.pkts != nil && len(s.pkts) > 0)
}

// Run drives the target until it ends, is killed, or Quit is called. With
// waitForDebugger (QEMU's -S) the machine stays stopped until a client
// attaches and continues it. A client attaching to a running machine stops
// it, as on QEMU.
func (s *Server) Run(waitForDebugger bool) Outcome {
	defer s.closeAll()
	stopped := waitForDebugger
	for {
		s.runRequests()
		if s.quitting.Load() {
			return OutcomeQuit
		}
		if s.resumeReq {
			s.resumeReq = false
			stopped = stopped && s.conn != nil
		}
		if !stopped {
			ev := s.t.Continue(s.only, s.pause)
			switch ev.Kind {
			case StopExited:
				if s.out != nil {
					s.out.packet(fmt.Sprintf("W%02x", ev.Code&0xFF))
				}
				return OutcomeExited
			case StopInterrupt:
				if s.gone() && len(s.pkts) == 0 {
					s.detach()
				}
				if s.connPending.Load() {
					stopped = true // the new client will ask '?'
					s.last = Event{Kind: StopInterrupt, Thread: s.gThread}
				} else if s.pkts != nil && len(s.pkts) > 0 {
					stopped = true
					// A Ctrl-C is answered with the stop; anything else
					// (a client that does not wait) is handled below.
					if p := <-s.pkts; p == interruptPacket {
						s.stopped(Event{Kind: StopInterrupt, Thread: s.gThread})
					} else if s.handle(p, &stopped) {
						return OutcomeKilled
					}
				}
			default:
				s.stopped(ev)
				stopped = true
			}
			continue
		}
		select {
		case c := <-s.conns:
			s.attach(c)
		case p, ok := <-s.pkts:
			if !ok {
				// The client went away without detaching: carry on, as a
				// machine with no debugger does.
				s.detach()
				s.only = nil
				stopped = false
				continue
			}
			if s.handle(p, &stopped) {
				return OutcomeKilled
			}
		case <-s.quit:
		case f := <-s.reqs:
			s.reqPending.Add(-1)
			f()
			if s.resumeReq && s.conn == nil {
				s.resumeReq = false
				stopped = false
			}
		}
	}
}

// attach makes c the client, replacing none (a second one was refused).
func (s *Server) attach(c net.Conn) {
	s.connPending.Store(false)
	if s.conn != nil {
		c.Close()
		return
	}
	s.conn = c
	s.out = &writer{w: c}
	s.pkts = make(chan string, 64)
	rd := &reader{r: bufio.NewReader(c), w: s.out}
	pkts := s.pkts
	s.gen++
	gen := s.gen
	go func() {
		defer s.goneGen.Store(gen)
		defer close(pkts)
		for {
			p, err := rd.next()
			if err != nil {
				return
			}
			pkts <- p
		}
	}()
}

// gone reports whether the attached client has closed its connection.
func (s *Server) gone() bool { return s.conn != nil && s.goneGen.Load() == s.gen }

// detach forgets the client and its breakpoints.
func (s *Server) detach() {
	s.t.RemoveAllBreaks()
	if s.conn != nil {
		s.conn.Close()
	}
	s.conn, s.out, s.pkts = nil, nil, nil
}

func (s *Server) closeAll() {
	if s.conn != nil {
		s.conn.Close()
	}
	if s.ln != nil {
		s.ln.Close()
	}
}

// stopped records ev and reports it to the client.
func (s *Server) stopped(ev Event) {
	s.last = ev
	s.gThread = ev.Thread
	if s.out != nil {
		s.out.packet(s.stopReply(ev))
	}
}

func (s *Server) stopReply(ev Event) string {
	tid := ev.Thread + 1
	switch ev.Kind {
	case StopExited:
		return fmt.Sprintf("W%02x", ev.Code&0xFF)
	case StopInterrupt:
		return fmt.Sprintf("T02thread:%x;", tid)
	case StopWatch:
		name := map[int]string{WatchWrite: "watch", WatchRead: "rwatch", WatchAccess: "awatch"}[ev.Watch]
		return fmt.Sprintf("T05%s:%x;thread:%x;", name, ev.Addr, tid)
	}
	return fmt.Sprintf("T05thread:%x;", tid)
}

// handle answers one packet while the machine is stopped. It clears
// *stopped for packets that resume the machine and reports true for k.
func (s *Server) handle(p string, stopped *bool) (killed bool) {
	reply := func(r string) { s.out.packet(r) }
	switch {
	case p == interruptPacket:
		// Already stopped: nothing to interrupt.
	case p == "?":
		reply(s.stopReply(s.last))
	case strings.HasPrefix(p, "qSupported"):
		reply(fmt.Sprintf("PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;vContSupported+", packetSize))
	case p == "QStartNoAckMode":
		reply("OK")
	case strings.HasPrefix(p, "qXfer:features:read:"):
		reply(s.xferFeatures(strings.TrimPrefix(p, "qXfer:features:read:")))
	case p == "qfThreadInfo":
		ids := make([]string, s.t.Threads())
		for i := range ids {
			ids[i] = strconv.FormatInt(int64(i+1), 16)
		}
		reply("m" + strings.Join(ids, ","))
	case p == "qsThreadInfo":
		reply("l")
	case p == "qC":
		reply(fmt.Sprintf("QC%x", s.gThread+1))
	case strings.HasPrefix(p, "qAttached"):
		reply("1")
	case strings.HasPrefix(p, "qThreadExtraInfo,"):
		t, ok := s.thread(strings.TrimPrefix(p, "qThreadExtraInfo,"))
		if !ok {
			reply("E01")
			break
		}
		reply(hex.EncodeToString([]byte(fmt.Sprintf("CPU#%d", t))))
	case p == "qSymbol::":
		reply("OK")
	case strings.HasPrefix(p, "H"):
		if len(p) < 2 {
			reply("E01")
			break
		}
		t, ok := s.thread(p[2:])
		if !ok {
			reply("E01")
			break
		}
		if p[1] == 'g' && t >= 0 {
			s.gThread = t
		}
		reply("OK")
	case strings.HasPrefix(p, "T"):
		if t, ok := s.thread(p[1:]); ok && t >= 0 {
			reply("OK")
		} else {
			reply("E01")
		}
	case p == "g":
		reply(s.readRegs())
	case strings.HasPrefix(p, "G"):
		reply(s.writeRegs(p[1:]))
	case strings.HasPrefix(p, "p"):
		reply(s.readReg(p[1:]))
	case strings.HasPrefix(p, "P"):
		reply(s.writeReg(p[1:]))
	case strings.HasPrefix(p, "m"):
		reply(s.readMem(p[1:]))
	case strings.HasPrefix(p, "M"):
		reply(s.writeMem(p[1:], false))
	case strings.HasPrefix(p, "X"):
		reply(s.writeMem(p[1:], true))
	case strings.HasPrefix(p, "Z"), strings.HasPrefix(p, "z"):
		reply(s.breakpoint(p))
	case p == "vCont?":
		reply("vCont;c;C;s;S")
	case strings.HasPrefix(p, "vCont;"):
		s.vCont(p[len("vCont;"):], stopped)
	case p == "c" || strings.HasPrefix(p, "c") || strings.HasPrefix(p, "C"):
		if p[0] == 'c' && len(p) > 1 {
			s.setPC(s.gThread, p[1:])
		}
		s.only = nil
		*stopped = false
	case p == "s" || strings.HasPrefix(p, "s") || strings.HasPrefix(p, "S"):
		if p[0] == 's' && len(p) > 1 {
			s.setPC(s.gThread, p[1:])
		}
		s.stopped(s.t.Step(s.gThread))
	case p == "k" || strings.HasPrefix(p, "vKill"):
		if strings.HasPrefix(p, "vKill") {
			reply("OK")
		}
		s.t.Kill()
		return true
	case strings.HasPrefix(p, "D"):
		reply("OK")
		s.detach()
		s.only = nil
		*stopped = false
	default:
		reply("") // not supported
	}
	return false
}

// thread parses a thread id: -1 means all, 0 any (the current one).
func (s *Server) thread(f string) (int, bool) {
	if f == "-1" {
		return -1, true
	}
	n, err := strconv.ParseUint(f, 16, 32)
	if err != nil || int(n) > s.t.Threads() {
		return 0, false
	}
	if n == 0 {
		return s.gThread, true
	}
	return int(n) - 1, true
}

// vCont resumes with per-thread actions. A step action for any thread
// steps only that one (the others stay stopped, as with QEMU's default of
// no interrupts or timers while stepping). Otherwise the threads with a
// continue action run and the rest stay stopped, as gdb expects when it
// runs one thread for a function call ("vCont;c:2").
func (s *Server) vCont(actions string, stopped *bool) {
	n := s.t.Threads()
	run := make([]bool, n)
	all := false
	for _, a := range strings.Split(actions, ";") {
		act, tid, _ := strings.Cut(a, ":")
		if act == "" {
			continue
		}
		t := -1
		if tid != "" {
			if id, ok := s.thread(tid); ok {
				t = id
			}
		}
		switch act[0] {
		case 's', 'S':
			if t < 0 {
				t = s.gThread
			}
			s.stopped(s.t.Step(t))
			return
		case 'c', 'C':
			if t < 0 {
				all = true
			} else {
				run[t] = true
			}
		}
	}
	s.only = run
	if all {
		s.only = nil
	}
	*stopped = false
}

func (s *Server) setPC(t int, addr string) {
	if a, err := strconv.ParseUint(addr, 16, 64); err == nil {
		s.t.WriteReg(t, s.pcReg(), a)
	}
}

// pcReg is the register gdb resumes at: on RISC-V right after the
// general registers, on i386 among them.
func (s *Server) pcReg() int {
	if s.arch.PC != 0 {
		return s.arch.PC
	}
	return s.arch.GRegs - 1
}

func (s *Server) xferFeatures(args string) string {
	annex, rng, ok := strings.Cut(args, ":")
	if !ok || annex != "target.xml" {
		return "E00"
	}
	off, length, ok := parsePair(rng)
	if !ok {
		return "E01"
	}
	doc := s.arch.XML
	if off >= uint64(len(doc)) {
		return "l"
	}
	end := min(uint64(len(doc)), off+length)
	if end == uint64(len(doc)) {
		return "l" + doc[off:end]
	}
	return "m" + doc[off:end]
}

// parsePair parses "addr,length" in hex.
func parsePair(f string) (a, b uint64, ok bool) {
	x, y, found := strings.Cut(f, ",")
	if !found {
		return 0, 0, false
	}
	a, err1 := strconv.ParseUint(x, 16, 64)
	b, err2 := strconv.ParseUint(y, 16, 64)
	return a, b, err1 == nil && err2 == nil
}

func (s *Server) encodeReg(r int, v uint64) string {
	var buf [16]byte
	n := min(s.arch.size(r), len(buf))
	for i := 0; i < n && i < 8; i++ {
		buf[i] = byte(v >> (8 * i))
	}
	return hex.EncodeToString(buf[:n])
}

func (s *Server) decodeReg(r int, h string) (uint64, bool) {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != s.arch.size(r) || len(b) > 8 {
		return 0, false
	}
	var v uint64
	for i, c := range b {
		v |= uint64(c) << (8 * i)
	}
	return v, true
}

func (s *Server) readRegs() string {
	var b strings.Builder
	for r := 0; r < s.arch.GRegs; r++ {
		v, ok := s.t.ReadReg(s.gThread, r)
		if !ok {
			b.WriteString(strings.Repeat("xx", s.arch.size(r)))
			continue
		}
		b.WriteString(s.encodeReg(r, v))
	}
	return b.String()
}

func (s *Server) writeRegs(h string) string {
	for r, off := 0, 0; r < s.arch.GRegs; r++ {
		n := 2 * s.arch.size(r)
		if off+n > len(h) {
			break
		}
		if v, ok := s.decodeReg(r, h[off:off+n]); ok {
			s.t.WriteReg(s.gThread, r, v)
		}
		off += n
	}
	return "OK"
}

func (s *Server) readReg(f string) string {
	r, err := strconv.ParseUint(f, 16, 32)
	if err != nil || int(r) >= s.arch.Regs {
		return "E01"
	}
	if s.arch.size(int(r)) > 8 {
		// Too wide for a Target to hold: unavailable, which gdb shows
		// as such rather than failing the whole command.
		return strings.Repeat("xx", s.arch.size(int(r)))
	}
	v, ok := s.t.ReadReg(s.gThread, int(r))
	if !ok {
		return "E01"
	}
	return s.encodeReg(int(r), v)
}

func (s *Server) writeReg(f string) string {
	num, val, ok := strings.Cut(f, "=")
	r, err := strconv.ParseUint(num, 16, 32)
	if !ok || err != nil || int(r) >= s.arch.Regs {
		return "E01"
	}
	v, ok := s.decodeReg(int(r), val)
	if !ok || !s.t.WriteReg(s.gThread, int(r), v) {
		return "E01"
	}
	return "OK"
}

func (s *Server) readMem(f string) string {
	addr, n, ok := parsePair(f)
	if !ok {
		return "E01"
	}
	n = min(n, packetSize/2-8)
	buf := make([]byte, n)
	if err := s.t.ReadMem(s.gThread, addr, buf); err != nil {
		return "E14"
	}
	return hex.EncodeToString(buf)
}

func (s *Server) writeMem(f string, binary bool) string {
	head, data, ok := strings.Cut(f, ":")
	addr, n, ok2 := parsePair(head)
	if !ok || !ok2 {
		return "E01"
	}
	var buf []byte
	if binary {
		buf = []byte(data) // unescaped by the reader
	} else {
		var err error
		if buf, err = hex.DecodeString(data); err != nil {
			return "E01"
		}
	}
	if uint64(len(buf)) != n {
		return "E01"
	}
	if n == 0 {
		return "OK"
	}
	if err := s.t.WriteMem(s.gThread, addr, buf); err != nil {
		return "E14"
	}
	return "OK"
}

func (s *Server) breakpoint(p string) string {
	fields := strings.Split(p[1:], ",")
	if len(fields) < 3 {
		return "E01"
	}
	kind, err1 := strconv.Atoi(fields[0])
	addr, err2 := strconv.ParseUint(fields[1], 16, 64)
	length, err3 := strconv.ParseUint(strings.SplitN(fields[2], ";", 2)[0], 16, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return "E01"
	}
	if kind < BreakSoftware || kind > WatchAccess {
		return ""
	}
	var err error
	if p[0] == 'Z' {
		err = s.t.AddBreak(kind, addr, length)
	} else {
		err = s.t.RemoveBreak(kind, addr, length)
	}
	if errors.Is(err, ErrUnsupported) {
		return ""
	}
	if err != nil {
		return "E01"
	}
	return "OK"
}

// ErrUnsupported is what a Target returns for a break kind it lacks.
var ErrUnsupported = errors.New("gdbstub: not supported")
