/*
 * The two register save areas of a process.
 *
 * struct trapframe: all user registers, saved by trap_entry (trapvec.S) on
 * every trap from user mode and restored by user_return. The offsets are
 * used by the assembly: keep TF_* in step with the struct.
 *
 * struct context: the callee-saved registers of a kernel thread, saved by
 * swtch() when the thread gives up its hart.
 */
#ifndef RIVET_CONTEXT_H
#define RIVET_CONTEXT_H

#define TF_REG(n) ((n) * 8)   /* x1..x31 at their register number */
#define TF_EPC (32 * 8)
#define TF_KERNEL_SP (33 * 8)
#define TF_KERNEL_TP (34 * 8)
#define FP_FCSR (32 * 8)      /* offset of fcsr in struct fpstate */

#ifndef __ASSEMBLER__
#include "kernel/types.h"

struct trapframe {
  uint64 regs[32];   /* regs[n] holds xn; regs[0] is unused */
  uint64 epc;        /* user pc to resume at */
  uint64 kernel_sp;  /* top of the process's kernel stack */
  uint64 kernel_tp;  /* this hart's struct cpu, loaded into tp on entry */
};

/* Register numbers for readable trap-frame access. */
enum { REG_RA = 1, REG_SP = 2, REG_A0 = 10, REG_A1 = 11, REG_A7 = 17 };

struct context {
  uint64 ra, sp;
  uint64 s[12];
};

/* A process's floating-point registers, saved only for processes that use
 * floating point (the F/D extensions). */
struct fpstate {
  uint64 f[32];
  uint64 fcsr;
};
void fpu_save(struct fpstate *to);
void fpu_restore(const struct fpstate *from);

/* Save the current kernel registers in *from and resume *to. */
void swtch(struct context *from, struct context *to);
#endif

#endif
