/*
 * exec: load a program the lazy way. Nothing of the program's segments is
 * read here: each PT_LOAD segment becomes a region of a new address space,
 * and the page-fault handler reads a page from the file the first time the
 * program touches it (mm/uvm.c). exec reads only the ELF headers and copies
 * the arguments onto the new stack.
 *
 * New stack, from the top of user space down (RISC-V psABI):
 *   argument strings | padding | argv[0..argc-1], NULL | <- sp, 16-aligned
 * and a0 = argc, a1 = argv when the program starts.
 */
#include "kernel/exec/exec.h"
#include "kernel/exec/elf.h"
#include "kernel/fs/fs.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc.h"
#include "kernel/errno.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/lib/lib.h"

#define MAX_PHDRS 16
#define STACK_ALIGN 16
#define MIN_USER_VA PGSIZE /* page 0 stays unmapped: null pointers fault */
#define STACK_PROMISE_PAGES 8 /* stack promised at exec beyond the arguments' pages */

/* --- the program file as a region's backing store --- */

static int inode_backing_read(void *obj, uint64 off, void *dst, uint64 n) {
  struct inode *ip = obj;
  ilock(ip);
  int got = readi(ip, 0, (uint64)dst, off, n);
  iunlock(ip);
  return got;
}

static void inode_backing_hold(void *obj) {
  idup(obj);
  inode_map_hold(obj);
}

static void inode_backing_release(void *obj) {
  inode_map_release(obj);
  begin_op(); /* iput may free an unlinked program's blocks */
  iput(obj);
  end_op();
}

static const struct backing_ops program_file = {inode_backing_read, inode_backing_hold,
                                                inode_backing_release};

/* --- validating the ELF file --- */

/* 0; -ENOEXEC if the file is too short; -EIO if the disk failed. */
static int read_exact(struct inode *ip, void *dst, uint64 off, uint64 n) {
  int got = readi(ip, 0, (uint64)dst, off, n);
  if (got < 0)
    return got;
  return got == (int)n ? 0 : -ENOEXEC;
}

static int check_header(const struct elf_header *h) {
  if (h->magic != ELF_MAGIC || h->elf_class != ELFCLASS64 || h->data != ELFDATA2LSB)
    return -ENOEXEC;
  if (h->type != ET_EXEC || h->machine != EM_RISCV)
    return -ENOEXEC;
  if (h->phentsize != sizeof(struct program_header) || h->phnum == 0 || h->phnum > MAX_PHDRS)
    return -ENOEXEC;
  return 0;
}

/* One PT_LOAD segment: sizes, file range, place in user space, W^X. */
static int check_segment(const struct program_header *ph, uint64 file_size) {
  uint64 end = ph->vaddr + ph->memsz;
  if (ph->filesz > ph->memsz || end < ph->vaddr)
    return -ENOEXEC;
  if (ph->offset + ph->filesz < ph->offset || ph->offset + ph->filesz > file_size)
    return -ENOEXEC;
  if (ph->vaddr < MIN_USER_VA || end > USER_HEAP_LIMIT)
    return -ENOEXEC;
  if (ph->align > 1 && (ph->align & (ph->align - 1)))
    return -ENOEXEC;
  if (ph->align > 1 && ph->vaddr % ph->align != ph->offset % ph->align)
    return -ENOEXEC;
  if ((ph->flags & PF_W) && (ph->flags & PF_X))
    return -ENOEXEC; /* W^X: a page is never both writable and executable */
  return 0;
}

static int segment_perm(const struct program_header *ph) {
  int perm = PTE_R;
  if (ph->flags & PF_W)
    perm |= PTE_W;
  if (ph->flags & PF_X)
    perm |= PTE_X;
  return perm;
}

/* The region for a checked PT_LOAD segment of the program file ip. */
static struct region segment_region(struct inode *ip, const struct program_header *ph) {
  struct region r = {
      .kind = (ph->flags & PF_X) ? REGION_TEXT : REGION_DATA,
      .start = ROUNDDOWN(ph->vaddr, PGSIZE),
      .end = ROUNDUP(ph->vaddr + ph->memsz, PGSIZE),
      .perm = segment_perm(ph),
      .ops = &program_file,
      .obj = ip,
      .file_id = inode_id(ip),
      .data_va = ph->vaddr,
      .file_off = ph->offset,
      .file_size = ph->filesz,
  };
  /* The file pages of every segment are shared with other processes
   * running the file (as_add_region); a writable segment's pages may
   * all become private copies, so they are all promised now. */
  if (r.perm & PTE_W)
    r.committed = (r.end - r.start) / PGSIZE;
  return r;
}

