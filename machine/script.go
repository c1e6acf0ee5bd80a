package machine

import "github.com/xv6emu/xv6emu/script"

// DefaultPrompt is the xv6 shell's prompt.
const DefaultPrompt = script.DefaultPrompt

// RunScript drives the shell like a person at the console, the way the
// grader does (see package script): type the next command each time the
// prompt appears in new output, and after the last command wait for the
// prompt once more. It returns how Run stopped (StopCondition after the
// final prompt) and how many commands were typed.
func (m *Machine) RunScript(commands []string, prompt string) (Stop, int) {
	s := script.New(commands, prompt)
	var seen int64
	stop := m.Run(func() bool {
		var out []byte
		out, seen = m.OutputSince(seen)
		in, done := s.Feed(out)
		if in != "" {
			m.Type(in)
		}
		return done
	})
	return stop, s.Typed()
}
