package x86

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xv6emu/xv6emu/bus"
)

// testBoard is the bare board the CPU tests run on: RAM at 0, COM1 output
// at port 0x3F8, a verdict port at 0xF4 (QEMU's isa-debug-exit), and an
// 8042 status port that is never busy (for boot-sector A20 loops).
type testBoard struct {
	bus    *bus.Bus
	cpu    *CPU
	out    bytes.Buffer
	exited bool
	code   uint32
}

type serialPort struct{ b *testBoard }

func (s serialPort) Read(off uint64, size int) uint64 {
	if off == 5 {
		return 0x60 // transmitter empty
	}
	return 0
}

func (s serialPort) Write(off uint64, size int, v uint64) {
	if off == 0 {
		s.b.out.WriteByte(byte(v))
	}
}

type exitPort struct{ b *testBoard }

func (e exitPort) Read(uint64, int) uint64 { return 0 }
func (e exitPort) Write(_ uint64, _ int, v uint64) {
	if !e.b.exited {
		e.b.exited, e.b.code = true, uint32(v)
	}
}

type zeroPort struct{}

func (zeroPort) Read(uint64, int) uint64   { return 0 }
func (zeroPort) Write(uint64, int, uint64) {}

type stepClock struct{ c **CPU }

func (s stepClock) Now() uint64 {
	if *s.c == nil {
		return 0
	}
	return (*s.c).Instret() / 100
}

const testRAM = 32 << 20

func newTestBoard(t testing.TB) *testBoard {
	tb := &testBoard{bus: bus.New(0, testRAM)}
	t.Cleanup(tb.bus.Close)
	must(t, tb.bus.MapPorts(0x3F8, 8, serialPort{tb}, "com1"))
	must(t, tb.bus.MapPorts(0xF4, 4, exitPort{tb}, "exit"))
	must(t, tb.bus.MapPorts(0x60, 5, zeroPort{}, "kbd"))
	tb.cpu = New(0, tb.bus, stepClock{&tb.cpu})
	return tb
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// loadELF copies an ELF's loadable segments to their physical addresses
// and returns the entry point.
func (tb *testBoard) loadELF(t testing.TB, path string) uint32 {
	f, err := elf.Open(path)
	must(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		data := make([]byte, p.Memsz)
		if n, err := p.ReadAt(data[:p.Filesz], 0); n != int(p.Filesz) {
			t.Fatal(err)
		}
		must(t, tb.bus.WriteRAM(p.Paddr, data))
	}
	return uint32(f.Entry)
}

// run runs until the program writes its verdict, the CPU stops, or budget
// instructions pass.
func (tb *testBoard) run(budget uint64) error {
	var done uint64
	for done < budget && !tb.exited {
		n := tb.cpu.Run(min(10000, budget-done))
		done += n
		if r, down := tb.cpu.Shutdown(); down {
			return fmt.Errorf("shutdown: %s at eip %#x", r, tb.cpu.EIP())
		}
		if n == 0 && tb.cpu.Halted() && !tb.exited {
			return fmt.Errorf("halted at eip %#x with nothing to wake it", tb.cpu.EIP())
		}
	}
	if !tb.exited {
		return fmt.Errorf("no verdict after %d instructions (eip %#x)", done, tb.cpu.EIP())
	}
	return nil
}

// runELF boots a test program by multiboot and returns its verdict.
func runELF(t testing.TB, path string, budget uint64) *testBoard {
	tb := newTestBoard(t)
	entry := tb.loadELF(t, path)
	tb.cpu.EnterMultiboot(entry, 0x2BADB002, 0)
	if err := tb.run(budget); err != nil {
		t.Fatalf("%s: %v; output %q", path, err, tb.out.String())
	}
	return tb
}

// TestPrograms runs every test program in testdata/elf: each checks one
// instruction family and reports a failing check by number.
func TestPrograms(t *testing.T) {
	files, _ := filepath.Glob("testdata/elf/*.elf")
	if len(files) == 0 {
		t.Fatal("no test programs in testdata/elf")
	}
	for _, f := range files {
		name := filepath.Base(f)
		if name == "sig.elf" || name == "boot.elf" || name == "idle.elf" {
			continue // not verdict programs: see TestSignature, TestBootSector, TestCycle
		}
		t.Run(name, func(t *testing.T) {
			tb := runELF(t, f, 50_000_000)
			if tb.code != 0 {
				t.Errorf("check %d failed; output %q", tb.code, tb.out.String())
			}
		})
	}
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }

// TestBootSector starts a boot sector in real mode at 0000:7C00, as a BIOS
// hands over: 16-bit code, real-mode segments and interrupts, then the
// switch to protected mode that classic xv6's bootasm.S makes.
func TestBootSector(t *testing.T) {
	tb := newTestBoard(t)
	tb.loadELF(t, "testdata/elf/boot.elf")
	tb.cpu.ResetReal(0, 0x7C00)
	tb.cpu.SetReg(EDX, 0x80)
	if err := tb.run(1_000_000); err != nil {
		t.Fatal(err)
	}
	if tb.code != 0 {
		t.Fatalf("check %d failed", tb.code)
	}
	if !tb.cpu.protected() || !tb.cpu.seg[CS].big {
		t.Errorf("not in 32-bit protected mode at the end")
	}
}

// TestSegmentLimit: data accesses past a segment's limit raise #GP (QEMU
// does not check them, so this is not in the QEMU-checked programs), and
// expand-down segments allow only offsets above the limit.
func TestSegmentLimit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		typ    uint8
		limit  uint32
		off    uint32
		faults bool
	}{
		{"inside", 0x13, 0xFF, 0xFC, false},
		{"last byte out", 0x13, 0xFF, 0xFD, true},
		{"beyond", 0x13, 0xFF, 0x100, true},
		{"expand-down above", 0x17, 0xFF, 0x100, false},
		{"expand-down below", 0x17, 0xFF, 0x10, true},
		{"read-only write", 0x11, 0xFFFF, 0x10, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTestBoard(t)
			c := tb.cpu
			// mov eax, fs:[off] (or mov fs:[off], eax for the write case)
			code := []byte{0x64, 0x8B, 0x05}
			if tc.name == "read-only write" {
				code = []byte{0x64, 0x89, 0x05}
			}
			code = append(code, byte(tc.off), byte(tc.off>>8), byte(tc.off>>16), byte(tc.off>>24), 0xF4)
			must(t, tb.bus.WriteRAM(0x10000, code))
			must(t, tb.bus.WriteRAM(0x20000+uint64(tc.off), []byte{0x78, 0x56, 0x34, 0x12}))
			c.EnterMultiboot(0x10000, 0, 0)
			c.seg[FS] = segment{sel: 0x18, base: 0x20000, limit: tc.limit, typ: tc.typ, big: true, valid: true}
			c.seg[FS].setFast()
			c.Run(1)
			got := c.Stats.Exceptions[excGP] > 0
			if got != tc.faults {
				t.Fatalf("#GP %v, want %v", got, tc.faults)
			}
			if !tc.faults && tc.name != "read-only write" && c.Reg(EAX) != 0x12345678 {
				t.Errorf("read %#x", c.Reg(EAX))
			}
		})
	}
}
