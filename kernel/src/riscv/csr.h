// Inline accessors for the RISC-V control and status registers the kernel
// uses, and the bits it sets in them.
#ifndef CSR_H
#define CSR_H

#define csr_read(name) ({ uint64 _v; asm volatile("csrr %0, " #name : "=r"(_v)); _v; })
#define csr_write(name, v) asm volatile("csrw " #name ", %0" : : "r"((uint64)(v)))
#define csr_set(name, v)   asm volatile("csrs " #name ", %0" : : "r"((uint64)(v)))
#define csr_clear(name, v) asm volatile("csrc " #name ", %0" : : "r"((uint64)(v)))

// mstatus
#define MSTATUS_MPP_MASK  (3L << 11)
#define MSTATUS_MPP_S     (1L << 11)

// sstatus
#define SSTATUS_SPP   (1L << 8)   // previous mode: 1 = supervisor
#define SSTATUS_SPIE  (1L << 5)   // interrupts enabled before the trap
#define SSTATUS_SIE   (1L << 1)   // supervisor interrupts enabled

// sie / mie
#define SIE_SSIE  (1L << 1)
#define SIE_STIE  (1L << 5)
#define SIE_SEIE  (1L << 9)
#define MIE_MSIE  (1L << 3)

#define MENVCFG_STCE   (1L << 63)  // Sstc: stimecmp is usable
#define MCOUNTEREN_TM  (1L << 1)   // S-mode may read time

// scause
#define SCAUSE_INTR          (1L << 63)
#define SCAUSE_S_SOFTWARE    (SCAUSE_INTR | 1)
#define SCAUSE_S_TIMER       (SCAUSE_INTR | 5)
#define SCAUSE_S_EXTERNAL    (SCAUSE_INTR | 9)
#define SCAUSE_ECALL_U       8

#define SATP_SV39        (8L << 60)
#define MAKE_SATP(pt)    (SATP_SV39 | (((uint64)(pt)) >> 12))

// Timer ticks every 1,000,000 cycles of the 10 MHz timebase: 10 per second.
#define TICK_INTERVAL 1000000

// stimecmp is CSR 0x14D; older assemblers do not know its name.
static inline void
w_stimecmp(uint64 x)
{
  asm volatile("csrw 0x14d, %0" : : "r"(x));
}

static inline uint64
r_time(void)
{
  uint64 x;
  asm volatile("csrr %0, time" : "=r"(x));
  return x;
}

static inline uint64
r_tp(void)
{
  uint64 x;
  asm volatile("mv %0, tp" : "=r"(x));
  return x;
}

static inline void
sfence_vma(void)
{
  asm volatile("sfence.vma zero, zero");
}

#endif
