package batch

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress reports the batch as it goes: on a terminal, a bar redrawn in
// place (done/total, failures so far, time left) under a line per finished
// submission; otherwise only the lines.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	bar      bool
	total    int
	done     int
	resumedN int
	failed   int
	start    time.Time
	running  []string
	stop     chan struct{}
	wg       sync.WaitGroup
}

const barWidth = 30

func newProgress(w io.Writer, terminal bool, total int, start time.Time) *progress {
	p := &progress{w: w, bar: terminal && w != nil, total: total, start: start, stop: make(chan struct{})}
	if p.bar {
		// Redraw every second so the elapsed time and estimate move while
		// long submissions run.
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-p.stop:
					return
				case <-t.C:
					p.mu.Lock()
					p.draw()
					p.mu.Unlock()
				}
			}
		}()
	}
	return p
}

func (p *progress) resumed(r *Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.resumedN++
	if r.Verdict != FullMarks {
		p.failed++
	}
}

func (p *progress) started(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = append(p.running, name)
	p.draw()
}

// stopped drops a submission that was interrupted.
func (p *progress) stopped(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.remove(name)
	p.draw()
}

func (p *progress) finished(r *Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.remove(r.Submission)
	p.done++
	if r.Verdict != FullMarks {
		p.failed++
	}
	if p.w == nil {
		return
	}
	line := fmt.Sprintf("[%d/%d] %s: %d/%d %s (%.1fs)", p.done, p.total, r.Submission, r.Score, r.Possible, r.Verdict, r.WallSeconds)
	if r.Verdict != FullMarks && r.Detail != "" {
		line += ": " + r.Detail
	}
	if p.bar {
		io.WriteString(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, line)
	p.draw()
}

func (p *progress) remove(name string) {
	for i, n := range p.running {
		if n == name {
			p.running = append(p.running[:i], p.running[i+1:]...)
			return
		}
	}
}

// draw redraws the bar. The estimate assumes the submissions left take
// as long as the ones graded in this run did (resumed ones took no time).
func (p *progress) draw() {
	if !p.bar {
		return
	}
	filled := 0
	if p.total > 0 {
		filled = p.done * barWidth / p.total
	}
	elapsed := time.Since(p.start)
	left := "?"
	if n := p.done - p.resumedN; n > 0 {
		rest := time.Duration(float64(elapsed) / float64(n) * float64(p.total-p.done))
		left = rest.Round(time.Second).String()
	}
	status := fmt.Sprintf("[%s%s] %d/%d done, %d failed, %v elapsed, ~%s left",
		strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled),
		p.done, p.total, p.failed, elapsed.Round(time.Second), left)
	if len(p.running) > 0 {
		status += " (" + strings.Join(p.running, ", ") + ")"
	}
	if len(status) > 160 {
		status = status[:157] + "..."
	}
	fmt.Fprintf(p.w, "\r\033[K%s", status)
}

func (p *progress) close() {
	close(p.stop)
	p.wg.Wait()
	if p.bar {
		p.mu.Lock()
		p.draw()
		fmt.Fprintln(p.w)
		p.mu.Unlock()
	}
}
