// Command pack compresses built kernel and file-system images with zstd so
// that package kernel can embed them. Its output depends only on its input
// bytes, so a rebuild from the same sources gives the same files.
//
// Usage: go run ./kernel/pack -o DIR NAME=PATH...
// writes DIR/NAME.zst for each pair.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
)

func main() {
	out := flag.String("o", "kernel/images", "output directory")
	flag.Parse()
	if err := pack(*out, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "pack: %v\n", err)
		os.Exit(1)
	}
}

func pack(dir string, pairs []string) error {
	if len(pairs) == 0 {
		return fmt.Errorf("nothing to pack: give NAME=PATH arguments")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// One encoder, single-threaded, fixed level: deterministic output.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression),
		zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(true))
	if err != nil {
		return err
	}
	defer enc.Close()
	for _, p := range pairs {
		name, path, ok := strings.Cut(p, "=")
		if !ok || name == "" || path == "" {
			return fmt.Errorf("bad argument %q: want NAME=PATH", p)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, name+".zst")
		if err := os.WriteFile(dst, enc.EncodeAll(raw, nil), 0o644); err != nil {
			return err
		}
	}
	return nil
}
