package machine_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/machine"
	"github.com/xv6emu/xv6emu/x86"
)

// The pc test kernel (machine/testdata/pc) and what it prints on
// qemu-system-i386 -kernel, recorded from QEMU 7.2 and re-checked by
// TestPCKernelMatchesQEMU whenever QEMU is installed.
const (
	pcKernel     = "testdata/pc/pckernel.elf"
	pcTranscript = "testdata/pc/transcript.txt"
	pcInput      = "hello\n"
)

// pcTestDisk is the IDE master of the test: sector 1 holds a string the
// kernel prints, sector 2 gets written.
func pcTestDisk() []byte {
	img := make([]byte, 64<<10)
	copy(img[512:], "xv6emu pc test disk, sector 1")
	return img
}

func runPCKernel(t *testing.T, seed uint64) (string, machine.Stop) {
	t.Helper()
	k, err := os.ReadFile(pcKernel)
	require.NoError(t, err)
	d, err := disk.FromBytes(pcTestDisk())
	require.NoError(t, err)
	cfg := machine.PCConfig{}
	cfg.Kernel, cfg.Disk, cfg.CPUs, cfg.Mem, cfg.Seed = k, d, 2, 128<<20, seed
	cfg.MaxTicks = 10 * machine.Timebase
	m, err := machine.NewPC(cfg)
	require.NoError(t, err)
	defer m.Close()
	m.Type(pcInput)
	stop := m.Run(nil)
	return string(m.Output()), stop
}

func TestPCKernel(t *testing.T) {
	want, err := os.ReadFile(pcTranscript)
	require.NoError(t, err)
	for _, seed := range []uint64{0, 7} {
		out, stop := runPCKernel(t, seed)
		assert.Equal(t, machine.StopPowerOff, stop.Reason, "seed %d: %v", seed, stop)
		assert.Equal(t, string(want), out, "seed %d", seed)
	}
}

func TestPCKernelMatchesQEMU(t *testing.T) {
	bin, err := exec.LookPath("qemu-system-i386")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("qemu-system-i386 is required when CI is set: %v", err)
		}
		t.Skipf("qemu-system-i386 not installed, skipping the comparison with QEMU: %v", err)
	}
	img := filepath.Join(t.TempDir(), "disk.img")
	require.NoError(t, os.WriteFile(img, pcTestDisk(), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-kernel", pcKernel, "-m", "128", "-smp", "2",
		"-drive", "file="+img+",format=raw,index=0,media=disk", "-snapshot",
		"-serial", "stdio", "-display", "none", "-monitor", "none", "-no-reboot")
	cmd.Stdin = strings.NewReader(pcInput)
	var out bytes.Buffer
	cmd.Stdout = &out
	require.NoError(t, cmd.Run(), "qemu: %s", out.String())
	ours, _ := runPCKernel(t, 0)
	assert.Equal(t, out.String(), ours)
}

// bootSector is a 16-bit program that writes "OK" on the CGA screen,
// prints 'B' and the DL it was started with on COM1, then powers off
// through the ACPI port.
func bootSector() []byte {
	code := []byte{
		0xB8, 0x00, 0xB8, // mov ax, 0xB800
		0x8E, 0xC0, // mov es, ax
		0x26, 0xC7, 0x06, 0x00, 0x00, 'O', 0x07, // mov word es:[0], 0x074F
		0x26, 0xC7, 0x06, 0x02, 0x00, 'K', 0x07, // mov word es:[2], 0x074B
		0x88, 0xD3, // mov bl, dl
		0xBA, 0xF8, 0x03, // mov dx, 0x3F8
		0xB0, 'B', // mov al, 'B'
		0xEE,       // out dx, al
		0x88, 0xD8, // mov al, bl
		0xEE,       // out dx, al
		0xB0, '\n', // mov al, '\n'
		0xEE,             // out dx, al
		0xBA, 0x04, 0x06, // mov dx, 0x604
		0xB8, 0x00, 0x20, // mov ax, 0x2000
		0xEF,       // out dx, ax
		0xF4,       // hlt
		0xEB, 0xFD, // jmp hlt
	}
	s := make([]byte, 4096)
	copy(s, code)
	s[510], s[511] = 0x55, 0xAA
	return s
}

func TestPCBootSector(t *testing.T) {
	d, err := disk.FromBytes(bootSector())
	require.NoError(t, err)
	cfg := machine.PCConfig{}
	cfg.Disk, cfg.CPUs, cfg.MaxTicks = d, 1, machine.Timebase
	m, err := machine.NewPC(cfg)
	require.NoError(t, err)
	defer m.Close()
	require.Equal(t, uint16(0), m.X86(0).Seg(x86.CS))
	require.Equal(t, uint32(0x7C00), m.X86(0).EIP())
	stop := m.Run(nil)
	assert.Equal(t, machine.StopPowerOff, stop.Reason, stop.String())
	assert.Equal(t, "B\x80\n", string(m.Output()))
	assert.Equal(t, "OK\n", m.Screen())
}

func TestPCConfigErrors(t *testing.T) {
	unsigned, err := disk.FromBytes(make([]byte, 4096))
	require.NoError(t, err)
	for name, cfg := range map[string]machine.PCConfig{
		"nothing to boot":   {},
		"unsigned sector":   {Config: machine.Config{Disk: unsigned}},
		"not multiboot":     {Config: machine.Config{Kernel: make([]byte, 9000)}},
		"too many cpus":     {Config: machine.Config{Disk: unsigned, CPUs: machine.MaxCPUs + 1}},
		"odd memory size":   {Config: machine.Config{Disk: unsigned, Mem: 16<<20 + 1}},
		"too little memory": {Config: machine.Config{Disk: unsigned, Mem: 1 << 20}},
	} {
		_, err := machine.NewPC(cfg)
		assert.Error(t, err, name)
	}
}
