package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary stand in for xv6emu when it is invoked
// under a QEMU name (through the links install-qemu-shims makes), so the
// QEMU tests run the real command line without building a binary.
func TestMain(m *testing.M) {
	if code, ok := qemuDispatch(os.Args); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func TestParseQEMUArgs(t *testing.T) {
	// MIT xv6-riscv's Makefile since 2020.
	o, err := parseQEMUArgs("riscv64", strings.Fields(`-machine virt -bios none -kernel kernel/kernel -m 128M
		-smp 3 -nographic -global virtio-mmio.force-legacy=false
		-drive file=fs.img,if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0
		-S -gdb tcp::26000`))
	require.NoError(t, err)
	assert.Equal(t, "kernel/kernel", o.kernel)
	assert.Equal(t, uint64(128<<20), o.mem)
	assert.Equal(t, 3, o.cpus)
	assert.False(t, o.legacy)
	assert.True(t, o.wait)
	assert.Equal(t, "tcp::26000", o.gdb)
	img, err := o.diskFile()
	require.NoError(t, err)
	assert.Equal(t, "fs.img", img)

	// 2019: no -global, so legacy virtio as QEMU's default; -s; bare -m.
	o, err = parseQEMUArgs("riscv64", strings.Fields(`-machine virt -bios none -kernel kernel/kernel -m 3G
		-smp cpus=2,sockets=1 -nographic -drive file=fs.img,if=none,format=raw,id=x0
		-device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 -s -snapshot -icount shift=auto -d int -monitor none`))
	require.NoError(t, err)
	assert.True(t, o.legacy)
	assert.Equal(t, uint64(3<<30), o.mem)
	assert.Equal(t, 2, o.cpus)
	assert.Equal(t, "tcp::1234", o.gdb)
	assert.True(t, o.snapshot)
	assert.True(t, o.icount)
	assert.Len(t, o.notes, 2, "-d and -monitor are noted")

	o, err = parseQEMUArgs("riscv64", []string{"-m", "512"})
	require.NoError(t, err)
	assert.Equal(t, uint64(512<<20), o.mem, "-m defaults to MiB")

	// x86 xv6's disks.
	o, err = parseQEMUArgs("i386", strings.Fields(`-drive file=fs.img,index=1,media=disk,format=raw
		-drive file=xv6.img,index=0,media=disk,format=raw -smp 2 -m 512`))
	require.NoError(t, err)
	assert.Len(t, o.drives, 2)
	assert.Equal(t, 1, o.drives[0].index)

	for _, bad := range [][]string{
		{"-vga", "std"},
		{"-machine", "sifive_u"},
		{"-bios", "default"},
		{"-kernel"},
		{"-device", "e1000"},
		{"-drive", "file=x.qcow2,format=qcow2"},
	} {
		_, err := parseQEMUArgs("riscv64", bad)
		assert.Error(t, err, "%v", bad)
	}
	_, err = parseQEMUArgs("riscv64", []string{"-nographic", "-frobnicate"})
	assert.EqualError(t, err, "unsupported option -frobnicate")
}

// qemuShim makes the install-qemu-shims links (to this test binary, which
// TestMain turns into xv6emu's QEMU personality) and returns the riscv one.
func qemuShim(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, installShims(dir, &out))
	assert.Contains(t, out.String(), "qemu-system-i386")
	return filepath.Join(dir, "qemu-system-riscv64")
}

func TestQEMUUnknownFlagAndHelp(t *testing.T) {
	shim := qemuShim(t)
	cmd := exec.Command(shim, "-machine", "virt", "-frobnicate")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 1, ee.ExitCode())
	assert.Equal(t, "qemu-system-riscv64: unsupported option -frobnicate\n", stderr.String())
	assert.Empty(t, stdout.String())

	// MIT's 2024 net lab asks for an e1000 behind a user-mode netdev.
	stderr.Reset()
	cmd = exec.Command(shim, "-machine", "virt", "-netdev", "user,id=net0", "-device", "e1000,netdev=net0,bus=pcie.0")
	cmd.Stderr = &stderr
	require.ErrorAs(t, cmd.Run(), &ee)
	assert.Equal(t, 1, ee.ExitCode())
	assert.Contains(t, stderr.String(), "no network device (e1000)")

	out, err := exec.Command(shim, "--help").Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "unless -snapshot")
	assert.Contains(t, string(out), "-icount")
	assert.Regexp(t, `(?m)^-gdb`, string(out), "xv6 Makefiles test '$(QEMU) -help | grep -q ^-gdb'")

	// MIT's 2025 Makefile: QEMU_VERSION := $(shell $(QEMU) --version | head -n 1 | sed ...).
	out, err = exec.Command(shim, "--version").Output()
	require.NoError(t, err)
	assert.Regexp(t, `^QEMU emulator version 7\.2\.0 `, string(out))
}

