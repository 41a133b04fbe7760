/*
 * Lazy floating-point state. Most programs never touch the FP registers,
 * so a process starts with the FPU off (sstatus.FS = Off). Its first FP
 * instruction traps as illegal; then it gets zeroed FP registers and keeps
 * them for the rest of its life. Only such processes pay for saving (when
 * they trap with FS = Dirty) and restoring (when they return to user mode
 * on a hart whose registers hold someone else's state).
 *
 * The kernel is compiled without floating point (see the Makefile), so
 * between a trap and the return to user the registers hold the user's values.
 */
#include "kernel/proc/proc.h"
#include "kernel/arch/arch.h"
#include "kernel/lib/lib.h"

static uint64 fs_bits(void) { return csr_read(sstatus) & SSTATUS_FS; }

static void set_fs(uint64 state) {
  csr_clear(sstatus, SSTATUS_FS);
  csr_set(sstatus, state);
}

void fpu_on_trap(struct proc *p) {
  if (fs_bits() == SSTATUS_FS_DIRTY) {
    fpu_save(&p->fp);
    set_fs(SSTATUS_FS_CLEAN);
  }
}

int fpu_first_use(struct proc *p) {
  if (p->fp_used || fs_bits() != SSTATUS_FS_OFF)
    return 0; /* a really illegal instruction */
  memset(&p->fp, 0, sizeof p->fp);
  p->fp_used = 1;
  p->fp_cpu = -1; /* load it at the return to user mode */
  return 1;
}

uint64 fpu_before_user(struct proc *p) {
  if (!p->fp_used)
    return SSTATUS_FS_OFF;
  struct cpu *c = mycpu();
  if (c->fp_owner != p || p->fp_cpu != c->index) {
    set_fs(SSTATUS_FS_CLEAN);
    fpu_restore(&p->fp);
    c->fp_owner = p;
    p->fp_cpu = c->index;
  }
  return SSTATUS_FS_CLEAN;
}
