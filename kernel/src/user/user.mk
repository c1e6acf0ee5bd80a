# user.mk: builds the user library and programs. Included by
# kernel/src/Makefile; everything is named by absolute path, so it works
# whatever directory make runs in.
#
# Provides:
#   UPROGS   the programs for fs.img, as $(UBUILD)/_name (mkfs strips "_")
#   ULIB     the library objects every program links with
#   user     make user PROG=/path/to/foo.c builds one more program against
#            our headers and library and prints the path of its _foo ELF
#            (a relative PROG is taken from the directory make was started in)
#   user-x86 the same for the x86 port
#   X86UPROGS, X86ULIB  the same programs and library for the x86 port
#   user-clean
#
# Programs start at _start (start.c), which calls main(argc, argv) and exits
# with its return value. Text is linked at address 0 (user.ld).

USER_SRC := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
USER_KSRC := $(abspath $(USER_SRC)/..)
USER_ROOT := $(abspath $(USER_KSRC)/../..)
UBUILD ?= $(USER_KSRC)/build/riscv/user

TOOLPREFIX ?= riscv64-unknown-elf-
UCC := $(TOOLPREFIX)gcc
ULD := $(TOOLPREFIX)ld

UCFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -g -Wall \
	-ffreestanding -fno-common -nostdlib -fno-pie -no-pie -fno-stack-protector \
	-fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -ffile-prefix-map=$(USER_ROOT)=. \
	-I$(USER_KSRC)/include -I$(USER_KSRC)/include/user -MMD -MP
# Our own code must build without warnings; students' code need not.
UCFLAGS_OWN := -Werror
ULDFLAGS := -T $(USER_SRC)/user.ld -z max-page-size=4096 -z noexecstack --build-id=none

ULIB := $(addprefix $(UBUILD)/,start.o ulib.o usys.o printf.o umalloc.o uthread.o)

UPROGS := $(addprefix $(UBUILD)/_,\
	cat echo forktest grep init kill ln ls mkdir rm sh stressfs \
	usertests wc zombie threadtest clone1test \
	tclone tbadstack tjoinbad tfds tsbrk tstack tlock tmany tnested treturn)

$(UBUILD) $(UBUILD)/extra:
	mkdir -p $@

$(UBUILD)/%.o: $(USER_SRC)/%.c $(USER_SRC)/user.mk | $(UBUILD)
	$(UCC) $(UCFLAGS) $(UCFLAGS_OWN) -c -o $@ $<

$(UBUILD)/%.o: $(USER_SRC)/%.S $(USER_SRC)/user.mk | $(UBUILD)
	$(UCC) $(UCFLAGS) -Wa,--debug-prefix-map=$(USER_ROOT)=. -c -o $@ $<

$(UBUILD)/_%: $(UBUILD)/%.o $(ULIB) $(USER_SRC)/user.ld
	$(ULD) $(ULDFLAGS) -o $@ $< $(ULIB)

# ---- i386 ----
# The same programs for the x86 port, with the host gcc in 32-bit mode:
# usys-x86.S (int $0x40) instead of usys.S, user-x86.ld, and div64-x86.c
# for 64-bit division (no libgcc). Pointers are 32 bits there, so casts
# between them and uint64 are intended.
X86UBUILD ?= $(USER_KSRC)/build/x86/user
X86UCC ?= gcc
X86ULD ?= ld

X86UCFLAGS := -m32 -march=i686 -O2 -g -Wall -Wno-int-to-pointer-cast -Wno-pointer-to-int-cast \
	-ffreestanding -fno-common -nostdlib -fno-pie -no-pie -fno-pic -fno-stack-protector \
	-fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fcf-protection=none -mno-sse -mno-mmx \
	-ffile-prefix-map=$(USER_ROOT)=. \
	-I$(USER_KSRC)/include -I$(USER_KSRC)/include/user -MMD -MP
X86ULDFLAGS := -m elf_i386 -T $(USER_SRC)/user-x86.ld -z max-page-size=4096 -z noexecstack --build-id=none

