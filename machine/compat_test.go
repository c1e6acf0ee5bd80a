package machine_test

// Compatibility guests: small bare-metal programs under
// testdata/compat/src that drive each path real xv6 kernels of different
// years depend on (the M-mode CLINT timer and the Sstc timer, legacy and
// modern virtio-mmio, the interrupt-driven UART through the PLIC, the
// multi-hart start). Each prints a deterministic transcript and powers
// off through the test device. These tests run them on xv6emu and check
// the transcript against what the guest must print; qemu_diff_test.go
// runs them on QEMU too.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/machine"
)

// compatGuest describes how to run one guest and what it must print.
type compatGuest struct {
	name   string // ELF base name in testdata/compat
	disk   bool   // give it the compat disk image
	legacy bool   // virtio-mmio version 1
	// input returns the lines typed at the guest's "> " prompts.
	input func(cpus int) []string
	// expect returns the transcript, normalised (see normalizeHarts).
	expect func(cpus int) string
}

const compatPrompt = "> "

var compatGuests = []compatGuest{
	{name: "harts", expect: expectHarts},
	{name: "timer-clint", expect: expectTicks("timer-clint", "")},
	{name: "timer-sstc", expect: expectTicks("timer-sstc", ", stip ok")},
	{name: "virtio-legacy", disk: true, legacy: true, expect: expectVirtio("virtio-legacy", true, true)},
	{name: "virtio-modern", disk: true, expect: expectVirtio("virtio-modern", false, true)},
	{name: "virtio-noack", disk: true, legacy: true, expect: expectVirtio("virtio-noack", true, false)},
	{name: "uart-irq", input: uartLines, expect: expectUART("uart-irq")},
	{name: "uart-ring", input: uartLines, expect: expectUART("uart-ring")},
}

func compatELF(t testing.TB, name string) []byte {
	t.Helper()
	elf, err := os.ReadFile(filepath.Join("testdata", "compat", name+".elf"))
	require.NoError(t, err, "run make -C machine/testdata/compat")
	return elf
}

// The compat disk: 64 KiB of a position-dependent pattern with an xv6
// superblock in block 1 (magic and size), so the QEMU backend, which
// insists on an xv6 image, accepts it too.
const (
	compatBlocks = 64
	compatBSize  = 1024
)

func compatDiskImage() []byte {
	img := make([]byte, compatBlocks*compatBSize)
	for i := range img {
		img[i] = byte(i*31 + i/512)
	}
	binary.LittleEndian.PutUint32(img[compatBSize:], 0x10203040)
	binary.LittleEndian.PutUint32(img[compatBSize+4:], compatBlocks)
	return img
}

// compatPattern is what the virtio guests write to a block.
func compatPattern(block int) []byte {
	b := make([]byte, compatBSize)
	for i := range b {
		b[i] = byte(i*7 + block*13 + 0x5a)
	}
	return b
}

func compatSum(p []byte) uint32 {
	h := fnv.New32a()
	h.Write(p)
	return h.Sum32()
}

// compatRun is a finished guest run on xv6emu.
type compatRun struct {
	console string
	stop    machine.Stop
	typed   int
	disk    *disk.Disk
}

func runCompat(t testing.TB, g compatGuest, cpus int, seed uint64) compatRun {
	t.Helper()
	cfg := machine.Config{
		Kernel:       compatELF(t, g.name),
		CPUs:         cpus,
		Seed:         seed,
		LegacyVirtio: g.legacy,
		MaxTicks:     10 * machine.Timebase,
	}
	var r compatRun
	if g.disk {
		d, err := disk.FromBytes(compatDiskImage())
		require.NoError(t, err)
		cfg.Disk, r.disk = d, d
	}
	m, err := machine.NewVirt(cfg)
	require.NoError(t, err)
	if g.input != nil {
		r.stop, r.typed = typeAtPrompts(m, g.input(cpus), compatPrompt)
	} else {
		r.stop = m.Run(nil)
	}
	r.console = string(m.Output())
	return r
}

