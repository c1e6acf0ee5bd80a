/* Multiboot entry of the benchmark guest: turn on paging (4 MiB PSE pages
 * identity-mapping the first 16 MiB) so loads and stores translate, then
 * run the workload in ring 0 forever. */
	.section .multiboot
	.align 4
	.long 0x1BADB002
	.long 0
	.long -0x1BADB002

	.text
	.globl _start
_start:
	movl $stack_top, %esp
	movl $pd, %edi
	movl $0x83, %eax   /* P | W | PS */
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $4, %edi
	addl $0x400000, %eax
	loop 1b
	movl %cr4, %eax
	orl $0x10, %eax
	movl %eax, %cr4
	movl $pd, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80010000, %eax
	movl %eax, %cr0
	call bench
1:	jmp 1b

	.bss
	.align 4096
pd:	.space 4096
	.space 16384
stack_top:
