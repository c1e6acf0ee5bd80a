# usys.S: one stub per system call. The number goes in a7, the arguments
# are already in a0..a5, and the kernel leaves the result in a0.
#include "kernel/syscall.h"

.macro syscall name, number
  .global \name
  .type \name, @function
\name:
  li a7, \number
  ecall
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
