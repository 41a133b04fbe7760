/* The state-change record's system call (the record is kernel/proc/staterec.c). */
#include "kernel/sys/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

#define READ_CHUNK 16 /* changes copied per round: 512 bytes of kernel stack */

/* Move up to max changes to user memory at dst, a chunk at a time: a
 * copyout may sleep (a lazy page), so it cannot run under the record's lock. */
static int read_changes(uint64 dst, int max) {
  struct statechange chunk[READ_CHUNK];
  int got = 0;
  while (got < max) {
    int n = staterec_peek(chunk, MIN(READ_CHUNK, max - got));
    if (n == 0)
      break;
    if (copyout(myproc()->as, dst + got * sizeof chunk[0], chunk, n * sizeof chunk[0]) < 0)
      return got > 0 ? got : -EFAULT;
    staterec_consume(chunk[0].seq, n);
    got += n;
  }
  return got;
}

/* staterec(op, buf, max): see kernel/staterec.h. */
uint64 sys_staterec(void) {
  int op = arg_int(0), max = arg_int(2);
  uint64 buf = arg_addr(1);
  struct staterec_status status;
  switch (op) {
  case STATEREC_START:
    staterec_start();
    return 0;
  case STATEREC_STOP:
    staterec_stop();
    return 0;
  case STATEREC_READ:
    return max < 0 ? -EINVAL : read_changes(buf, max);
  case STATEREC_STATUS:
    staterec_status(&status);
    return copyout(myproc()->as, buf, &status, sizeof status);
  default:
    return -EINVAL;
  }
}
