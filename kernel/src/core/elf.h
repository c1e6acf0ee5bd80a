// The parts of the ELF format exec needs.
#ifndef ELF_H
#define ELF_H

#define ELF_MAGIC 0x464C457FU  // "\x7FELF" little-endian

// struct elfhdr and struct proghdr: the port's ELF class (ELF64 on
// RISC-V, ELF32 on i386).
#include "elfarch.h"

#define ELF_PROG_LOAD   1

#define ELF_PROG_FLAG_EXEC   1
#define ELF_PROG_FLAG_WRITE  2
#define ELF_PROG_FLAG_READ   4

#endif
