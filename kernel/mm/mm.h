/*
 * mm: physical pages, page tables, and user address spaces.
 *
 * Virtual memory map (Sv39), the same in every address space:
 *   [0, USER_TOP)                user space (U bit), below the kernel
 *   [RAM base, RAM end)          all RAM, mapped at its physical address
 *                                (kernel text R+X, rodata R, the rest R+W)
 *   KSTACK_BASE...               kernel stacks, each above an unmapped guard page
 *   DEVICE_BASE + pa             device registers
 * Because the kernel half is mapped (supervisor-only) in every address
 * space, a trap does not switch page tables. See docs/memory.md.
 */
#ifndef RIVET_MM_H
#define RIVET_MM_H

#include "kernel/types.h"
#include "kernel/sync/sync.h"

#define PGSIZE 4096
#define PGSHIFT 12

#define USER_TOP 0x80000000UL            /* first address above user space */
#define USER_STACK_MAX (8UL << 20)       /* stack region size (populated lazily) */
#define USER_STACK_BOTTOM (USER_TOP - USER_STACK_MAX)
#define USER_GUARD_GAP (64UL << 10)      /* unmapped gap under the stack */
#define USER_HEAP_LIMIT (USER_STACK_BOTTOM - USER_GUARD_GAP)

#define DEVICE_BASE 0x3000000000UL       /* devices appear at DEVICE_BASE + pa */
#define DEVICE_VA(pa) (DEVICE_BASE + (uint64)(pa))
#define KSTACK_BASE 0x2000000000UL       /* kernel stacks live from here up */
#define KSTACK_PAGES 4                   /* pages per kernel stack */
#define KSTACK_SIZE (KSTACK_PAGES * PGSIZE)
#define KSTACK_SLOT (KSTACK_SIZE + PGSIZE) /* a stack plus its guard page below */

/* Page-table entry bits (RISC-V privileged spec, Sv39). */
#define PTE_V (1L << 0)
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)
#define PTE_A (1L << 6)
#define PTE_D (1L << 7)
#define PTE_SHARED (1L << 8) /* software bit: a shared text page, not owned by this address space */

typedef uint64 pte_t;
typedef uint64 *pagetable_t;

/* --- physical pages (kalloc.c) --- */
void kalloc_init(uint64 start, uint64 end);
void *kalloc(void);            /* one zeroed page, or 0 when memory is out */
void kfree(void *page);
uint64 kalloc_free_bytes(void);
uint64 kalloc_total_bytes(void);
/* Boot self-tests selftest=use_after_free and double_free (the debug
 * kernel must panic); 0 if name is neither. */
int kalloc_selftest(const char *name);

/* --- promises of memory (commit.c; docs/memory.md) --- */
void commit_init(uint64 total_pages);
int commit_reserve(uint64 pages);     /* promise pages: 0, or -ENOMEM if they are not there */
void commit_add(uint64 pages);        /* promise again pages whose promise was settled */
void commit_settle(uint64 pages);     /* promises kept (pages allocated) or given up */
void commit_reclaimable(int64 pages); /* cached pages that became (un)reclaimable */
uint64 commit_available_bytes(void);  /* memory nobody has been promised: sysinfo's freemem */

/* --- shared program text (sharedtext.c) --- */
struct shared_text;
void text_init(void);
/* The shared pages [start, end) of a segment of the program file named
 * file_id: one more mapping of an existing one, or a new or cached one
 * whose pages are promised now. 0, or -ENOMEM. */
int text_get(uint64 file_id, uint64 start, uint64 end, struct shared_text **out);
void text_hold(struct shared_text *t);  /* one more mapping (fork) */
void text_put(struct shared_text *t);   /* one fewer; after the last, its pages are a cache */
int text_reclaim_one(void);             /* free the oldest cached segment; 0 if none */
/* Drop the cached pages of the file named file_id: its bytes are about to
 * change (called by the file system). */
void text_forget(uint64 file_id);
uint64 text_lookup(struct shared_text *t, uint64 va); /* the loaded page for va, or 0 */
/* Install page (filled by the caller) for va; returns the page to map: this
 * one, or one another process installed first (then page is freed); 0 if
 * out of memory. */
uint64 text_insert(struct shared_text *t, uint64 va, void *page);

/* --- kernel page table (kvm.c) --- */
#define MAX_DEVICE_WINDOWS 16
struct mem_layout {
  uint64 ram_end;        /* everything from the kernel image up to here is RAM */
  uint64 devices[MAX_DEVICE_WINDOWS][2]; /* physical base and size of each device window */
  int ndevices;
  int nstacks;           /* kernel stacks to map: one per hart and one per process */
};
void kvm_init(const struct mem_layout *layout);
void kvm_enable(void);                /* load the kernel page table on this hart */
int kvm_active(void);                 /* is this hart on the kernel page table? */
uint64 kstack_top(int slot);          /* top of kernel stack number slot */