// typeAtPrompts types each line once the console ends with prompt, like
// RunScript, and then runs on until the machine stops for good. Unlike
// RunScript it treats an idle stop at a prompt as a guest waiting for
// input, as a person at the console (or QEMU) would: these guests have no
// timer, so while one waits for a line nothing else can wake a hart, and
// Run reports the machine idle before RunScript gets to type (see
// TestCompatRunScriptAtIdlePrompt).
func typeAtPrompts(m *machine.Machine, input []string, prompt string) (machine.Stop, int) {
	typed, mark := 0, 0
	atPrompt := func() bool {
		return typed < len(input) && bytes.HasSuffix(m.Output()[mark:], []byte(prompt))
	}
	for {
		s := m.Run(atPrompt)
		if (s.Reason != machine.StopCondition && s.Reason != machine.StopIdle) || !atPrompt() {
			return s, typed
		}
		mark = len(m.Output())
		m.Type(input[typed] + "\n")
		typed++
	}
}

func TestCompatGuests(t *testing.T) {
	for _, g := range compatGuests {
		for _, cpus := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%dcpu", g.name, cpus), func(t *testing.T) {
				r := runCompat(t, g, cpus, 0)
				require.Equal(t, machine.StopPowerOff, r.stop.Reason, "stop: %v\nconsole:\n%s", r.stop, r.console)
				assert.Equal(t, g.expect(cpus), normalizeHarts(r.console))
				assert.True(t, strings.HasSuffix(r.console, g.name+": pass\n"), "the pass line comes last")
				if g.input != nil {
					assert.Equal(t, len(g.input(cpus)), r.typed)
				}
				if g.disk {
					// The writes reached the disk, and nothing else changed.
					want := compatDiskImage()
					copy(want[5*compatBSize:], compatPattern(5))
					copy(want[6*compatBSize:], compatPattern(6))
					got := make([]byte, len(want))
					_, err := r.disk.ReadAt(got, 0)
					require.NoError(t, err)
					assert.True(t, bytes.Equal(want, got), "disk contents after the run")
				}
			})
		}
	}
}

// RunScript on a guest that waits for a line with no timer armed: the
// prompt is out and the only hart sleeps in wfi, so nothing but the
// typed line can wake it. Run must give RunScript's condition a look at
// that state (and so type the line) before it calls the machine idle.
func TestCompatRunScriptAtIdlePrompt(t *testing.T) {
	for _, name := range []string{"uart-irq", "uart-ring"} {
		t.Run(name, func(t *testing.T) {
			m, err := machine.NewVirt(machine.Config{Kernel: compatELF(t, name), CPUs: 1, MaxTicks: 10 * machine.Timebase})
			require.NoError(t, err)
			input := uartLines(1)
			stop, typed := m.RunScript(input, compatPrompt)
			require.Equal(t, machine.StopPowerOff, stop.Reason, "%v\n%s", stop, m.Output())
			assert.Equal(t, len(input), typed)
			assert.Equal(t, expectUART(name)(1), string(m.Output()))
		})
	}
}

// Interleaving seeds change which hart runs when, never what a guest
// prints (up to the order of harts' lines), and a seed replays exactly.
func TestCompatGuestsUnderSeeds(t *testing.T) {
	for _, g := range compatGuests {
		t.Run(g.name, func(t *testing.T) {
			for _, seed := range []uint64{1, 17} {
				r := runCompat(t, g, 3, seed)
				require.Equal(t, machine.StopPowerOff, r.stop.Reason, "seed %d: %v\n%s", seed, r.stop, r.console)
				assert.Equal(t, g.expect(3), normalizeHarts(r.console), "seed %d", seed)
				again := runCompat(t, g, 3, seed)
				assert.Equal(t, r.console, again.console, "seed %d replays byte for byte", seed)
			}
		})
	}
}

// A guest that reports a failure must stop the machine with the failure
// code, not a pass: the virtio guests insist on their device version.
func TestCompatGuestFailsOnWrongVirtioVersion(t *testing.T) {
	g := compatGuests[3]
	require.Equal(t, "virtio-legacy", g.name)
	g.legacy = false
	r := runCompat(t, g, 1, 0)
	require.Equal(t, machine.StopPowerFail, r.stop.Reason, "%v\n%s", r.stop, r.console)
	assert.Equal(t, 1, r.stop.Code)
	assert.Contains(t, r.console, "FAIL: no virtio disk of the expected version")
}

