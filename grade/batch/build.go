package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Paths of the build products in an MIT-style tree.
const (
	KernelFile = "kernel/kernel"
	FSFile     = "fs.img"
)

// BuildConfig says how to build a submission's tree.
type BuildConfig struct {
	Make       string        // make program; "" means "make"
	ToolPrefix string        // "" means DefaultToolPrefix
	Timeout    time.Duration // wall bound of the whole build; 0 means DefaultBuildTimeout
	// MemLimit bounds each build process's address space in bytes
	// (ulimit -v); 0 means DefaultBuildMem, negative means none.
	MemLimit int64
}

// Defaults for BuildConfig.
const (
	DefaultToolPrefix   = "riscv64-unknown-elf-" // Debian's gcc-riscv64-unknown-elf
	DefaultBuildTimeout = 5 * time.Minute
	DefaultBuildMem     = 4 << 30
)

// buildTailLines is how many of the build's last lines a "does not build"
// verdict shows.
const buildTailLines = 20

// maxBuildLog bounds the build output kept (its end is what matters).
const maxBuildLog = 1 << 20

// BuildError is a tree that does not build: make failed or ran out of
// time, or made no kernel/kernel or fs.img.
type BuildError struct {
	Reason string // one line
	Tail   string // the build's last lines
}

func (e *BuildError) Error() string { return e.Reason }

// FindTree returns the folder of an unpacked submission that holds the
// tree: the shallowest one with a Makefile, or with a prebuilt
// kernel/kernel and fs.img (archives often wrap the tree in a folder of
// its own; macOS adds __MACOSX).
func FindTree(root string) (string, error) {
	level := []string{root}
	for depth := 0; depth < 4 && len(level) > 0; depth++ {
		var next []string
		for _, dir := range level {
			if isTree(dir) {
				return dir, nil
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				return "", err
			}
			for _, e := range entries {
				n := e.Name()
				if e.IsDir() && !strings.HasPrefix(n, ".") && n != "__MACOSX" {
					next = append(next, filepath.Join(dir, n))
				}
			}
		}
		sort.Strings(next)
		level = next
	}
	return "", &UnpackError{errors.New("no xv6 tree: no Makefile, and no prebuilt kernel/kernel with fs.img")}
}

func isTree(dir string) bool {
	return hasMakefile(dir) || prebuilt(dir)
}

func hasMakefile(dir string) bool {
	for _, n := range []string{"GNUmakefile", "makefile", "Makefile"} {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

func prebuilt(dir string) bool {
	for _, n := range []string{KernelFile, FSFile} {
		if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(n))); err != nil || !st.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// Build runs "make kernel/kernel fs.img TOOLPREFIX=..." in tree, as MIT's
// Makefile spells its targets, and returns the build's output. A tree
// without a Makefile but with both products is taken as built. Every
// process of the build is killed when it runs out of time or ctx ends.
func Build(ctx context.Context, tree string, cfg BuildConfig) ([]byte, error) {
	if !hasMakefile(tree) {
		if prebuilt(tree) {
			return nil, nil
		}
		return nil, &BuildError{Reason: "no Makefile and no prebuilt kernel/kernel with fs.img"}
	}
	if cfg.Make == "" {
		cfg.Make = "make"
	}
	if cfg.ToolPrefix == "" {
		cfg.ToolPrefix = DefaultToolPrefix
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultBuildTimeout
	}
	if cfg.MemLimit == 0 {
		cfg.MemLimit = DefaultBuildMem
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	args := []string{cfg.Make, KernelFile, FSFile, "TOOLPREFIX=" + cfg.ToolPrefix}
	var cmd *exec.Cmd
	if cfg.MemLimit > 0 {
		// The shell sets the limit for make and everything it starts.
		script := fmt.Sprintf(`ulimit -v %d 2>/dev/null; exec "$@"`, cfg.MemLimit>>10)
		cmd = exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "sh"}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, args[0], args[1:]...)
	}
	cmd.Dir = tree
	cmd.Env = buildEnv()
	out := &tailBuffer{max: maxBuildLog}
	cmd.Stdout, cmd.Stderr = out, out
	ownGroup(cmd)
	cmd.Cancel = func() error { killGroup(cmd); return nil }
	cmd.WaitDelay = 5 * time.Second

	err := cmd.Run()
	// Paths read as the student knows them: relative to the tree.
	log := bytes.ReplaceAll(out.bytes(), []byte(tree+string(filepath.Separator)), nil)
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return log, &BuildError{Reason: fmt.Sprintf("does not build: still building after %v", cfg.Timeout), Tail: lastLines(log, buildTailLines)}
	case ctx.Err() != nil:
		return log, ctx.Err()
	case err != nil:
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return log, fmt.Errorf("build: %w", err)
		}
		return log, &BuildError{Reason: "does not build: make failed (" + ee.ProcessState.String() + ")", Tail: lastLines(log, buildTailLines)}
	case !prebuilt(tree):
		return log, &BuildError{Reason: "does not build: make made no kernel/kernel or no fs.img", Tail: lastLines(log, buildTailLines)}
	}
	return log, nil
}

// buildEnv is ours without make's own variables (a batch started from a
// Makefile must not hand its jobserver to students' builds), and with the
// C locale so compiler messages are plain ASCII.
func buildEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEFILES", "GNUMAKEFLAGS", "LC_ALL", "LANG":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// lastLines returns the last n lines of b.
func lastLines(b []byte, n int) string {
	s := strings.TrimRight(string(b), "\n")
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' {
			if n--; n == 0 {
				return s[i+1:]
			}
		}
	}
	return s
}

// tailBuffer keeps the last max bytes written to it; safe for the two
// writers (stdout and stderr) exec may use at once.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	dropped bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
		t.dropped = true
	}
	return len(p), nil
}

func (t *tailBuffer) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dropped {
		return append([]byte("[... earlier build output left out ...]\n"), t.buf...)
	}
	return bytes.Clone(t.buf)
}
