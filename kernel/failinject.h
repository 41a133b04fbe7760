/* Fault injection as user programs see it: failctl() and its report.
 * The kernel side is kernel/lib/failpoint.h; boot argument fail=... in
 * docs/boot.md. */
#ifndef RIVET_FAILINJECT_H
#define RIVET_FAILINJECT_H

#include "kernel/types.h"

/* The places where the kernel can be made to fail on purpose. */
enum fail_site {
  FAIL_KALLOC, /* page allocation: the caller sees ENOMEM (or the process dies) */
  FAIL_DISK,   /* disk requests: the caller sees EIO */
  FAIL_COPY,   /* copyin/copyout/copyinstr: the system call returns EFAULT */
  FAIL_NSITES
};

/* failctl(cmd, report) commands. */
#define FAILCTL_REPORT 0 /* copy a struct fail_report to the second argument */
#define FAILCTL_ARM 1    /* start injecting (EINVAL if fail= gave no rates) */
#define FAILCTL_DISARM 2 /* stop injecting; the counters keep their values */

struct fail_report {
  uint64 configured;          /* 1 if the boot argument fail= set any rate */
  uint64 armed;               /* 1 while failures are being injected */
  uint64 seed;
  uint64 calls[FAIL_NSITES];  /* calls of each site while armed */
  uint64 failed[FAIL_NSITES]; /* of those, how many failed on purpose */
};

#endif
