package machine

import (
	"bytes"
	"io"
)

// consoleLog records what the guest prints: it streams every byte to the
// user's writer, keeps only the last bytes in memory, and notices kernel
// panic lines. Its memory is bounded whatever the guest prints.
type consoleLog struct {
	out      io.Writer
	pending  []byte // printed but not yet handed to out
	tail     []byte // the last bytes printed: up to 2*tailSize of them
	tailSize int
	total    int64 // bytes printed since boot

	line      []byte // the start of the line being printed, up to maxLine bytes
	panicked  bool   // a complete line starting "panic: " was printed
	panicLine string
}

// maxLine bounds how much of one line panic detection keeps: a panic
// message is short, and a line without end must not grow without end.
const maxLine = 512

// flushAt is how many pending bytes make Write hand them to out at once,
// rather than at the end of the round.
const flushAt = 64 << 10

// DefaultConsoleTail is how much of the console a machine keeps in memory
// when Config.ConsoleTail is 0.
const DefaultConsoleTail = 1 << 20

var panicPrefix = []byte("panic: ")

// IsPanicLine reports whether a console line is a kernel panic's: it
// starts "panic: " (xv6-riscv), or "panic: " follows the CPU's name, as
// classic x86 xv6 prints it ("lapicid 1: panic: ..." or "cpu1: panic: ...").
func IsPanicLine(line []byte) bool {
	if bytes.HasPrefix(line, panicPrefix) {
		return true
	}
	i := bytes.Index(line, []byte(": panic: "))
	if i < 0 {
		return false
	}
	who := line[:i]
	switch {
	case bytes.HasPrefix(who, []byte("lapicid ")):
		who = who[len("lapicid "):]
	case bytes.HasPrefix(who, []byte("cpu")):
		who = who[len("cpu"):]
	default:
		return false
	}
	if len(who) == 0 {
		return false
	}
	for _, b := range who {
		if b < '0' || b > '9' {
			return false
		}
	}
	return true
}

func (c *consoleLog) init(out io.Writer, tailSize int) {
	if out == nil {
		out = io.Discard
	}
	c.out = out
	c.tailSize = tailSize
}

// Write receives the UART's output (often a byte at a time). It is
// handed on to out in batches: at the end of each round, and whenever
// flushAt bytes are waiting, so a guest printing a byte at a time does not
// cost a host write per byte.
func (c *consoleLog) Write(p []byte) (int, error) {
	for _, b := range p {
		c.putc(b)
	}
	c.total += int64(len(p))
	c.tail = append(c.tail, p...)
	if len(c.tail) > 2*c.tailSize {
		c.tail = c.tail[:copy(c.tail, c.tail[len(c.tail)-c.tailSize:])]
	}
	c.pending = append(c.pending, p...)
	if len(c.pending) >= flushAt {
		c.flush()
	}
	return len(p), nil
}

// flush hands pending output to out. Output errors (a closed pipe) must
// not stop the guest; the tail and the verdict do not depend on them.
func (c *consoleLog) flush() {
	if len(c.pending) == 0 {
		return
	}
	_, _ = c.out.Write(c.pending)
	c.pending = c.pending[:0]
}

func (c *consoleLog) putc(b byte) {
	if b != '\n' {
		if len(c.line) < maxLine {
			c.line = append(c.line, b)
		}
		return
	}
	line := bytes.TrimPrefix(c.line, []byte("\r"))
	if !c.panicked && IsPanicLine(line) {
		c.panicked = true
		c.panicLine = string(bytes.TrimRight(line, "\r"))
	}
	c.line = c.line[:0]
}

// Output returns the end of what the guest has printed: all of it while it
// is shorter than Config.ConsoleTail, at least the last ConsoleTail bytes
// after that (everything went to Config.Console as it was printed). The
// slice is valid until the machine runs again.
func (m *Machine) Output() []byte { return m.console.tail }

// OutputTotal returns how many bytes the guest has printed since boot.
func (m *Machine) OutputTotal() int64 { return m.console.total }

// OutputSince returns what the guest printed after the first off bytes,
// as far as the machine still holds it, and the offset to ask from next
// time. A caller that asks after every Run round misses nothing: a round
// prints far less than the tail holds.
func (m *Machine) OutputSince(off int64) ([]byte, int64) {
	c := &m.console
	n := c.total - off
	if n <= 0 {
		return nil, c.total
	}
	n = min(n, int64(len(c.tail)))
	return c.tail[int64(len(c.tail))-n:], c.total
}

// Type queues bytes as if typed on the console; the UART receives them as
// fast as the guest reads them.
func (m *Machine) Type(s string) { m.input = append(m.input, s...) }

// HostInput makes ch a source of interactive input. Bytes received on it
// are typed between rounds; while every hart waits and no timer is armed the
// run loop blocks on ch instead of stopping as idle.
func (m *Machine) HostInput(ch chan []byte) { m.hostInput = ch }

// feedInput moves queued input into the UART's receive FIFO while it has
// room.
func (m *Machine) feedInput() {
	if m.hostInput != nil {
	drain:
		for {
			select {
			case b, ok := <-m.hostInput:
				if !ok {
					m.hostInput = nil
					break drain
				}
				m.input = append(m.input, b...)
			default:
				break drain
			}
		}
	}
	n := 0
	for n < len(m.input) && m.uart.CanReceive() {
		m.uart.Receive(m.input[n])
		n++
	}
	if n > 0 {
		m.input = m.input[n:]
	}
}
