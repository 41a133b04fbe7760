/*
 * A reader for the flattened device tree (the "DTB") that QEMU and OpenSBI
 * pass in a1. The format is a header, a block of tokens describing nodes
 * and properties, and a table of property names; all integers big-endian.
 * We walk the tokens once and pick out the few nodes Rivet needs.
 */
#include "kernel/dev/dev.h"
#include "kernel/lib/lib.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define FDT_WORD 4 /* tokens and cells are 32-bit words; names and values are padded to them */
#define MAX_DEPTH 8

struct fdt_header {
  uint32 magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap;
  uint32 version, last_comp_version, boot_cpuid_phys, size_dt_strings, size_dt_struct;
};

static uint32 be32(const void *p) {
  const uchar *b = p;
  return ((uint32)b[0] << 24) | ((uint32)b[1] << 16) | ((uint32)b[2] << 8) | b[3];
}

/* Read a number made of cells 32-bit cells. */
static uint64 read_cells(const uchar **p, int cells) {
  uint64 v = 0;
  for (int i = 0; i < cells; i++, *p += FDT_WORD)
    v = (v << 32) | be32(*p);
  return v;
}

/* The properties we care about, collected while inside one node. */
struct node {
  const char *name;
  const char *compatible; /* a list of NUL-separated strings */
  int compatible_len;
  const uchar *reg;
  int reg_len;            /* bytes */
  int irq;                /* first cell of "interrupts", -1 if none */
  int addr_cells, size_cells; /* what this node says its children use */
};

static int is_compatible(const struct node *n, const char *want) {
  for (int i = 0; i < n->compatible_len; i += strlen(n->compatible + i) + 1)
    if (strcmp(n->compatible + i, want) == 0)
      return 1;
  return 0;
}

static int name_is(const struct node *n, const char *prefix) {
  int len = strlen(prefix);
  return strncmp(n->name, prefix, len) == 0 && (n->name[len] == 0 || n->name[len] == '@');
}

/* reg = <base size> with the parent's cell counts. */
static void read_reg(const struct node *n, const struct node *parent, uint64 *base, uint64 *size) {
  if (n->reg_len < (parent->addr_cells + parent->size_cells) * FDT_WORD)
    panic("dtb: node %s: reg has %d bytes, too few for its parent's cells", n->name, n->reg_len);
  const uchar *p = n->reg;
  *base = read_cells(&p, parent->addr_cells);
  *size = parent->size_cells ? read_cells(&p, parent->size_cells) : 0;
}

/* Called when a node ends: record it if Rivet needs it. */
static void classify(struct machine *m, const struct node *n, const struct node *parent, int depth) {
  uint64 base, size;
  if (!n->reg)
    return;
  if (depth == 1 && name_is(n, "memory") && m->ram_size == 0) {
    read_reg(n, parent, &m->ram_base, &m->ram_size);
  } else if (depth == 2 && name_is(parent, "cpus") && name_is(n, "cpu")) {
    read_reg(n, parent, &base, &size);
    if (m->nharts < NCPU)
      m->hartids[m->nharts++] = base;
  } else if (is_compatible(n, "ns16550a") && m->uart_base == 0) {
    read_reg(n, parent, &m->uart_base, &m->uart_size);
    m->uart_irq = n->irq;
  } else if (is_compatible(n, "riscv,plic0") || is_compatible(n, "sifive,plic-1.0.0")) {
    read_reg(n, parent, &m->plic_base, &m->plic_size);
  } else if (is_compatible(n, "sifive,test1") || is_compatible(n, "sifive,test0")) {
    read_reg(n, parent, &m->test_base, &m->test_size);
  } else if (is_compatible(n, "virtio,mmio") && m->nvirtio < MAX_VIRTIO) {
    read_reg(n, parent, &m->virtio_base[m->nvirtio], &m->virtio_size[m->nvirtio]);
    m->virtio_irq[m->nvirtio++] = n->irq;
  }
}

