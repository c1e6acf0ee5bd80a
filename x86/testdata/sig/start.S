/* Multiboot entry and the block runner of the signature program. */
	.section .multiboot
	.align 4
	.long 0x1BADB002
	.long 0
	.long -0x1BADB002

	.text
	.globl _start
_start:
	movl $stack_top, %esp
	call main
	movw $0xF4, %dx
	outl %eax, %dx
	cli
1:	hlt
	jmp 1b

/*
 * run_block(struct regs *r, void *code): load EAX..EDI (but ESP) and
 * EFLAGS from r, call code, store them back.
 * struct regs { eax ecx edx ebx esp ebp esi edi eflags }.
 */
	.globl run_block
run_block:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %eax
	movl 24(%esp), %ecx
	movl %eax, cur_regs
	movl %ecx, cur_code
	pushl 32(%eax)
	popfl
	movl 4(%eax), %ecx
	movl 8(%eax), %edx
	movl 12(%eax), %ebx
	movl 20(%eax), %ebp
	movl 24(%eax), %esi
	movl 28(%eax), %edi
	movl 0(%eax), %eax
	call *cur_code
	pushfl
	pushl %eax
	movl cur_regs, %eax
	popl 0(%eax)
	popl 32(%eax)
	movl %ecx, 4(%eax)
	movl %edx, 8(%eax)
	movl %ebx, 12(%eax)
	movl %ebp, 20(%eax)
	movl %esi, 24(%eax)
	movl %edi, 28(%eax)
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.data
cur_regs: .long 0
cur_code: .long 0
	.bss
	.align 16
	.space 16384
stack_top:
