// The pc board's test kernel. Each step prints a line that depends only on
// what the machine does, never on timing, so the transcript is the same on
// xv6emu and on qemu-system-i386 -kernel (run with -m 128 -smp 2, the IDE
// test image as drive 0, and "hello" typed on the serial line).

typedef unsigned char uchar;
typedef unsigned short ushort;
typedef unsigned int uint;

#define COM1 0x3F8
#define LAPIC ((volatile uint *)0xFEE00000)
#define IOAPIC ((volatile uint *)0xFEC00000)

// LAPIC registers (word index).
#define L_ID (0x20 / 4)
#define L_TPR (0x80 / 4)
#define L_EOI (0xB0 / 4)
#define L_SVR (0xF0 / 4)
#define L_ESR (0x280 / 4)
#define L_ICRLO (0x300 / 4)
#define L_ICRHI (0x310 / 4)
#define L_TIMER (0x320 / 4)
#define L_LINT0 (0x350 / 4)
#define L_LINT1 (0x360 / 4)
#define L_ERROR (0x370 / 4)
#define L_TICR (0x380 / 4)
#define L_TCCR (0x390 / 4)
#define L_TDCR (0x3E0 / 4)

#define T_PF 14
#define T_TIMER 32
#define T_ONESHOT 33
#define T_UART 36
#define T_IDE 46
#define T_ERROR 51
#define T_SPURIOUS 63
#define T_SYSCALL 64

struct frame {
	uint edi, esi, ebp, oesp, ebx, edx, ecx, eax;
	uint es, ds;
	uint vector, err;
	uint eip, cs, eflags;
	uint esp, ss; // only from ring 3
};

static inline void outb(ushort port, uchar v) { asm volatile("outb %0, %1" : : "a"(v), "d"(port)); }
static inline void outw(ushort port, ushort v) { asm volatile("outw %0, %1" : : "a"(v), "d"(port)); }
static inline uchar inb(ushort port)
{
	uchar v;
	asm volatile("inb %1, %0" : "=a"(v) : "d"(port));
	return v;
}
static inline void insl(ushort port, void *dst, int n)
{
	asm volatile("cld; rep insl" : "+D"(dst), "+c"(n) : "d"(port) : "memory");
}
static inline void outsl(ushort port, const void *src, int n)
{
	asm volatile("cld; rep outsl" : "+S"(src), "+c"(n) : "d"(port) : "memory");
}
static inline void cli(void) { asm volatile("cli"); }
static inline void sti(void) { asm volatile("sti"); }
// Wait for an interrupt with interrupts off around the caller's check:
// sti takes effect after hlt starts, so no wake-up is lost.
static inline void wait_intr(void) { asm volatile("sti; hlt; cli"); }
static inline uint rcr2(void)
{
	uint v;
	asm volatile("movl %%cr2, %0" : "=r"(v));
	return v;
}

// ---- console (COM1, polled output) ----

static void putc(int c)
{
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void putnum(uint v, int base)
{
	char buf[12];
	int i = 0;
	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i > 0)
		putc(buf[--i]);
}

// printf with %d (unsigned), %x, %s and %c.
static void printf(const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc(*fmt);
			continue;
		}
		switch (*++fmt) {
		case 'd':
			putnum(__builtin_va_arg(ap, uint), 10);
			break;
		case 'x':
			puts("0x");
			putnum(__builtin_va_arg(ap, uint), 16);
			break;
		case 's':
			puts(__builtin_va_arg(ap, const char *));
			break;
		case 'c':
			putc(__builtin_va_arg(ap, int));
			break;
		default:
			putc(*fmt);
		}
	}
	__builtin_va_end(ap);
}

static void poweroff(void)
{
	outw(0x604, 0x2000); // ACPI S5 on QEMU's pc machine (and xv6emu)
	for (;;)
		asm volatile("cli; hlt");
}

static void fail(const char *why)
{
	printf("FAIL: %s\n", why);
	poweroff();
}

// ---- descriptors and paging ----

struct gate {
	ushort off_lo, sel, flags, off_hi;
};
static struct gate idt[256];
static unsigned long long gdt[6];
static uint tss[26];
static uint pgdir[1024] __attribute__((aligned(4096)));
static uint pt0[1024] __attribute__((aligned(4096)));
static char kstack[8192] __attribute__((aligned(16)));
char boot_stack[8192] __attribute__((aligned(16)));
char *boot_stack_top = boot_stack + sizeof boot_stack;
extern char stubs[], ap_tramp[], ap_tramp_end[], user_entry[], user_stack_top[];
extern char __user_start[], __user_end[];

static unsigned long long seg(uint base, uint limit, uint type, uint dpl, int flat)
{
	unsigned long long d = (limit & 0xFFFF) | (unsigned long long)(base & 0xFFFFFF) << 16;
	unsigned long long hi = (type | dpl << 5 | 0x80) | (limit >> 16 & 0xF) << 8 |
				(flat ? 0xC0 << 8 : 0) | (base >> 24) << 16;
	return d | hi << 40;
}

static void setgate(int n, int dpl)
{
	uint a = (uint)stubs + 16 * (n == T_SYSCALL ? 64 : n);
	idt[n] = (struct gate){a & 0xFFFF, 0x08, 0x8E00 | dpl << 13, a >> 16};
}

static void load_tables(void)
{
	gdt[1] = seg(0, 0xFFFFF, 0x1A, 0, 1); // kernel code
	gdt[2] = seg(0, 0xFFFFF, 0x12, 0, 1); // kernel data
	gdt[3] = seg(0, 0xFFFFF, 0x1A, 3, 1); // user code
	gdt[4] = seg(0, 0xFFFFF, 0x12, 3, 1); // user data
	tss[1] = (uint)kstack + sizeof kstack; // esp0
	tss[2] = 0x10;			       // ss0
	tss[25] = sizeof tss << 16;	       // no I/O bitmap
	gdt[5] = seg((uint)tss, sizeof tss - 1, 0x09, 0, 0);
	struct {
		ushort limit;
		uint base;
	} __attribute__((packed)) gd = {sizeof gdt - 1, (uint)gdt}, id = {sizeof idt - 1, (uint)idt};
	asm volatile("lgdt %0; ljmp $0x08, $1f; 1: movw $0x10, %%ax; movw %%ax, %%ds; movw %%ax, %%es;"
		     "movw %%ax, %%ss; movw %%ax, %%fs; movw %%ax, %%gs"
		     :
		     : "m"(gd)
		     : "eax", "memory");
	for (int n = 0; n < 64; n++)
		setgate(n, 0);
	setgate(T_SYSCALL, 3);
	asm volatile("lidt %0" : : "m"(id));
	asm volatile("ltr %w0" : : "r"(0x28));
}

// Identity paging: the first 4 MiB in 4 KiB pages (ring 3 may use only the
// user section), the APIC area as one 4 MiB page, nothing else.
static void paging_on(void)
{
	for (uint i = 0; i < 1024; i++) {
		uint a = i << 12;
		pt0[i] = a | 3;
		if (a >= (uint)__user_start && a < (uint)__user_end)
			pt0[i] |= 4;
	}
	pgdir[0] = (uint)pt0 | 7;
	pgdir[0xFEC00000 >> 22] = 0xFEC00000 | 0x80 | 0x10 | 3; // PS, PCD
	asm volatile("movl %%cr4, %%eax; orl $0x10, %%eax; movl %%eax, %%cr4;"
		     "movl %0, %%cr3;"
		     "movl %%cr0, %%eax; orl $0x80010000, %%eax; movl %%eax, %%cr0"
		     :
		     : "r"(pgdir)
		     : "eax", "memory");
}

// ---- LAPIC and IOAPIC ----

static void lapicw(int reg, uint v)
{
	LAPIC[reg] = v;
	(void)LAPIC[L_ID]; // wait for the write to finish
}

static void lapic_init(void)
{
	lapicw(L_SVR, 0x100 | T_SPURIOUS);
	lapicw(L_LINT0, 0x10000);
	lapicw(L_LINT1, 0x10000);
	lapicw(L_ERROR, T_ERROR);
	lapicw(L_ESR, 0);
	lapicw(L_ESR, 0);
	lapicw(L_EOI, 0);
	lapicw(L_TPR, 0);
}

static void ioapic_route(int irq, int vector, int apicid)
{
	IOAPIC[0] = 0x10 + 2 * irq;
	IOAPIC[4] = vector;
	IOAPIC[0] = 0x10 + 2 * irq + 1;
	IOAPIC[4] = apicid << 24;
}

// ---- interrupts ----

static volatile uint ticks, oneshots, ide_irqs, uart_done, ap_started;
static char line[32];
static volatile uint line_len;
static void after_user(void);

void trap(struct frame *f)
{
	switch (f->vector) {
	case T_TIMER:
		ticks++;
		lapicw(L_EOI, 0);
		return;
	case T_ONESHOT:
		oneshots++;
		lapicw(L_EOI, 0);
		return;
	case T_IDE:
		(void)inb(0x1F7); // acknowledge
		ide_irqs++;
		lapicw(L_EOI, 0);
		return;
	case T_UART:
		while (inb(COM1 + 5) & 1) {
			char c = inb(COM1);
			if (c == '\r' || c == '\n')
				uart_done = 1;
			else if (line_len < sizeof line - 1)
				line[line_len++] = c;
		}
		lapicw(L_EOI, 0);
		return;
	case T_SYSCALL:
		switch (f->eax) {
		case 1:
			printf("syscall write from cpl %d: %s\n", f->cs & 3, (char *)f->ebx);
			return;
		case 2:
			f->eax = 40;
			return;
		case 3:
			printf("syscall print: %d\n", f->ebx);
			return;
		}
		fail("unknown syscall");
	case T_PF:
		if ((f->cs & 3) != 3)
			break;
		printf("page fault from cpl 3: addr %x err %x at user eip %x\n", rcr2(), f->err,
		       f->eip - (uint)user_entry);
		after_user(); // the task is dead; carry on from here
	}
	printf("unexpected trap %d err %x eip %x\n", f->vector, f->err, f->eip);
	poweroff();
}

// ---- tests ----

static void test_firmware(uint magic, uint *info)
{
	if (magic != 0x2BADB002)
		fail("bad multiboot magic");
	printf("multiboot: mem_lower %d KiB, mem_upper %d KiB\n", info[1], info[2]);
	if (info[0] & (1 << 6)) {
		for (uint p = info[12]; p < info[12] + info[11]; p += *(uint *)p + 4) {
			uint *e = (uint *)p;
			printf("multiboot: mmap %x-%x type %d\n", e[1], e[1] + e[3] - 1, e[5]);
		}
	}
	outb(0x70, 0x17);
	uint ext = inb(0x71);
	outb(0x70, 0x18);
	ext |= inb(0x71) << 8;
	outb(0x70, 0x34);
	uint high = inb(0x71);
	outb(0x70, 0x35);
	high |= inb(0x71) << 8;
	printf("cmos: extended %d KiB, above 16 MiB %d x 64 KiB\n", ext, high);
}

static uchar sum(uchar *p, int n)
{
	uchar s = 0;
	while (n-- > 0)
		s += *p++;
	return s;
}

static uchar *mpscan(uint a, int n)
{
	for (uchar *p = (uchar *)a; p < (uchar *)a + n; p += 16)
		if (p[0] == '_' && p[1] == 'M' && p[2] == 'P' && p[3] == '_' && sum(p, 16) == 0)
			return p;
	return 0;
}

// test_mp counts processors in the MP table, searched as xv6 does.
static int test_mp(void)
{
	uchar *fp = 0;
	uint ebda = *(ushort *)0x40E << 4;
	if (ebda)
		fp = mpscan(ebda, 1024);
	if (!fp)
		fp = mpscan(0xF0000, 0x10000);
	if (!fp)
		fail("no MP floating pointer");
	uchar *conf = (uchar *)*(uint *)(fp + 4);
	if (conf[0] != 'P' || conf[1] != 'C' || conf[2] != 'M' || conf[3] != 'P' ||
	    sum(conf, *(ushort *)(conf + 4)) != 0)
		fail("bad MP table");
	int cpus = 0;
	uchar *e = conf + 44;
	for (int i = 0; i < *(ushort *)(conf + 34); i++) {
		if (*e == 0) {
			cpus++;
			e += 20;
		} else
			e += 8;
	}
	// QEMU 7.2's SeaBIOS lists only the bootstrap processor whatever -smp
	// says, so the count is not part of the transcript.
	printf("mp: table found, %s\n", cpus >= 1 && conf[44] == 0 && (conf[47] & 2) ? "bsp listed first" : "BAD");
	return cpus;
}

static void test_timer(void)
{
	lapicw(L_TDCR, 0xB); // divide by 1
	lapicw(L_TIMER, 0x20000 | T_TIMER);
	lapicw(L_TICR, 1000000); // 1 ms at QEMU's 1 GHz APIC clock
	cli();
	while (ticks < 3)
		wait_intr();
	lapicw(L_TICR, 0); // stop
	printf("lapic: periodic timer ticked 3 times\n");

	lapicw(L_TDCR, 0x3); // divide by 16
	lapicw(L_TIMER, T_ONESHOT);
	lapicw(L_TICR, 100000);
	uint c1 = LAPIC[L_TCCR];
	for (volatile int i = 0; i < 20000; i++)
		;
	uint c2 = LAPIC[L_TCCR];
	while (!oneshots)
		wait_intr();
	for (volatile int i = 0; i < 20000; i++)
		;
	printf("lapic: one-shot fired %d time(s), count went down: %s, then stopped at %d\n", oneshots,
	       c2 < c1 ? "yes" : "no", LAPIC[L_TCCR]);
}

