# Entry, trap stubs, the AP start-up trampoline and the ring-3 task of the
# pc test kernel.

	.section .multiboot, "a"
	.p2align 2
	.long 0x1BADB002		# magic
	.long 0x00000002		# flags: memory information wanted
	.long -(0x1BADB002 + 0x00000002)

	.text
	.globl _start
_start:
	cli
	movl boot_stack_top, %esp
	pushl %ebx			# multiboot information
	pushl %eax			# boot magic
	call kmain
1:	hlt
	jmp 1b

# One 16-byte stub per vector 0..64: push a zero error code where the CPU
# pushes none, then the vector, then the common path.
	.altmacro
	.macro stub n
	.p2align 4
	.if ((\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17))
	.else
	pushl $0
	.endif
	pushl $\n
	jmp alltraps
	.endm

	.p2align 4
	.globl stubs
stubs:
	.set i, 0
	.rept 65
	stub %i
	.set i, i+1
	.endr

alltraps:
	pushl %ds
	pushl %es
	pushal
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	pushl %esp
	call trap
	addl $4, %esp
	popal
	popl %es
	popl %ds
	addl $8, %esp			# vector and error code
	iret

# The AP trampoline, copied to 0x8000 and entered in real mode at
# 0800:0000 by a STARTUP IPI with vector 8. The BSP leaves the stack top at
# 0x7FFC and the C entry at 0x7FF8.
	.code16
	.globl ap_tramp, ap_tramp_end
ap_tramp:
	cli
	movw %cs, %ax
	movw %ax, %ds
	lgdtl ap_gdtdesc - ap_tramp
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $(ap_32 - ap_tramp + 0x8000)
	.code32
ap_32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl 0x7FFC, %esp
	call *0x7FF8
2:	hlt
	jmp 2b
	.p2align 3
ap_gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF	# flat code
	.quad 0x00CF92000000FFFF	# flat data
ap_gdtdesc:
	.word 23
	.long ap_gdt - ap_tramp + 0x8000
ap_tramp_end:

# The ring-3 task: print through the syscall gate, get a value back,
# print it, then touch an unmapped page.
	.section .user, "awx"
	.globl user_entry, user_stack_top
user_entry:
	movl $1, %eax			# write(string)
	movl $user_msg, %ebx
	int $0x40
	movl $2, %eax			# answer(): 40
	int $0x40
	leal 2(%eax), %ebx
	movl $3, %eax			# print(number)
	int $0x40
	movl $0x40000000, %ecx
	movl $42, (%ecx)		# page fault: not present, user write
	jmp .
user_msg:
	.asciz "hello from ring 3"
	.p2align 4
	.space 1024
user_stack_top:

	.section .note.GNU-stack, "", @progbits