// freePort returns a TCP port nobody listens on right now.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// guest is a QEMU-like process whose console a test watches and types into.
type guest struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	out   bytes.Buffer
	done  chan error
}

func startGuest(t *testing.T, qemu string, args ...string) *guest {
	t.Helper()
	g := &guest{t: t, cmd: exec.Command(qemu, args...), done: make(chan error, 1)}
	var err error
	g.stdin, err = g.cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := g.cmd.StdoutPipe()
	require.NoError(t, err)
	g.cmd.Stderr = os.Stderr
	require.NoError(t, g.cmd.Start())
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := stdout.Read(buf)
			g.mu.Lock()
			g.out.Write(buf[:n])
			g.mu.Unlock()
			if err != nil {
				break
			}
		}
		g.done <- g.cmd.Wait()
	}()
	t.Cleanup(func() {
		g.cmd.Process.Kill()
	})
	return g
}

func (g *guest) console() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.out.String()
}

// waitFor waits until the console has n occurrences of s.
func (g *guest) waitFor(s string, n int, limit time.Duration) {
	g.t.Helper()
	deadline := time.Now().Add(limit)
	for strings.Count(g.console(), s) < n {
		if time.Now().After(deadline) {
			g.t.Fatalf("waited %v for %q x%d; console:\n%s", limit, s, n, g.console())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitForShell waits for the shell's first prompt. On 3 harts another
// hart's "hart N starting" line can land inside it (real QEMU printed
// "$rt 1 starting\n " once on a loaded host), so it waits for a '$' after
// init's "starting sh" rather than for "$ ".
func (g *guest) waitForShell(limit time.Duration) {
	g.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		con := g.console()
		if i := strings.LastIndex(con, "starting sh"); i >= 0 && strings.Contains(con[i:], "$") {
			return
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("waited %v for the shell's prompt; console:\n%s", limit, con)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (g *guest) wait(limit time.Duration) error {
	select {
	case err := <-g.done:
		return err
	case <-time.After(limit):
		g.t.Fatalf("the emulator did not exit within %v", limit)
		return nil
	}
}

// qemuArgs is the command line MIT's Makefile passes, on our kernel.
func qemuArgs(t *testing.T, port int, extra ...string) []string {
	k, fs := embeddedFiles(t)
	args := []string{"-machine", "virt", "-bios", "none", "-kernel", k, "-m", "128M", "-smp", "3",
		"-nographic", "-global", "virtio-mmio.force-legacy=false",
		"-drive", "file=" + fs + ",if=none,format=raw,id=x0",
		"-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"}
	if port != 0 {
		args = append(args, "-S", "-gdb", fmt.Sprintf("tcp::%d", port))
	}
	return append(args, extra...)
}

// waitListen waits until something listens on port, without connecting
// (a connection would attach a debugger).
func waitListen(t *testing.T, port int) {
	t.Helper()
	want := fmt.Sprintf(":%04X ", port)
	for i := 0; i < 500; i++ {
		for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
			b, _ := os.ReadFile(f)
			for _, line := range strings.Split(string(b), "\n") {
				fields := strings.Fields(line)
				if len(fields) > 3 && strings.HasSuffix(fields[1]+" ", want) && fields[3] == "0A" {
					return
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing listens on port %d", port)
}

// rspClient speaks just enough of the remote protocol to continue a
// machine, as gradelib's GDBClient does.
type rspClient struct {
	c net.Conn
	r *bufio.Reader
}

func dialRSP(t *testing.T, port int) *rspClient {
	t.Helper()
	var c net.Conn
	var err error
	for i := 0; i < 100; i++ {
		if c, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &rspClient{c: c, r: bufio.NewReader(c)}
}

func (r *rspClient) send(p string) {
	var sum byte
	for i := 0; i < len(p); i++ {
		sum += p[i]
	}
	fmt.Fprintf(r.c, "$%s#%02x", p, sum)
}

// The gradelib way: make qemu-gdb starts QEMU with -S -gdb; the grader
// connects, sets a Z1 breakpoint (stop_breakpoint), continues, types
// commands at each prompt (shell_script), stops at the T05 reply, and
// terminates QEMU with SIGTERM (make forwards it). The disk image is
// written in place (QEMU semantics), so a second boot sees the first
// one's file.
func TestQEMUGradelibStyleSession(t *testing.T) {
	shim := qemuShim(t)
	port := freePort(t)
	args := qemuArgs(t, port)
	clone := kernelSymbol(t, args, "sys_clone")
	g := startGuest(t, shim, args...)
	c := gradelibStart(t, g, port, clone)
	io.WriteString(g.stdin, "echo kept > keptfile\n")
	g.waitFor("$ ", 3, 20*time.Second)
	gradelibEnd(t, g, c)
	assert.True(t, strings.HasPrefix(g.console(), "\nxv6 kernel is booting"), "only the console on stdout:\n%s", g.console())

	// Same image, no debugger: the file the first run wrote is there.
	args = slicesWithout(args, "-S", "-gdb")
	g = startGuest(t, shim, args...)
	g.waitFor("$ ", 1, 20*time.Second)
	io.WriteString(g.stdin, "cat keptfile\n")
	g.waitFor("kept\n$ ", 1, 20*time.Second)
	// Ctrl-A x quits, as on QEMU.
	io.WriteString(g.stdin, "\x01x")
	require.NoError(t, g.wait(10*time.Second))
}

// gradelibStart does what gradelib does first with a machine that -S
// holds: it connects, sets a Z1 breakpoint at clone, continues, waits for
// the shell and has it echo.
func gradelibStart(t *testing.T, g *guest, port int, clone uint64) *rspClient {
	t.Helper()
	waitListen(t, port)
	c := dialRSP(t, port)
	time.Sleep(100 * time.Millisecond)
	assert.Empty(t, g.console(), "-S: nothing runs before the debugger continues")
	c.send(fmt.Sprintf("Z1,%x,1", clone))
	c.send("c")
	g.waitFor("$ ", 1, 30*time.Second)
	io.WriteString(g.stdin, "echo hello gradelib\n")
	g.waitFor("hello gradelib\n$ ", 1, 20*time.Second)
	return c
}

// gradelibEnd runs threadtest into the breakpoint, waits for the T05
// reply and terminates the emulator with SIGTERM, as make forwards it.
func gradelibEnd(t *testing.T, g *guest, c *rspClient) {
	t.Helper()
	io.WriteString(g.stdin, "threadtest\n")
	c.waitPacket(t, "T05", 20*time.Second)
	require.NoError(t, g.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, g.wait(10*time.Second), "SIGTERM ends the stopped emulator cleanly")
}

// kernelPath returns the -kernel file of a QEMU command line.
func kernelPath(t *testing.T, args []string) string {
	t.Helper()
	i := slices.Index(args, "-kernel")
	require.True(t, i >= 0 && i+1 < len(args), "no -kernel in %q", args)
	return args[i+1]
}

// kernelSymbol returns the address of sym in the kernel args boot.
func kernelSymbol(t *testing.T, args []string, sym string) uint64 {
	t.Helper()
	f, err := elf.Open(kernelPath(t, args))
	require.NoError(t, err)
	defer f.Close()
	syms, err := f.Symbols()
	require.NoError(t, err)
	for _, s := range syms {
		if s.Name == sym {
			return s.Value
		}
	}
	t.Fatalf("no symbol %s", sym)
	return 0
}

// waitPacket reads replies until one starts with prefix, as gradelib's
// GDBClient does (ignoring acks and anything else).
func (r *rspClient) waitPacket(t *testing.T, prefix string, limit time.Duration) {
	t.Helper()
	r.c.SetReadDeadline(time.Now().Add(limit))
	for {
		if _, err := r.r.ReadString('$'); err != nil {
			t.Fatalf("no %s reply: %v", prefix, err)
		}
		body, err := r.r.ReadString('#')
		require.NoError(t, err)
		if strings.HasPrefix(body, prefix) {
			return
		}
	}
}

// slicesWithout drops the flags named and the argument after each.
func slicesWithout(args []string, flags ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-gdb":
			i++
			continue
		case "-S":
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// gdbScript is what a student types: stop in the clone syscall, look
// around, step, watch the tick counter, and kill the machine.
const gdbScript = `set confirm off
set pagination off
target remote 127.0.0.1:%d
break sys_clone
continue
bt
info threads
p/x $sepc
p/x $pc
stepi
p/x $pc
delete
watch ticks
continue
kill
`

// gdbSession runs script (a format taking the port) with gdb-multiarch
// against the emulator at qemu (ours or the real one) booting
// boardArgs(t, port, "-snapshot"), types threadtest at the shell so that
// the clone syscall happens, and returns gdb's output.
func gdbSession(t *testing.T, qemu, script string, boardArgs func(*testing.T, int, ...string) []string) string {
	t.Helper()
	gdb, err := exec.LookPath("gdb-multiarch")
	if err != nil {
		t.Skip("gdb-multiarch not installed (make deps)")
	}
	port := freePort(t)
	args := boardArgs(t, port, "-snapshot")
	g := startGuest(t, qemu, args...)
	cmds := filepath.Join(t.TempDir(), "cmds.gdb")
	require.NoError(t, os.WriteFile(cmds, []byte(fmt.Sprintf(script, port)), 0o644))
	waitListen(t, port)
	cmd := exec.Command(gdb, "-nx", "-batch", "-x", cmds, kernelPath(t, args))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	g.waitForShell(60 * time.Second)
	io.WriteString(g.stdin, "threadtest\n")
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		require.NoError(t, err, "gdb:\n%s", out.String())
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("gdb did not finish; its output:\n%s\nconsole:\n%s", out.String(), g.console())
	}
	g.wait(20 * time.Second) // kill ends the machine
	return out.String()
}

var (
	btFrameRE = regexp.MustCompile(`(?m)^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+) \(`)
	valueRE   = regexp.MustCompile(`(?m)^\$(\d+) = (0x[0-9a-f]+)$`)
)

// gdbStops is what either board's script shows alike.
type gdbStops struct {
	hit     string   // the function the breakpoint stopped in
	bt      []string // function names in the backtrace
	threads int
	watchAt string // where gdb shows the CPU after the watchpoint fired
	killed  bool
}

// parseStops reads gdbStops from gdb's output, and the script's p/x
// values, in order, into vals.
func parseStops(out string, vals ...*uint64) gdbStops {
	var a gdbStops
	if m := regexp.MustCompile(`hit Breakpoint 1, (\w+) \(`).FindStringSubmatch(out); m != nil {
		a.hit = m[1]
	}
	for _, m := range btFrameRE.FindAllStringSubmatch(out, -1) {
		a.bt = append(a.bt, m[1])
	}
	a.threads = len(regexp.MustCompile(`(?m)^\*?\s+\d+\s+Thread `).FindAllString(out, -1))
	if vs := valueRE.FindAllStringSubmatch(out, -1); len(vs) == len(vals) {
		for i, v := range vs {
			fmt.Sscanf(v[2], "0x%x", vals[i])
		}
	}
	if m := regexp.MustCompile(`New value = \d+\n(?:0x[0-9a-f]+ in )?(\w+) \(`).FindStringSubmatch(out); m != nil {
		a.watchAt = m[1]
	}
	a.killed = strings.Contains(out, "(Remote target) killed") || strings.Contains(out, "process 1) killed")
	return a
}

// sameStops compares the stops of our emulator (a, out) with QEMU's (q,
// qout) where they must agree: where threadtest runs and what the CPUs do
// may differ.
func sameStops(t *testing.T, q, a gdbStops, qout, out string) {
	t.Helper()
	assert.Equal(t, q.hit, a.hit, "QEMU:\n%s", qout)
	assert.Equal(t, q.bt, a.bt, "backtraces: QEMU:\n%s\nxv6emu:\n%s", qout, out)
	assert.Equal(t, q.threads, a.threads)
	assert.Equal(t, q.killed, a.killed)
}

// realQEMU returns the path of QEMU's name, or "" (and says so) when it
// is not installed.
func realQEMU(t *testing.T, name string) string {
	qemu, err := exec.LookPath(name)
	if err != nil {
		t.Logf("%s not installed: no comparison with QEMU", name)
		return ""
	}
	return qemu
}

type gdbAnswers struct {
	gdbStops
	sepc    uint64
	pc      uint64 // at the breakpoint
	stepped uint64 // after stepi
	watch   bool   // the watchpoint on ticks fired with old and new values
}

func parseGDB(out string) gdbAnswers {
	var a gdbAnswers
	a.gdbStops = parseStops(out, &a.sepc, &a.pc, &a.stepped)
	a.watch = regexp.MustCompile(`(?s)Hardware watchpoint 2: ticks.*Old value = \d+\s+New value = \d+`).MatchString(out)
	return a
}

func TestQEMUGDBSession(t *testing.T) {
	clone := kernelSymbol(t, qemuArgs(t, 0), "sys_clone")

	out := gdbSession(t, qemuShim(t), gdbScript, qemuArgs)
	a := parseGDB(out)
	assert.Equal(t, "sys_clone", a.hit, out)
	require.GreaterOrEqual(t, len(a.bt), 3, out)
	assert.Equal(t, []string{"sys_clone", "syscall", "usertrap"}, a.bt[:3], "the kernel call chain")
	assert.Equal(t, 3, a.threads, "one thread per hart:\n%s", out)
	assert.NotZero(t, a.sepc)
	assert.Less(t, a.sepc, uint64(0x80000000), "sepc is the user pc of the ecall")
	assert.Equal(t, clone, a.pc)
	assert.Contains(t, []uint64{clone + 2, clone + 4}, a.stepped, "stepi moves one instruction")
	assert.True(t, a.watch, "the watchpoint fired:\n%s", out)
	assert.Equal(t, "clockintr", a.watchAt, "ticks is written by the timer interrupt:\n%s", out)
	assert.True(t, a.killed, out)

	// The same script on QEMU gives the same answers.
	qemu := realQEMU(t, "qemu-system-riscv64")
	if qemu == "" {
		return
	}
	qout := gdbSession(t, qemu, gdbScript, qemuArgs)
	q := parseGDB(qout)
	sameStops(t, q.gdbStops, a.gdbStops, qout, out)
	assert.Equal(t, q.pc, a.pc)
	assert.Equal(t, q.stepped, a.stepped)
	assert.Equal(t, q.watch, a.watch)
	assert.Equal(t, q.watchAt, a.watchAt, "the watchpoint leaves the hart in the same function")
}

// Ctrl-A c opens the monitor: 'c' starts a machine that -S holds (no
// debugger), 'info registers' shows every hart, 'quit' ends the emulator.
func TestQEMUMonitor(t *testing.T) {
	args := append(qemuArgs(t, 0), "-S", "-snapshot")
	g := startGuest(t, qemuShim(t), args...)
	io.WriteString(g.stdin, "\x01c")
	g.waitFor("(qemu) ", 1, 10*time.Second)
	io.WriteString(g.stdin, "c\n")
	io.WriteString(g.stdin, "\x01c") // back to the console
	g.waitFor("$ ", 1, 30*time.Second)
	io.WriteString(g.stdin, "\x01c")
	io.WriteString(g.stdin, "info registers\n")
	g.waitFor("(qemu) ", 4, 10*time.Second) // opened, after c, reopened, after info
	con := g.console()
	assert.Contains(t, con, "CPU#2\n pc ")
	assert.Regexp(t, `x2 /sp   00000000800[0-9a-f]{5}`, con)
	io.WriteString(g.stdin, "quit\n")
	require.NoError(t, g.wait(10*time.Second))
}

// Invoked as qemu-system-i386 with classic xv6's disks (boot image at
// IDE index 0, file system at index 1), it boots the pc board.
func TestQEMUi386ClassicDisks(t *testing.T) {
	g := startGuest(t, i386Shim(t), classicArgs(t)...)
	g.waitFor("$ ", 1, 30*time.Second)
	io.WriteString(g.stdin, "echo hello pc\n")
	g.waitFor("hello pc\n$ ", 1, 20*time.Second)
	io.WriteString(g.stdin, "\x01x")
	require.NoError(t, g.wait(10*time.Second))
}

// After a kernel panic the process lives on, as QEMU's does, until it is
// terminated. (Our kernel panics without a modern virtio disk, which
// QEMU's default force-legacy=true does not give it.)
func TestQEMUPanicWaitsForSIGTERM(t *testing.T) {
	args := slicesWithout(qemuArgs(t, 0))
	for i, a := range args {
		if a == "virtio-mmio.force-legacy=false" {
			args = append(args[:i-1:i-1], args[i+1:]...)
			break
		}
	}
	g := startGuest(t, qemuShim(t), append(args, "-snapshot")...)
	g.waitFor("panic: ", 1, 20*time.Second)
	select {
	case err := <-g.done:
		t.Fatalf("exited after the panic: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	require.NoError(t, g.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, g.wait(10*time.Second))
}
