/*
 * Protected-mode system features: IDT delivery of exceptions with error
 * codes, paging (4 MiB PSE and 4 KiB pages, #PF codes, CR2, WP, A/D bits,
 * no cached not-present entries), ring 3 through a TSS, int n gate DPL,
 * IOPL checks.
 */
#include "test.h"

#define KCODE 0x08
#define KDATA 0x10
#define UCODE 0x1B
#define UDATA 0x23
#define TSSSEL 0x28

#define VEC_NOERR(n) vec##n: pushl $0; pushl $n; jmp trap_common
#define VEC_ERR(n) vec##n: pushl $n; jmp trap_common
/* EXPECT(n, vec): the last trap was vector vec */
#define EXPECT(n, v) cmpl $(v), t_vec; CHECK(n)

test_main:
	movl %esp, kstack_save
	/* TSS descriptor: base = tss, limit 0x67, type 0x89 */
	movl $tss, %eax
	movw %ax, gdt_tss+2
	shrl $16, %eax
	movb %al, gdt_tss+4
	movb %ah, gdt_tss+7
	lgdt gdt_desc
	ljmp $KCODE, $1f
1:	movw $KDATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $kstack0_top, tss+4
	movl $KDATA, tss+8
	movw $104, tss+0x66
	movw $TSSSEL, %ax
	ltr %ax
	/* IDT */
	movl $0, %eax;  movl $vec0, %ebx;  movl $0x8E00, %ecx; call setgate
	movl $3, %eax;  movl $vec3, %ebx;  movl $0xEE00, %ecx; call setgate
	movl $6, %eax;  movl $vec6, %ebx;  movl $0x8E00, %ecx; call setgate
	movl $13, %eax; movl $vec13, %ebx; movl $0x8E00, %ecx; call setgate
	movl $14, %eax; movl $vec14, %ebx; movl $0x8E00, %ecx; call setgate
	movl $0x40, %eax; movl $vec64, %ebx; movl $0xEF00, %ecx; call setgate
	movl $0x41, %eax; movl $vec65, %ebx; movl $0x8F00, %ecx; call setgate
	lidt idt_desc

	/* #DE */
	movl $1f, resume
	xorl %ecx, %ecx
	divl %ecx
	FAIL(1)
1:	EXPECT(2, 0)
	/* #UD */
	movl $1f, resume
	ud2
	FAIL(3)
1:	EXPECT(4, 6)
	/* int3 is a trap: the saved EIP follows it */
	movl $1f, resume
	int3
2:	FAIL(5)
1:	EXPECT(6, 3)
	cmpl $2b, t_eip
	CHECK(7)

	/* Paging: 0-4 MiB by one PSE page (user accessible), 8 MiB by a table. */
	movl $(0x000000 | 0x87), pd
	movl $pt, %eax
	orl $7, %eax
	movl %eax, pd+8
	movl $pageA, %eax; orl $3, %eax; movl %eax, pt      /* 0x800000 rw, supervisor */
	movl $0, pt+4                                       /* 0x801000 not present */
	movl $pageB, %eax; orl $1, %eax; movl %eax, pt+8    /* 0x802000 read-only */
	movl %cr4, %eax
	orl $0x10, %eax
	movl %eax, %cr4
	movl $pd, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80010000, %eax /* PG, WP */
	movl %eax, %cr0
	movl $0x12345678, 0x800000
	movl pageA, %eax
	CHECKEQ(8, 0x12345678, %eax)
	/* not present: read, then write */
	movl $1f, resume
	movl 0x801004, %eax
	FAIL(9)
1:	EXPECT(10, 14)
	CHECKEQ(11, 0, t_err)
	CHECKEQ(12, 0x801004, t_cr2)
	movl $1f, resume
	movl %eax, 0x801008
	FAIL(13)
1:	EXPECT(14, 14)
	CHECKEQ(15, 2, t_err)
	/* read-only with WP: a supervisor write faults with P|W */
	movl 0x802000, %eax
	movl $1f, resume
	movl %eax, 0x802000
	FAIL(16)
1:	CHECKEQ(17, 3, t_err)
	/* A/D bits */
	movl pt, %eax
	andl $0x60, %eax
	CHECKEQ(18, 0x60, %eax)
	movl pt+8, %eax
	andl $0x60, %eax
	CHECKEQ(19, 0x20, %eax)
	/* a not-present entry made present is seen without a flush */
	movl $pageB, %eax; orl $3, %eax; movl %eax, pt+4
	movl $0xCAFE, pageB+16
	movl 0x801010, %eax
	CHECKEQ(20, 0xCAFE, %eax)
	/* a changed present entry is seen after a CR3 write */
	movl $pageA, %eax; orl $3, %eax; movl %eax, pt+4
	movl %cr3, %eax
	movl %eax, %cr3
	movl 0x801000, %eax
	CHECKEQ(21, 0x12345678, %eax)
	/* 0x803000: a user page */
	movl $pageC, %eax; orl $7, %eax; movl %eax, pt+12

	/* Ring 3 */
	movl $0, t_count
	pushl $UDATA
	pushl $ustack_top
	pushl $0x002
	pushl $UCODE
	pushl $user
	iret
