/*
 * Pipes: a one-page ring buffer between a writing and a reading file.
 *
 * nread and nwrite count every byte ever read and written; they are not
 * reduced modulo the buffer size, so nwrite - nread is the number of bytes
 * waiting, and byte i lives at data[i % PIPESIZE].
 *
 * User memory is never touched while the pipe lock is held: bytes pass
 * through a bounce buffer on the kernel stack, because touching a user
 * page may fault and sleep, which a spinlock holder must not do.
 */
#include "kernel/types.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/internal.h"
#include "kernel/fs/file.h"

#define PIPESIZE PGSIZE
#define PIPE_BOUNCE_BYTES 512

struct pipe {
  struct spinlock lock; /* guards everything below */
  char *data;           /* PIPESIZE bytes: a page of its own */
  uint nread;
  uint nwrite;
  int readopen;         /* is the read end still open? */
  int writeopen;        /* is the write end still open? */
};

int pipealloc(struct file **rf, struct file **wf) {
  struct file *r = filealloc();
  struct file *w = filealloc();
  struct pipe *pi = kalloc();
  char *data = kalloc();
  if (r == 0 || w == 0 || pi == 0 || data == 0) {
    if (r)
      fileclose(r);
    if (w)
      fileclose(w);
    if (pi)
      kfree(pi);
    if (data)
      kfree(data);
    return (r == 0 || w == 0) ? -ENFILE : -ENOMEM;
  }

  spinlock_init(&pi->lock, "pipe");
  pi->data = data;
  pi->nread = 0;
  pi->nwrite = 0;
  pi->readopen = 1;
  pi->writeopen = 1;

  r->kind = FILE_PIPE;
  r->readable = 1;
  r->pipe = pi;
  w->kind = FILE_PIPE;
  w->writable = 1;
  w->pipe = pi;
  *rf = r;
  *wf = w;
  return 0;
}

void pipeclose(struct pipe *pi, int writable) {
  acquire(&pi->lock);
  if (writable) {
    pi->writeopen = 0;
    wakeup(&pi->nread); // readers now see end of file
  } else {
    pi->readopen = 0;
    wakeup(&pi->nwrite); // writers now see a broken pipe
  }
  int unused = !pi->readopen && !pi->writeopen;
  release(&pi->lock);
  if (unused) {
    kfree(pi->data);
    kfree(pi);
  }
}

/* Store n bytes from src, waiting for room. Returns how many were stored;
 * fewer than n only with *err set: -EPIPE (no reader) or -EINTR (killed). */
static int put(struct pipe *pi, const char *src, int n, int *err) {
  int done = 0;
  acquire(&pi->lock);
  while (done < n) {
    if (!pi->readopen) {
      *err = -EPIPE;
      break;
    }
    uint waiting = pi->nwrite - pi->nread;
    if (waiting == PIPESIZE) {
      if (sleep_should_abort()) {
        *err = -EINTR;
        break;
      }
      wakeup(&pi->nread);
      sleep_interruptible(&pi->nwrite, &pi->lock);
      continue;
    }
    uint to_wrap = PIPESIZE - pi->nwrite % PIPESIZE;
    uint k = MIN((uint)(n - done), MIN(PIPESIZE - waiting, to_wrap));
    memmove(pi->data + pi->nwrite % PIPESIZE, src + done, k);
    pi->nwrite += k;
    done += k;
  }
  wakeup(&pi->nread);
  release(&pi->lock);
  return done;
}

int pipewrite(struct pipe *pi, uint64 addr, int n) {
  char bounce[PIPE_BOUNCE_BYTES];
  int done = 0;
  while (done < n) {
    int m = MIN(n - done, PIPE_BOUNCE_BYTES);
    if (either_copyin(bounce, 1, addr + done, m) < 0)
      return done > 0 ? done : -EFAULT;
    int err = 0;
    done += put(pi, bounce, m, &err);
    if (err)
      return done > 0 ? done : err;
  }
  return done;
}

/* Move up to max waiting bytes into dst. With wait, first sleep until
 * there are some or no writer is left. Bytes moved (0 at end of file or
 * when empty without wait), or -EINTR if killed while waiting. */
static int take(struct pipe *pi, char *dst, int max, int wait) {
  acquire(&pi->lock);
  while (wait && pi->nread == pi->nwrite && pi->writeopen) {
    if (sleep_should_abort()) {
      release(&pi->lock);
      return -EINTR;
    }
    sleep_interruptible(&pi->nread, &pi->lock);
  }
  int done = 0;
  while (done < max && pi->nread != pi->nwrite) {
    uint to_wrap = PIPESIZE - pi->nread % PIPESIZE;
    uint k = MIN((uint)(max - done), MIN(pi->nwrite - pi->nread, to_wrap));
    memmove(dst + done, pi->data + pi->nread % PIPESIZE, k);
    pi->nread += k;
    done += k;
  }
  if (done > 0)
    wakeup(&pi->nwrite);
  release(&pi->lock);
  return done;
}

/* Waits only for the first bytes; then returns what was there. */
int piperead(struct pipe *pi, uint64 addr, int n) {
  char bounce[PIPE_BOUNCE_BYTES];
  int done = 0;
  while (done < n) {
    int k = take(pi, bounce, MIN(n - done, PIPE_BOUNCE_BYTES), done == 0);
    if (k <= 0)
      return done > 0 ? done : k;
    if (either_copyout(1, addr + done, bounce, k) < 0)
      return done > 0 ? done : -EFAULT;
    done += k;
  }
  return done;
}
