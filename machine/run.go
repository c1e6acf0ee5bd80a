package machine

import (
	"fmt"
	"time"
)

// StopReason says why Run returned.
type StopReason int

const (
	StopCondition   StopReason = iota // the caller's condition became true
	StopPowerOff                      // the guest wrote "pass" to the test device
	StopPowerFail                     // the guest wrote "fail" (Code holds its code)
	StopReset                         // the guest asked the test device for a reset
	StopPanic                         // the kernel printed a "panic: " line
	StopInsnBudget                    // Config.MaxInsns instructions retired
	StopTimeBudget                    // Config.MaxTicks of guest time passed
	StopIdle                          // every hart waits and nothing can wake one
	StopInterrupted                   // Interrupt was called
	StopOutputLimit                   // the guest printed more than Config.OutputLimit
	StopWallClock                     // Config.WallLimit of real time passed first
	StopTrapStorm                     // a hart traps over and over, retiring nothing
)

// Stop is the outcome of Run.
type Stop struct {
	Reason StopReason
	Code   int    // exit code for StopPowerFail
	Detail string // the panic line, what was interrupted, the storm or the wall-clock figures
}

func (s Stop) String() string {
	switch s.Reason {
	case StopCondition:
		return "condition met"
	case StopPowerOff:
		return "guest powered off"
	case StopPowerFail:
		return fmt.Sprintf("guest powered off with failure code %d", s.Code)
	case StopReset:
		return "guest requested a reset"
	case StopPanic:
		return "kernel panic: " + s.Detail
	case StopInsnBudget:
		return "instruction budget exhausted"
	case StopTimeBudget:
		return "guest time budget exhausted"
	case StopIdle:
		return "every hart is waiting and nothing can wake one (deadlock or halt)"
	case StopInterrupted:
		return "interrupted: " + s.Detail
	case StopOutputLimit:
		return "console output limit exceeded"
	case StopWallClock:
		return "wall-clock limit: " + s.Detail
	case StopTrapStorm:
		return "trap storm: " + s.Detail
	}
	return "unknown stop"
}

// Interrupt asks a running Run to return StopInterrupted with detail as
// soon as the current round ends. It is safe to call from any goroutine.
func (m *Machine) Interrupt(detail string) {
	m.interruptDetail.Store(&detail)
	m.interrupt.Store(true)
}

// Run runs the machine until until() reports true (checked between
// rounds; nil never stops), or another stop condition occurs.
func (m *Machine) Run(until func() bool) Stop {
	if m.cfg.WallLimit > 0 && m.wallStart.IsZero() {
		m.wallStart = time.Now()
	}
	defer m.console.flush()
	for {
		m.console.flush()
		if until != nil && until() {
			return Stop{Reason: StopCondition}
		}
		if s, stop := m.checkStop(); stop {
			return s
		}
		m.feedInput()
		q := m.quantum()
		n := len(m.cpus)
		first := 0
		if m.varied() {
			first = int(m.next() % uint64(n))
		}
		for k := 0; k < n; k++ {
			i := (first + k) % n
			m.runHart(i, q)
			if m.halted() || m.storm != "" {
				break
			}
		}
		m.time += (m.qfrac + q) / InsnsPerTick
		m.qfrac = (m.qfrac + q) % InsnsPerTick
		for i, h := range m.cpus {
			m.qstart[i] = h.Instret() // every hart's clock now reads m.time
		}
		m.updateTimers()
		if !m.halted() && m.allWaiting() {
			if s, stop := m.idle(); stop {
				return s
			}
		}
	}
}

