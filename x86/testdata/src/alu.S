/* ALU, shifts, multiply/divide, flags. */
#include "test.h"

test_main:
	/* add: carry, overflow, zero, auxiliary */
	movl $0xFFFFFFFF, %eax
	addl $1, %eax
	CHECKF(1, CF|ZF|PF|AF, ARITH)
	CHECKEQ(2, 0, %eax)
	movl $0x7FFFFFFF, %eax
	addl $1, %eax
	CHECKF(3, OF|SF|AF|PF, ARITH)
	movb $0x0F, %al
	addb $0x01, %al
	CHECKF(4, AF, ARITH)
	/* sub / cmp */
	movl $1, %eax
	cmpl $2, %eax
	CHECKF(5, CF|SF|PF|AF, ARITH)
	movl $0x80000000, %eax
	subl $1, %eax
	CHECKF(6, OF|AF|PF, ARITH)
	CHECKEQ(7, 0x7FFFFFFF, %eax)
	/* adc / sbb chains (64-bit add) */
	movl $0xFFFFFFFF, %eax
	movl $0, %edx
	addl $1, %eax
	adcl $0, %edx
	CHECKEQ(8, 1, %edx)
	stc
	movl $5, %eax
	sbbl $5, %eax
	CHECKF(9, CF|SF|PF|AF, ARITH)
	CHECKEQ(10, 0xFFFFFFFF, %eax)
	/* logic clears CF/OF */
	stc
	movl $0xF0, %eax
	andl $0x0F, %eax
	CHECKF(11, ZF|PF, ARITH)
	/* inc/dec keep CF */
	stc
	movl $0x7FFFFFFF, %eax
	incl %eax
	CHECKF(12, CF|OF|SF|AF|PF, ARITH)
	clc
	movl $0, %eax
	decl %eax
	CHECKF(13, SF|AF|PF, ARITH)
	/* neg */
	movl $5, %eax
	negl %eax
	CHECKF(15, CF|SF|AF, CF|ZF|SF|AF)
	CHECKEQ(14, -5, %eax)
	/* shifts */
	movl $0x80000001, %eax
	shll $1, %eax
	CHECKF(16, CF|OF, CF|OF|ZF)
	CHECKEQ(17, 2, %eax)
	movl $0x80000000, %eax
	sarl $4, %eax
	CHECKEQ(18, 0xF8000000, %eax)
	movl $0x81, %eax
	shrb $1, %al
	CHECKF(19, CF|OF, CF|OF)
	movl $3, %ecx
	movl $0x10, %eax
	shll %cl, %eax
	CHECKEQ(20, 0x80, %eax)
	/* rotates */
	movl $0x80000001, %eax
	roll $1, %eax
	CHECKF(22, CF|OF, CF|OF)
	CHECKEQ(21, 3, %eax)
	movl $1, %eax
	rorl $1, %eax
	CHECKEQ(23, 0x80000000, %eax)
	stc
	movl $0, %eax
	rcll $1, %eax
	CHECKEQ(24, 1, %eax)
	stc
	movb $0, %al
	rcrb $1, %al
	CHECKEQ(25, 0x80, %eax)
	/* shld / shrd */
	movl $0x12345678, %eax
	movl $0x9ABCDEF0, %edx
	shldl $8, %edx, %eax
	CHECKEQ(26, 0x3456789A, %eax)
	movl $0x12345678, %eax
	shrdl $8, %edx, %eax
	CHECKEQ(27, 0xF0123456, %eax)
	/* mul / imul / div / idiv */
	movl $0x10000, %eax
	movl $0x10000, %ecx
	mull %ecx
	CHECKF(30, CF|OF, CF|OF)
	CHECKEQ(28, 1, %edx)
	CHECKEQ(29, 0, %eax)
	movl $-3, %eax
	movl $7, %ecx
	imull %ecx
	CHECKF(33, 0, CF|OF)
	CHECKEQ(31, -21, %eax)
	CHECKEQ(32, -1, %edx)
	movl $100, %eax
	imull $-7, %eax, %ebx
	CHECKEQ(34, -700, %ebx)
	movl $1000, %ebx
	imull %ebx, %ebx
	CHECKEQ(35, 1000000, %ebx)
	movl $0, %edx
	movl $1000001, %eax
	movl $10, %ecx
	divl %ecx
	CHECKEQ(36, 100000, %eax)
	CHECKEQ(37, 1, %edx)
	movl $-1000001, %eax
	cltd
	idivl %ecx
	CHECKEQ(38, -100000, %eax)
	CHECKEQ(39, -1, %edx)
	movl $1000, %eax
	movb $7, %cl
	divb %cl
	CHECKEQ(40, 0x068E, %eax)   /* 1000 = 7*142 + 6 */
	/* setcc, cmov */
	movl $1, %eax
	cmpl $2, %eax
	setl %bl
	setg %bh
	movzwl %bx, %ebx
	CHECKEQ(41, 1, %ebx)
	movl $5, %ecx
	movl $9, %edx
	cmpl %ecx, %edx
	cmova %edx, %ecx
	CHECKEQ(42, 9, %ecx)
	cmovb %eax, %ecx
	CHECKEQ(43, 9, %ecx)
	/* bt family, bsf/bsr, bswap */
	movl $0x10, %eax
	btl $4, %eax
	jc 1f
	FAIL(44)
1:	btsl $0, %eax
	CHECKEQ(45, 0x11, %eax)
	movl $3, %ecx
	btcl %ecx, %eax
	CHECKEQ(46, 0x19, %eax)
	btrl $4, %eax
	CHECKEQ(47, 0x09, %eax)
	movl $0x00F00000, %eax
	bsfl %eax, %ebx
	CHECKEQ(48, 20, %ebx)
	bsrl %eax, %ebx
	CHECKEQ(49, 23, %ebx)
	movl $0x12345678, %eax
	bswap %eax
	CHECKEQ(50, 0x78563412, %eax)
	/* movzx, movsx, lea, xadd, cmpxchg, xchg */
	movl $0x1234FF80, %eax
	movsbl %al, %ebx
	CHECKEQ(51, 0xFFFFFF80, %ebx)
	movzbl %al, %ebx
	CHECKEQ(52, 0x80, %ebx)
	movswl %ax, %ebx
	CHECKEQ(53, 0xFFFFFF80, %ebx)
	movl $0x100, %ebx
	movl $0x10, %esi
	leal 8(%ebx,%esi,4), %edi
	CHECKEQ(54, 0x148, %edi)
	movl $5, %eax
	movl $7, %ebx
	xaddl %eax, %ebx
	CHECKEQ(55, 12, %ebx)
	CHECKEQ(56, 7, %eax)
	movl $12, %eax
	movl $99, %ecx
	cmpxchgl %ecx, %ebx
	CHECKEQ(57, 99, %ebx)
	cmpxchgl %ecx, %ebx
	CHECKEQ(58, 99, %eax)
	/* 16-bit and 8-bit partial registers */
	movl $0x12345678, %eax
	movb $0xAB, %ah
	CHECKEQ(59, 0x1234AB78, %eax)
	addw $0x1000, %ax
	CHECKEQ(60, 0x1234BB78, %eax)
	xchgb %al, %ah
	CHECKEQ(61, 0x123478BB, %eax)
	/* sahf/lahf */
	movb $(CF|ZF|SF), %ah
	sahf
	CHECKF(62, CF|ZF|SF, ARITH)
	movb $(CF|ZF|SF), %ah
	sahf
	lahf
	andb $0xD5, %ah
	cmpb $(CF|ZF|SF), %ah
	CHECK(63)
	ret
