/*
 * Open files: the system-wide file table, reading and writing through a
 * struct file, the device switch, and each process's descriptors.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/internal.h"
#include "kernel/fs/file.h"

#define INT_MAX 0x7fffffff

/*
 * A write to a file is split into operations of at most OP_DATA_BLOCKS data
 * blocks, each ending on a block boundary. The metadata such a chunk can
 * dirty fits one operation's MAXOPBLOCKS log slots whatever its length:
 * the inode block, up to three indirect blocks (the singly- and
 * doubly-indirect block and a second-level block, or two second-level
 * blocks) and bitmap blocks, of which there are at most MAX_BITMAP_BLOCKS.
 */
#define WRITE_CHUNK_BYTES (OP_DATA_BLOCKS * BSIZE)
_Static_assert(1 + 3 + MAX_BITMAP_BLOCKS <= MAXOPBLOCKS, "a write chunk fits one operation");


static struct {
  struct spinlock lock; /* guards kind and ref of every file */
  struct file files[NFILE];
} ftable;

struct devsw {
  int (*read)(int (*deliver)(void *to, const char *kbuf, int k), void *to, int n);
  int (*write)(const char *kbuf, int n);
};
/* Filled in at boot by devsw_register, read-only afterwards. */
static struct devsw devsw[NDEV];

void file_table_init(void) { spinlock_init(&ftable.lock, "ftable"); }

int devsw_register(int major,
                   int (*read)(int (*deliver)(void *to, const char *kbuf, int k), void *to, int n),
                   int (*write)(const char *kbuf, int n)) {
  if (major < 0 || major >= NDEV)
    return -EINVAL;
  devsw[major].read = read;
  devsw[major].write = write;
  return 0;
}

struct file *filealloc(void) {
  acquire(&ftable.lock);
  for (struct file *f = ftable.files; f < ftable.files + NFILE; f++) {
    if (f->ref == 0) {
      memset(f, 0, sizeof(*f));
      f->ref = 1;
      release(&ftable.lock);
      return f;
    }
  }
  release(&ftable.lock);
  return 0;
}

struct file *filedup(struct file *f) {
  acquire(&ftable.lock);
  if (f->ref < 1)
    panic("filedup: file not open");
  f->ref++;
  release(&ftable.lock);
  return f;
}

void fileclose(struct file *f) {
  acquire(&ftable.lock);
  if (f->ref < 1)
    panic("fileclose: file not open");
  if (--f->ref > 0) {
    release(&ftable.lock);
    return;
  }
  // The last reference: free the slot, then let go of what it pointed to
  // (which may sleep, so not under the spinlock).
  struct file closed = *f;
  f->kind = FILE_NONE;
  release(&ftable.lock);

  if (closed.kind == FILE_PIPE) {
    pipeclose(closed.pipe, closed.writable);
  } else if (closed.ip) {
    if (closed.kind == FILE_INODE && closed.writable)
      inode_writer_release(closed.ip);
    begin_op(); // iput may free an unlinked file
    iput(closed.ip);
    end_op();
  }
}

static struct devsw *device_of(struct file *f) {
  if (f->major < 0 || f->major >= NDEV)
    return 0;
  return &devsw[f->major];
}

/* A driver's deliver function: copy k bytes to the user address *to, a
 * page at a time, so that a bad page stops the copy exactly there. Returns
 * how many bytes were copied; the driver keeps the rest. */
static int deliver_to_user(void *to, const char *kbuf, int k) {
  uint64 addr = *(uint64 *)to;
  int done = 0;
  while (done < k) {
    int piece = MIN(k - done, (int)(PGSIZE - (addr + done) % PGSIZE));
    if (either_copyout(1, addr + done, kbuf + done, piece) < 0)
      break;
    done += piece;
  }
  return done;
}

/* One call to the driver: a device such as the console returns what it
 * has (a line) rather than filling the whole request. */
static int device_read(struct file *f, uint64 addr, int n) {
  struct devsw *dev = device_of(f);
  if (dev == 0 || dev->read == 0)
    return -ENODEV;
  return dev->read(deliver_to_user, &addr, n);
}

/* write_from_user's put for a device: its driver's write. */
static int device_put(void *dev, const char *src, int n) {
  return ((struct devsw *)dev)->write(src, n);
}

static int device_write(struct file *f, uint64 addr, int n) {
  struct devsw *dev = device_of(f);
  if (dev == 0 || dev->write == 0)
    return -ENODEV;
  return write_from_user(addr, n, device_put, dev);
}

/* Straight from the cached blocks to the user (see readi), under the
 * file's lock. Loading a page of a program file takes that file's lock,
 * which may be this one: map the buffer's program-file pages first. */
