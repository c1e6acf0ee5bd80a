/* bench.c: the x86 CPU benchmark's workload, run in ring 0 with paging on.
 * A mix of what kernels and user programs do: byte copies and compares, a
 * sort, a CRC, a small matrix multiply, pointer chasing and calls. It runs
 * forever; the host counts instructions per second. */

typedef unsigned int u32;
typedef unsigned char u8;

#define N 4096

static u32 data[N];
static u8 src[4 * N], dst[4 * N];
static int ma[16][16], mb[16][16], mc[16][16];
struct node { struct node *next; u32 val; };
static struct node nodes[1024];
volatile u32 sink;

static u32 lcg(u32 *s) { *s = *s * 1103515245 + 12345; return *s >> 8; }

static void fill(u32 seed) {
	for (int i = 0; i < N; i++) data[i] = lcg(&seed);
	for (int i = 0; i < 4 * N; i++) src[i] = (u8)lcg(&seed);
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++) { ma[i][j] = lcg(&seed) & 0xff; mb[i][j] = lcg(&seed) & 0xff; }
	for (int i = 0; i < 1024; i++) { nodes[i].next = &nodes[(i * 389 + 1) & 1023]; nodes[i].val = i; }
}

static void bytecopy(u8 *d, const u8 *s, u32 n) { while (n--) *d++ = *s++; }

static int bytecmp(const u8 *a, const u8 *b, u32 n) {
	for (; n; n--, a++, b++)
		if (*a != *b) return *a - *b;
	return 0;
}

static void shellsort(u32 *a, int n) {
	for (int gap = n / 2; gap > 0; gap /= 2)
		for (int i = gap; i < n; i++) {
			u32 t = a[i]; int j;
			for (j = i; j >= gap && a[j - gap] > t; j -= gap) a[j] = a[j - gap];
			a[j] = t;
		}
}

static u32 crc32(const u8 *p, u32 n) {
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
			int s = 0;
			for (int k = 0; k < 16; k++) s += ma[i][k] * mb[k][j];
			mc[i][j] = s;
		}
}

static u32 chase(int steps) {
	struct node *p = &nodes[0];
	u32 s = 0;
	while (steps--) { s += p->val; p = p->next; }
	return s;
}

__attribute__((noinline)) static u32 mix(u32 a, u32 b) { return (a ^ (b << 5)) + (b >> 3) / (a | 1); }

void bench(void) {
	for (u32 round = 1;; round++) {
		fill(round);
		bytecopy(dst, src, sizeof src);
		sink = bytecmp(dst, src, sizeof src);
		shellsort(data, N);
		sink = crc32(src, 2048);
		matmul();
		sink = chase(20000);
		u32 m = round;
		for (int i = 0; i < 2000; i++) m = mix(m, i);
		sink = m + mc[3][5];
	}
}
