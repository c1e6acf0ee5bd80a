#!/usr/bin/env bash
# Rebuilds the embedded images from kernel/src and fails if they differ from
# the committed ones in kernel/images (CI's freshness check).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build=kernel/src/build/riscv
x86=kernel/src/build/x86
make -s -C kernel/src clean >/dev/null
make -s -C kernel/src all >/dev/null
go run ./kernel/pack -o "$tmp" riscv-kernel=$build/kernel riscv-fs.img=$build/fs.img \
  x86-kernel=$x86/kernel x86-fs.img=$x86/fs.img x86-xv6.img=$x86/xv6.img
status=0
for f in "$tmp"/*.zst; do
  name=$(basename "$f")
  if ! cmp -s "$f" "kernel/images/$name"; then
    echo "check-images: kernel/images/$name is stale or missing: run 'make images' and commit" >&2
    status=1
  fi
done
for f in kernel/images/*.zst; do
  [ -e "$tmp/$(basename "$f")" ] || { echo "check-images: $f is not built by 'make images'" >&2; status=1; }
done
[ $status = 0 ] && echo "check-images: embedded images match the sources"
exit $status