/* Turn each PT_LOAD into a region of as; returns the heap start or -errno. */
static int64 add_segments(struct addrspace *as, struct inode *ip, const struct elf_header *h) {
  struct program_header ph;
  uint64 top = 0;
  int entry_ok = 0, loads = 0;
  for (int i = 0; i < h->phnum; i++) {
    int err = read_exact(ip, &ph, h->phoff + i * sizeof ph, sizeof ph);
    if (err < 0)
      return err;
    if (ph.type != PT_LOAD || ph.memsz == 0)
      continue;
    err = check_segment(&ph, inode_size(ip));
    if (err < 0)
      return err;
    struct region r = segment_region(ip, &ph);
    err = as_add_region(as, &r);
    if (err < 0)
      return err == -ENOMEM ? err : -ENOEXEC; /* overlaps another segment */
    loads++;
    top = MAX(top, r.end);
    if ((ph.flags & PF_X) && h->entry >= ph.vaddr && h->entry < ph.vaddr + ph.memsz)
      entry_ok = 1;
  }
  if (loads == 0 || !entry_ok)
    return -ENOEXEC;
  return top;
}

/* Read and check the ELF header into h, then add the segments; returns
 * the heap start or -errno. */
static int64 load_elf(struct addrspace *as, struct inode *ip, struct elf_header *h) {
  int err = read_exact(ip, h, 0, sizeof *h);
  if (err < 0)
    return err;
  if (check_header(h) < 0)
    return -ENOEXEC;
  return add_segments(as, ip, h);
}

static int add_heap_and_stack(struct addrspace *as, uint64 heap_start) {
  struct region heap = {.kind = REGION_HEAP, .start = heap_start, .end = heap_start + PGSIZE,
                        .perm = PTE_R | PTE_W};
  struct region stack = {.kind = REGION_STACK, .start = USER_STACK_BOTTOM, .end = USER_TOP,
                         .perm = PTE_R | PTE_W, .committed = STACK_PROMISE_PAGES};
  int err = as_add_region(as, &heap);
  return err < 0 ? err : as_add_region(as, &stack);
}

/* --- arguments: from the caller's user memory or from the kernel --- */

struct arg_source {
  struct addrspace *as; /* the caller's address space, or 0 for kernel strings */
  uint64 argv_va;
  const char *const *kargv;
  char *scratch;        /* one page for copying */
};

// LAB args: stack
/* Address of argument i: 1 if there is one, 0 at the end, or -errno. */
static int arg_address(struct arg_source *src, int i, uint64 *addr) {
  if (src->as == 0) {
    *addr = (uint64)src->kargv[i];
    return *addr != 0;
  }
  if (copyin(src->as, addr, src->argv_va + i * sizeof(uint64), sizeof(uint64)) < 0)
    return -EFAULT;
  return *addr != 0;
}

/* Length of the string at addr including its NUL, at most limit; or -errno. */
static int64 arg_length(struct arg_source *src, uint64 addr, uint64 limit) {
  if (src->as == 0) {
    uint64 len = strlen((const char *)addr) + 1;
    return len > limit ? -E2BIG : (int64)len;
  }
  for (uint64 len = 0;;) {
    uint64 chunk = MIN(PGSIZE - (addr + len) % PGSIZE, limit - len);
    if (chunk == 0)
      return -E2BIG;
    if (copyin(src->as, src->scratch, addr + len, chunk) < 0)
      return -EFAULT;
    for (uint64 i = 0; i < chunk; i++)
      if (src->scratch[i] == 0)
        return len + i + 1;
    len += chunk;
  }
}

/* Copy len bytes of the argument at addr to dst in the new address space. */
static int arg_copy(struct arg_source *src, uint64 addr, struct addrspace *as, uint64 dst, uint64 len) {
  if (src->as == 0)
    return copyout(as, dst, (const char *)addr, len);
  for (uint64 done = 0; done < len;) {
    uint64 chunk = MIN(len - done, PGSIZE);
    if (copyin(src->as, src->scratch, addr + done, chunk) < 0 || copyout(as, dst + done, src->scratch, chunk) < 0)
      return -EFAULT;
    done += chunk;
  }
  return 0;
}

/* Build the strings and argv on the new stack; returns argc or -errno.
 * table (one page) holds each argument's address, then its new address. */
