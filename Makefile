# xv6emu top-level build.
#
#   make deps     install the Debian packages the project needs (cross compilers, QEMU, gdb,
#                 chromium for the compare page's browser test)
#   make test     everything CI checks: vet, unit/boot/lab tests, image freshness
#   make images   rebuild the embedded kernel and fs images from kernel/src
#   make qemu     boot our kernel on real qemu-system-riscv64
#   make qemu-x86 boot our i386 kernel on real qemu-system-i386 (CPUS=3)
#   make user PROG=path/to/foo.c   build one extra user program against our library
#   make user-x86 PROG=path/to/foo.c   the same for the x86 kernel (gcc -m32)

GO      ?= go
ROOT    := $(abspath .)
KSRC    := $(ROOT)/kernel/src
BUILD   := $(KSRC)/build/riscv
X86BUILD := $(KSRC)/build/x86
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

DEB_PACKAGES := gcc-riscv64-unknown-elf gcc-multilib qemu-system-misc qemu-system-x86 gdb-multiarch chromium

.PHONY: all build deps test vet images check-images qemu qemu-x86 user user-x86 clean

all: build

build:
	$(GO) build -o bin/xv6emu ./cmd/xv6emu

deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(DEB_PACKAGES)

vet:
	$(GO) vet ./...

# The one test command (README, CI). Image freshness first: tests must run
# against images that match the sources.
test: vet check-images
	$(GO) test ./...

# Always from clean, as check-images does: an incremental build can keep
# objects that a clean one would not produce.
images:
	$(MAKE) -C $(KSRC) clean
	$(MAKE) -C $(KSRC) all
	$(GO) run ./kernel/pack -o kernel/images riscv-kernel=$(BUILD)/kernel riscv-fs.img=$(BUILD)/fs.img \
		x86-kernel=$(X86BUILD)/kernel x86-fs.img=$(X86BUILD)/fs.img x86-xv6.img=$(X86BUILD)/xv6.img

# Rebuild the images from source in a scratch copy and fail if they differ
# from the committed ones.
check-images:
	./kernel/check-images.sh

qemu:
	$(MAKE) -C $(KSRC) qemu

qemu-x86:
	$(MAKE) -C $(KSRC) qemu-x86

user:
	@$(MAKE) -s -C $(KSRC) user PROG=$(abspath $(PROG))

user-x86:
	@$(MAKE) -s -C $(KSRC) user-x86 PROG=$(abspath $(PROG))

clean:
	rm -rf bin
	$(MAKE) -C $(KSRC) clean