/* --- user address spaces and their page faults (uvm.c) --- */

/* Where a region's bytes come from: exec supplies file-backed ops; anonymous
 * regions (heap, stack, bss) have none and read as zeroes. */
struct backing_ops {
  int (*read)(void *obj, uint64 off, void *dst, uint64 n); /* bytes read, or <0 */
  void (*hold)(void *obj);    /* one more address space maps obj */
  void (*release)(void *obj); /* one fewer */
};

enum region_kind { REGION_TEXT, REGION_DATA, REGION_HEAP, REGION_STACK };
#define NREGION 8

/* A range of user addresses that may be mapped on demand. */
struct region {
  int used;
  enum region_kind kind;
  uint64 start, end;      /* page-aligned [start, end) */
  int perm;               /* PTE_R/W/X of its pages */
  const struct backing_ops *ops;
  void *obj;
  uint64 file_id;         /* names the file for sharing (fs: inode_id), if ops */
  uint64 data_va;         /* file bytes start at this address ... */
  uint64 file_off;        /* ... read from this offset ... */
  uint64 file_size;       /* ... for this many bytes; the rest is zero */
  /* A file-backed region's unwritten file pages are shared with other processes: */
  struct shared_text *shared;
  /* Other regions have private pages, counted against a promise: */
  uint64 committed;       /* pages promised (commit.c); set by the caller of as_add_region */
  uint64 anon;            /* private pages mapped now; never more than committed */
};

/* One process's user memory. Only the owning process changes it. */
struct addrspace {
  pagetable_t pt;
  struct region regions[NREGION];
  uint64 heap_start, brk;  /* heap is [heap_start, brk) */
  uint64 resident;         /* user pages mapped */
  uint64 faults;           /* page faults served */
  uint64 stack_low;        /* lowest stack page mapped so far, 0 if none */
  /* Heap pages below lazy_from are promised; pages from lazy_from up were
   * grown by sbrklazy and get a promise only when touched (commit.c). */
  uint64 lazy_from;
  uint64 lazy_resident;    /* pages mapped at or above lazy_from */
};

struct addrspace *as_create(void);
void as_destroy(struct addrspace *as);
/* A copy of parent: shared text pages are shared, private pages copied;
 * 0 if memory for the copy cannot be promised or allocated. */
struct addrspace *as_fork(struct addrspace *parent);
/* Add r; its r->committed pages are promised now. 0, -EINVAL (bad or
 * overlapping range, no free slot) or -ENOMEM (the promise was refused). */
int as_add_region(struct addrspace *as, const struct region *r);
int as_promise(struct addrspace *as, enum region_kind kind, uint64 pages); /* 0 or -ENOMEM */
uint64 as_size(struct addrspace *as);               /* bytes of all regions */
void as_activate(struct addrspace *as);             /* satp switch on this hart */
/* Move the break by n bytes; returns the old break, or -errno. Growth is
 * promised now (-ENOMEM if it cannot be) unless lazy: then pages are found
 * when first touched, and a touch that finds no memory kills the process.
 * Shrinking past the heap's start empties the heap. */
int64 as_sbrk(struct addrspace *as, int64 n, int lazy);

#define ACCESS_READ 1
#define ACCESS_WRITE 2
#define ACCESS_EXEC 4
/* Serve a page fault at va: 0 if a page was mapped, -EFAULT if va is in no
 * region or breaks its permissions, -ENOMEM if out of memory, -EIO on a
 * failed read. */
int as_fault(struct addrspace *as, uint64 va, int access);

/* Map now the not-yet-loaded pages of [va, va+n) that would be read from
 * a program file. A system call that will copy to or from user memory while
 * holding a file's lock calls this first: loading such a page takes the
 * program file's lock, which might be that very file. */
int as_prefault_file_pages(struct addrspace *as, uint64 va, uint64 n, int access); /* 0 or -errno */

/* Copy between kernel memory and user space, loading pages on demand
 * (usercopy.c).
 * Any address outside user space or a region gives -EFAULT, never a fault. */
int copyout(struct addrspace *as, uint64 dstva, const void *src, uint64 n);
int copyin(struct addrspace *as, void *dst, uint64 srcva, uint64 n);
int copyinstr(struct addrspace *as, char *dst, uint64 srcva, uint64 max); /* length or -errno */

#endif
