package x86

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The signature program prints, after each random block, the registers,
// EFLAGS and a hash of the memory the block could touch. testdata/
// sig.qemu.txt is what qemu-system-i386 prints; TestSignatureQEMU checks
// that it still is.
const sigELF = "testdata/elf/sig.elf"

func TestSignature(t *testing.T) {
	want, err := os.ReadFile("testdata/sig.qemu.txt")
	must(t, err)
	tb := runELF(t, sigELF, 50_000_000)
	compareSig(t, tb.out.String(), string(want))
}

func compareSig(t *testing.T, got, want string) {
	t.Helper()
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range wl {
		if i >= len(gl) {
			t.Fatalf("output ends at line %d; want %q", i, wl[i])
		}
		if gl[i] != wl[i] {
			t.Fatalf("block line %d differs:\n got  %s\n want %s", i, gl[i], wl[i])
		}
	}
	if len(gl) != len(wl) {
		t.Fatalf("got %d lines, want %d", len(gl), len(wl))
	}
}

// TestSignatureQEMU runs the signature program on qemu-system-i386 and
// compares with the CPU's own output, bit for bit.
func TestSignatureQEMU(t *testing.T) {
	qemu, err := exec.LookPath("qemu-system-i386")
	if err != nil {
		t.Skip("qemu-system-i386 not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, qemu, "-m", "64M", "-display", "none", "-serial", "stdio",
		"-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel", sigELF)
	var out bytes.Buffer
	cmd.Stdout = &out
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatal("QEMU timed out")
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("QEMU: %v", err)
	}
	tb := runELF(t, sigELF, 50_000_000)
	compareSig(t, tb.out.String(), out.String())
}

// TestProgramsQEMU runs the test programs on qemu-system-i386 too: what
// they check is what an independent implementation does.
func TestProgramsQEMU(t *testing.T) {
	qemu, err := exec.LookPath("qemu-system-i386")
	if err != nil {
		t.Skip("qemu-system-i386 not installed")
	}
	run := func(t *testing.T, args ...string) int {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, qemu, append([]string{"-m", "64M", "-display", "none",
			"-serial", "null", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4"}, args...)...)
		err := cmd.Run()
		if ctx.Err() != nil {
			t.Fatal("QEMU timed out")
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		t.Fatalf("QEMU: %v", err)
		return 0
	}
	files, _ := filepath.Glob("testdata/elf/*.elf")
	for _, f := range files {
		name := filepath.Base(f)
		switch name {
		case "sig.elf", "idle.elf":
			continue
		case "boot.elf":
			t.Run(name, func(t *testing.T) {
				img := filepath.Join(t.TempDir(), "boot.img")
				ef, err := elf.Open(f)
				must(t, err)
				text, err := ef.Section(".text").Data()
				ef.Close()
				must(t, err)
				must(t, os.WriteFile(img, text, 0o644))
				if code := run(t, "-drive", "file="+img+",format=raw"); code != 1 {
					t.Errorf("QEMU fails check %d", code>>1)
				}
			})
			continue
		}
		t.Run(name, func(t *testing.T) {
			if code := run(t, "-kernel", f); code != 1 {
				t.Errorf("QEMU fails check %d", code>>1)
			}
		})
	}
}
