// i386 two-level page tables: the kernel's page directory (built once,
// shared by all CPUs) and the helpers that build, copy and free user
// ones, and copy between kernel and user memory through them.
//
// The kernel half of the address space (KERNBASE up) is mapped with
// 4 MiB pages in the kernel's directory, and every user directory starts
// as a copy of it, so the kernel runs on any of them. User memory uses
// 4 KiB pages. The kernel reaches a page-table page or a user page at
// PA2KVA of its physical address.
//
// Nothing here locks: callers serialise changes to a shared user page
// table with its vmspace lock.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "elf.h"
#include "spinlock.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"
#include "port.h"

#define BIG (1U << PDXSHIFT)    // a 4 MiB page

// The page directory paging starts with (entry.S): the first 16 MiB at 0
// (the code that turns paging on runs there) and at KERNBASE.
__attribute__((__aligned__(PGSIZE)))
uint32 bootpgdir[NPDENTRIES] = {
  [0] = 0x0000000 | PTE_P | PTE_W | PTE_PS,
  [1] = 0x0400000 | PTE_P | PTE_W | PTE_PS,
  [2] = 0x0800000 | PTE_P | PTE_W | PTE_PS,
  [3] = 0x0C00000 | PTE_P | PTE_W | PTE_PS,
  [KERNBASE >> PDXSHIFT]       = 0x0000000 | PTE_P | PTE_W | PTE_PS,
  [(KERNBASE >> PDXSHIFT) + 1] = 0x0400000 | PTE_P | PTE_W | PTE_PS,
  [(KERNBASE >> PDXSHIFT) + 2] = 0x0800000 | PTE_P | PTE_W | PTE_PS,
  [(KERNBASE >> PDXSHIFT) + 3] = 0x0C00000 | PTE_P | PTE_W | PTE_PS,
};

// The kernel's directory is static, so paging with all of RAM mapped can
// start before the allocator, which writes to every free page.
__attribute__((__aligned__(PGSIZE)))
static uint32 kpgdir[NPDENTRIES];
pagetable_t kernel_pagetable = kpgdir;

// Each proc slot's kernel stack.
__attribute__((__aligned__(PGSIZE)))
static char kstacks[NPROC][PGSIZE];

uint64
kstack_addr(int i)
{
  return (uint)kstacks[i];
}

// RAM at KERNBASE and the device area at its own address, in 4 MiB
// pages; nothing below KERNBASE.
void
kvminit(void)
{
  pagetable_t kpt = kpgdir;

  for(uint pa = 0; pa < PHYSTOP; pa += BIG)
    kpt[PDX(KERNBASE + pa)] = pa | PTE_P | PTE_W | PTE_PS;
  for(uint64 a = DEVSPACE; a < MAXVA; a += BIG)
    kpt[PDX(a)] = (uint)a | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
}

// Switch this CPU to the kernel page directory.
void
kvminithart(void)
{
  lcr3(KVA2PA(kernel_pagetable));
}

// The PTE for user address va, creating a missing page-table page if
// alloc. Returns 0 if it does not exist (or cannot be made), and for
// addresses outside user memory.
pte_t*
walk(pagetable_t pagetable, uint64 va, int alloc)
{
  if(va >= KERNBASE)
    return 0;

  pde_t *pde = &pagetable[PDX(va)];
  pte_t *pt;
  if(*pde & PTE_P){
    if(*pde & PTE_PS)
      return 0;
    pt = PA2KVA(PTE_ADDR(*pde));
  } else {
    if(!alloc || (pt = kalloc()) == 0)
      return 0;
    memset(pt, 0, PGSIZE);
    // The directory entry allows everything; the PTEs decide.
    *pde = KVA2PA(pt) | PTE_P | PTE_W | PTE_U;
  }
  return &pt[PTX(va)];
}

// The physical address va maps to, or 0 if it maps nothing (user and
// kernel-only mappings alike).
uint64
kwalkaddr(pagetable_t pagetable, uint64 va)
{
  if(va >= MAXVA)
    return 0;
  pde_t pde = pagetable[PDX(va)];
  if((pde & PTE_P) == 0)
    return 0;
  if(pde & PTE_PS)
    return (pde & ~(BIG - 1)) | ((uint)va & (BIG - 1));
  pte_t *pte = walk(pagetable, va, 0);
  if(pte == 0 || (*pte & PTE_P) == 0)
    return 0;
  return PTE_ADDR(*pte) | ((uint)va & (PGSIZE - 1));
}

