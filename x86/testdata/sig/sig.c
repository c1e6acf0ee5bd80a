/*
 * The integer signature program: random blocks of i386 integer
 * instructions (register and absolute-memory operands, 8/16/32-bit forms)
 * are generated into a buffer, run, and the registers, EFLAGS and a hash of
 * the scratch memory they touch are printed on COM1 after each block. Run
 * on qemu-system-i386 and on xv6emu's CPU, the outputs must be equal.
 */
typedef unsigned int u32;
typedef unsigned char u8;

struct regs { u32 r[8]; u32 eflags; };
void run_block(struct regs *r, void *code);

static u32 seed = 0x12345678;
static u32 rnd(void) { seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; return seed; }

static void outb(unsigned short port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static void putc(char c) { outb(0x3F8, c); }
static void puts(const char *s) { while (*s) putc(*s++); }
static void puthex(u32 v) { for (int i = 28; i >= 0; i -= 4) putc("0123456789abcdef"[(v >> i) & 15]); }

static u8 code[4096] __attribute__((aligned(4096)));
static u32 scratch[64] __attribute__((aligned(64)));
static int pos;

static void emit(u8 b) { code[pos++] = b; }
static void emit32(u32 v) { for (int i = 0; i < 4; i++) emit(v >> (8 * i)); }
/* a general register other than ESP */
static int reg(void) { int r; do r = rnd() & 7; while (r == 4); return r; }

/* ModRM with reg field r: a register (not ESP) or an absolute address in scratch. */
static void modrm(int r, int size) {
	if (rnd() % 3) {
		emit(0xC0 | r << 3 | reg());
	} else {
		emit(r << 3 | 5);
		emit32((u32)scratch + (rnd() % (sizeof scratch - 4)));
	}
	(void)size;
}

static void imm(int size) {
	if (size == 1) emit(rnd());
	else if (size == 2) { emit(rnd()); emit(rnd()); }
	else emit32(rnd() % 5 == 0 ? (rnd() & 1 ? 0x80000000 : 0x7FFFFFFF) : rnd());
}

static void insn(void) {
	int size = 4, o16 = 0;
	switch (rnd() % 4) {
	case 0: o16 = 1; size = 2; emit(0x66); break;
	}
	int k = rnd() % 22;
	int alu = rnd() % 8;
	switch (k) {
	case 0: /* ALU E,G / G,E, byte or word */
		emit(alu << 3 | (rnd() & 3)); modrm(reg(), size); break;
	case 1: /* ALU acc, imm */
		if (rnd() & 1) { emit(alu << 3 | 4); imm(1); } else { emit(alu << 3 | 5); imm(size); } break;
	case 2: /* group 1 */
		switch (rnd() % 3) {
		case 0: emit(0x80); modrm(alu, 1); imm(1); break;
		case 1: emit(0x81); modrm(alu, size); imm(size); break;
		default: emit(0x83); modrm(alu, size); imm(1); break;
		}
		break;
	case 3: /* inc/dec */
		if (rnd() & 1) { emit((rnd() & 1 ? 0x40 : 0x48) | reg()); }
		else { emit(0xFE | (rnd() & 1)); modrm(rnd() & 1, size); }
		break;
	case 4: /* test, not, neg, mul, imul */
		{ int r = rnd() % 6; if (r == 1) r = 0; emit(0xF6 | (rnd() & 1));
		  /* the immediate size follows the opcode */
		  u8 op = code[pos - 1]; modrm(r, size);
		  if (r == 0) imm(op == 0xF6 ? 1 : size); }
		break;
	case 5: /* shifts and rotates */
		{ int r = rnd() & 7; switch (rnd() % 3) {
		  case 0: emit(0xC0 | (rnd() & 1)); modrm(r, size); emit(rnd() % 40); break;
		  case 1: emit(0xD0 | (rnd() & 1)); modrm(r, size); break;
		  default: emit(0xD2 | (rnd() & 1)); modrm(r, size); break; } }
		break;
	case 6: /* imul forms */
		switch (rnd() % 3) {
		case 0: emit(0x0F); emit(0xAF); modrm(reg(), size); break;
		case 1: emit(0x69); modrm(reg(), size); imm(size); break;
		default: emit(0x6B); modrm(reg(), size); imm(1); break;
		}
		break;
	case 7: /* setcc */
		emit(0x0F); emit(0x90 | (rnd() & 15)); modrm(0, 1); break;
	case 8: /* cmovcc */
		emit(0x0F); emit(0x40 | (rnd() & 15)); modrm(reg(), size); break;
	case 9: /* bt family, register forms */
		if (rnd() & 1) { emit(0x0F); emit(0xA3 | (rnd() & 3) << 3); emit(0xC0 | reg() << 3 | reg()); }
		else { emit(0x0F); emit(0xBA); emit(0xC0 | (4 + (rnd() & 3)) << 3 | reg()); emit(rnd()); }
		/* Only CF is defined after bt (QEMU's other flags depend on its
		   translator's state): fold CF into a register with adc r, 0. */
		emit(0x83); emit(0xD0 | reg()); emit(0);
		break;
	case 10: /* bsf, bsr */
		emit(0x0F); emit(0xBC | (rnd() & 1)); modrm(reg(), size); break;
	case 11: /* movzx, movsx */
		emit(0x0F); emit(0xB6 | (rnd() & 1) | (rnd() & 1) << 3); modrm(reg(), size); break;
	case 12: /* xchg, xadd, cmpxchg */
		switch (rnd() % 4) {
		case 0: emit(0x86 | (rnd() & 1)); modrm(reg(), size); break;
		case 1: emit(0x90 | reg()); break;
		case 2: emit(0x0F); emit(0xC0 | (rnd() & 1)); modrm(reg(), size); break;
		default: emit(0x0F); emit(0xB0 | (rnd() & 1)); modrm(reg(), size); break;
		}
		break;
	case 13: /* shld, shrd (32-bit: 16-bit counts above 16 are undefined) */
		if (o16) { emit(0x90); break; }
		emit(0x0F);
		if (rnd() & 1) { emit(0xA4 | (rnd() & 1) << 3); modrm(reg(), size); emit(rnd() % 32); }
		else { emit(0xA5 | (rnd() & 1) << 3); modrm(reg(), size); }
		break;
	case 14: /* flag ops, conversions */
		{ static const u8 ops[] = { 0x98, 0x99, 0x9E, 0x9F, 0xF5, 0xF8, 0xF9 }; emit(ops[rnd() % 7]); }
		break;
	case 15: /* mov */
		switch (rnd() % 4) {
		case 0: emit(0x88 | (rnd() & 3)); modrm(reg(), size); break;
		case 1: emit(0xB0 | reg()); imm(1); break;
		case 2: emit(0xB8 | reg()); imm(size); break;
		default: emit(0xC6 | (rnd() & 1)); { u8 op = code[pos-1]; modrm(0, size); imm(op == 0xC6 ? 1 : size); } break;
		}
		break;
	case 16: /* lea with a SIB and a base */
		emit(0x8D); emit(0x44 | reg() << 3); emit((rnd() & 0xC0) | reg() << 3 | reg()); emit(rnd());
		break;
	case 17: /* bswap */
		if (o16) { emit(0x90); break; }
		emit(0x0F); emit(0xC8 | reg()); break;
	case 18: /* div with a safe divisor: ECX|1 shifted... keep it simple: divide EDX:EAX by a constant after clearing EDX */
		if (o16) { emit(0x90); break; }
		emit(0x31); emit(0xD2);              /* xor edx, edx */
		emit(0xB9); emit32((rnd() | 1) & 0xFFFF); /* mov ecx, imm */
		emit(0xF7); emit(0xF0 | (rnd() & 1) << 3 | 1); /* div/idiv ecx */
		break;
	case 19: /* adc/sbb chains */
		emit(0x11 | (rnd() & 1) << 3); emit(0xC0 | reg() << 3 | reg()); break;
	case 20: /* rotate through carry by CL */
		emit(0xD2 | (rnd() & 1)); emit(0xC0 | (2 + (rnd() & 1)) << 3 | reg()); break;
	default: /* test */
		emit(0x84 | (rnd() & 1)); modrm(reg(), size); break;
	}
}

int main(void) {
	struct regs r;
	for (int i = 0; i < 64; i++) scratch[i] = rnd();
	for (int b = 0; b < 3000; b++) {
		pos = 0;
		int n = 1 + rnd() % 8;
		for (int i = 0; i < n; i++) insn();
		emit(0xC3);
		for (int i = 0; i < 8; i++) r.r[i] = rnd() % 4 == 0 ? rnd() & 0xFF : rnd();
		/* idiv with EDX cleared can still overflow for negative EAX: keep EAX positive */
		r.r[0] &= 0x7FFFFFFF;
		r.eflags = (rnd() & 0x8D5) | 2;
		run_block(&r, code);
		u32 h = 2166136261u;
		for (int i = 0; i < 64; i++) { h ^= scratch[i]; h *= 16777619u; }
		puthex(b);
		for (int i = 0; i < 8; i++) { if (i == 4) continue; putc(' '); puthex(r.r[i]); }
		putc(' '); puthex(r.eflags & 0x8D5);
		putc(' '); puthex(h);
		putc('\n');
	}
	puts("done\n");
	return 0;
}
