package machine

import "bytes"

// DefaultPrompt is the xv6 shell's prompt.
const DefaultPrompt = "$ "

// RunScript drives the shell like a person at the console: wait for the
// prompt, type the next command, and after the last command wait for the
// prompt once more. It returns how Run stopped (StopCondition after the
// final prompt) and how many commands were typed.
func (m *Machine) RunScript(commands []string, prompt string) (Stop, int) {
	if prompt == "" {
		prompt = DefaultPrompt
	}
	p := []byte(prompt)
	typed, mark := 0, 0
	s := m.Run(func() bool {
		out := m.console.buf
		// The prompt counts once everything typed has been read and the
		// output since the last command ends with it.
		if len(m.input) > 0 || !bytes.HasSuffix(out[mark:], p) {
			return false
		}
		if typed == len(commands) {
			return true
		}
		mark = len(out)
		m.Type(commands[typed] + "\n")
		typed++
		return false
	})
	return s, typed
}
