package main

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/arch/x86/x86asm"

	"github.com/xv6emu/xv6emu/kernel"
)

// i386Args is the command line a classic xv6 Makefile passes to
// qemu-system-i386, on our x86 kernel by multiboot (-kernel) with the
// file system as IDE disk 1.
func i386Args(t *testing.T, port int, extra ...string) []string {
	t.Helper()
	dir := t.TempDir()
	k, err := kernel.X86Kernel()
	require.NoError(t, err)
	img, err := kernel.X86FS()
	require.NoError(t, err)
	kpath, fspath := filepath.Join(dir, "kernel"), filepath.Join(dir, "fs.img")
	require.NoError(t, os.WriteFile(kpath, k, 0o644))
	require.NoError(t, os.WriteFile(fspath, img, 0o644))
	args := []string{"-nographic", "-kernel", kpath,
		"-drive", "file=" + fspath + ",index=1,media=disk,format=raw", "-smp", "2", "-m", "512"}
	if port != 0 {
		args = append(args, "-S", "-gdb", fmt.Sprintf("tcp::%d", port))
	}
	return append(args, extra...)
}

// classicArgs writes our classic xv6 disk images and returns the command
// line classic xv6's Makefile passes to qemu-system-i386: the boot disk
// at IDE index 0 (given second, as the Makefile does), the file system
// at index 1.
func classicArgs(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"x86-xv6.img", "x86-fs.img"} {
		img, err := kernel.Image(name)
		require.NoError(t, err)
		f := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(f, img, 0o644))
		files = append(files, f)
	}
	return []string{"-nographic",
		"-drive", "file=" + files[1] + ",index=1,media=disk,format=raw",
		"-drive", "file=" + files[0] + ",index=0,media=disk,format=raw",
		"-smp", "2", "-m", "512"}
}

func i386Shim(t *testing.T) string {
	return filepath.Join(filepath.Dir(qemuShim(t)), "qemu-system-i386")
}

// gdbScriptI386 is gdbScript for x86: the same stops, and a watchpoint on
// a lock word (tickslock's), which acquire's xchg sets.
const gdbScriptI386 = `set confirm off
set pagination off
target remote 127.0.0.1:%d
break sys_clone
continue
bt
info threads
p/x $eip
p/x $cs
stepi
p/x $eip
delete
watch tickslock.locked
continue
kill
`

type gdbAnswersI386 struct {
	gdbStops // watchAt: acquire (0 to 1) or release (1 to 0)
	eip, cs  uint64
	stepped  uint64
	watch    bool // fired on tickslock.locked changing
	taken    bool // the change was 0 to 1
}

func parseGDBI386(out string) gdbAnswersI386 {
	var a gdbAnswersI386
	a.gdbStops = parseStops(out, &a.eip, &a.cs, &a.stepped)
	if m := regexp.MustCompile(`(?s)Hardware watchpoint 2: tickslock.locked.*Old value = (\d)\s+New value = (\d)`).FindStringSubmatch(out); m != nil {
		a.watch = m[1] != m[2]
		a.taken = m[1] == "0"
	}
	return a
}

// insnLen returns the length of the instruction at addr in the kernel.
func insnLen(t *testing.T, kernelPath string, addr uint64) uint64 {
	t.Helper()
	f, err := elf.Open(kernelPath)
	require.NoError(t, err)
	defer f.Close()
	text := f.Section(".text")
	buf := make([]byte, 16)
	_, err = text.ReadAt(buf, int64(addr-text.Addr))
	require.NoError(t, err)
	in, err := x86asm.Decode(buf, 32)
	require.NoError(t, err)
	return uint64(in.Len)
}

// The GDB session a student runs on the pc board, with gdb-multiarch in
// batch mode: break in the clone syscall handler, the kernel call chain,
// one thread per CPU, registers, stepi, a watchpoint on a lock word, kill.
// The same script on qemu-system-i386 gives the same answers.
func TestQEMUi386GDBSession(t *testing.T) {
	args := i386Args(t, 0)
	clone := kernelSymbol(t, args, "sys_clone")
	step := insnLen(t, kernelPath(t, args), clone)

	out := gdbSession(t, i386Shim(t), gdbScriptI386, i386Args)
	a := parseGDBI386(out)
	assert.Equal(t, "sys_clone", a.hit, out)
	require.GreaterOrEqual(t, len(a.bt), 4, out)
	assert.Equal(t, []string{"sys_clone", "syscall", "usertrap", "alltraps"}, a.bt[:4], "the kernel call chain")
	assert.Equal(t, 2, a.threads, "one thread per CPU:\n%s", out)
	assert.Equal(t, clone, a.eip)
	assert.Equal(t, uint64(8), a.cs, "the kernel code segment")
	assert.Equal(t, clone+step, a.stepped, "stepi moves one instruction")
	assert.True(t, a.watch, "the watchpoint on the lock word fired:\n%s", out)
	// The lock is almost always free when the watchpoint is set, so the
	// first change is acquire's; the other CPU may hold it, though.
	wantAt := map[bool]string{true: "acquire", false: "release"}[a.taken]
	assert.Equal(t, wantAt, a.watchAt, "the lock word changes in acquire or release:\n%s", out)
	assert.True(t, a.killed, out)

	qemu := realQEMU(t, "qemu-system-i386")
	if qemu == "" {
		return
	}
	qout := gdbSession(t, qemu, gdbScriptI386, i386Args)
	q := parseGDBI386(qout)
	sameStops(t, q.gdbStops, a.gdbStops, qout, out)
	assert.Equal(t, q.eip, a.eip)
	assert.Equal(t, q.cs, a.cs)
	assert.Equal(t, q.stepped, a.stepped)
	assert.Equal(t, q.watch, a.watch)
	if q.taken == a.taken {
		assert.Equal(t, q.watchAt, a.watchAt)
	}
}