static void read_property(struct machine *m, struct node *n, int depth, const char *pname,
                          const uchar *val, int len) {
  if (strcmp(pname, "compatible") == 0) {
    n->compatible = (const char *)val;
    n->compatible_len = len;
  } else if (strcmp(pname, "reg") == 0) {
    n->reg = val;
    n->reg_len = len;
  } else if (strcmp(pname, "interrupts") == 0 && len >= FDT_WORD) {
    n->irq = be32(val);
  } else if (strcmp(pname, "#address-cells") == 0) {
    n->addr_cells = be32(val);
  } else if (strcmp(pname, "#size-cells") == 0) {
    n->size_cells = be32(val);
  } else if (strcmp(pname, "timebase-frequency") == 0 && depth == 1) {
    const uchar *p = val;
    m->timebase_hz = read_cells(&p, len / FDT_WORD);
  } else if (strcmp(pname, "bootargs") == 0 && depth == 1 && name_is(n, "chosen")) {
    if (len > BOOTARGS_MAX)
      printf("warning: boot arguments cut to %d bytes\n", BOOTARGS_MAX - 1);
    safestrcpy(m->bootargs, (const char *)val, MIN(len + 1, BOOTARGS_MAX));
  }
}

/* A node just begun: none of its properties seen yet. */
static void begin_node(struct node *n, const char *name) {
  memset(n, 0, sizeof *n);
  n->name = name;
  n->irq = -1;
  n->addr_cells = 2; /* the device-tree spec's defaults */
  n->size_cells = 1;
}

/* Walk the tokens from p to FDT_END, filling m from the nodes Rivet needs. */
static void walk_nodes(struct machine *m, const uchar *p, const char *property_names) {
  struct node stack[MAX_DEPTH];
  int depth = -1;
  for (;;) {
    uint32 token = be32(p);
    p += FDT_WORD;
    if (token == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      p += ROUNDUP(strlen(name) + 1, FDT_WORD);
      if (++depth >= MAX_DEPTH)
        panic("dtb: nodes nested too deep");
      begin_node(&stack[depth], name);
    } else if (token == FDT_END_NODE) {
      if (depth > 0)
        classify(m, &stack[depth], &stack[depth - 1], depth);
      depth--;
    } else if (token == FDT_PROP) {
      uint32 len = be32(p), nameoff = be32(p + FDT_WORD); /* then the value */
      const uchar *val = p + 2 * FDT_WORD;
      p = val + ROUNDUP(len, FDT_WORD);
      if (depth >= 0)
        read_property(m, &stack[depth], depth, property_names + nameoff, val, len);
    } else if (token == FDT_NOP) {
      continue;
    } else {
      break; /* FDT_END or garbage */
    }
  }
}

/* Rivet cannot run without these. */
static void require_nodes(const struct machine *m) {
  if (m->ram_size == 0)
    panic("dtb: no /memory node");
  if (m->nharts == 0)
    panic("dtb: no /cpus/cpu node");
  if (m->timebase_hz == 0)
    panic("dtb: no /cpus timebase-frequency");
  if (m->uart_base == 0)
    panic("dtb: no ns16550a serial node");
  if (m->plic_base == 0)
    panic("dtb: no PLIC (riscv,plic0) node");
}

void dtb_parse(uint64 dtb, struct machine *m) {
  const struct fdt_header *h = (const struct fdt_header *)dtb;
  if (be32(&h->magic) != FDT_MAGIC)
    panic("dtb: no device tree at 0x%lx (bad magic)", dtb);
  memset(m, 0, sizeof *m);
  const uchar *tokens = (const uchar *)dtb + be32(&h->off_dt_struct);
  const char *property_names = (const char *)dtb + be32(&h->off_dt_strings);
  walk_nodes(m, tokens, property_names);
  require_nodes(m);
}
