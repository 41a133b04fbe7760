/*
 * Pipes: a one-page ring buffer between a writing and a reading file.
 *
 * nread and nwrite count every byte ever read and written; they are not
 * reduced modulo the buffer size, so nwrite - nread is the number of bytes
 * waiting, and byte i lives at data[i % PIPESIZE].
 *
 * User memory is never touched while the pipe lock is held, because
 * touching a user page may fault and sleep, which a spinlock holder must
 * not do. A writer copies through a bounce buffer on the kernel stack. A
 * reader copies straight out of the ring, without the lock, and only then
 * counts the bytes as read: a copy that fails partway (a bad buffer)
 * leaves every byte it did not deliver in the pipe. Readers take turns
 * for this (the copying flag); writers never touch unread bytes, so the
 * slice being copied stays put.
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

struct pipe {
  struct spinlock lock; /* guards everything below */
  char *data;           /* PIPESIZE bytes: a page of its own */
  uint nread;
  uint nwrite;
  int readopen;         /* is the read end still open? */
  int writeopen;        /* is the write end still open? */
  int copying;          /* a reader is copying out unread bytes; only it moves nread */
  int readers_waiting;  /* a reader sleeps on nread (for bytes, or for its turn) */
  int writers_waiting;  /* a writer sleeps on nwrite (for room) */
};

/* Wake the sleepers of one side only if there are any: wakeup() looks at
 * every process, and a pipe hand-off is on the fast path. */
static void wake_readers(struct pipe *pi) {
  if (pi->readers_waiting) {
    pi->readers_waiting = 0;
    wakeup(&pi->nread);
  }
}

static void wake_writers(struct pipe *pi) {
  if (pi->writers_waiting) {
    pi->writers_waiting = 0;
    wakeup(&pi->nwrite);
  }
}

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

/* Store n bytes from src in the pipe target, waiting for room. Returns how
 * many were stored, fewer than n only when it had to stop, or -EPIPE (no
 * reader) or -EINTR (killed) if it stored none. */
static int put(void *target, const char *src, int n) {
  struct pipe *pi = target;
  int done = 0, err = 0;
  acquire(&pi->lock);
  while (done < n) {
    if (!pi->readopen) {
      err = -EPIPE;
      break;
    }
    uint waiting = pi->nwrite - pi->nread;
    if (waiting == PIPESIZE) {
      if (sleep_should_abort()) {
        err = -EINTR;
        break;
      }
      wake_readers(pi);
      pi->writers_waiting = 1;
      sleep_interruptible(&pi->nwrite, &pi->lock);
      continue;
    }
    uint to_wrap = PIPESIZE - pi->nwrite % PIPESIZE;
    uint k = MIN((uint)(n - done), MIN(PIPESIZE - waiting, to_wrap));
    memmove(pi->data + pi->nwrite % PIPESIZE, src + done, k);
    pi->nwrite += k;
    done += k;
  }
  wake_readers(pi);
  release(&pi->lock);
  return done > 0 ? done : err;
}

int pipewrite(struct pipe *pi, uint64 addr, int n) { return write_from_user(addr, n, put, pi); }

/* Wait until bytes are waiting (or no writer is left) and no other reader
 * is copying, then become the copying reader. Returns how many bytes are
 * waiting (0 at end of file, without becoming the copying reader), or
 * -EINTR if killed while waiting. */
static int start_copy(struct pipe *pi) {
  acquire(&pi->lock);
  while (pi->copying || (pi->nread == pi->nwrite && pi->writeopen)) {
    if (sleep_should_abort()) {
      release(&pi->lock);
      return -EINTR;
    }
    pi->readers_waiting = 1;
    sleep_interruptible(&pi->nread, &pi->lock);
  }
  int waiting = pi->nwrite - pi->nread;
  pi->copying = waiting > 0;
  release(&pi->lock);
  return waiting;
}

/* The copying reader delivered n bytes: count them as read, let writers
 * use their room and the next reader in. */
static void finish_copy(struct pipe *pi, int n) {
  acquire(&pi->lock);
  pi->nread += n;
  pi->copying = 0;
  if (n > 0)
    wake_writers(pi);
  wake_readers(pi);
  release(&pi->lock);
}

/* Copy up to n unread bytes to user address addr; the caller is the
 * copying reader, so nread and the bytes after it hold still. Each piece
 * ends at the ring's wrap and at the end of a user page, so a bad page
 * stops the copy exactly there: returns the bytes delivered before it. */
static int copy_to_user(struct pipe *pi, uint64 addr, int n) {
  int done = 0;
  while (done < n) {
    uint at = (pi->nread + done) % PIPESIZE;
    uint k = MIN((uint)(n - done), PIPESIZE - at);
    k = MIN(k, PGSIZE - (addr + done) % PGSIZE);
    if (either_copyout(1, addr + done, pi->data + at, k) < 0)
      break;
    done += k;
  }
  return done;
}

/* Waits only for the first bytes; then returns what was there. A buffer
 * that is bad from its first byte gives -EFAULT and takes nothing. */
int piperead(struct pipe *pi, uint64 addr, int n) {
  if (n <= 0)
    return 0;
  int waiting = start_copy(pi);
  if (waiting <= 0)
    return waiting;
  int done = copy_to_user(pi, addr, MIN(n, waiting));
  finish_copy(pi, done);
  return done > 0 ? done : -EFAULT;
}