static int push_args(struct arg_source *src, struct addrspace *as, uint64 *table, uint64 *sp_out) {
  int argc = 0;
  uint64 total = 0;
  for (;; argc++) {
    if (argc > MAXARGV)
      return -E2BIG;
    int more = arg_address(src, argc, &table[argc]);
    if (more < 0)
      return more;
    if (!more)
      break;
    int64 len = arg_length(src, table[argc], MAXARGBYTES - total);
    if (len < 0)
      return len;
    total += len;
  }
  uint64 table_bytes = (argc + 1) * sizeof(uint64) + STACK_ALIGN;
  int err = as_promise(as, REGION_STACK, ROUNDUP(total + table_bytes, PGSIZE) / PGSIZE);
  if (err < 0)
    return err;
  uint64 cursor = USER_TOP - total;
  for (int i = 0; i < argc; i++) {
    int64 len = arg_length(src, table[i], MAXARGBYTES);
    if (len < 0 || arg_copy(src, table[i], as, cursor, len) < 0)
      return -EFAULT;
    table[i] = cursor;
    cursor += len;
  }
  table[argc] = 0;
  uint64 sp = ROUNDDOWN(USER_TOP - total - (argc + 1) * sizeof(uint64), STACK_ALIGN);
  if (copyout(as, sp, table, (argc + 1) * sizeof(uint64)) < 0)
    return -EFAULT;
  *sp_out = sp;
  return argc;
}
// END LAB args

/* The last component of path, for the process name. */
static const char *base_name(const char *path) {
  const char *name = path;
  for (const char *s = path; *s; s++)
    if (*s == '/')
      name = s + 1;
  return name;
}

/* Build the new address space from the program at path. */
static int load_program(const char *path, struct addrspace *as, uint64 *entry) {
  struct inode *ip;
  begin_op(); /* the walk may drop the last reference to a removed directory */
  int err = path_lookup(path, &ip);
  end_op();
  if (err < 0)
    return err;
  ilock(ip);
  struct elf_header h;
  int64 heap_start; /* where the heap begins, or -errno */
  if (inode_type(ip) != T_FILE)
    heap_start = -EACCES;
  else if (inode_has_writers(ip))
    heap_start = -ETXTBSY; /* it could change under the running program */
  else
    heap_start = load_elf(as, ip, &h);
  iunlock(ip);
  // LAB lazy: exec-load
  /* No page is read now: as_fault loads each one when it is first touched. */
  // END LAB lazy
  begin_op();
  iput(ip); /* the regions hold their own references */
  end_op();
  if (heap_start < 0)
    return heap_start;
  *entry = h.entry;
  return add_heap_and_stack(as, heap_start);
}

static int do_exec(const char *path, struct arg_source *src) {
  struct proc *p = myproc();
  struct addrspace *as = as_create();
  uint64 *table = kalloc();
  src->scratch = kalloc();
  uint64 entry = 0, sp = 0;
  int err = as && table && src->scratch ? load_program(path, as, &entry) : -ENOMEM;
  int argc = err < 0 ? err : push_args(src, as, table, &sp); /* or -errno */
  if (table)
    kfree(table);
  if (src->scratch)
    kfree(src->scratch);
  if (argc < 0) {
    as_destroy(as);
    return argc;
  }
  /* Commit: from here on the old program is gone. Switch to the new table
   * before the old one is unpublished, under p->lock (procinfo reads p->as
   * under it too): then no hart can be left on the table as_destroy frees,
   * whenever a tick preempts us (see run() in proc/cpu.c). */
  acquire(&p->lock);
  struct addrspace *old = p->as;
  as_activate(as);
  p->as = as;
  release(&p->lock);
  as_destroy(old);
  memset(&p->tf, 0, sizeof p->tf);
  p->fp_used = 0; /* the new program starts with the FPU off */
  memset(&p->alarm, 0, sizeof p->alarm); /* the old handler's address means nothing now */
  p->tf.epc = entry;
  p->tf.regs[REG_SP] = sp;
  // LAB args: argv-register
  p->tf.regs[REG_A1] = sp; /* argv */
  // END LAB args
  safestrcpy(p->name, base_name(path), sizeof p->name);
  return argc; /* becomes a0 */
}

int exec(const char *path, uint64 argv_va) {
  struct arg_source src = {.as = myproc()->as, .argv_va = argv_va};
  if (argv_va == 0) {
    const char *only[] = {path, 0};
    src.as = 0;
    src.kargv = only;
    return do_exec(path, &src);
  }
  return do_exec(path, &src);
}

int exec_kernel_args(const char *path, const char *const *argv) {
  struct arg_source src = {.as = 0, .kargv = argv};
  return do_exec(path, &src);
}
