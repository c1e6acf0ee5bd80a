package qemu

import (
	"fmt"
	"io"
	"os/exec"
	"sync"
)

// process is a running QEMU: its stdin, a channel of what it prints, and
// what it said on stderr.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	output chan []byte // closed at EOF
	stderr *tailBuffer
	once   sync.Once
	waited error
}

// stderrLimit bounds how much of QEMU's stderr is kept.
const stderrLimit = 4096

func start(path string, args []string) (*process, error) {
	cmd := exec.Command(path, args...)
	ownProcessGroup(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, stdin: stdin, output: make(chan []byte, 64), stderr: &tailBuffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go p.read(stdout)
	return p, nil
}

func (p *process) read(r io.Reader) {
	defer close(p.output)
	for {
		buf := make([]byte, 4096)
		n, err := r.Read(buf)
		if n > 0 {
			p.output <- buf[:n]
		}
		if err != nil {
			return
		}
	}
}

// stop kills QEMU and everything in its process group, and reaps it. The
// output channel must be drained first: exec requires all reads from the
// pipe to be done before Wait.
func (p *process) stop() {
	p.once.Do(func() {
		killGroup(p.cmd)
		_ = p.stdin.Close()
		for range p.output {
		}
		p.waited = p.cmd.Wait()
	})
}

// exitReason explains why QEMU's output ended on its own.
func (p *process) exitReason() string {
	p.stop()
	msg := "QEMU exited"
	if p.waited != nil {
		msg = fmt.Sprintf("QEMU exited (%v)", p.waited)
	}
	if s := oneLine(p.stderr.String()); s != "" {
		msg += ": " + s
	}
	return msg
}

// tailBuffer keeps the first stderrLimit bytes written to it: QEMU's first
// complaint is the useful one.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if room := stderrLimit - len(t.buf); room > 0 {
		t.buf = append(t.buf, b[:min(room, len(b))]...)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
