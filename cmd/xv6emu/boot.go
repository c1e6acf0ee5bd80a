package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/machine"
)

func init() {
	var mf machineFlags
	cmd := &cobra.Command{
		Use:   "boot",
		Short: "Boot xv6 with an interactive console",
		Long: `Boot a kernel on the RISC-V virt machine (or, with --arch x86, on an i386
PC like qemu-system-i386's) and connect the console to this terminal, like
'qemu -nographic'. With no flags it boots the embedded xv6 kernel and file
system image for --arch. On x86 a multiboot --kernel is loaded directly, and
--disk boots a classic xv6.img through its boot sector; --fs is then the
second IDE disk, as classic xv6's Makefile has it.

Keys: Ctrl-A x quits, Ctrl-A h lists keys, Ctrl-A Ctrl-A sends Ctrl-A.
When standard input is not a terminal, each of its lines is typed at a shell
prompt in turn, and xv6emu exits when the prompt is back after the last one.
Such a piped boot is bounded like 'xv6emu run': --timeout of guest time and
--wall-timeout of real time (5 minutes each by default). At a terminal a
person is watching, so only the bounds given on the command line apply.

` + exitStatusHelp,
		Example: `  xv6emu boot
  xv6emu boot --cpus 1 --seed 17
  xv6emu boot --kernel xv6-riscv/kernel/kernel --fs xv6-riscv/fs.img
  echo ls | xv6emu boot
  xv6emu boot --arch x86
  xv6emu boot --arch x86 --disk xv6/xv6.img --fs xv6/fs.img`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return boot(cmd, &mf)
		},
	}
	mf.register(cmd.Flags())
	rootCmd.AddCommand(cmd)
}

func boot(cmd *cobra.Command, mf *machineFlags) error {
	interactive := term.IsTerminal(int(os.Stdin.Fd()))
	ticks, wall, err := mf.bounds(cmd.Flags(), interactive)
	if err != nil {
		return err
	}
	cfg, d, err := mf.config(nil)
	if err != nil {
		return err
	}
	defer closeDisk(d)
	cfg.MaxTicks = ticks
	cfg.WallLimit = wall
	var out io.Writer = os.Stdout
	if interactive {
		state, err := term.MakeRaw(int(os.Stdin.Fd()))
		if err != nil {
			return withCode(exitUsage, fmt.Errorf("console: %w", err))
		}
		restore := func() { _ = term.Restore(int(os.Stdin.Fd()), state) }
		defer restore()
		// Raw mode turns off output processing; do the newline translation
		// the guest expects a terminal to do.
		out = crlfWriter{os.Stdout}
	}
	cfg.Console = out
	// A person at a terminal types at wall-clock speed; pace idle time the
	// same way so an idle guest does not spin a host core.
	cfg.Realtime = cfg.Realtime || interactive
	m, err := newMachine(grade.Arch(mf.arch), cfg, d)
	if err != nil {
		return withCode(exitUsage, err)
	}
	defer m.Close()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		if s, ok := <-sigs; ok {
			m.Interrupt(s.String())
		}
	}()

	var stop machine.Stop
	if interactive {
		input := make(chan []byte, 64)
		m.HostInput(input)
		go readTerminal(os.Stdin, input, m, out)
		stop = m.Run(nil)
	} else {
		// Piped input is typed a line at a time at each prompt, so output
		// does not depend on how fast the guest reads.
		text, err := io.ReadAll(io.LimitReader(os.Stdin, maxPiped+1))
		if err != nil {
			return withCode(exitUsage, fmt.Errorf("reading standard input: %w", err))
		}
		if len(text) > maxPiped {
			return withCode(exitUsage, fmt.Errorf("standard input: more than %s of commands", sizeText(maxPiped)))
		}
		lines := inputLines(text)
		stop, typed := m.RunScript(lines, machine.DefaultPrompt)
		if err := closeDisk(d); err != nil {
			return withCode(exitGuestFail, err)
		}
		return scriptStatus(stop, typed, lines)
	}
	if err := closeDisk(d); err != nil {
		return withCode(exitGuestFail, err)
	}
	if err := stopStatus(stop); err != nil {
		fmt.Fprintln(out)
		return err
	}
	return nil
}

// maxPiped bounds the commands piped into boot (they are read whole before
// the first is typed).
const maxPiped = 16 << 20

// readTerminal copies terminal input to the machine, handling the Ctrl-A
// escapes.
func readTerminal(r io.Reader, input chan<- []byte, m *machine.Machine, out io.Writer) {
	buf := make([]byte, 256)
	escape := false
	for {
		n, err := r.Read(buf)
		var send []byte
		for _, c := range buf[:n] {
			switch {
			case escape:
				escape = false
				switch c {
				case 'x', 'X':
					m.Interrupt("quit")
					return
				case 'h', 'H', '?':
					fmt.Fprint(out, "\nC-a h    print this help\nC-a x    exit emulator\nC-a C-a  send C-a\n")
				case 0x01:
					send = append(send, c)
				}
			case c == 0x01:
				escape = true
			default:
				send = append(send, c)
			}
		}
		if len(send) > 0 {
			input <- send
		}
		if err != nil {
			m.Interrupt("quit")
			return
		}
	}
}

// inputLines splits piped input into the commands to type.
func inputLines(text []byte) []string {
	var lines []string
	for _, l := range bytes.Split(bytes.TrimSuffix(text, []byte("\n")), []byte("\n")) {
		lines = append(lines, string(bytes.TrimSuffix(l, []byte("\r"))))
	}
	if len(text) == 0 {
		return nil
	}
	return lines
}

// crlfWriter turns "\n" into "\r\n" for a terminal in raw mode.
type crlfWriter struct{ w io.Writer }

func (c crlfWriter) Write(p []byte) (int, error) {
	if bytes.IndexByte(p, '\n') < 0 {
		return c.w.Write(p)
	}
	_, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n")))
	return len(p), err
}
