package machine_test

// Differential tests against qemu-system-riscv64, the machine real xv6
// kernels are written for: the compat guests and our own kernel must
// print the same on both. QEMU is driven by the grade/qemu backend, with
// MIT's flags. Without QEMU these tests skip, unless the CI environment
// variable is set, where a missing QEMU is a failure.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/grade"
	"github.com/xv6emu/xv6emu/grade/qemu"
	"github.com/xv6emu/xv6emu/kernel"
	"github.com/xv6emu/xv6emu/machine"
)

func requireQEMU(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(qemu.DefaultBinary); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required when CI is set: %v", qemu.DefaultBinary, err)
		}
		t.Skipf("%s not installed, skipping the comparison with QEMU (with CI set this fails): %v",
			qemu.DefaultBinary, err)
	}
}

// qemuRun boots kernel on QEMU and plays commands at prompt. QEMU's
// timeouts are wall-clock time, so they are generous: a loaded host must
// not fail a test that is only slow.
func qemuRun(t *testing.T, cfg qemu.Config, commands []string, prompt string, timeout time.Duration) grade.Outcome {
	t.Helper()
	b, err := qemu.New(cfg)
	require.NoError(t, err)
	return b.Run(context.Background(), grade.RunSpec{Commands: commands, Prompt: prompt, Timeout: timeout})
}

// neverPrinted is a prompt no guest prints, for runs without input: the
// session then lasts until QEMU exits.
const neverPrinted = "\x00never\x00"

func TestQEMUCompatGuestsMatch(t *testing.T) {
	requireQEMU(t)
	for _, g := range compatGuests {
		for _, cpus := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%dcpu", g.name, cpus), func(t *testing.T) {
				cfg := qemu.Config{Kernel: compatELF(t, g.name), CPUs: cpus, LegacyVirtio: g.legacy}
				if g.disk {
					cfg.FS = compatDiskImage()
				}
				var input []string
				prompt := neverPrinted
				if g.input != nil {
					input, prompt = g.input(cpus), compatPrompt
				}
				q := qemuRun(t, cfg, input, prompt, time.Minute)
				// The guest powered off with the pass code: QEMU exited
				// with status 0.
				require.Equal(t, grade.Exited, q.Ending, "QEMU: %s: %s\nconsole:\n%s", q.Ending, q.Reason, q.Console)
				require.Equal(t, "QEMU exited", q.Reason, "console:\n%s", q.Console)

				emu := runCompat(t, g, cpus, 0)
				require.Equal(t, machine.StopPowerOff, emu.stop.Reason, "xv6emu: %v\n%s", emu.stop, emu.console)

				// Hart lines are the one thing QEMU's threads order
				// differently from run to run; normalizeHarts fixes it.
				qn, en := normalizeHarts(string(q.Console)), normalizeHarts(emu.console)
				assert.Equal(t, g.expect(cpus), qn, "QEMU against what the guest must print")
				assert.Equal(t, qn, en, "xv6emu against QEMU")
			})
		}
	}
}

// qemuDiffScript is what both machines type at our kernel's shell: the
// everyday tools, a file written and read back, and a few usertests that
// cover fork, pipes, sbrk and concurrent file system use on three harts.
var qemuDiffScript = []string{
	"ls", "echo hello from both machines", "echo some text > note", "cat note", "mkdir dir",
	"ln note dir/link", "ls dir", "rm note", "cat dir/link | wc", "forktest",
	"usertests exitwait", "usertests pipe1", "usertests sbrkbasic", "usertests fourfiles",
	"usertests createdelete",
}

// Our kernel on both machines, driven by the same shell script: from the
// moment init starts the shell, the consoles must agree byte for byte,
// but for the "hart N starting" messages of the other harts. Those, and
// what comes before the shell, depend on how QEMU's threads race at boot:
// on a busy host a hart has announced itself seconds later, in the middle
// of a line ls was printing. The kernel prints each message whole, so
// cutting it out leaves the rest intact.
func TestQEMUKernelConsoleMatches(t *testing.T) {
	requireQEMU(t)
	compareKernel(t, qemuDiffScript, "")
}

// The whole quick usertests suite takes minutes on QEMU (over 3 on a busy
// two-core host), too long for every test run: it runs when
// XV6EMU_QEMU_USERTESTS is set.
func TestQEMUKernelUsertestsMatch(t *testing.T) {
	requireQEMU(t)
	if os.Getenv("XV6EMU_QEMU_USERTESTS") == "" {
		t.Skip("set XV6EMU_QEMU_USERTESTS=1 to compare 'usertests -q' on QEMU and xv6emu (minutes on QEMU)")
	}
	compareKernel(t, []string{"usertests -q"}, "ALL TESTS PASSED")
}

func compareKernel(t *testing.T, script []string, mustSay string) {
	t.Helper()
	k, err := kernel.RISCVKernel()
	require.NoError(t, err)
	img, err := kernel.RISCVFS()
	require.NoError(t, err)

	q := qemuRun(t, qemu.Config{Kernel: k, FS: img, CPUs: 3}, script, machine.DefaultPrompt, 15*time.Minute)
	require.Equal(t, grade.Finished, q.Ending, "QEMU: %s: %s\nconsole:\n%s", q.Ending, q.Reason, q.Console)

	m, out := newXV6(t, 3, 0)
	stop, typed := m.RunScript(script, "")
	require.Equal(t, machine.StopCondition, stop.Reason, "xv6emu: %v\n%s", stop, out)
	require.Equal(t, len(script), typed)

	const from = "init: starting sh"
	qc, ec := withoutHartStarts(string(q.Console)), withoutHartStarts(out.String())
	qi, ei := strings.Index(qc, from), strings.Index(ec, from)
	require.GreaterOrEqual(t, qi, 0, "QEMU never started the shell:\n%s", qc)
	require.GreaterOrEqual(t, ei, 0, "xv6emu never started the shell:\n%s", ec)
	if mustSay != "" {
		assert.Contains(t, qc, mustSay)
	}
	assert.Equal(t, qc[qi:], ec[ei:])
}

var hartStarting = regexp.MustCompile(`hart \d+ starting\n`)

func withoutHartStarts(console string) string {
	return hartStarting.ReplaceAllString(console, "")
}
