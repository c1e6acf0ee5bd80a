// Mutual-exclusion lock that spins; held with interrupts off on this CPU.
#ifndef SPINLOCK_H
#define SPINLOCK_H

struct spinlock {
  uint locked;        // 1 while held
  char *name;         // for panics
  struct cpu *cpu;    // holder
};

#endif
