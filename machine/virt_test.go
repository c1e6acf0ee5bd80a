package machine_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/kernel"
	"github.com/xv6emu/xv6emu/machine"
)

// newXV6 boots the embedded kernel and fs image with the given harts and
// seed, recording the console.
func newXV6(t testing.TB, cpus int, seed uint64) (*machine.Machine, *bytes.Buffer) {
	t.Helper()
	k, err := kernel.RISCVKernel()
	require.NoError(t, err)
	img, err := kernel.RISCVFS()
	require.NoError(t, err)
	d, err := disk.FromBytes(img)
	require.NoError(t, err)
	var out bytes.Buffer
	m, err := machine.NewVirt(machine.Config{
		Kernel: k, Disk: d, CPUs: cpus, Seed: seed, Console: &out,
		MaxTicks: 600 * machine.Timebase,
	})
	require.NoError(t, err)
	return m, &out
}

func TestBootsToShellAndRunsCommands(t *testing.T) {
	for _, cpus := range []int{1, 3} {
		m, out := newXV6(t, cpus, 0)
		stop, typed := m.RunScript([]string{"echo hello xv6emu", "ls", "cat README"}, "")
		require.Equal(t, machine.StopCondition, stop.Reason, "stop: %v\nconsole:\n%s", stop, out)
		assert.Equal(t, 3, typed)
		con := out.String()
		assert.Contains(t, con, "xv6 kernel is booting")
		assert.Contains(t, con, "$ echo hello xv6emu\nhello xv6emu\n$ ")
		assert.Regexp(t, `(?m)^usertests +2 \d+ \d+$`, con)
		assert.True(t, strings.HasSuffix(con, "$ "), "console ends at the prompt")
		assert.Equal(t, out.Bytes(), m.Output(), "Output() is what the console writer saw")
	}
}

// The same image, script and seed give the same console byte for byte,
// and the same number of retired instructions.
func TestDeterministic(t *testing.T) {
	script := []string{"echo a | cat", "forktest"}
	for _, seed := range []uint64{0, 17} {
		var consoles []string
		var retired []uint64
		for run := 0; run < 2; run++ {
			m, out := newXV6(t, 3, seed)
			stop, _ := m.RunScript(script, "")
			require.Equal(t, machine.StopCondition, stop.Reason, "%v\n%s", stop, out)
			consoles = append(consoles, out.String())
			retired = append(retired, m.Retired())
		}
		assert.Equal(t, consoles[0], consoles[1], "seed %d", seed)
		assert.Equal(t, retired[0], retired[1], "seed %d", seed)
	}
}

func TestConfigErrors(t *testing.T) {
	k, err := kernel.RISCVKernel()
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		cfg  machine.Config
		want string
	}{
		{"too many cpus", machine.Config{Kernel: k, CPUs: 9}, "CPUs"},
		{"tiny memory", machine.Config{Kernel: k, Mem: 1 << 20}, "memory size"},
		{"not an ELF", machine.Config{Kernel: []byte("hello")}, "kernel"},
		{"empty kernel", machine.Config{}, "kernel"},
	} {
		_, err := machine.NewVirt(tc.cfg)
		assert.ErrorContains(t, err, tc.want, tc.name)
	}
}

// With nothing to do and no timer armed, a machine stops as idle instead of
// spinning forever; a kernel panic line stops it too.
func TestStopsOnInstructionBudget(t *testing.T) {
	k, err := kernel.RISCVKernel()
	require.NoError(t, err)
	m, err := machine.NewVirt(machine.Config{Kernel: k, CPUs: 1, MaxInsns: 100000})
	require.NoError(t, err)
	stop := m.Run(nil)
	assert.Equal(t, machine.StopInsnBudget, stop.Reason)
	assert.GreaterOrEqual(t, m.Retired(), uint64(100000))
}

// Our kernel without a disk cannot mount its root file system; it must
// panic, and the machine must stop on the panic line.
func TestStopsOnKernelPanic(t *testing.T) {
	k, err := kernel.RISCVKernel()
	require.NoError(t, err)
	var out bytes.Buffer
	m, err := machine.NewVirt(machine.Config{Kernel: k, CPUs: 1, Console: &out, MaxTicks: 100 * machine.Timebase})
	require.NoError(t, err)
	stop := m.Run(nil)
	require.Equal(t, machine.StopPanic, stop.Reason, "%v\n%s", stop, out.String())
	assert.True(t, strings.HasPrefix(stop.Detail, "panic: "), stop.Detail)
}

func TestInterrupt(t *testing.T) {
	m, _ := newXV6(t, 1, 0)
	m.Interrupt("test")
	stop := m.Run(nil)
	assert.Equal(t, machine.StopInterrupted, stop.Reason)
	assert.Equal(t, "test", stop.Detail)
}
