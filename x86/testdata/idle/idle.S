/*
 * An idle scheduler in the style of classic xv6: with interrupts on, take
 * a lock (xchg), scan a table, count nesting in memory, release, repeat.
 * Nothing ever changes, so the CPU's cycle detection must stop it. It
 * never reports a verdict (TestCycle drives it).
 */
	.section .multiboot
	.align 4
	.long 0x1BADB002
	.long 0
	.long -0x1BADB002

	.text
	.globl _start
_start:
	movl $stack_top, %esp
	sti
sched:
	sti
	nop
	call acquire
	movl $table, %esi
	movl $8, %ecx
1:	cmpl $3, (%esi)          /* RUNNABLE? */
	je found
	addl $4, %esi
	loop 1b
	call release
	jmp sched
found:
	movl $0x600D, %eax
	movw $0xF4, %dx
	outl %eax, %dx
	hlt

acquire:
	pushfl
	popl %eax
	cli
	incl ncli
	movl $1, %eax
2:	xchgl %eax, lock
	testl %eax, %eax
	jnz 2b
	movl %esp, owner
	ret

release:
	movl $0, owner
	movl $0, lock
	decl ncli
	jnz 3f
	sti
3:	ret

	.data
	.globl table
table:	.long 0, 1, 2, 0, 4, 0, 1, 2
lock:	.long 0
ncli:	.long 0
owner:	.long 0
	.bss
	.space 4096
stack_top:
