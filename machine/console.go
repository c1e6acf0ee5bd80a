package machine

import (
	"bytes"
	"io"
)

// consoleLog records what the guest prints, forwards it to the user's
// writer, and notices kernel panic lines.
type consoleLog struct {
	out       io.Writer
	buf       []byte
	lineStart int  // offset in buf of the line being printed
	panicked  bool // a complete line starting "panic: " was printed
	panicLine string
}

var panicPrefix = []byte("panic: ")

func (c *consoleLog) init(out io.Writer) {
	if out == nil {
		out = io.Discard
	}
	c.out = out
}

// Write receives the UART's output.
func (c *consoleLog) Write(p []byte) (int, error) {
	for _, b := range p {
		c.putc(b)
	}
	// Output errors (a closed pipe) must not stop the guest; the log keeps
	// everything regardless.
	_, _ = c.out.Write(p)
	return len(p), nil
}

func (c *consoleLog) putc(b byte) {
	c.buf = append(c.buf, b)
	if b != '\n' {
		return
	}
	line := c.buf[c.lineStart : len(c.buf)-1]
	line = bytes.TrimPrefix(line, []byte("\r"))
	if !c.panicked && bytes.HasPrefix(line, panicPrefix) {
		c.panicked = true
		c.panicLine = string(bytes.TrimRight(line, "\r"))
	}
	c.lineStart = len(c.buf)
}

// Output returns everything the guest has printed so far. The slice is
// valid until the machine runs again.
func (m *Machine) Output() []byte { return m.console.buf }

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
