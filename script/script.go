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
// Backends feed it the growing console; it never blocks and scans each
// byte of output once, so a backend may call Step as often as it likes.
type Session struct {
	commands []string
	prompt   []byte
	typed    int // commands typed so far
	consumed int // console offset before which prompts no longer count
	scanned  int // console offset up to which the prompt has been looked for
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

// Step looks at the console so far (which only ever grows) and returns the
// text to type now, if any, and whether the session is over.
func (s *Session) Step(console []byte) (input string, done bool) {
	if s.done || len(console) <= s.scanned {
		return "", s.done
	}
	// A prompt may straddle the previous scan's end.
	from := max(s.consumed, s.scanned-len(s.prompt)+1)
	s.scanned = len(console)
	if bytes.Index(console[from:], s.prompt) < 0 {
		return "", false
	}
	s.consumed = len(console)
	if s.typed == len(s.commands) {
		s.done = true
		return "", true
	}
	s.typed++
	return s.commands[s.typed-1] + "\n", false
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
