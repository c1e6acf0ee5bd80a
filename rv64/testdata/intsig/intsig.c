/* intsig.c: an integer signature. Generates blocks of random RV64IM
 * register-register and register-immediate instructions (including
 * encodings that must be illegal), runs them from a code buffer (after
 * fence.i) on random register values, and hashes the registers after each
 * block and the cause and mtval of every trap. The same ELF on QEMU prints
 * the reference value rv64's TestISA expects. */

typedef unsigned long u64;
typedef unsigned int u32;

volatile u64 tohost __attribute__((section(".tohost"), aligned(64)));
volatile u64 fromhost __attribute__((section(".tohost"), aligned(64)));

static void putch(int c) {
  tohost = 0x0101000000000000ul | (unsigned char)c;
  while (tohost) ;
}

static u64 seed = 0x2545f4914f6cdd1dul;
static u64 rnd(void) {
  seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
  return seed;
}

u64 hash = 0xcbf29ce484222325ul;
void mix(u64 v) {
  for (int i = 0; i < 8; i++) { hash ^= (v >> (8 * i)) & 0xff; hash *= 0x100000001b3ul; }
}

#define BLOCK 32
u32 code[BLOCK + 1] __attribute__((aligned(4096), section(".data")));
u64 regs[32];            /* register file for the block: x1..x31 */
extern void run_block(void);
extern char block_end[];
extern u64 tsave[3];     /* [1]: hash of every trap's mcause and mtval */

/* jal x0, target, placed at from. */
static u32 jump(u32 *from, void *target) {
  u32 off = (u32)((char *)target - (char *)from);
  return (off >> 20 & 1) << 31 | (off >> 1 & 0x3ff) << 21 | (off >> 11 & 1) << 20 |
         (off >> 12 & 0xff) << 12 | 0x6f;
}

static u32 random_insn(void) {
  static const u32 majors[] = { 0x13, 0x1b, 0x33, 0x3b, 0x37, 0x33, 0x3b };
  u32 w = (u32)rnd();
  u32 major = majors[rnd() % 7];
  w = (w & ~0x7fu) | major;
  u64 r = rnd();
  if ((major == 0x33 || major == 0x3b) && (r & 3) != 0) {
    /* Mostly legal funct7 values: 0, 0x20 and 1 (M). */
    static const u32 f7[] = { 0, 0x20, 1, 0 };
    w = (w & 0x01ffffff) | f7[(r >> 2) & 3] << 25;
  }
  if ((major == 0x13 || major == 0x1b) && (r & 3) == 1) {
    /* Shifts with legal upper bits. */
    w = (w & 0x01ffffff & ~(1u << 25)) | ((r >> 8) & 1 ? 0x20u << 25 : 0);
  }
  return w;
}

void main(void) {
  for (int round = 0; round < 3000; round++) {
    for (int i = 0; i < BLOCK; i++) code[i] = random_insn();
    code[BLOCK] = jump(&code[BLOCK], block_end);
    for (int i = 1; i < 32; i++) {
      u64 r = rnd();
      regs[i] = (r & 3) == 0 ? (u64)(long)(int)rnd() : (r & 3) == 1 ? rnd() >> (r >> 58) : rnd();
    }
    asm volatile("fence.i" ::: "memory");
    run_block();
    for (int i = 1; i < 32; i++) mix(regs[i]);
  }
  mix(tsave[1]);
  for (int s = 60; s >= 0; s -= 4) putch("0123456789abcdef"[(hash >> s) & 15]);
  putch('\n');
  tohost = 1;
  for (;;) ;
}
