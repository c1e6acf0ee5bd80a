package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/xv6emu/xv6emu/gdbstub"
	"github.com/xv6emu/xv6emu/machine"
	"github.com/xv6emu/xv6emu/x86"
)

const qemuHelp = `Usage: xv6emu qemu [QEMU options]
       qemu-system-riscv64 [QEMU options]   (xv6emu installed under that name)
       qemu-system-i386 [QEMU options]      (the pc board)

A drop-in for qemu-system-riscv64 in an xv6 tree: 'make qemu QEMU=...',
'make qemu-gdb' with gdb-multiarch, and graders such as MIT's gradelib run
unmodified. 'xv6emu install-qemu-shims DIR' makes the links.

Options (what xv6 Makefiles of every year pass; at the start of the line,
as in QEMU's -help, which Makefiles grep for '^-gdb'):
-machine virt         the riscv64 board (-M too); qemu-system-i386 is a pc
-bios none            the kernel starts in M-mode at 0x80000000
-kernel FILE          kernel ELF (i386: a multiboot kernel, else the
                      machine boots IDE disk 0's boot sector)
-m SIZE               RAM (unit MiB unless given: 128, 128M, 1G)
-smp N | cpus=N,...   harts (1-8)
-nographic            the console is this terminal (stdout)
-serial mon:stdio     the same
-global virtio-mmio.force-legacy=false
                      modern virtio-mmio (version 2); without it the disk
                      is legacy (version 1), as on QEMU
-drive file=IMG,if=none,format=raw,id=ID
-device virtio-blk-device,drive=ID,bus=virtio-mmio-bus.0
                      the disk image
-drive file=IMG,index=N,media=disk,format=raw
                      i386: IDE disk N (0 boots, 1 is classic xv6's fs.img)
-snapshot             keep disk writes in memory
-s                    GDB server on tcp::1234
-gdb tcp::PORT        GDB server on PORT
-S                    wait for the debugger (or the monitor's 'c')
-icount [ARG]         guest time: time comes from instructions executed
                      (deterministic), instead of the wall clock
-no-reboot            accepted (the guest never reboots)
-monitor DEV          ignored, with a note on stderr
-d ITEMS              ignored, with a note on stderr
-version              the QEMU version whose virt and pc boards this one
                      matches (7.2), as QEMU prints it
Any other option is an error.

QEMU's semantics win over xv6emu's usual ones here: disk writes go to the
image file (not copy-on-write) unless -snapshot, and the machine runs in
real time (idle time passes at the wall clock's pace) unless -icount.

Keys: Ctrl-A x quits, Ctrl-A c toggles a small monitor ('info registers',
'c' to continue after -S, 'quit'), Ctrl-A h lists keys, Ctrl-A Ctrl-A sends
Ctrl-A. The console is the only thing written to stdout; the emulator exits
when the guest powers off, on SIGTERM or SIGINT, or when GDB kills it.
`

func init() {
	cmd := &cobra.Command{
		Use:                "qemu [QEMU options]",
		Short:              "Behave as qemu-system-riscv64 (for make qemu, make qemu-gdb and graders)",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			// main dispatches "xv6emu qemu" before cobra sees it (see
			// qemuDispatch); this runs only when called through run().
			if code := qemuMain("qemu-system-riscv64", args); code != 0 {
				return withCode(code, errQuiet)
			}
			return nil
		},
	}
	rootCmd.AddCommand(cmd)
}

// qemuVersion is what -version prints: the first line in QEMU's form,
// since Makefiles parse it (MIT's 2025 tree requires 7.2 or later), with
// the release whose boards this one was checked against.
const qemuVersion = "QEMU emulator version 7.2.0 (xv6emu drop-in)\n"

// errQuiet is returned when the error was already printed.
var errQuiet = fmt.Errorf("qemu: failed")

// qemuMain runs a QEMU command line as program name and returns the exit
// status. Errors are printed on stderr as QEMU prints them: one line
// starting with the program name.
func qemuMain(name string, args []string) int {
	system := "riscv64"
	if strings.HasSuffix(name, "i386") || strings.HasSuffix(name, "x86_64") {
		system = "i386"
	}
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	o, err := parseQEMUArgs(system, args)
	if err != nil {
		return fail(err)
	}
	if o.help {
		fmt.Fprint(os.Stdout, qemuHelp)
		return 0
	}
	if o.version {
		fmt.Fprint(os.Stdout, qemuVersion)
		return 0
	}
	for _, n := range o.notes {
		fmt.Fprintf(os.Stderr, "%s: note: %s\n", name, n)
	}
	if system == "riscv64" && o.kernel == "" {
		return fail(fmt.Errorf("no -kernel given (xv6emu has no firmware to boot otherwise)"))
	}
	code, err := runQEMU(name, o)
	if err != nil {
		return fail(err)
	}
	return code
}

