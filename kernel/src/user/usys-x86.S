# usys-x86.S: one stub per system call for the i386. The number goes in
# eax; the arguments stay where the caller put them, on the stack above
# the return address, and the kernel reads them there; the result comes
# back in eax.
#include "kernel/syscall.h"

.macro syscall name, number
  .global \name
  .type \name, @function
\name:
  movl $\number, %eax
  int $64
  ret
  .size \name, . - \name
.endm

syscall fork,   SYS_fork
syscall exit,   SYS_exit
syscall wait,   SYS_wait
syscall pipe,   SYS_pipe
syscall read,   SYS_read
syscall write,  SYS_write
syscall close,  SYS_close
syscall kill,   SYS_kill
syscall exec,   SYS_exec
syscall open,   SYS_open
syscall mknod,  SYS_mknod
syscall unlink, SYS_unlink
syscall fstat,  SYS_fstat
syscall link,   SYS_link
syscall mkdir,  SYS_mkdir
syscall chdir,  SYS_chdir
syscall dup,    SYS_dup
syscall getpid, SYS_getpid
syscall sbrk,   SYS_sbrk
syscall sleep,  SYS_sleep
syscall uptime, SYS_uptime
syscall clone,  SYS_clone
syscall join,   SYS_join
.section .note.GNU-stack,"",@progbits
