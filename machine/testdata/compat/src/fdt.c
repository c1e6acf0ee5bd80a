// fdt.c: just enough of a flattened device tree reader to find a property
// by node path and to count a node's children. Paths are written as in
// dts: "/" is the root, "/soc/serial@10000000" a device.

#include "lib.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

#define MAXPATH  128
#define MAXDEPTH 16

static uint32
be32(const void *p)
{
  const uint8 *b = p;
  return (uint32)b[0] << 24 | (uint32)b[1] << 16 | (uint32)b[2] << 8 | b[3];
}

uint32
fdt_cell(const void *val, int i)
{
  return be32((const uint8 *)val + 4 * i);
}

int
fdt_valid(const void *blob)
{
  return be32(blob) == FDT_MAGIC;
}

// A walk over the structure block. visit is called at each node start
// (prop == 0) and each property; returning nonzero stops the walk.
struct walk {
  const char *path;       // path of the node being visited
  const char *name;       // the node's own name, or the property's
  const uint8 *val;       // the property's value
  int len;
};

static int
walk(const void *blob, int (*visit)(struct walk *w, int prop, void *arg), void *arg)
{
  const uint8 *base = blob;
  if (!fdt_valid(blob))
    return 0;
  const uint8 *p = base + be32(base + 8);
  const uint8 *end = base + be32(base + 4);
  const char *strings = (const char *)base + be32(base + 12);
  char path[MAXPATH];
  int mark[MAXDEPTH];
  int depth = 0, plen = 0;
  struct walk w;

  path[0] = 0;
  w.path = path;
  while (p + 4 <= end) {
    uint32 tok = be32(p);
    p += 4;
    switch (tok) {
    case FDT_BEGIN_NODE: {
      const char *name = (const char *)p;
      int n = strlen(name);
      p += (n + 4) & ~3;
      if (depth == MAXDEPTH || plen + n + 2 > MAXPATH)
        return 0;
      mark[depth++] = plen;
      w.name = name;
      // The parent's path is still in path: a child count needs it.
      if (visit(&w, 0, arg))
        return 1;
      if (depth > 1) {
        path[plen++] = '/';
        memcpy(path + plen, name, n);
        plen += n;
      }
      path[plen] = 0;
      break;
    }
    case FDT_END_NODE:
      if (depth == 0)
        return 0;
      plen = mark[--depth];
      path[plen] = 0;
      break;
    case FDT_PROP:
      w.len = be32(p);
      w.name = strings + be32(p + 4);
      w.val = p + 8;
      p += 8 + ((w.len + 3) & ~3);
      if (visit(&w, 1, arg))
        return 1;
      break;
    case FDT_NOP:
      break;
    default:
      return 0;
    }
  }
  return 0;
}

// samepath compares a walk path ("" for the root) with a dts path.
static int
samepath(const char *walked, const char *want)
{
  if (want[0] == '/' && want[1] == 0)
    want++;
  return strcmp(walked, want) == 0;
}

struct propquery {
  const char *node, *name;
  const void *val;
  int len;
};

static int
findprop(struct walk *w, int prop, void *arg)
{
  struct propquery *q = arg;
  if (!prop || !samepath(w->path, q->node) || strcmp(w->name, q->name) != 0)
    return 0;
  q->val = w->val;
  q->len = w->len;
  return 1;
}

const void *
fdt_prop(const void *blob, const char *node, const char *name, int *len)
{
  struct propquery q = { node, name, 0, 0 };
  if (!walk(blob, findprop, &q))
    return 0;
  if (len)
    *len = q.len;
  return q.val;
}

struct childquery {
  const char *node, *prefix;
  int n;
};

static int
countchild(struct walk *w, int prop, void *arg)
{
  struct childquery *q = arg;
  // At a node start w->path is still the parent's path.
  if (!prop && samepath(w->path, q->node) && w->name[0] != 0 &&
      strncmp(w->name, q->prefix, strlen(q->prefix)) == 0)
    q->n++;
  return 0;
}

int
fdt_children(const void *blob, const char *node, const char *prefix)
{
  struct childquery q = { node, prefix, 0 };
  walk(blob, countchild, &q);
  return q.n;
}

int
fdt_ncpus(const void *blob)
{
  return fdt_children(blob, "/cpus", "cpu@");
}
