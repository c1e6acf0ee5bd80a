/*
 * A boot sector: started in real mode at 0000:7C00 (by the harness, or by
 * the BIOS on QEMU). It exercises 16-bit code and real-mode segments and
 * interrupts, then switches to protected mode as classic xv6's bootasm.S
 * does (A20 through the 8042, lgdt, CR0.PE, ljmp) and reports in 32-bit
 * code. Not a multiboot kernel: see the Makefile.
 */
#define EXIT_PORT 0xF4
#define FAIL16(n) movw $(n), %ax; jmp fail16
#define CHECK16(n) je 1f; FAIL16(n); 1:

	.code16
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7C00, %sp

	/* 16-bit arithmetic and addressing */
	movw $0x1234, %bx
	movw $0x10, %si
	movw $0xBEEF, 0x20(%bx,%si)
	movw 0x1264, %ax
	cmpw $0xBEEF, %ax
	CHECK16(1)
	movw $0xFFFF, %ax
	addw $1, %ax
	jnc 2f
	jz 3f
2:	FAIL16(2)
3:	/* a segment: ES = 0x1000 reaches linear 0x10000 */
	movw $0x1000, %ax
	movw %ax, %es
	movl $0xA5A5F00D, %es:(0x40)
	movl %es:(0x40), %eax
	cmpl $0xA5A5F00D, %eax
	CHECK16(3)
	xorw %ax, %ax
	movw %ax, %es
	/* push/pop and call/ret with 16-bit stack */
	pushw $0x4321
	call sub16
	popw %ax
	cmpw $0x4321, %ax
	CHECK16(4)
	cmpw $0x7C00, %sp
	CHECK16(5)
	/* a real-mode interrupt through the IVT */
	movw $handler, 0x80*4
	movw $0, 0x80*4+2
	movw $0, %cx
	int $0x80
	cmpw $0x77, %cx
	CHECK16(6)
	/* string ops with 16-bit addressing */
	movw $msg, %si
	movw $0x600, %di
	movw $4, %cx
	cld
	rep movsb
	movl 0x600, %eax
	cmpl $0x64636261, %eax
	CHECK16(7)

	/* A20, as bootasm.S does it */
seta20.1:
	inb $0x64, %al
	testb $0x2, %al
	jnz seta20.1
	movb $0xd1, %al
	outb %al, $0x64
seta20.2:
	inb $0x64, %al
	testb $0x2, %al
	jnz seta20.2
	movb $0xdf, %al
	outb %al, $0x60

	lgdt gdtdesc
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmp $0x08, $start32

fail16:
	movw $EXIT_PORT, %dx
	outw %ax, %dx
	hlt

sub16:
	movw %sp, %bp
	movw 2(%bp), %ax
	cmpw $0x4321, %ax
	CHECK16(8)
	ret

handler:
	movw $0x77, %cx
	iret

msg:	.ascii "abcd"

	.code32
start32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $0x7C00, %esp
	/* the data written through ES=0x1000 in real mode */
	cmpl $0xA5A5F00D, 0x10040
	jne 1f
	xorl %eax, %eax
	jmp 2f
1:	movl $20, %eax
2:	movw $EXIT_PORT, %dx
	outl %eax, %dx
	hlt

	.p2align 2
gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF
	.quad 0x00CF92000000FFFF
gdtdesc:
	.word gdtdesc - gdt - 1
	.long gdt

	.org 510
	.byte 0x55, 0xAA
