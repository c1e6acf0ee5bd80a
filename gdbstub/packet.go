package gdbstub

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// This file owns the wire format: $data#checksum framing, acks, the
// binary escape, and the out-of-band Ctrl-C byte.

// interruptPacket stands for a Ctrl-C byte in the stream of packets.
const interruptPacket = "\x03"

// reader splits a client's byte stream into packets, acknowledging each
// as long as acks are on. It runs in its own goroutine.
type reader struct {
	r     *bufio.Reader
	w     *writer
	noAck bool
}

// next returns the next packet's payload (unescaped), or interruptPacket.
func (rd *reader) next() (string, error) {
	for {
		c, err := rd.r.ReadByte()
		if err != nil {
			return "", err
		}
		switch c {
		case 0x03:
			return interruptPacket, nil
		case '$':
		default:
			continue // acks, naks and noise between packets
		}
		var body []byte
		for {
			c, err = rd.r.ReadByte()
			if err != nil {
				return "", err
			}
			if c == '#' {
				break
			}
			body = append(body, c)
		}
		var sum [2]byte
		if _, err := io.ReadFull(rd.r, sum[:]); err != nil {
			return "", err
		}
		want, err := strconv.ParseUint(string(sum[:]), 16, 8)
		if err != nil || byte(want) != checksum(body) {
			if !rd.noAck {
				rd.w.raw("-")
			}
			continue
		}
		if !rd.noAck {
			rd.w.raw("+")
		}
		p := string(unescape(body))
		if p == "QStartNoAckMode" {
			// Acked above; from the reply on neither side acks.
			rd.noAck = true
		}
		return p, nil
	}
}

func checksum(b []byte) byte {
	var s byte
	for _, c := range b {
		s += c
	}
	return s
}

// unescape undoes the binary escape (0x7d then the byte xor 0x20) and
// run-length encoding, which a client may use in any packet.
func unescape(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '}' && i+1 < len(b):
			i++
			out = append(out, b[i]^0x20)
		case b[i] == '*' && i+1 < len(b) && len(out) > 0:
			i++
			n := int(b[i]) - 29
			last := out[len(out)-1]
			for ; n > 0; n-- {
				out = append(out, last)
			}
		default:
			out = append(out, b[i])
		}
	}
	return out
}

// writer serializes writes to the client: the reader's acks and the
// server's replies come from different goroutines.
type writer struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *writer) raw(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = io.WriteString(w.w, s)
}

// packet sends data as one packet, escaping the bytes that framing uses.
func (w *writer) packet(data string) {
	var b strings.Builder
	b.Grow(len(data) + 4)
	b.WriteByte('$')
	var sum byte
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '$' || c == '#' || c == '}' || c == '*' {
			b.WriteByte('}')
			sum += '}'
			c ^= 0x20
		}
		b.WriteByte(c)
		sum += c
	}
	fmt.Fprintf(&b, "#%02x", sum)
	w.raw(b.String())
}