user:
	movw $UDATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movl $1f, resume
	int $0x40
	FAIL(22)
1:	movl 0x803000, %eax     /* user page: fine */
	movl $1f, resume
	movl 0x800000, %eax     /* supervisor page: #PF U|P */
	FAIL(23)
1:	movl $1f, resume
	int $0x41               /* DPL 0 gate: #GP(0x41*8+2) */
	FAIL(24)
1:	movl $1f, resume
	inb $0x80, %al          /* IOPL 0: #GP(0) */
	FAIL(25)
1:	movl $1f, resume
	movl $ucheck, resume2
	cli
	FAIL(26)
1:	/* unreachable: the cli trap resumes in ring 0 at ucheck */
	FAIL(27)

ucheck:
	movl kstack_save, %esp
	movw $KDATA, %ax
	movw %ax, %ds
	movw %ax, %es
	/* the traps in ring 3, in order */
	CHECKEQ(30, 5, t_count)
	CHECKEQ(31, 0x40, log_vec)
	CHECKEQ(32, UCODE, log_cs)
	CHECKEQ(33, ustack_top, log_uesp)
	CHECKEQ(34, 14, log_vec+4)
	CHECKEQ(35, 5, log_err+4)
	CHECKEQ(36, 13, log_vec+8)
	CHECKEQ(37, 0x20A, log_err+8)
	CHECKEQ(38, 13, log_vec+12)
	CHECKEQ(39, 0, log_err+12)
	CHECKEQ(40, 13, log_vec+16)
	CHECKEQ(41, 0, log_err+16)
	/* the kernel stack came from the TSS */
	CHECKEQ(42, kstack0_top-20, t_frame)
	ret

/* setgate: vector %eax, handler %ebx, attributes %ecx (type/DPL/P). */
setgate:
	leal idt(,%eax,8), %edi
	movw %bx, (%edi)
	movw $KCODE, 2(%edi)
	movw %cx, 4(%edi)
	shrl $16, %ebx
	movw %bx, 6(%edi)
	ret

VEC_NOERR(0)
VEC_NOERR(3)
VEC_NOERR(6)
VEC_ERR(13)
VEC_ERR(14)
VEC_NOERR(64)
VEC_NOERR(65)

trap_common:
	pushl %eax
	pushl %ebx
	movl 8(%esp), %eax;  movl %eax, t_vec
	movl 12(%esp), %eax; movl %eax, t_err
	movl 16(%esp), %eax; movl %eax, t_eip
	movl 20(%esp), %eax; movl %eax, t_cs
	movl 28(%esp), %eax; movl %eax, t_uesp
	movl %cr2, %eax;     movl %eax, t_cr2
	leal 16(%esp), %eax; movl %eax, t_frame
	/* log traps taken in ring 3 */
	testl $3, t_cs
	jz 1f
	movl t_count, %ebx
	movl t_vec, %eax;  movl %eax, log_vec(,%ebx,4)
	movl t_err, %eax;  movl %eax, log_err(,%ebx,4)
	movl t_cs, %eax;   movl %eax, log_cs(,%ebx,4)
	movl t_uesp, %eax; movl %eax, log_uesp(,%ebx,4)
1:	incl t_count
	movl resume, %eax
	movl %eax, 16(%esp)
	movl resume2, %eax
	testl %eax, %eax
	jz 1f
	movl %eax, 16(%esp)
	movl $KCODE, 20(%esp)
1:	popl %ebx
	popl %eax
	addl $8, %esp
	iret

	.data
	.align 8
gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF
	.quad 0x00CF92000000FFFF
	.quad 0x00CFFA000000FFFF
	.quad 0x00CFF2000000FFFF
gdt_tss:
	.quad 0x0000890000000067
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
idt_desc:
	.word 256*8 - 1
	.long idt
resume: .long 0
resume2: .long 0
t_vec: .long 0
t_err: .long 0
t_eip: .long 0
t_cs: .long 0
t_uesp: .long 0
t_cr2: .long 0
t_count: .long 0
t_frame: .long 0
kstack_save: .long 0
log_vec: .space 64
log_err: .space 64
log_cs: .space 64
log_uesp: .space 64

	.bss
	.align 4096
pd: .space 4096
pt: .space 4096
pageA: .space 4096
pageB: .space 4096
pageC: .space 4096
idt: .space 2048
tss: .space 104
	.align 16
	.space 4096
kstack0_top:
	.space 4096
ustack_top:
