// harts.c: the multi-hart start as QEMU's virt board does it with -bios
// none: every hart enters at 0x80000000 in M-mode at the same time, with
// a0 = its hart id and a1 = the device tree's address. Each hart records
// what it was given; hart 0 waits for all of them (as many as the tree
// has cpu nodes), prints the records in hart order, then the device tree
// facts an xv6-style kernel could rely on.
//
// arrivals counts harts that have stored their record; a record is
// written once by its hart before that hart's increment, and read by
// hart 0 only after the count covers it.

#include "lib.h"

struct arrival {
  uint64 a0, mhartid, dtb;
  int magic;
};

static struct arrival arrived[MAXHARTS];
static volatile uint32 arrivals;

static void
print_reg(const void *blob, const char *node)
{
  int len;
  const void *v = fdt_prop(blob, node, "reg", &len);
  if (v == 0 || len != 16) {
    printf("dtb: %s reg missing\n", node);
    return;
  }
  uint64 base = (uint64)fdt_cell(v, 0) << 32 | fdt_cell(v, 1);
  uint64 size = (uint64)fdt_cell(v, 2) << 32 | fdt_cell(v, 3);
  printf("dtb: %s reg %p %p\n", node, base, size);
}

static void
print_u32(const void *blob, const char *node, const char *name)
{
  int len;
  const void *v = fdt_prop(blob, node, name, &len);
  if (v == 0 || len != 4) {
    printf("dtb: %s %s missing\n", node, name);
    return;
  }
  printf("dtb: %s %s %u\n", node, name, fdt_cell(v, 0));
}

static void
print_string(const void *blob, const char *node, const char *name)
{
  int len;
  const char *v = fdt_prop(blob, node, name, &len);
  if (v == 0 || len < 1 || v[len - 1] != 0) {
    printf("dtb: %s %s missing\n", node, name);
    return;
  }
  printf("dtb: %s %s %s\n", node, name, v);
}

// print_irqs prints the interrupt number of each (phandle, irq) pair of
// interrupts-extended: phandles differ between trees, the wiring must not.
static void
print_irqs(const void *blob, const char *node)
{
  int len;
  const void *v = fdt_prop(blob, node, "interrupts-extended", &len);
  if (v == 0 || len % 8 != 0) {
    printf("dtb: %s interrupts-extended missing\n", node);
    return;
  }
  char line[128];
  int at = 0;
  for (int i = 0; i < len / 8 && at < 120; i++) {
    uint32 irq = fdt_cell(v, 2 * i + 1);
    line[at++] = ' ';
    if (irq >= 10)
      line[at++] = '0' + irq / 10;
    line[at++] = '0' + irq % 10;
  }
  line[at] = 0;
  printf("dtb: %s interrupts-extended%s\n", node, line);
}

static void
print_tree(const void *dtb, int ncpu)
{
  print_u32(dtb, "/cpus", "timebase-frequency");
  for (int i = 0; i < ncpu; i++) {
    char node[32] = "/cpus/cpu@";
    node[10] = '0' + i;
    node[11] = 0;
    print_u32(dtb, node, "reg");
    print_string(dtb, node, "device_type");
    print_string(dtb, node, "status");
  }
  print_reg(dtb, "/memory@80000000");
  print_string(dtb, "/chosen", "stdout-path");
  print_reg(dtb, "/soc/test@100000");
  print_reg(dtb, "/soc/clint@2000000");
  print_irqs(dtb, "/soc/clint@2000000");
  print_reg(dtb, "/soc/plic@c000000");
  print_u32(dtb, "/soc/plic@c000000", "riscv,ndev");
  print_irqs(dtb, "/soc/plic@c000000");
  print_reg(dtb, "/soc/serial@10000000");
  print_u32(dtb, "/soc/serial@10000000", "interrupts");
  print_u32(dtb, "/soc/serial@10000000", "clock-frequency");
  print_string(dtb, "/soc/serial@10000000", "compatible");
  print_reg(dtb, "/soc/virtio_mmio@10001000");
  print_u32(dtb, "/soc/virtio_mmio@10001000", "interrupts");
  print_string(dtb, "/soc/virtio_mmio@10001000", "compatible");
}

void
mstart(uint64 id, uint64 dtb)
{
  struct arrival *a = &arrived[id];
  a->a0 = id;
  a->mhartid = csr_read(mhartid);
  a->dtb = dtb;
  a->magic = fdt_valid((const void *)dtb);
  __sync_fetch_and_add(&arrivals, 1);
  if (id != 0)
    park();

  uart_init();
  printf("harts: hart 0 up\n");
  if (!a->magic)
    fail("no device tree at a1 = %p", dtb);
  int ncpu = fdt_ncpus((const void *)dtb);
  printf("dtb: magic ok, %d cpus\n", ncpu);
  if (ncpu < 1 || ncpu > MAXHARTS)
    fail("device tree has %d cpus", ncpu);
  while (arrivals < (uint32)ncpu)
    ;
  fence();
  for (int i = 0; i < ncpu; i++) {
    struct arrival *r = &arrived[i];
    printf("hart %d: a0 %lu mhartid %lu a1 %p dtb %s\n", i, r->a0, r->mhartid, r->dtb,
           r->magic ? "ok" : "bad");
    if (r->a0 != (uint64)i || r->mhartid != (uint64)i || r->dtb != dtb || !r->magic)
      fail("hart %d started wrongly", i);
  }
  print_tree((const void *)dtb, ncpu);
  printf("harts: pass\n");
  pass();
}
