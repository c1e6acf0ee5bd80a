// exec: replace the caller's memory with a program loaded from an ELF
// file, with argv on a fresh one-page stack. The old image stays intact
// until the new one is completely built, so a failing exec returns -1 to
// a process that can go on running. A thread calling exec ends every other
// thread of its process and becomes the process.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/fs.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "file.h"
#include "elf.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

// Read sz bytes at offset off of ip into user memory at va, which
// uvmalloc has already mapped. va is page aligned.
static int
loadseg(pagetable_t pagetable, uint64 va, struct inode *ip, uint off, uint sz)
{
  for(uint i = 0; i < sz; i += PGSIZE){
    uint64 pa = kwalkaddr(pagetable, va + i);
    if(pa == 0)
      panic("loadseg: address should exist");
    uint n = sz - i < PGSIZE ? sz - i : PGSIZE;
    if(readi(ip, 0, (uint64)PA2KVA(pa), off + i, n) != n)
      return -1;
  }
  return 0;
}

// Map and load every PT_LOAD segment of the ELF file ip; *szp gets the
// end of what is mapped. Returns 0 or -1.
static int
loadsegs(pagetable_t pagetable, struct inode *ip, struct elfhdr *elf, uint64 *szp)
{
  struct proghdr ph;
  uint64 sz = *szp;

  for(uint i = 0, off = elf->phoff; i < elf->phnum; i++, off += sizeof(ph)){
    if(readi(ip, 0, (uint64)&ph, off, sizeof(ph)) != sizeof(ph))
      return -1;
    if(ph.type != ELF_PROG_LOAD)
      continue;
    if(ph.memsz < ph.filesz || ph.vaddr + ph.memsz < ph.vaddr)
      return -1;
    if(ph.vaddr % PGSIZE != 0 || ph.vaddr + ph.memsz > MAXUSERVA)
      return -1;
    uint64 sz1 = uvmalloc(pagetable, sz, ph.vaddr + ph.memsz, flags2perm(ph.flags));
    if(sz1 == 0)
      return -1;
    sz = sz1;
    *szp = sz;   // so that a failure frees what is mapped so far
    if(loadseg(pagetable, ph.vaddr, ip, ph.off, ph.filesz) < 0)
      return -1;
  }
  return 0;
}

// Copy the argument strings and the argv array onto the new stack, which
// ends at *spp. Returns argc (and updates *spp, *argvp), or -1.
static int
pushargs(pagetable_t pagetable, char **argv, uint64 stackbase, uint64 *spp, uint64 *argvp)
{
  uintptr ustack[MAXARG+1];
  uint64 sp = *spp;
  int argc;

  for(argc = 0; argv[argc]; argc++){
    if(argc >= MAXARG)
      return -1;
    sp -= strlen(argv[argc]) + 1;
    sp -= sp % 16;   // the RISC-V ABI wants sp 16-byte aligned
    if(sp < stackbase)
      return -1;
    if(copyout(pagetable, sp, argv[argc], strlen(argv[argc]) + 1) < 0)
      return -1;
    ustack[argc] = sp;
  }
  ustack[argc] = 0;

  sp -= (argc+1) * sizeof(uintptr);
  sp -= sp % 16;
  if(sp < stackbase)
    return -1;
  if(copyout(pagetable, sp, (char*)ustack, (argc+1)*sizeof(uintptr)) < 0)
    return -1;

  *spp = sp;
  *argvp = sp;
  return argc;
}

int
exec(char *path, char **argv)
{
  struct proc *p = myproc();
  struct elfhdr elf;
  struct inode *ip;
  pagetable_t pagetable = 0;
  uint64 sz = 0;

  begin_op();
  if((ip = namei(path)) == 0){
    end_op();
    return -1;
  }
  ilock(ip);

  if(readi(ip, 0, (uint64)&elf, 0, sizeof(elf)) != sizeof(elf) || elf.magic != ELF_MAGIC)
    goto bad;
  if((pagetable = proc_pagetable(p)) == 0)
    goto bad;
  if(loadsegs(pagetable, ip, &elf, &sz) < 0)
    goto bad;
  iunlockput(ip);
  end_op();
  ip = 0;

  // The stack: one page under an inaccessible guard page.
  sz = PGROUNDUP(sz);
  uint64 sz1;
  if(sz + 2*PGSIZE > MAXUSERVA || (sz1 = uvmalloc(pagetable, sz, sz + 2*PGSIZE, PTE_W)) == 0)
    goto bad;
  sz = sz1;
  uvmclear(pagetable, sz - 2*PGSIZE);
  uint64 sp = sz, uargv;
  int argc = pushargs(pagetable, argv, sp - PGSIZE, &sp, &uargv);
  if(argc < 0)
    goto bad;

  // Point of no return: the other threads go, then the old image.
  if(end_other_threads(p) < 0)
    goto bad;
  struct vmspace *newvm = vmspace_alloc(pagetable, sz);
  if(newvm == 0)
    goto bad;
  struct vmspace *oldvm = p->vm;
  p->vm = newvm;
  vmspace_put(oldvm, p);
  p->tfva = TRAPFRAME;

  char *last = path, *s;
  for(s = path; *s; s++)
    if(*s == '/')
      last = s + 1;
  safestrcpy(p->name, last, sizeof(p->name));

  tf_exec(p->trapframe, elf.entry, sp, argc, uargv);
  return argc;   // syscall() puts it in a0, where main expects argc

bad:
  if(pagetable)
    proc_freepagetable(pagetable, sz, TRAPFRAME);
  if(ip){
    iunlockput(ip);
    end_op();
  }
  return -1;
}