// runHart gives hart i a quantum of q instructions, split at timer
// deadlines so timer interrupts arrive on time.
func (m *Machine) runHart(i int, q uint64) {
	h := m.cpus[i]
	m.cur = i
	m.qstart[i] = h.Instret()
	var done uint64
	for done < q {
		m.updateTimers()
		budget := q - done
		if until, ok := m.insnsToDeadline(i); ok && until < budget {
			budget = until
		}
		if budget == 0 {
			budget = 1
		}
		var ran uint64
		if m.debug != nil {
			ran = m.debugRun(i, budget) // breakpoints or watchpoints set
		} else {
			ran = h.Run(budget)
		}
		done += ran
		m.retired += ran
		if m.halted() || m.cpuStopped(i) {
			return
		}
		if h.Waiting() || h.Spinning() {
			// Nothing this hart does can change anything until an
			// interrupt: idle until the next deadline inside this quantum,
			// if any, moving its clock forward as if it had run that long.
			// (A spinning hart has stopped at a point of its loop, so
			// resuming later is the same as having gone round meanwhile.)
			until, ok := m.insnsToDeadline(i)
			if !ok || done+until >= q {
				return
			}
			m.qstart[i] -= until
			done += until
		}
	}
}

// insnsToDeadline returns how many instructions hart i can run before the
// next timer deadline (CLINT or Sstc) after its own clock arrives.
func (m *Machine) insnsToDeadline(i int) (uint64, bool) {
	now := m.now(i)
	d, ok := m.nextDeadline(now)
	if !ok {
		return 0, false
	}
	return (d - now) * InsnsPerTick, true
}

// nextDeadline is the earliest timer deadline of any hart after now.
func (m *Machine) nextDeadline(now uint64) (uint64, bool) {
	if m.pc != nil {
		return m.pc.nextDeadline(now)
	}
	d, ok := m.clint.NextDeadline()
	if ok && d <= now {
		ok = false
	}
	for _, h := range m.harts {
		if t, armed := h.TimerDeadline(); armed && t > now && (!ok || t < d) {
			d, ok = t, true
		}
	}
	return d, ok
}

// halted reports whether the guest has asked the test device to power off
// or reset, or a hart hit a debugger's breakpoint (the round ends there).
func (m *Machine) halted() bool {
	done, _, reset := m.powerState()
	return done || reset || m.debugHit()
}

// allWaiting reports, at the end of a round, whether no hart can change
// anything before an interrupt: each waits (WFI) or spins in a loop that
// is a fixed point. A spin found early in the round may have been broken
// by a hart that ran after it (releasing the lock it spins on), so with a
// spinning hart the round must also have been quiet: no hart's effects
// counter moved since the last round.
func (m *Machine) allWaiting() bool {
	waiting, spinning, quiet := true, false, true
	for i, h := range m.cpus {
		if e := h.Effects(); e != m.effects[i] {
			m.effects[i] = e
			quiet = false
		}
		switch {
		case h.Spinning():
			spinning = true
		case !h.Waiting():
			waiting = false
		}
	}
	return waiting && (quiet || !spinning)
}

// idle handles a round after which every hart waits: skip time to the next
// deadline (at once, or in real time with Realtime), wait for interactive
// input, or stop.
func (m *Machine) idle() (Stop, bool) {
	if len(m.input) > 0 && m.uart.CanReceive() {
		return Stop{}, false
	}
	d, ok := m.nextDeadline(m.time)
	switch {
	case m.cfg.Realtime && (ok || m.hostInput != nil):
		m.sleep(d, ok)
	case ok:
		m.time = d
	case m.hostInput != nil:
		m.waitInput(idlePoll)
	case m.retired != m.idleSince:
		// Nothing can wake a hart as things stand, but the caller's
		// condition has not seen this state yet (it may type input).
		// Give it one more round before calling the machine idle.
		m.idleSince = m.retired
		return Stop{}, false
	default:
		return Stop{Reason: StopIdle}, true
	}
	m.updateTimers()
	return Stop{}, false
}

// idlePoll bounds how long an idle machine blocks, so Interrupt is noticed.
const idlePoll = 100 * time.Millisecond

// sleep lets wall-clock time pass while every hart waits, until the
// deadline d (if ok), input arrives, or idlePoll passes; guest time
// advances by the time slept.
func (m *Machine) sleep(d uint64, ok bool) {
	limit := idlePoll
	if ok {
		limit = min(limit, time.Duration((d-m.time)*uint64(time.Second)/Timebase))
	}
	start := time.Now()
	m.waitInput(limit)
	slept := uint64(time.Since(start)) * Timebase / uint64(time.Second)
	m.time += slept
	if ok && m.time > d {
		m.time = d
	}
}