var hartLine = regexp.MustCompile(`^hart (\d+): `)

// normalizeHarts puts the transcript in a canonical order: within each
// run of consecutive lines that start "hart N: ", lines are stably sorted
// by N. Harts print concurrently, so on QEMU their lines interleave in
// whatever order its threads ran; each hart's own lines, and every line
// that is not a hart's, keep their order and position. A trailing partial
// line is kept as is.
func normalizeHarts(s string) string {
	lines := strings.SplitAfter(s, "\n")
	hart := func(l string) (int, bool) {
		m := hartLine.FindStringSubmatch(l)
		if m == nil {
			return 0, false
		}
		var n int
		fmt.Sscan(m[1], &n)
		return n, true
	}
	for i := 0; i < len(lines); {
		if _, ok := hart(lines[i]); !ok {
			i++
			continue
		}
		j := i
		for j < len(lines) {
			if _, ok := hart(lines[j]); !ok {
				break
			}
			j++
		}
		run := lines[i:j]
		sort.SliceStable(run, func(a, b int) bool {
			x, _ := hart(run[a])
			y, _ := hart(run[b])
			return x < y
		})
		i = j
	}
	return strings.Join(lines, "")
}

func TestNormalizeHarts(t *testing.T) {
	in := "go\nhart 2: a\nhart 0: a\nhart 2: b\nhart 1: a\nmid\nhart 1: c\nhart 0: c\nend"
	want := "go\nhart 0: a\nhart 1: a\nhart 2: a\nhart 2: b\nmid\nhart 0: c\nhart 1: c\nend"
	assert.Equal(t, want, normalizeHarts(in))
}

// Expected transcripts, built from what each guest is specified to print.