// runQEMU builds the machine the options describe and runs it under the
// debug server (which runs the machine itself when no debugger is there).
func runQEMU(name string, o *qemuOptions) (int, error) {
	var err error
	var elf []byte
	if o.kernel != "" {
		if elf, err = os.ReadFile(o.kernel); err != nil {
			return 1, fmt.Errorf("could not load kernel '%s': %w", o.kernel, err)
		}
	}
	disks, err := o.openDisks()
	if err != nil {
		return 1, err
	}
	for _, d := range disks {
		if d != nil {
			defer d.Close()
		}
	}
	interactive := term.IsTerminal(int(os.Stdin.Fd()))
	var out io.Writer = os.Stdout
	if interactive {
		state, err := term.MakeRaw(int(os.Stdin.Fd()))
		if err != nil {
			return 1, fmt.Errorf("console: %w", err)
		}
		defer term.Restore(int(os.Stdin.Fd()), state)
		out = crlfWriter{os.Stdout}
	}
	cfg := machine.Config{
		Kernel:       elf,
		CPUs:         o.cpus,
		Mem:          o.mem,
		LegacyVirtio: o.legacy,
		Console:      out,
		Realtime:     !o.icount,
		OutputLimit:  1 << 62, // QEMU never stops a chatty guest
	}
	var m *machine.Machine
	if o.system == "riscv64" {
		cfg.Disk = disks[0]
		m, err = machine.NewVirt(cfg)
	} else {
		// Classic xv6: xv6.img (index 0) boots, fs.img (index 1) is the
		// IDE slave.
		cfg.Disk = disks[0]
		m, err = machine.NewPC(machine.PCConfig{Config: cfg, Slave: disks[1]})
	}
	if err != nil {
		return 1, err
	}
	defer m.Close()
	var dbg qemuTarget = m.Debugger()
	if m.PC() {
		dbg = m.PCDebugger()
	}
	srv := gdbstub.New(dbg)
	if o.gdb != "" {
		if err := srv.Listen(o.gdb); err != nil {
			return 1, fmt.Errorf("-gdb %s: %w", o.gdb, err)
		}
	}

	input := make(chan []byte, 64)
	m.HostInput(input)
	con := &qemuConsole{m: m, srv: srv, out: out, input: input, quitCh: make(chan struct{})}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		if s, ok := <-sigs; ok {
			fmt.Fprintf(os.Stderr, "%s: terminating on signal %d\n", name, s.(syscall.Signal))
			con.stop()
		}
	}()
	go con.read(os.Stdin)

	switch srv.Run(o.wait) {
	case gdbstub.OutcomeQuit, gdbstub.OutcomeKilled:
		return 0, nil
	}
	stop, _ := dbg.End()
	switch stop.Reason {
	case machine.StopPowerOff, machine.StopReset, machine.StopInterrupted:
		return 0, nil
	case machine.StopPowerFail:
		return stop.Code, nil
	case machine.StopPanic:
		// The kernel stops itself after a panic; on QEMU the process
		// lives on until it is killed, and graders count on that.
		<-con.quit()
		return 0, nil
	}
	return 1, fmt.Errorf("%s", stop)
}

// qemuTarget is a board's debugger.
type qemuTarget interface {
	gdbstub.Target
	End() (machine.Stop, bool)
}

// qemuConsole forwards terminal input to the guest and implements the
// Ctrl-A keys and the monitor.
type qemuConsole struct {
	m      *machine.Machine
	srv    *gdbstub.Server
	out    io.Writer
	input  chan<- []byte
	quitCh chan struct{} // closed by Ctrl-A x, the monitor's quit and signals
	once   sync.Once
}

func (c *qemuConsole) quit() chan struct{} { return c.quitCh }

// stop ends the emulator: the guest stops and the process exits.
func (c *qemuConsole) stop() {
	c.once.Do(func() { close(c.quitCh) })
	c.srv.Quit()
}

