# void swtch(struct context *old, struct context *new)
#
# Save where the caller resumes, its stack pointer and the callee-saved
# registers in old; load new's and jump to its eip. Offsets follow
# struct context (eip, esp, ebx, esi, edi, ebp).

        .text
        .globl swtch
swtch:
        movl 4(%esp), %eax
        movl 8(%esp), %edx
        movl (%esp), %ecx
        movl %ecx, 0(%eax)
        leal 4(%esp), %ecx
        movl %ecx, 4(%eax)
        movl %ebx, 8(%eax)
        movl %esi, 12(%eax)
        movl %edi, 16(%eax)
        movl %ebp, 20(%eax)

        movl 4(%edx), %esp
        movl 8(%edx), %ebx
        movl 12(%edx), %esi
        movl 16(%edx), %edi
        movl 20(%edx), %ebp
        jmp *0(%edx)

        .section .note.GNU-stack,"",@progbits
