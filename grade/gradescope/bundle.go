package gradescope

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"strings"
	"text/template"
)

// Bundle is what an autograder bundle grades and with what.
type Bundle struct {
	Lab    string   // lab name, e.g. "kthread"
	Tests  []string // grade only these tests (and their parents); none means all
	Args   []string // further flags for gradescope-run, e.g. "--cpus", "3"
	Binary []byte   // a static linux/amd64 xv6emu (Gradescope's containers)
}

// CheckBinary explains why bin cannot run in Gradescope's containers
// (x86-64 Linux, without Go or our libraries), or returns nil.
func CheckBinary(bin []byte) error {
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		return fmt.Errorf("xv6emu binary: not an ELF file (%v)", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 || f.Class != elf.ELFCLASS64 {
		return fmt.Errorf("xv6emu binary: built for %v, want linux/amd64", f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("xv6emu binary: dynamically linked; build a static one with CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build ./cmd/xv6emu")
		}
	}
	return nil
}

// WriteBundle writes the autograder zip Gradescope asks for: setup.sh and
// run_autograder at the top, and the xv6emu binary setup.sh installs.
func WriteBundle(w io.Writer, b Bundle) error {
	if err := CheckBinary(b.Binary); err != nil {
		return err
	}
	args := []string{"gradescope-run", b.Lab}
	args = append(args, b.Tests...)
	args = append(args, b.Args...)
	var quoted []string
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	var run bytes.Buffer
	if err := runTemplate.Execute(&run, strings.Join(quoted, " ")); err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"setup.sh", []byte(setupScript)},
		{"run_autograder", run.Bytes()},
		{"xv6emu", b.Binary},
	} {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		h.SetMode(0o755)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// setupScript runs once, as root, when Gradescope builds the image with
// the bundle in /autograder/source. The variables are for testing the
// bundle elsewhere.
const setupScript = `#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
#   AUTOGRADER_ROOT  instead of /autograder
#   XV6EMU_BIN_DIR   where xv6emu goes, instead of /usr/local/bin
#   XV6EMU_SKIP_APT  set: install no packages (they are there already)
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
bin="${XV6EMU_BIN_DIR:-/usr/local/bin}"

if [ -z "${XV6EMU_SKIP_APT:-}" ]; then
  # Building a student's tree: make, the RISC-V cross compiler, and what
  # MIT's Makefile runs besides (host gcc for mkfs, perl for usys.pl).
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends make gcc libc6-dev perl \
    gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf
fi

mkdir -p "$bin"
install -m 0755 "$root/source/xv6emu" "$bin/xv6emu"
"$bin/xv6emu" grade --list >/dev/null
`

// runTemplate is run_autograder: Gradescope runs it for each submission.
var runTemplate = template.Must(template.New("run").Parse(`#!/usr/bin/env bash
# Gradescope runs this for each submission: build /autograder/submission
# with its own Makefile, grade it, write /autograder/results/results.json.
#   AUTOGRADER_ROOT  instead of /autograder
#   XV6EMU_BIN_DIR   where setup.sh put xv6emu, instead of /usr/local/bin
set -uo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
bin="${XV6EMU_BIN_DIR:-/usr/local/bin}"
exec "$bin/xv6emu" {{.}} --root "$root"
`))
