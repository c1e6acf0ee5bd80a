// rv.h: the QEMU virt memory map, CSR bits and CSR accessors the compat
// guests share. Included by C and assembly alike.
#ifndef RV_H
#define RV_H

#define MAXHARTS   8
#define STACKSHIFT 12           // 4 KiB of stack per hart

// Devices of the virt board.
#define TESTDEV  0x100000L      // SiFive test finisher
#define CLINT    0x2000000L
#define PLIC     0x0c000000L
#define UART0    0x10000000L
#define VIRTIO0  0x10001000L

#define CLINT_MTIMECMP(h) (CLINT + 0x4000 + 8 * (h))
#define CLINT_MTIME       (CLINT + 0xbff8)

#define UART0_IRQ  10
#define VIRTIO0_IRQ 1

#define TIMEBASE 10000000       // mtime and time ticks per second

// Interrupt causes (scause/mcause with the top bit set).
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT   9
#define CAUSE_INTR  (1UL << 63)

#define MSTATUS_MPP_MASK (3L << 11)
#define MSTATUS_MPP_S    (1L << 11)
#define MSTATUS_MIE      (1L << 3)
#define SSTATUS_SIE      (1L << 1)

#define MIE_MTIE (1L << 7)
#define MIE_STIE (1L << 5)
#define SIE_SEIE (1L << 9)
#define SIE_STIE (1L << 5)
#define SIE_SSIE (1L << 1)
#define SIP_SSIP (1L << 1)
#define SIP_STIP (1L << 5)

#define MENVCFG_STCE (1UL << 63)
#define MCOUNTEREN_TM 2

// CSR numbers the assembler may not know by name.
#define CSR_STIMECMP 0x14d
#define CSR_MENVCFG  0x30a

#ifndef __ASSEMBLER__

typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long uint64;

#define csr_read(csr) ({ uint64 v_; asm volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" : : "r"((uint64)(v)) : "memory")
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" : : "r"((uint64)(v)) : "memory")
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" : : "r"((uint64)(v)) : "memory")

#define reg32(a) (*(volatile uint32 *)(a))
#define reg64(a) (*(volatile uint64 *)(a))
#define reg8(a)  (*(volatile uint8 *)(a))

static inline uint64 hartid(void)
{
  uint64 id;
  asm volatile("mv %0, tp" : "=r"(id));
  return id;
}

static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline void wfi(void) { asm volatile("wfi" ::: "memory"); }
static inline void fence(void) { __sync_synchronize(); }

#endif
#endif