// The physical page behind user address va if user mode may access it
// with the PTE bits in need; 0 otherwise.
static uint64
useraddr(pagetable_t pagetable, uint64 va, int need)
{
  if(va >= MAXUSERVA)
    return 0;
  pte_t *pte = walk(pagetable, va, 0);
  if(pte == 0)
    return 0;
  need |= PTE_P | PTE_U;
  if((*pte & need) != need)
    return 0;
  return PTE_ADDR(*pte);
}

// Map [va, va+size) to physical pages from pa. va and size must be page
// aligned. Returns 0, or -1 if a page-table page cannot be allocated.
// Leaves entries accessed and dirty, as on RISC-V.
int
mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm)
{
  if(va % PGSIZE != 0 || size % PGSIZE != 0 || size == 0)
    panic("mappages: misaligned");

  for(uint64 a = va; a < va + size; a += PGSIZE, pa += PGSIZE){
    pte_t *pte = walk(pagetable, a, 1);
    if(pte == 0)
      return -1;
    if(*pte & PTE_P)
      panic("mappages: remap");
    *pte = (uint)pa | perm | PTE_P | PTE_A | PTE_D;
  }
  return 0;
}

// Remove npages mappings from va, freeing the pages if do_free. Pages
// that are not mapped are skipped.
void
uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, int do_free)
{
  if(va % PGSIZE != 0)
    panic("uvmunmap: misaligned");

  for(uint64 a = va; a < va + npages*PGSIZE; a += PGSIZE){
    pte_t *pte = walk(pagetable, a, 0);
    if(pte == 0 || (*pte & PTE_P) == 0)
      continue;
    if(do_free)
      kfree(PA2KVA(PTE_ADDR(*pte)));
    *pte = 0;
  }
}

// A user page directory with only the kernel half, or 0.
pagetable_t
uvmcreate(void)
{
  pagetable_t pagetable = kalloc();

  if(pagetable){
    memset(pagetable, 0, PGSIZE);
    for(int i = PDX(KERNBASE); i < NPDENTRIES; i++)
      pagetable[i] = kernel_pagetable[i];
  }
  return pagetable;
}

// Grow user memory from oldsz to newsz with zeroed pages, readable by
// user mode plus xperm. Returns the new size, or 0 with nothing changed.
uint64
uvmalloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int xperm)
{
  if(newsz < oldsz)
    return oldsz;

  for(uint64 a = PGROUNDUP(oldsz); a < newsz; a += PGSIZE){
    char *mem = kalloc();
    if(mem == 0){
      uvmdealloc(pagetable, a, oldsz);
      return 0;
    }
    memset(mem, 0, PGSIZE);
    if(mappages(pagetable, a, PGSIZE, KVA2PA(mem), PTE_U | xperm) != 0){
      kfree(mem);
      uvmdealloc(pagetable, a, oldsz);
      return 0;
    }
  }
  return newsz;
}

// Shrink user memory from oldsz to newsz, freeing the pages. Returns the
// new size.
uint64
uvmdealloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz)
{
  if(newsz >= oldsz)
    return oldsz;

  if(PGROUNDUP(newsz) < PGROUNDUP(oldsz)){
    uint64 npages = (PGROUNDUP(oldsz) - PGROUNDUP(newsz)) / PGSIZE;
    uvmunmap(pagetable, PGROUNDUP(newsz), npages, 1);
  }
  return newsz;
}

// Shrinking memory other CPUs may be using, in two steps with a TLB
// shootdown between them: uvmrevoke makes [newsz, oldsz) not present but
// keeps each page's address in its PTE; once no CPU can still hold a
// translation, uvmreclaim frees those pages.
void
uvmrevoke(pagetable_t pagetable, uint64 oldsz, uint64 newsz)
{
  for(uint64 a = PGROUNDUP(newsz); a < PGROUNDUP(oldsz); a += PGSIZE){
    pte_t *pte = walk(pagetable, a, 0);
    if(pte && (*pte & PTE_P))
      *pte &= ~PTE_P;
  }
}

void
uvmreclaim(pagetable_t pagetable, uint64 oldsz, uint64 newsz)
{
  for(uint64 a = PGROUNDUP(newsz); a < PGROUNDUP(oldsz); a += PGSIZE){
    pte_t *pte = walk(pagetable, a, 0);
    if(pte && *pte != 0 && (*pte & PTE_P) == 0){
      kfree(PA2KVA(PTE_ADDR(*pte)));
      *pte = 0;
    }
  }
}

