// Fixed-size integer names shared by the kernel and user programs.
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

typedef unsigned int   uint;
typedef unsigned short ushort;
typedef unsigned char  uchar;

typedef unsigned char      uint8;
typedef unsigned short     uint16;
typedef unsigned int       uint32;
typedef unsigned long long uint64;

#ifdef __i386__
typedef uint32  pde_t;
typedef uint32  pte_t;        // a page table entry
typedef uint32 *pagetable_t;   // a page directory: 1024 PDEs
#else
typedef uint64  pde_t;
typedef uint64  pte_t;        // a page table entry
typedef uint64 *pagetable_t;   // a page-table page: 512 PTEs
#endif

#endif
