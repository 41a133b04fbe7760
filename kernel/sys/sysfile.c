/*
 * File-system calls on descriptors: open, read, write, close, dup, dup2,
 * pipe, fstat, lseek, fsync, sync. (Calls that change names are
 * sysname.c.) Each handler fetches its arguments, does the work inside
 * one transaction when it changes the disk, and returns a result or
 * -errno. A call that fails changes nothing: resources are reserved first
 * (file, descriptor), and any half-done change is undone inside the same
 * transaction before it commits.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/lib/lib.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/file.h"
#include "kernel/sys/syscall.h"

#define O_ACCMODE 0x003 /* the bits of the flags that say read/write */
#define OPEN_FLAGS (O_ACCMODE | O_CREATE | O_TRUNC | O_APPEND)

/* The open file at descriptor fd of the current process, or 0. */
static struct file *fd_file(int fd) {
  if (fd < 0 || fd >= NOFILE)
    return 0;
  return myproc()->ofile[fd];
}

/* Give f the lowest free descriptor: the descriptor, or -EMFILE. */
static int fdalloc(struct file *f) {
  struct proc *p = myproc();
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd] == 0) {
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -EMFILE;
}

/* Undo fdalloc and filealloc for a call that fails after them. */
static void fd_release(int fd, struct file *f) {
  myproc()->ofile[fd] = 0;
  fileclose(f);
}

/* The checks read(fd, buf, n) and write(fd, buf, n) share: 0 with the open
 * file in *f and the count in *n, or -errno. */
static int transfer_args(struct file **f, int *n) {
  *f = fd_file(arg_int(0));
  *n = arg_int(2);
  if (*f == 0)
    return -EBADF;
  return *n < 0 ? -EINVAL : 0;
}

uint64 sys_read(void) {
  struct file *f;
  int n, err = transfer_args(&f, &n);
  return err < 0 ? err : fileread(f, arg_addr(1), n);
}

uint64 sys_write(void) {
  struct file *f;
  int n, err = transfer_args(&f, &n);
  if (err < 0)
    return err;
  /* Writing to a file copies from user memory under the file's lock; if the
   * buffer's page still has to be loaded from a program file, load it now,
   * before that lock is held (it could be the same file). */
  err = as_prefault_file_pages(myproc()->as, arg_addr(1), n, ACCESS_READ);
  if (err < 0)
    return err;
  return filewrite(f, arg_addr(1), n);
}

uint64 sys_close(void) {
  int fd = arg_int(0);
  struct file *f = fd_file(fd);
  if (f == 0)
    return -EBADF;
  myproc()->ofile[fd] = 0;
  fileclose(f);
  return 0;
}

uint64 sys_dup(void) {
  struct file *f = fd_file(arg_int(0));
  if (f == 0)
    return -EBADF;
  int fd = fdalloc(f);
  if (fd >= 0)
    filedup(f);
  return fd;
}

uint64 sys_dup2(void) {
  int oldfd = arg_int(0);
  int newfd = arg_int(1);
  struct file *f = fd_file(oldfd);
  if (f == 0 || newfd < 0 || newfd >= NOFILE)
    return -EBADF;
  if (newfd == oldfd)
    return newfd;
  struct proc *p = myproc();
  struct file *replaced = p->ofile[newfd];
  p->ofile[newfd] = filedup(f);
  if (replaced)
    fileclose(replaced);
  return newfd;
}

uint64 sys_pipe(void) {
  uint64 fdarray = arg_addr(0);
  struct file *rf, *wf;
  int err = pipealloc(&rf, &wf);
  if (err)
    return err;

  int fds[2];
  fds[0] = fdalloc(rf);
  fds[1] = fds[0] < 0 ? -EMFILE : fdalloc(wf);
  if (fds[1] >= 0 && either_copyout(1, fdarray, fds, sizeof(fds)) == 0)
    return 0;

  err = fds[1] < 0 ? fds[1] : -EFAULT;
  if (fds[0] >= 0)
    myproc()->ofile[fds[0]] = 0;
  if (fds[1] >= 0)
    myproc()->ofile[fds[1]] = 0;
  fileclose(rf);
  fileclose(wf);
  return err;
}

uint64 sys_fstat(void) {
  struct file *f = fd_file(arg_int(0));
  if (f == 0)
    return -EBADF;
  return filestat(f, arg_addr(1));
}

uint64 sys_lseek(void) {
  struct file *f = fd_file(arg_int(0));
  if (f == 0)
    return -EBADF;
  return filelseek(f, arg_int(1), arg_int(2));
}

uint64 sys_fsync(void) {
  struct file *f = fd_file(arg_int(0));
  if (f == 0)
    return -EBADF;
  return filefsync(f);
}

/* Commit every completed change of every file to the disk: 0, or -EIO if
 * a disk error stopped the log. */
uint64 sys_sync(void) { return log_force(); }

static int lookup_for_open(const char *path, int flags, struct inode **ipp) {
  if (flags & O_CREATE)
    return create_path(path, T_FILE, 0, 0, ipp);
  int err = path_lookup(path, ipp);
  if (err == 0)
    ilock(*ipp);
  return err;
}

static int open_writes(int flags) {
  return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/* May ip (locked) be opened with these flags? */
static int open_allowed(struct inode *ip, int flags) {
  if (ip->type == 0)
    return -EIO;
  if (ip->type == T_DIR && open_writes(flags))
    return -EISDIR;
  if (ip->type == T_DEVICE && (ip->major < 0 || ip->major >= NDEV))
    return -ENODEV;
  if (open_writes(flags) && inode_is_mapped(ip))
    return -ETXTBSY;
  return 0;
}

/* Point f at ip (locked), which passed open_allowed. */
static void open_setup(struct file *f, struct inode *ip, int flags) {
  if ((flags & O_TRUNC) && ip->type == T_FILE)
    itrunc(ip);
  if (ip->type == T_DEVICE) {
    f->kind = FILE_DEVICE;
    f->major = ip->major;
  } else {
    f->kind = FILE_INODE;
    f->off = 0;
  }
  f->ip = ip;
  f->readable = (flags & O_ACCMODE) != O_WRONLY;
  f->writable = (flags & O_ACCMODE) != O_RDONLY;
  f->append = (flags & O_APPEND) != 0;
  if (f->kind == FILE_INODE && f->writable)
    inode_writer_hold(ip); /* released by fileclose */
}

uint64 sys_open(void) {
  char path[MAXPATH];
  int err = arg_str(0, path, MAXPATH);
  if (err < 0)
    return err;
  int flags = arg_int(1);
  if ((flags & ~OPEN_FLAGS) || (flags & O_ACCMODE) == O_ACCMODE)
    return -EINVAL;

  // Reserve the file and descriptor first, so that running out of either
  // cannot leave a newly created file behind.
  struct file *f = filealloc();
  if (f == 0)
    return -ENFILE;
  int fd = fdalloc(f);
  if (fd < 0) {
    fileclose(f);
    return fd;
  }

  struct inode *ip;
  begin_op();
  err = lookup_for_open(path, flags, &ip);
  if (err == 0) {
    err = open_allowed(ip, flags);
    if (err == 0) {
      open_setup(f, ip, flags);
      iunlock(ip);
    } else {
      iunlockput(ip);
    }
  }
  end_op();

  if (err) {
    fd_release(fd, f);
    return err;
  }
  return fd;
}