// Free user memory [0, sz), the page-table pages and the directory.
void
uvmfree(pagetable_t pagetable, uint64 sz)
{
  if(sz > 0)
    uvmunmap(pagetable, 0, PGROUNDUP(sz) / PGSIZE, 1);
  for(int i = 0; i < PDX(KERNBASE); i++){
    if(pagetable[i] & PTE_P){
      pte_t *pt = PA2KVA(PTE_ADDR(pagetable[i]));
      for(int j = 0; j < NPTENTRIES; j++)
        if(pt[j] & PTE_P)
          panic("uvmfree: leaf");
      kfree(pt);
      pagetable[i] = 0;
    }
  }
  kfree(pagetable);
}

// Copy user memory [0, sz) of old into new, page by page with the same
// permissions. Returns 0, or -1 with new's copies freed.
int
uvmcopy(pagetable_t old, pagetable_t new, uint64 sz)
{
  uint64 va;

  for(va = 0; va < sz; va += PGSIZE){
    pte_t *pte = walk(old, va, 0);
    if(pte == 0 || (*pte & PTE_P) == 0)
      continue;
    char *mem = kalloc();
    if(mem == 0)
      goto fail;
    memmove(mem, PA2KVA(PTE_ADDR(*pte)), PGSIZE);
    if(mappages(new, va, PGSIZE, KVA2PA(mem), PTE_FLAGS(*pte) & (PTE_W | PTE_U)) != 0){
      kfree(mem);
      goto fail;
    }
  }
  return 0;

fail:
  uvmunmap(new, 0, va / PGSIZE, 1);
  return -1;
}

// Make the page at va unreachable from user mode (the stack guard).
void
uvmclear(pagetable_t pagetable, uint64 va)
{
  pte_t *pte = walk(pagetable, va, 0);

  if(pte == 0)
    panic("uvmclear");
  *pte &= ~PTE_U;
}

// Copy len bytes between user address uva and kernel buffer k: to the
// user if out, else from. Returns 0, or -1 if any of the range is not
// user memory with the permission that needs.
static int
copyuser(pagetable_t pagetable, uint64 uva, char *k, uint64 len, int out)
{
  while(len > 0){
    uint64 va0 = PGROUNDDOWN(uva);
    uint64 pa0 = useraddr(pagetable, va0, out ? PTE_W : 0);
    if(pa0 == 0)
      return -1;
    uint64 n = PGSIZE - (uva - va0);
    if(n > len)
      n = len;
    char *u = (char*)PA2KVA(pa0 + (uva - va0));
    if(out)
      memmove(u, k, n);
    else
      memmove(k, u, n);
    len -= n;
    k += n;
    uva = va0 + PGSIZE;
  }
  return 0;
}

int
copyout(pagetable_t pagetable, uint64 dstva, char *src, uint64 len)
{
  return copyuser(pagetable, dstva, src, len, 1);
}

int
copyin(pagetable_t pagetable, char *dst, uint64 srcva, uint64 len)
{
  return copyuser(pagetable, srcva, dst, len, 0);
}

// Copy a NUL-terminated string from user srcva to dst, at most max bytes
// including the NUL. Returns 0, or -1 if it is unreadable or too long.
int
copyinstr(pagetable_t pagetable, char *dst, uint64 srcva, uint64 max)
{
  while(max > 0){
    uint64 va0 = PGROUNDDOWN(srcva);
    uint64 pa0 = useraddr(pagetable, va0, 0);
    if(pa0 == 0)
      return -1;
    uint64 n = PGSIZE - (srcva - va0);
    if(n > max)
      n = max;
    char *p = (char*)PA2KVA(pa0 + (srcva - va0));
    for(; n > 0; n--, max--, p++, dst++){
      *dst = *p;
      if(*p == 0)
        return 0;
    }
    srcva = va0 + PGSIZE;
  }
  return -1;
}

// PTE permissions for an ELF segment's flags: x86 pages are always
// readable and executable, so only write matters.
int
flags2perm(int flags)
{
  return (flags & ELF_PROG_FLAG_WRITE) ? PTE_W : 0;
}

// The x86 port saves user registers through the TSS, so a user page
// table needs nothing mapped besides user memory: these only make and
// free the directory.
pagetable_t
proc_pagetable(struct proc *p)
{
  return uvmcreate();
}

void
proc_freepagetable(pagetable_t pagetable, uint64 sz, uint64 tfva)
{
  uvmfree(pagetable, sz);
}

int
thread_map_trapframe(pagetable_t pagetable, struct proc *p)
{
  p->tfva = 0;
  return 0;
}

void
thread_unmap_trapframe(pagetable_t pagetable, struct proc *p)
{
}
