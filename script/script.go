// Package script plays a list of shell commands against a console, as
// gradelib's shell_script does. The grader's backends and the machine's
// RunScript (behind `xv6emu run` and piped `xv6emu boot`) share it, so a
// command is typed at the same moment whether a session is graded or run.
package script

import (
	"bytes"
	"fmt"
)

// DefaultPrompt is the xv6 shell's prompt.
const DefaultPrompt = "$ "

// Session plays a shell script against a console the way gradelib's
// shell_script does: each time the prompt appears in output not yet seen,
// everything so far counts as consumed and the next command is typed; once
// the prompt is back after the last command, the session is over.
//
// A session holds no copy of the console: only the few bytes a prompt
// split across two chunks of output needs, so a guest that prints without
// end cannot make it grow.
type Session struct {
	commands []string
	prompt   []byte
	typed    int    // commands typed so far
	carry    []byte // unconsumed output's last len(prompt)-1 bytes
	window   []byte // scratch: carry + the new chunk's head
	fed      int    // console length Step has passed to Feed
	done     bool
}

// New returns a session that types commands at prompt ("" means
// DefaultPrompt).
func New(commands []string, prompt string) *Session {
	if prompt == "" {
		prompt = DefaultPrompt
	}
	return &Session{commands: commands, prompt: []byte(prompt)}
}

// Feed looks at the output printed since the previous call and returns the
// text to type now, if any, and whether the session is over. At most one
// command is typed per call, however many prompts the chunk holds: like
// gradelib, a prompt counts only in output that arrived after the last
// command was typed.
func (s *Session) Feed(p []byte) (input string, done bool) {
	if s.done || len(p) == 0 {
		return "", s.done
	}
	if !s.found(p) {
		s.keepTail(p)
		return "", false
	}
	s.carry = s.carry[:0]
	if s.typed == len(s.commands) {
		s.done = true
		return "", true
	}
	s.typed++
	return s.commands[s.typed-1] + "\n", false
}

// found reports whether the prompt occurs in carry followed by p.
func (s *Session) found(p []byte) bool {
	if len(s.carry) > 0 {
		// Only a prompt that starts in carry needs the join; at most
		// len(prompt)-1 bytes of p can complete it.
		head := p[:min(len(p), len(s.prompt)-1)]
		s.window = append(append(s.window[:0], s.carry...), head...)
		if bytes.Contains(s.window, s.prompt) {
			return true
		}
	}
	return bytes.Contains(p, s.prompt)
}

// keepTail remembers the last len(prompt)-1 bytes of carry+p, where a
// prompt completed by the next chunk could start.
func (s *Session) keepTail(p []byte) {
	keep := len(s.prompt) - 1
	if len(p) >= keep {
		s.carry = append(s.carry[:0], p[len(p)-keep:]...)
		return
	}
	s.carry = append(s.carry, p...)
	if over := len(s.carry) - keep; over > 0 {
		s.carry = s.carry[:copy(s.carry, s.carry[over:])]
	}
}

// Step is Feed for a backend that keeps the whole console: console is all
// the output so far (it only ever grows), and only what is new since the
// previous Step is looked at.
func (s *Session) Step(console []byte) (input string, done bool) {
	if len(console) <= s.fed {
		return "", s.done
	}
	p := console[s.fed:]
	s.fed = len(console)
	return s.Feed(p)
}

// Typed returns how many commands have been typed.
func (s *Session) Typed() int { return s.typed }

// Done reports whether the prompt came back after the last command.
func (s *Session) Done() bool { return s.done }

// Waiting describes what the session is waiting for, to explain a timeout.
func (s *Session) Waiting() string {
	switch {
	case s.done:
		return "nothing (the session is over)"
	case s.typed == 0:
		return fmt.Sprintf("the first shell prompt %q", s.prompt)
	default:
		return fmt.Sprintf("the shell prompt after %q", s.commands[s.typed-1])
	}
}