static void ide_wait(void)
{
	while ((inb(0x1F7) & 0xC0) != 0x40)
		;
}

static void ide_cmd(uint sector, uchar cmd)
{
	ide_wait();
	outb(0x1F2, 1);
	outb(0x1F3, sector);
	outb(0x1F4, sector >> 8);
	outb(0x1F5, sector >> 16);
	outb(0x1F6, 0xE0 | (sector >> 24 & 0x0F));
	outb(0x1F7, cmd);
}

static uint buf[128], wbuf[128];

static void test_ide(void)
{
	outb(0x1F6, 0xF0);
	printf("ide: slave status %x\n", inb(0x1F7));
	outb(0x1F6, 0xE0);

	// Read sector 1 with an interrupt through IOAPIC pin 14.
	ioapic_route(14, T_IDE, 0);
	outb(0x3F6, 0);
	ide_cmd(1, 0x20);
	while (!ide_irqs)
		wait_intr();
	insl(0x1F0, buf, 128);
	printf("ide: sector 1 (by interrupt): %s\n", (char *)buf);

	// Write sector 2 and read it back, polling with nIEN set.
	outb(0x3F6, 2);
	for (int i = 0; i < 128; i++)
		wbuf[i] = i * 0x01010101u ^ 0xA5A5A5A5u;
	ide_cmd(2, 0x30);
	while (!(inb(0x1F7) & 0x08))
		;
	outsl(0x1F0, wbuf, 128);
	ide_wait();
	ide_cmd(2, 0x20);
	while (!(inb(0x1F7) & 0x08))
		;
	insl(0x1F0, buf, 128);
	int same = 1;
	for (int i = 0; i < 128; i++)
		same &= buf[i] == wbuf[i];
	printf("ide: sector 2 written and read back by polling: %s, interrupts %d\n", same ? "same" : "DIFFERENT",
	       ide_irqs);
}

static char ap_stack[4096] __attribute__((aligned(16)));

void ap_main(void)
{
	printf("cpu1: running in protected mode, apic id %d\n", LAPIC[L_ID] >> 24);
	ap_started = 1;
}

static void test_smp(void)
{
	uchar *dst = (uchar *)0x8000;
	for (char *p = ap_tramp; p < ap_tramp_end; p++)
		*dst++ = *p;
	*(uint *)0x7FFC = (uint)ap_stack + sizeof ap_stack;
	*(uint *)0x7FF8 = (uint)ap_main;
	lapicw(L_ICRHI, 1 << 24);
	lapicw(L_ICRLO, 0xC500); // INIT, level, assert
	lapicw(L_ICRLO, 0x8500); // INIT, level, de-assert
	for (int i = 0; i < 2; i++) {
		lapicw(L_ICRHI, 1 << 24);
		lapicw(L_ICRLO, 0x600 | 0x8000 >> 12); // STARTUP at 0x8000
		for (volatile int j = 0; j < 1000; j++)
			;
	}
	while (!ap_started)
		asm volatile("pause");
	printf("cpu0: cpu1 started by INIT and STARTUP\n");
}

static void test_user(void)
{
	paging_on();
	printf("paging on; entering ring 3\n");
	asm volatile("movw $0x23, %%ax; movw %%ax, %%ds; movw %%ax, %%es;"
		     "pushl $0x23; pushl %0; pushl $0x002; pushl $0x1B; pushl %1; iret"
		     :
		     : "r"(user_stack_top), "r"(user_entry)
		     : "eax");
}

static void after_user(void)
{
	ioapic_route(4, T_UART, 0);
	outb(COM1 + 1, 0x01); // receive interrupts
	printf("uart: type a line\n");
	cli();
	while (!uart_done)
		wait_intr();
	line[line_len] = 0;
	printf("uart: got '%s' by interrupt\n", line);
	printf("pc test: all done\n");
	poweroff();
}

void kmain(uint magic, uint *info)
{
	outb(0x21, 0xFF); // mask both 8259s: the APICs do the work
	outb(0xA1, 0xFF);
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x80);
	outb(COM1 + 0, 1);
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x03);
	outb(COM1 + 4, 0x0B);
	printf("pc test kernel\n");
	test_firmware(magic, info);
	load_tables();
	lapic_init();
	int cpus = test_mp();
	test_timer();
	test_ide();
	(void)cpus;
	test_smp();
	test_user();
	fail("returned from ring 3");
}