// The protocol underneath, as a client without gdb sees it: the i386
// target description, a g packet of the sixteen core registers, Ctrl-C
// stops a running machine, and D lets it run on to the shell.
func TestQEMUi386StubProtocol(t *testing.T) {
	port := freePort(t)
	args := i386Args(t, port, "-snapshot")
	f, err := elf.Open(kernelPath(t, args))
	require.NoError(t, err)
	entry := fmt.Sprintf("%08x", f.Entry)
	f.Close()
	g := startGuest(t, i386Shim(t), args...)
	waitListen(t, port)
	r := dialRSP(t, port)
	reply := func(p string) string {
		t.Helper()
		r.send(p)
		r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := r.r.ReadString('$')
		require.NoError(t, err, "no reply to %s", p)
		body, err := r.r.ReadString('#')
		require.NoError(t, err)
		_, err = r.r.Discard(2) // the checksum
		require.NoError(t, err)
		r.c.Write([]byte("+"))
		return strings.TrimSuffix(body, "#")
	}
	xml := reply("qXfer:features:read:target.xml:0,3fff")
	assert.Contains(t, xml, "<architecture>i386</architecture>")
	assert.Contains(t, xml, `name="org.gnu.gdb.i386.core"`)
	regs := reply("g")
	require.Len(t, regs, 16*8, "eax..edi eip eflags cs ss ds es fs gs")
	assert.Equal(t, entry[6:8]+entry[4:6]+entry[2:4]+entry[0:2], regs[8*8:9*8], "eip at the kernel's entry, little-endian")
	assert.Equal(t, "08000000", regs[10*8:11*8], "cs = 8")
	assert.Equal(t, "xxxxxxxxxxxxxxxxxxxx", reply("p10"), "st0: no FPU")
	assert.Equal(t, "m1,2", reply("qfThreadInfo"))

	r.send("c")
	time.Sleep(200 * time.Millisecond)
	r.c.Write([]byte{0x03})
	stop := ""
	r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for !strings.HasPrefix(stop, "T02") {
		_, err := r.r.ReadString('$')
		require.NoError(t, err, "no stop after Ctrl-C")
		body, err := r.r.ReadString('#')
		require.NoError(t, err)
		stop = strings.TrimSuffix(body, "#")
	}
	assert.Regexp(t, `^T02thread:[12];$`, stop)
	r.r.Discard(2)
	r.c.Write([]byte("+"))
	assert.Equal(t, "OK", reply("D"))
	g.waitFor("$ ", 1, 60*time.Second)
	io.WriteString(g.stdin, "\x01x")
	require.NoError(t, g.wait(10*time.Second))
}

// The monitor on the pc board: 'info registers' shows each CPU's x86
// registers, 'c' starts a machine -S holds without a debugger.
func TestQEMUi386Monitor(t *testing.T) {
	args := append(i386Args(t, 0), "-S", "-snapshot")
	g := startGuest(t, i386Shim(t), args...)
	io.WriteString(g.stdin, "\x01c")
	g.waitFor("(qemu) ", 1, 10*time.Second)
	io.WriteString(g.stdin, "info registers\n")
	g.waitFor("(qemu) ", 2, 10*time.Second)
	con := g.console()
	assert.Contains(t, con, "CPU#0\nEAX=2badb002", "multiboot's magic in eax at entry")
	assert.Contains(t, con, "CPU#1\n")
	assert.Regexp(t, `CS =0008 00000000`, con)
	io.WriteString(g.stdin, "c\n")
	io.WriteString(g.stdin, "\x01c")
	g.waitFor("$ ", 1, 30*time.Second)
	io.WriteString(g.stdin, "\x01x")
	require.NoError(t, g.wait(10*time.Second))
}

// The gradelib way on the pc board, with classic xv6's disk layout (boot
// disk at index 0, file system at 1): -S holds the machine, the grader
// sets a Z1 breakpoint and continues, types commands, stops at the T05
// reply, and terminates the emulator with SIGTERM.
func TestQEMUi386GradelibStyleSession(t *testing.T) {
	k := filepath.Join(t.TempDir(), "kernel")
	img, err := kernel.X86Kernel()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(k, img, 0o644))
	clone := kernelSymbol(t, []string{"-kernel", k}, "sys_clone")

	port := freePort(t)
	g := startGuest(t, i386Shim(t), append(classicArgs(t), "-S", "-gdb", fmt.Sprintf("tcp::%d", port))...)
	c := gradelibStart(t, g, port, clone)
	gradelibEnd(t, g, c)
	assert.NotContains(t, g.console(), "TEST1", "threadtest stopped in its first clone")
}