func (c *qemuConsole) read(r io.Reader) {
	buf := make([]byte, 256)
	escape, monitor := false, false
	var line []byte
	for {
		n, err := r.Read(buf)
		var send []byte
		for _, b := range buf[:n] {
			switch {
			case escape:
				escape = false
				switch b {
				case 'x', 'X':
					fmt.Fprint(c.out, "QEMU: Terminated\n")
					c.stop()
					return
				case 'c', 'C':
					monitor = !monitor
					if monitor {
						fmt.Fprint(c.out, "\n(qemu) ")
					}
				case 'h', 'H', '?':
					fmt.Fprint(c.out, "\nC-a h    print this help\nC-a x    exit emulator\nC-a c    switch between console and monitor\nC-a C-a  sends C-a\n")
				case 0x01:
					send = append(send, b)
				}
			case b == 0x01:
				escape = true
			case monitor:
				switch b {
				case '\r', '\n':
					fmt.Fprint(c.out, "\n")
					c.monitorCommand(strings.TrimSpace(string(line)))
					line = line[:0]
				case 0x7F, 0x08:
					if len(line) > 0 {
						line = line[:len(line)-1]
						fmt.Fprint(c.out, "\b \b")
					}
				default:
					line = append(line, b)
					c.out.Write([]byte{b})
				}
			default:
				send = append(send, b)
			}
		}
		if len(send) > 0 {
			c.input <- send
		}
		if err != nil {
			return // QEMU keeps running when its input ends
		}
	}
}

// monitorCommand runs one monitor command on the machine's goroutine.
func (c *qemuConsole) monitorCommand(cmd string) {
	done := make(chan struct{})
	prompt := func() { fmt.Fprint(c.out, "(qemu) ") }
	switch cmd {
	case "":
		prompt()
		return
	case "q", "quit":
		c.stop()
		return
	case "c", "cont":
		c.srv.Resume()
	case "info registers", "info reg", "i r":
		c.srv.Do(func() {
			var b bytes.Buffer
			for i := 0; i < c.m.CPUs(); i++ {
				if c.m.PC() {
					writeX86Regs(&b, c.m, i)
				} else {
					writeHartRegs(&b, c.m, i)
				}
			}
			c.out.Write(b.Bytes())
			close(done)
		})
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			fmt.Fprint(c.out, "the machine has stopped for good (see above)\n")
		}
	default:
		fmt.Fprintf(c.out, "unknown command: '%s' (try 'info registers', 'c' or 'quit')\n", cmd)
	}
	prompt()
}

// writeHartRegs prints hart i's registers the way QEMU's 'info registers'
// lays them out.
func writeHartRegs(w io.Writer, m *machine.Machine, i int) {
	h := m.Hart(i)
	fmt.Fprintf(w, "CPU#%d\n pc       %016x\n", i, h.PC())
	for _, csr := range []struct {
		name string
		num  uint64
	}{{"mhartid", 0xF14}, {"mstatus", 0x300}, {"mip", 0x344}, {"mie", 0x304}, {"mideleg", 0x303},
		{"medeleg", 0x302}, {"mtvec", 0x305}, {"stvec", 0x105}, {"mepc", 0x341}, {"sepc", 0x141},
		{"mcause", 0x342}, {"scause", 0x142}, {"mtval", 0x343}, {"stval", 0x143}, {"satp", 0x180}} {
		v, _ := h.DebugReadCSR(csr.num)
		fmt.Fprintf(w, " %-8s %016x\n", csr.name, v)
	}
	names := strings.Fields(`zero ra sp gp tp t0 t1 t2 s0 s1 a0 a1 a2 a3 a4 a5 a6 a7
		s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 t3 t4 t5 t6`)
	for r, n := range names {
		fmt.Fprintf(w, " x%-2d/%-4s %016x", r, n, h.Reg(r))
		if r%4 == 3 {
			fmt.Fprintln(w)
		}
	}
}

// writeX86Regs prints CPU i of a pc board the way QEMU's 'info registers'
// lays out the registers xv6 debugging looks at.
func writeX86Regs(w io.Writer, m *machine.Machine, i int) {
	c := m.X86(i)
	fmt.Fprintf(w, "CPU#%d\n", i)
	for r, n := range []string{"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"} {
		fmt.Fprintf(w, "%s=%08x", n, c.Reg(r))
		if r%4 == 3 {
			fmt.Fprintln(w)
		} else {
			fmt.Fprint(w, " ")
		}
	}
	fmt.Fprintf(w, "EIP=%08x EFL=%08x CPL=%d\n", c.EIP(), c.EFLAGS(), c.CPL())
	for _, s := range []struct {
		name string
		i    int
	}{{"ES", x86.ES}, {"CS", x86.CS}, {"SS", x86.SS}, {"DS", x86.DS}, {"FS", x86.FS}, {"GS", x86.GS}} {
		fmt.Fprintf(w, "%s =%04x %08x\n", s.name, c.Seg(s.i), c.SegBase(s.i))
	}
	fmt.Fprintf(w, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", c.CR0(), c.CR2(), c.CR3(), c.CR4())
}
