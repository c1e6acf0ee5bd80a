/* bench.c: the CPU benchmark's workload, run in S-mode under Sv39. A mix of
 * what kernels and user programs do: memory copies and compares, a sort,
 * a CRC, a matrix multiply and pointer chasing. It runs forever; the host
 * measures how many instructions retire per second. */

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#define N 4096

static u32 data[N];
static u32 copy[N];
static u8 bytes[4 * N];
static long ma[16][16], mb[16][16], mc[16][16];
struct node { struct node *next; u64 val; };
static struct node nodes[1024];
volatile u64 sink;

static u32 lcg(u32 *s) { *s = *s * 1103515245 + 12345; return *s >> 8; }

static void fill(u32 seed) {
  for (int i = 0; i < N; i++) data[i] = lcg(&seed);
  for (int i = 0; i < 4 * N; i++) bytes[i] = (u8)lcg(&seed);
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 16; j++) { ma[i][j] = lcg(&seed) & 0xff; mb[i][j] = lcg(&seed) & 0xff; }
  for (int i = 0; i < 1024; i++) nodes[i].next = &nodes[(i * 389 + 1) & 1023], nodes[i].val = i;
}

static void memcopy(void *d, const void *s, u64 n) {
  u8 *dp = d; const u8 *sp = s;
  while (n--) *dp++ = *sp++;
}

static void shellsort(u32 *a, int n) {
  for (int gap = n / 2; gap > 0; gap /= 2)
    for (int i = gap; i < n; i++) {
      u32 t = a[i]; int j;
      for (j = i; j >= gap && a[j - gap] > t; j -= gap) a[j] = a[j - gap];
      a[j] = t;
    }
}

static u32 crc32(const u8 *p, u64 n) {
  u32 c = 0xffffffff;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c;
}

static void matmul(void) {
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 16; j++) {
      long s = 0;
      for (int k = 0; k < 16; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
}

static u64 chase(int steps) {
  struct node *p = &nodes[0]; u64 s = 0;
  while (steps--) { s += p->val; p = p->next; }
  return s;
}

void main(void) {
  for (u32 round = 1;; round++) {
    fill(round);
    memcopy(copy, data, sizeof data);
    shellsort(copy, N);
    u64 s = crc32(bytes, sizeof bytes);
    matmul();
    s += mc[3][5] + chase(20000) + copy[N / 2];
    sink = s;
  }
}
