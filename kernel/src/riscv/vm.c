// Sv39 page tables: the kernel's (built once, shared by all harts) and
// the helpers that build, copy and free user ones, and copy between
// kernel and user memory through them.
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

pagetable_t kernel_pagetable;

extern char etext[];       // kernel.ld: end of kernel text
extern char trampoline[];  // trampoline.S

static void
kvmmap(pagetable_t kpt, uint64 va, uint64 pa, uint64 sz, int perm)
{
  if(mappages(kpt, va, sz, pa, perm) != 0)
    panic("kvmmap");
}

// The kernel maps devices and RAM at their physical addresses, the
// trampoline at the top, and under it each proc slot's kernel stack with
// an unmapped guard page below.
void
kvminit(void)
{
  pagetable_t kpt = kalloc();

  if(kpt == 0)
    panic("kvminit");
  memset(kpt, 0, PGSIZE);

  kvmmap(kpt, CLINT, CLINT, 0x10000, PTE_R | PTE_W);
  kvmmap(kpt, PLIC, PLIC, 0x4000000, PTE_R | PTE_W);
  kvmmap(kpt, UART0, UART0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpt, VIRTIO0, VIRTIO0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpt, KERNBASE, KERNBASE, (uint64)etext - KERNBASE, PTE_R | PTE_X);
  kvmmap(kpt, (uint64)etext, (uint64)etext, PHYSTOP - (uint64)etext, PTE_R | PTE_W);
  kvmmap(kpt, TRAMPOLINE, (uint64)trampoline, PGSIZE, PTE_R | PTE_X);

  for(int i = 0; i < NPROC; i++){
    char *stack = kalloc();
    if(stack == 0)
      panic("kvminit: kstack");
    kvmmap(kpt, KSTACK(i), (uint64)stack, PGSIZE, PTE_R | PTE_W);
  }

  kernel_pagetable = kpt;
}

uint64
kstack_addr(int i)
{
  return KSTACK(i);
}

// Turn on paging with the kernel page table on this hart.
void
kvminithart(void)
{
  sfence_vma();   // earlier stores to the page table are visible
  csr_write(satp, MAKE_SATP(kernel_pagetable));
  sfence_vma();   // no stale translations
}

// The level-0 PTE for va, creating missing page-table pages if alloc.
// Returns 0 if it does not exist (or cannot be made).
pte_t*
walk(pagetable_t pagetable, uint64 va, int alloc)
{
  if(va >= MAXVA)
    panic("walk");

  for(int level = 2; level > 0; level--){
    pte_t *pte = &pagetable[PX(level, va)];
    if(*pte & PTE_V){
      pagetable = (pagetable_t)PTE2PA(*pte);
    } else {
      if(!alloc || (pagetable = kalloc()) == 0)
        return 0;
      memset(pagetable, 0, PGSIZE);
      *pte = PA2PTE(pagetable) | PTE_V;
    }
  }
  return &pagetable[PX(0, va)];
}

// The physical address va maps to, or 0 if it maps nothing (user and
// kernel-only mappings alike).
uint64
kwalkaddr(pagetable_t pagetable, uint64 va)
{
  if(va >= MAXVA)
    return 0;
  pte_t *pte = walk(pagetable, va, 0);
  if(pte == 0 || (*pte & PTE_V) == 0)
    return 0;
  return PTE2PA(*pte) | (va & (PGSIZE - 1));
}

// The physical page behind user address va if user mode may access it
// with the PTE bits in need; 0 otherwise.
static uint64
useraddr(pagetable_t pagetable, uint64 va, int need)
{
  if(va >= MAXVA)
    return 0;
  pte_t *pte = walk(pagetable, va, 0);
  if(pte == 0)
    return 0;
  need |= PTE_V | PTE_U;
  if((*pte & need) != need)
    return 0;
  return PTE2PA(*pte);
}

// Map [va, va+size) to physical pages from pa. va and size must be page
// aligned. Returns 0, or -1 if a page-table page cannot be allocated.
// Leaves start out accessed and dirty, so the kernel works on harts that
// fault instead of setting those bits themselves.
int
mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm)
{
  if(va % PGSIZE != 0 || size % PGSIZE != 0 || size == 0)
    panic("mappages: misaligned");

  for(uint64 a = va; a < va + size; a += PGSIZE, pa += PGSIZE){
    pte_t *pte = walk(pagetable, a, 1);
    if(pte == 0)
      return -1;
    if(*pte & PTE_V)
      panic("mappages: remap");
    *pte = PA2PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
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
    if(pte == 0 || (*pte & PTE_V) == 0)
      continue;
    if(PTE_FLAGS(*pte) == PTE_V)
      panic("uvmunmap: not a leaf");
    if(do_free)
      kfree((void*)PTE2PA(*pte));
    *pte = 0;
  }
}