func transcript(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func expectHarts(cpus int) string {
	// The device tree sits where QEMU puts it: the top of RAM rounded
	// down to 2 MiB.
	dtb := uint64(machine.RAMBase+machine.DefaultMem-1) &^ (2<<20 - 1)
	out := []string{"harts: hart 0 up", fmt.Sprintf("dtb: magic ok, %d cpus", cpus)}
	for i := 0; i < cpus; i++ {
		out = append(out, fmt.Sprintf("hart %d: a0 %d mhartid %d a1 %#x dtb ok", i, i, i, dtb))
	}
	out = append(out, "dtb: /cpus timebase-frequency 10000000")
	for i := 0; i < cpus; i++ {
		out = append(out,
			fmt.Sprintf("dtb: /cpus/cpu@%d reg %d", i, i),
			fmt.Sprintf("dtb: /cpus/cpu@%d device_type cpu", i),
			fmt.Sprintf("dtb: /cpus/cpu@%d status okay", i))
	}
	out = append(out,
		fmt.Sprintf("dtb: /memory@80000000 reg 0x80000000 %#x", machine.DefaultMem),
		"dtb: /chosen stdout-path /soc/serial@10000000",
		"dtb: /soc/test@100000 reg 0x100000 0x1000",
		"dtb: /soc/clint@2000000 reg 0x2000000 0x10000",
		"dtb: /soc/clint@2000000 interrupts-extended"+strings.Repeat(" 3 7", cpus),
		"dtb: /soc/plic@c000000 reg 0xc000000 0x600000",
		"dtb: /soc/plic@c000000 riscv,ndev 96",
		"dtb: /soc/plic@c000000 interrupts-extended"+strings.Repeat(" 11 9", cpus),
		"dtb: /soc/serial@10000000 reg 0x10000000 0x100",
		"dtb: /soc/serial@10000000 interrupts 10",
		"dtb: /soc/serial@10000000 clock-frequency 3686400",
		"dtb: /soc/serial@10000000 compatible ns16550a",
		"dtb: /soc/virtio_mmio@10001000 reg 0x10001000 0x1000",
		"dtb: /soc/virtio_mmio@10001000 interrupts 1",
		"dtb: /soc/virtio_mmio@10001000 compatible virtio,mmio",
		"harts: pass")
	return transcript(out...)
}

// The timer guests count 5 ticks on every hart; none may come early.
func expectTicks(name, detail string) func(int) string {
	return func(cpus int) string {
		out := []string{fmt.Sprintf("%s: %d harts, 5 ticks each", name, cpus)}
		for h := 0; h < cpus; h++ {
			for k := 1; k <= 5; k++ {
				out = append(out, fmt.Sprintf("hart %d: tick %d", h, k))
			}
			out = append(out, fmt.Sprintf("hart %d: 5 ticks, 0 early%s", h, detail))
		}
		return transcript(append(out, name+": pass")...)
	}
}

// QEMU 7.2's virtio-blk feature words for a raw writable drive, as the
// legacy and the modern device offer them, and what an xv6 driver takes:
// everything in the low word except RO, SCSI, CONFIG_WCE, MQ, ANY_LAYOUT,
// INDIRECT_DESC and EVENT_IDX.
const (
	qemuLegacyFeatures = 0x31006ed4
	qemuModernFeatures = 0x30006e54
	qemuModernHigh     = 0x101 // VERSION_1, RING_RESET
	xv6RefusedFeatures = 1<<5 | 1<<7 | 1<<11 | 1<<12 | 1<<27 | 1<<28 | 1<<29
)

// A driver that never acknowledges leaves InterruptStatus set at the end.
func expectVirtio(name string, legacy, ack bool) func(int) string {
	return func(int) string {
		img := compatDiskImage()
		block := func(b int) []byte { return img[b*compatBSize : (b+1)*compatBSize] }
		version, low, high, queue := 2, uint32(qemuModernFeatures), uint32(qemuModernHigh), name+": queue ready reads 1"
		intStatus := 0
		if !ack {
			intStatus = 1 // the used-buffer bit, never acknowledged
		}
		if legacy {
			version, low, high, queue = 1, qemuLegacyFeatures, 0, name+": queue pfn reads back"
		}
		out := []string{
			fmt.Sprintf("%s: magic 74726976 version %d device 2 vendor 554d4551", name, version),
			fmt.Sprintf("%s: features %x:%x, accepted %x", name, high, low, low&^xv6RefusedFeatures),
			name + ": queue 0 max 1024, using 8",
			queue,
			name + ": status f",
			fmt.Sprintf("%s: capacity %d sectors, blk_size 512", name, len(img)/512),
		}
		for b := 0; b < 4; b++ {
			out = append(out,
				fmt.Sprintf("  block %d read: used len 1025 status 0", b),
				fmt.Sprintf("read block %d sum %x", b, compatSum(block(b))))
		}
		p5, p6 := compatSum(compatPattern(5)), compatSum(compatPattern(6))
		last := compatBlocks - 1
		out = append(out,
			fmt.Sprintf("write blocks 5 6 sums %x %x", p5, p6),
			"  block 5 write: used len 1 status 0",
			"  block 6 write: used len 1 status 0",
			"  block 6 read: used len 1025 status 0",
			"  block 5 read: used len 1025 status 0",
			fmt.Sprintf("read blocks 6 5 sums %x %x", p6, p5),
			fmt.Sprintf("  block %d read: used len 1025 status 0", last),
			// One block past the end: an I/O error, and the device
			// still reports the whole writable length as used.
			fmt.Sprintf("  block %d read: used len 1025 status 1", last+1),
			fmt.Sprintf("read last block sum %x", compatSum(block(last))),
			fmt.Sprintf("interrupt status %d", intStatus),
			name+": pass")
		return transcript(out...)
	}
}

func uartLines(cpus int) []string {
	words := []string{"hello", "from hart one", "two", "three", "four", "five", "six", "seven"}
	return append(words[:cpus:cpus], "everyone at once")
}

// The UART guests echo each line typed at a prompt and report it.
func expectUART(name string) func(int) string {
	return func(cpus int) string {
		in := uartLines(cpus)
		out := []string{fmt.Sprintf("%s: %d harts", name, cpus)}
		for h := 0; h < cpus; h++ {
			out = append(out,
				fmt.Sprintf("hart %d> %s", h, in[h]),
				fmt.Sprintf("hart %d: got %q (%d bytes)", h, in[h], len(in[h])))
		}
		last := in[cpus]
		out = append(out,
			"all> "+last,
			fmt.Sprintf("all: got %q (%d bytes)", last, len(last)),
			name+": pass")
		return transcript(out...)
	}
}