// waitInput blocks until interactive input arrives or limit passes.
func (m *Machine) waitInput(limit time.Duration) {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case b, open := <-m.hostInput:
		if !open {
			m.hostInput = nil
		}
		m.input = append(m.input, b...)
	case <-t.C:
	}
}

// checkStop reports stop conditions that hold between rounds.
func (m *Machine) checkStop() (Stop, bool) {
	if m.interrupt.Load() {
		m.interrupt.Store(false)
		detail := ""
		if p := m.interruptDetail.Load(); p != nil {
			detail = *p
		}
		return Stop{Reason: StopInterrupted, Detail: detail}, true
	}
	switch done, code, reset := m.powerState(); {
	case reset:
		return Stop{Reason: StopReset}, true
	case done && code == 0:
		return Stop{Reason: StopPowerOff}, true
	case done:
		return Stop{Reason: StopPowerFail, Code: code}, true
	}
	if m.storm != "" {
		return Stop{Reason: StopTrapStorm, Detail: m.storm}, true
	}
	if m.console.panicked {
		return Stop{Reason: StopPanic, Detail: m.console.panicLine}, true
	}
	if m.console.total > int64(m.cfg.OutputLimit) {
		return Stop{Reason: StopOutputLimit}, true
	}
	if m.cfg.MaxInsns != 0 && m.retired >= m.cfg.MaxInsns {
		return Stop{Reason: StopInsnBudget}, true
	}
	if m.cfg.MaxTicks != 0 && m.time >= m.cfg.MaxTicks {
		return Stop{Reason: StopTimeBudget}, true
	}
	if m.cfg.WallLimit > 0 {
		if wall := time.Since(m.wallStart); wall >= m.cfg.WallLimit {
			return Stop{Reason: StopWallClock, Detail: m.wallDetail(wall)}, true
		}
	}
	return Stop{}, false
}

// wallDetail explains a wall-clock stop with the figures a user needs to
// tell a hung host from a guest that needs more time than it was given.
func (m *Machine) wallDetail(wall time.Duration) string {
	guest := float64(m.time) / Timebase
	msg := fmt.Sprintf("the guest was still running at %.2f s of guest time after %.1f s of wall time",
		guest, wall.Seconds())
	if m.cfg.MaxTicks != 0 {
		msg += fmt.Sprintf(" (the host could not reach the guest-time limit of %.2f s in time)",
			float64(m.cfg.MaxTicks)/Timebase)
	}
	return msg
}

// quantum returns this round's quantum: fixed when !m.varied(), otherwise
// drawn from [q/4, 2q) for the board's quantum q.
func (m *Machine) quantum() uint64 {
	q := uint64(DefaultQuantum)
	if m.pc != nil {
		q = pcQuantum
	}
	if !m.varied() {
		return q
	}
	lo := q / 4
	return lo + m.next()%(2*q-lo)
}

// varied reports whether rounds draw their quantum and their first hart
// from the xorshift stream. With a seed they always do. Without one the
// virt board still does, from the stream seed 0 starts, because equal
// fixed quanta hide lock contention: harts running the same loop keep the
// same distance apart for ever, and when that distance is wrong a hart
// never reaches a lock another one holds at the end of its quantum.
// MIT's lock lab measures exactly that contention (its starter code got
// 792 bcache test-and-sets with a fixed 4096, against 5.7M on QEMU; 83K to
// 99K with seeds 1-7; its solutions 0 with every schedule and on QEMU).
// The pc board keeps the fixed schedule for seed 0: a CPU that wakes
// another must not run far ahead of it (see pcQuantum), and no x86 lab
// measures contention.
func (m *Machine) varied() bool {
	return m.cfg.Seed != 0 || m.pc == nil
}

// next steps the xorshift64 generator behind --seed.
func (m *Machine) next() uint64 {
	m.rng ^= m.rng << 13
	m.rng ^= m.rng >> 7
	m.rng ^= m.rng << 17
	return m.rng
}