// An empty user page table, or 0.
pagetable_t
uvmcreate(void)
{
  pagetable_t pagetable = kalloc();

  if(pagetable)
    memset(pagetable, 0, PGSIZE);
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
    if(mappages(pagetable, a, PGSIZE, (uint64)mem, PTE_R | PTE_U | xperm) != 0){
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

// Shrinking memory other harts may be using, in two steps with a TLB
// shootdown between them. uvmrevoke takes [newsz, oldsz) away from user
// mode but keeps each page's address in its (now invalid) PTE; once no
// hart can still hold a translation, uvmreclaim frees those pages.
void
uvmrevoke(pagetable_t pagetable, uint64 oldsz, uint64 newsz)
{
  for(uint64 a = PGROUNDUP(newsz); a < PGROUNDUP(oldsz); a += PGSIZE){
    pte_t *pte = walk(pagetable, a, 0);
    if(pte && (*pte & PTE_V))
      *pte &= ~PTE_V;
  }
}

void
uvmreclaim(pagetable_t pagetable, uint64 oldsz, uint64 newsz)
{
  for(uint64 a = PGROUNDUP(newsz); a < PGROUNDUP(oldsz); a += PGSIZE){
    pte_t *pte = walk(pagetable, a, 0);
    if(pte && *pte != 0 && (*pte & PTE_V) == 0){
      kfree((void*)PTE2PA(*pte));
      *pte = 0;
    }
  }
}

// Free the page-table pages themselves; every leaf must be gone already.
static void
freewalk(pagetable_t pagetable)
{
  for(int i = 0; i < 512; i++){
    pte_t pte = pagetable[i];
    if((pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X)) == 0){
      freewalk((pagetable_t)PTE2PA(pte));
      pagetable[i] = 0;
    } else if(pte & PTE_V){
      panic("freewalk: leaf");
    }
  }
  kfree(pagetable);
}

// Free user memory [0, sz) and the page table.
void
uvmfree(pagetable_t pagetable, uint64 sz)
{
  if(sz > 0)
    uvmunmap(pagetable, 0, PGROUNDUP(sz) / PGSIZE, 1);
  freewalk(pagetable);
}

// Copy user memory [0, sz) of old into new, page by page with the same
// permissions. Returns 0, or -1 with new's copies freed.
int
uvmcopy(pagetable_t old, pagetable_t new, uint64 sz)
{
  uint64 va;

  for(va = 0; va < sz; va += PGSIZE){
    pte_t *pte = walk(old, va, 0);
    if(pte == 0 || (*pte & PTE_V) == 0)
      continue;
    char *mem = kalloc();
    if(mem == 0)
      goto fail;
    memmove(mem, (char*)PTE2PA(*pte), PGSIZE);
    if(mappages(new, va, PGSIZE, (uint64)mem, PTE_FLAGS(*pte)) != 0){
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
// user memory with the permission that needs (write, or read).
static int
copyuser(pagetable_t pagetable, uint64 uva, char *k, uint64 len, int out)
{
  while(len > 0){
    uint64 va0 = PGROUNDDOWN(uva);
    uint64 pa0 = useraddr(pagetable, va0, out ? PTE_W : PTE_R);
    if(pa0 == 0)
      return -1;
    uint64 n = PGSIZE - (uva - va0);
    if(n > len)
      n = len;
    char *u = (char*)(pa0 + (uva - va0));
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

// Copy len bytes from kernel src to user dstva. Returns 0, or -1 if any
// of the range is not writable user memory.
int
copyout(pagetable_t pagetable, uint64 dstva, char *src, uint64 len)
{
  return copyuser(pagetable, dstva, src, len, 1);
}

// Copy len bytes from user srcva to kernel dst. Returns 0, or -1 if any
// of the range is not readable user memory.
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
    uint64 pa0 = useraddr(pagetable, va0, PTE_R);
    if(pa0 == 0)
      return -1;
    uint64 n = PGSIZE - (srcva - va0);
    if(n > max)
      n = max;
    char *p = (char*)(pa0 + (srcva - va0));
    for(; n > 0; n--, max--, p++, dst++){
      *dst = *p;
      if(*p == 0)
        return 0;
    }
    srcva = va0 + PGSIZE;
  }
  return -1;
}

// PTE permissions for an ELF segment's flags (readable is implied).
int
flags2perm(int flags)
{
  int perm = 0;

  if(flags & ELF_PROG_FLAG_EXEC)
    perm |= PTE_X;
  if(flags & ELF_PROG_FLAG_WRITE)
    perm |= PTE_W;
  return perm;
}
