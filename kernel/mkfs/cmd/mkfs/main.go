// Command mkfs writes an xv6 file-system image holding the given files in
// its root directory:
//
//	mkfs OUT.img FILE...
//
// Each file is named by its base name with one leading '_' removed, so the
// build's "_cat" becomes "cat" while "README.md" stays as it is.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/xv6emu/xv6emu/kernel/mkfs"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mkfs:", strings.TrimPrefix(err.Error(), "mkfs: "))
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 1 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("usage: mkfs OUT.img FILE...")
	}
	files := make([]mkfs.File, 0, len(args)-1)
	for _, path := range args[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files = append(files, mkfs.File{Name: strings.TrimPrefix(filepath.Base(path), "_"), Data: data})
	}
	img, err := mkfs.Build(files, mkfs.Options{})
	if err != nil {
		return err
	}
	return os.WriteFile(args[0], img, 0o644)
}
