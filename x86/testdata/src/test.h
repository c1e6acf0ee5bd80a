/*
 * Test conventions for the x86 CPU tests. A test is a multiboot kernel
 * entered in 32-bit protected mode, paging off. It prints on COM1 (port
 * 0x3F8) and ends by writing its verdict to port 0xF4 (QEMU's
 * isa-debug-exit): 0 = pass, n = check n failed. The same ELF runs on the
 * Go test harness and on qemu-system-i386.
 *
 * CHECK(n) fails with n unless the preceding compare set ZF (equal).
 */
#define EXIT_PORT 0xF4
#define COM1 0x3F8

#define FAIL(n) movl $(n), %eax; jmp fail
#define CHECK(n) je 1f; FAIL(n); 1:
#define CHECKEQ(n, want, reg) cmpl $(want), reg; CHECK(n)
/* CHECKF(n, want, mask): the flags in mask are as in want. */
#define CHECKF(n, want, mask) pushfl; popl %edi; andl $(mask), %edi; cmpl $(want), %edi; CHECK(n)

#define CF 0x001
#define PF 0x004
#define AF 0x010
#define ZF 0x040
#define SF 0x080
#define OF 0x800
#define ARITH (CF|PF|AF|ZF|SF|OF)

	.section .multiboot
	.align 4
	.long 0x1BADB002
	.long 0
	.long -0x1BADB002

	.text
	.globl _start
_start:
	movl $stack_top, %esp
	call test_main
	xorl %eax, %eax
	/* fall through: verdict in %eax */
fail:
	movw $EXIT_PORT, %dx
	outl %eax, %dx
	cli
2:	hlt
	jmp 2b

/* putc: print %al on COM1 (clobbers %dx). */
putc:
	movw $COM1, %dx
	outb %al, %dx
	ret

	.bss
	.align 16
	.space 16384
stack_top:
	.text
