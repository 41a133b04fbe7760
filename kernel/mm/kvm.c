/*
 * The kernel page table, built once at boot and shared (its upper half)
 * by every user address space:
 *   kernel text R+X, read-only data R, everything else in RAM R+W (W^X);
 *   device windows R+W at DEVICE_VA(pa);
 *   kernel stacks at KSTACK_BASE, each above an unmapped guard page.
 */
#include "kernel/mm/mm.h"
#include "kernel/mm/pagetable.h"
#include "kernel/arch/riscv.h"
#include "kernel/lib/lib.h"

/* Section boundaries from kernel.ld. */
extern char kernel_start[], text_end[], rodata_end[];

pagetable_t kernel_pagetable;

static void map_or_panic(uint64 va, uint64 pa, uint64 size, int perm) {
  if (pt_map(kernel_pagetable, va, pa, size, perm) < 0)
    panic("kvm: out of memory building the kernel page table");
}

uint64 kstack_top(int slot) { return KSTACK_BASE + (uint64)(slot + 1) * KSTACK_SLOT; }

static void map_kernel_stacks(int nstacks) {
  for (int slot = 0; slot < nstacks; slot++) {
    uint64 bottom = kstack_top(slot) - KSTACK_SIZE; /* the guard page lies below */
    for (uint64 va = bottom; va < kstack_top(slot); va += PGSIZE) {
      void *page = kalloc();
      if (page == 0)
        panic("kvm: out of memory for kernel stacks");
      map_or_panic(va, (uint64)page, PGSIZE, PTE_R | PTE_W);
    }
  }
}

void kvm_init(const struct mem_layout *l) {
  kernel_pagetable = kalloc();
  if (kernel_pagetable == 0)
    panic("kvm: out of memory for the kernel page table");
  uint64 text = (uint64)kernel_start, etext = (uint64)text_end, erodata = (uint64)rodata_end;
  map_or_panic(text, text, etext - text, PTE_R | PTE_X);
  map_or_panic(etext, etext, erodata - etext, PTE_R);
  map_or_panic(erodata, erodata, l->ram_end - erodata, PTE_R | PTE_W);
  for (int i = 0; i < l->ndevices; i++) {
    uint64 pa = ROUNDDOWN(l->devices[i][0], PGSIZE);
    uint64 size = ROUNDUP(l->devices[i][0] + l->devices[i][1], PGSIZE) - pa;
    map_or_panic(DEVICE_VA(pa), pa, size, PTE_R | PTE_W);
  }
  map_kernel_stacks(l->nstacks);
}

void kvm_enable(void) {
  sfence_vma();
  csr_write(satp, MAKE_SATP(kernel_pagetable));
  sfence_vma();
}

int kvm_active(void) { return csr_read(satp) == MAKE_SATP(kernel_pagetable); }
