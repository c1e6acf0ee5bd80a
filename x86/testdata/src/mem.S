/*
 * Memory, stack and string instructions: addressing forms, push/pop
 * variants, enter/leave, call/ret (near, indirect, far, ret imm), the
 * string instructions with rep prefixes (both directions, overlapping
 * copies), cmpxchg8b, xchg with memory, segment loads and a non-flat
 * segment (base and limit), pushf/popf.
 */
#include "test.h"

test_main:
	/* our own GDT (code 0x08, data 0x10, a small data segment 0x18) */
	lgdt gdt_desc
	ljmp $0x08, $2f
2:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	/* addressing forms */
	movl $buf, %ebx
	movl $3, %esi
	movl $0x11111111, 12(%ebx,%esi,4)
	movl buf+24, %eax
	CHECKEQ(1, 0x11111111, %eax)
	leal -4(%ebx,%esi,8), %eax
	subl %ebx, %eax
	CHECKEQ(2, 20, %eax)
	movw $0x2222, buf+2
	movzwl buf+2, %eax
	CHECKEQ(3, 0x2222, %eax)
	/* push/pop forms */
	movl %esp, %ebp
	pushl $-5
	pushw $0x1234
	pushl buf+24
	popl %eax
	CHECKEQ(4, 0x11111111, %eax)
	popw %ax
	CHECKEQ(5, 0x11111234, %eax)
	popl buf
	CHECKEQ(6, -5, buf)
	cmpl %esp, %ebp
	CHECK(7)
	movl $1, %eax; movl $2, %ecx; movl $3, %edx; movl $4, %ebx
	movl $6, %esi; movl $7, %edi
	pushal
	movl 12(%esp), %eax       /* the ESP pushed is the one before pushal */
	leal 32(%esp), %ecx
	cmpl %ecx, %eax
	CHECK(8)
	xorl %eax, %eax; xorl %ecx, %ecx; xorl %edi, %edi
	popal
	CHECKEQ(9, 1, %eax)
	CHECKEQ(10, 7, %edi)
	/* enter/leave */
	movl %esp, %esi
	enter $16, $0
	leal -16(%ebp), %eax
	cmpl %eax, %esp
	CHECK(11)
	leave
	cmpl %esi, %esp
	CHECK(12)
	/* calls */
	call f_ret8_args
	movl $f_plain, %eax
	call *%eax
	CHECKEQ(13, 0x77, %ecx)
	movl $f_plain, fptr
	call *fptr
	lcall $0x08, $f_far
	CHECKEQ(14, 0x99, %ecx)
	pushl $5
	pushl $6
	call f_ret8
	cmpl %esi, %esp
	CHECK(15)
	/* string ops forward */
	cld
	movl $src, %esi
	movl $dst, %edi
	movl $16, %ecx
	rep movsb
	movl dst+12, %eax
	CHECKEQ(16, 0x706f6e6d, %eax)
	CHECKEQ(17, src+16, %esi)
	CHECKEQ(18, 0, %ecx)
	/* overlapping forward copy replicates the pattern */
	movl $dst, %esi
	leal 1(%esi), %edi
	movl $8, %ecx
	rep movsb
	movl dst+4, %eax
	CHECKEQ(19, 0x61616161, %eax)
	/* backwards */
	std
	movl $src+15, %esi
	movl $dst+15, %edi
	movl $16, %ecx
	rep movsb
	cld
	movl dst, %eax
	CHECKEQ(20, 0x64636261, %eax)
	/* stos, lods, scas, cmps */
	movl $dst, %edi
	movl $0xA5A5A5A5, %eax
	movl $5, %ecx
	rep stosl
	CHECKEQ(21, dst+20, %edi)
	cmpl $0xA5A5A5A5, dst+16
	CHECK(22)
	movl $src, %edi
	movb $'h', %al
	movl $100, %ecx
	repne scasb
	CHECKEQ(23, src+8, %edi)
	CHECKEQ(24, 92, %ecx)
	movl $src, %esi
	movl $src2, %edi
	movl $16, %ecx
	repe cmpsb
	CHECKEQ(25, src+6, %esi)     /* differs at index 5 */
	movl $src, %esi
	lodsl
	CHECKEQ(26, 0x64636261, %eax)
	/* cmpxchg8b */
	movl $1, %eax; movl $2, %edx; movl $3, %ebx; movl $4, %ecx
	movl $1, q; movl $2, q+4
	lock cmpxchg8b q
	jz 1f
	FAIL(27)
1:	CHECKEQ(28, 3, q)
	CHECKEQ(29, 4, q+4)
	lock cmpxchg8b q
	jnz 1f
	FAIL(30)
1:	CHECKEQ(31, 3, %eax)
	CHECKEQ(32, 4, %edx)
	/* xchg with memory, lock xadd */
	movl $9, %eax
	xchgl %eax, q
	CHECKEQ(33, 3, %eax)
	movl $10, %eax
	lock xaddl %eax, q
	CHECKEQ(34, 9, %eax)
	CHECKEQ(35, 19, q)
	lock incl q
	lock btsl $31, q
	CHECKEQ(36, 0x80000014, q)
	/* a data segment with a base and a byte limit */
	movl $gdt_ds, %eax
	movl $buf, %ecx
	movw %cx, 2(%eax)
	shrl $16, %ecx
	movb %cl, 4(%eax)
	movb %ch, 7(%eax)
	movl $gp_handler, %eax
	movw %ax, idt+13*8
	movw $0x08, idt+13*8+2
	movw $0x8E00, idt+13*8+4
	shrl $16, %eax
	movw %ax, idt+13*8+6
	lidt idt_desc
	movw $0x18, %ax
	movw %ax, %fs
	movl $0xCAFEBABE, %fs:8
	CHECKEQ(37, 0xCAFEBABE, buf+8)
	/* (QEMU does not check data segment limits: see TestSegmentLimit) */
	movl $0x10, %eax
	movw %ax, %fs
	/* pushf/popf: DF and AC round trip */
	pushfl
	orl $0x40400, (%esp)
	popfl
	pushfl
	popl %eax
	andl $0x40400, %eax
	CHECKEQ(39, 0x40400, %eax)
	pushl $2
	popfl
	ret

f_ret8_args:
	ret
f_plain:
	movl $0x77, %ecx
	ret
f_far:
	movl $0x99, %ecx
	lret
f_ret8:
	ret $8

/* #GP handler for test 38: resume at the saved address. */
gp_handler:
	addl $4, %esp
	movl resume, %eax
	movl %eax, (%esp)
	iret

	.data
	.align 8
gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF
	.quad 0x00CF92000000FFFF
gdt_ds:
	.quad 0x00409200000000FF   /* base patched in, limit 0xFF bytes */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
idt_desc:
	.word 256*8 - 1
	.long idt
resume: .long 0
fptr: .long 0
	.align 8
q: .quad 0
src: .ascii "abcdefghijklmnop"
src2: .ascii "abcdeXghijklmnop"
	.align 4
dst: .space 32
buf: .space 512
	.bss
	.align 8
idt: .space 2048