static int inode_read(struct file *f, uint64 addr, int n) {
  int err = as_prefault_file_pages(myproc()->as, addr, n, ACCESS_WRITE);
  if (err < 0)
    return err;
  ilock(f->ip);
  int r = readi(f->ip, 1, addr, f->off, n);
  if (r > 0)
    f->off += r;
  iunlock(f->ip);
  return r;
}

/* One operation per chunk. A short chunk means the disk is full: stop,
 * unless blocks freed since the last commit are waiting for it (see
 * balloc.c); then commit and try once more. */
static int inode_write(struct file *f, uint64 addr, int n) {
  int done = 0;
  int committed_for_space = 0;
  while (done < n) {
    begin_op();
    ilock(f->ip);
    if (f->append)
      f->off = f->ip->size;
    int m = MIN(n - done, WRITE_CHUNK_BYTES - (int)(f->off % BSIZE));
    int r = writei(f->ip, 1, addr + done, f->off, m);
    if (r > 0)
      f->off += r;
    iunlock(f->ip);
    end_op();
    if (r > 0)
      done += r;
    if (r == m)
      continue;
    if ((r >= 0 || r == -ENOSPC) && !committed_for_space && balloc_waiting_for_commit()) {
      log_force();
      committed_for_space = 1;
      continue;
    }
    return done > 0 ? done : r;
  }
  return done;
}

/* read() and write() on any file: the access check and the dispatch on the
 * file's kind, written once for both directions. */
static int file_transfer(struct file *f, uint64 addr, int n, int writing) {
  if (!(writing ? f->writable : f->readable))
    return -EBADF;
  switch (f->kind) {
  case FILE_PIPE:
    return writing ? pipewrite(f->pipe, addr, n) : piperead(f->pipe, addr, n);
  case FILE_DEVICE:
    return writing ? device_write(f, addr, n) : device_read(f, addr, n);
  case FILE_INODE:
    return writing ? inode_write(f, addr, n) : inode_read(f, addr, n);
  default:
    panic("file_transfer: bad file kind %d", f->kind);
  }
}

int fileread(struct file *f, uint64 addr, int n) { return file_transfer(f, addr, n, 0); }

int filewrite(struct file *f, uint64 addr, int n) { return file_transfer(f, addr, n, 1); }

/* A pipe has no inode: it reports all zeroes. A device opened without an
 * inode (the boot console) reports just its type. */
int filestat(struct file *f, uint64 addr) {
  struct stat st;
  memset(&st, 0, sizeof(st));
  if (f->ip) {
    ilock(f->ip);
    stati(f->ip, &st);
    iunlock(f->ip);
  } else if (f->kind == FILE_DEVICE) {
    st.type = T_DEVICE;
  }
  return either_copyout(1, addr, &st, sizeof(st));
}

int filelseek(struct file *f, int offset, int whence) {
  if (f->kind != FILE_INODE)
    return -ESPIPE;
  if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
    return -EINVAL;
  ilock(f->ip);
  int64 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->off : f->ip->size;
  int64 target = base + offset;
  int result = -EINVAL;
  if (target >= 0 && target <= INT_MAX) {
    f->off = target;
    result = target;
  }
  iunlock(f->ip);
  return result;
}

/* Every completed write is in the open transaction (or an older, committed
 * one): committing it puts the file's data and metadata on disk. This
 * commits every file's changes, not just f's: one transaction holds them
 * all. */
int filefsync(struct file *f) {
  if (f->kind != FILE_INODE)
    return -EINVAL;
  // LAB fs: fsync-file
  return log_force();
  // END LAB fs
}

void files_fork(struct proc *child, struct proc *parent) {
  for (int fd = 0; fd < NOFILE; fd++)
    if (parent->ofile[fd])
      child->ofile[fd] = filedup(parent->ofile[fd]);
  if (parent->cwd)
    child->cwd = idup(parent->cwd);
}

void files_exit(struct proc *p) {
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd]) {
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }
  if (p->cwd) {
    begin_op();
    iput(p->cwd);
    end_op();
    p->cwd = 0;
  }
}

#define CONSOLE_FDS 3 /* standard input, output and error */

int files_open_console(struct proc *p, int major) {
  if (major < 0 || major >= NDEV)
    return -ENODEV;
  struct file *f = filealloc();
  if (f == 0)
    return -ENFILE;
  f->kind = FILE_DEVICE;
  f->major = major;
  f->readable = 1;
  f->writable = 1;
  p->ofile[0] = f;
  for (int fd = 1; fd < CONSOLE_FDS; fd++)
    p->ofile[fd] = filedup(f);
  return 0;
}

void files_set_root_cwd(struct proc *p) {
  p->cwd = iget(ROOTDEV, ROOTINO);
  if (p->cwd == 0)
    panic("files_set_root_cwd: inode table full");
}
