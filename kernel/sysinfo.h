/* What sysinfo() reports (xv6 lab's first two fields, then Rivet's). */
#ifndef RIVET_SYSINFO_H
#define RIVET_SYSINFO_H

#include "kernel/types.h"

struct sysinfo {
  uint64 freemem;  /* bytes of memory nobody has been promised: what sbrk() can still grow by */
  uint64 nproc;    /* processes that are not UNUSED */
  uint64 totalmem; /* physical memory managed by the page allocator in bytes */
  uint64 ncpu;     /* harts running the scheduler */
  uint64 uptime_ns;
};

#endif