X86ULIB := $(addprefix $(X86UBUILD)/,start.o ulib.o usys-x86.o printf.o umalloc.o uthread.o div64-x86.o)
X86UPROGS := $(patsubst $(UBUILD)/%,$(X86UBUILD)/%,$(UPROGS))

$(X86UBUILD) $(X86UBUILD)/extra:
	mkdir -p $@

$(X86UBUILD)/%.o: $(USER_SRC)/%.c $(USER_SRC)/user.mk | $(X86UBUILD)
	$(X86UCC) $(X86UCFLAGS) $(UCFLAGS_OWN) -c -o $@ $<

$(X86UBUILD)/%.o: $(USER_SRC)/%.S $(USER_SRC)/user.mk | $(X86UBUILD)
	$(X86UCC) $(X86UCFLAGS) -Wa,--debug-prefix-map=$(USER_ROOT)=. -c -o $@ $<

$(X86UBUILD)/_%: $(X86UBUILD)/%.o $(X86ULIB) $(USER_SRC)/user-x86.ld
	$(X86ULD) $(X86ULDFLAGS) -o $@ $< $(X86ULIB)

# One extra program, built apart from ours so it can share a name with one.
ifneq ($(PROG),)
UPROG_SRC := $(if $(filter /%,$(PROG)),$(PROG),$(PWD)/$(PROG))
UPROG_NAME := $(basename $(notdir $(PROG)))
UEXTRA := $(UBUILD)/extra/_$(UPROG_NAME)

# -I include/kernel last, so that programs from xv6's flat-directory days
# ("types.h", "stat.h") find the same headers.
$(UEXTRA): $(UPROG_SRC) $(ULIB) $(USER_SRC)/user.ld | $(UBUILD)/extra
	$(UCC) $(UCFLAGS) -I$(USER_KSRC)/include/kernel -c -o $(UBUILD)/extra/$(UPROG_NAME).o $(UPROG_SRC)
	$(ULD) $(ULDFLAGS) -o $@ $(UBUILD)/extra/$(UPROG_NAME).o $(ULIB)

X86UEXTRA := $(X86UBUILD)/extra/_$(UPROG_NAME)
$(X86UEXTRA): $(UPROG_SRC) $(X86ULIB) $(USER_SRC)/user-x86.ld | $(X86UBUILD)/extra
	$(X86UCC) $(X86UCFLAGS) -I$(USER_KSRC)/include/kernel -c -o $(X86UBUILD)/extra/$(UPROG_NAME).o $(UPROG_SRC)
	$(X86ULD) $(X86ULDFLAGS) -o $@ $(X86UBUILD)/extra/$(UPROG_NAME).o $(X86ULIB)
endif

.PHONY: user user-x86 user-clean
user:
	@test -n "$(PROG)" || { echo "make user: give the program as PROG=/path/to/prog.c" >&2; exit 2; }
	@test -f "$(UPROG_SRC)" || { echo "make user: $(UPROG_SRC): no such file" >&2; exit 2; }
	@$(MAKE) --no-print-directory -s $(UEXTRA) PROG=$(UPROG_SRC) >&2
	@echo $(UEXTRA)

# The same for the x86 port: make user-x86 PROG=/path/to/foo.c
user-x86:
	@test -n "$(PROG)" || { echo "make user-x86: give the program as PROG=/path/to/prog.c" >&2; exit 2; }
	@test -f "$(UPROG_SRC)" || { echo "make user-x86: $(UPROG_SRC): no such file" >&2; exit 2; }
	@$(MAKE) --no-print-directory -s $(X86UEXTRA) PROG=$(UPROG_SRC) >&2
	@echo $(X86UEXTRA)

user-clean:
	rm -rf $(UBUILD)

.PRECIOUS: $(UBUILD)/%.o $(X86UBUILD)/%.o
-include $(wildcard $(UBUILD)/*.d $(UBUILD)/extra/*.d)
-include $(wildcard $(X86UBUILD)/*.d $(X86UBUILD)/extra/*.d)
