// Long-term lock: a waiter sleeps instead of spinning.
#ifndef SLEEPLOCK_H
#define SLEEPLOCK_H

struct sleeplock {
  uint locked;           // 1 while held
  struct spinlock lk;    // protects this struct
  char *name;
  int pid;               // holder
};

#endif
