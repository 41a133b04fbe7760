/*
 * File-system calls. Each handler fetches its arguments, does the work
 * inside one transaction when it changes the disk, and returns a result
 * or -errno. A call that fails changes nothing: resources are reserved
 * first (file, descriptor), and any half-done change is undone inside the
 * same transaction before it commits.
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
#define MAX_NLINK 32767 /* largest value of the dinode's short nlink */

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

uint64 sys_read(void) {
  struct file *f = fd_file(arg_int(0));
  int n = arg_int(2);
  if (f == 0)
    return -EBADF;
  if (n < 0)
    return -EINVAL;
  return fileread(f, arg_addr(1), n);
}

uint64 sys_write(void) {
  struct file *f = fd_file(arg_int(0));
  int n = arg_int(2);
  if (f == 0)
    return -EBADF;
  if (n < 0)
    return -EINVAL;
  /* Writing to a file copies from user memory under the file's lock; if the
   * buffer's page still has to be loaded from a program file, load it now,
   * before that lock is held (it could be the same file). */
  int err = as_prefault_file_pages(myproc()->as, arg_addr(1), n, ACCESS_READ);
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

/* The directory that will hold path's last element. "/" has none, and as
 * a name to create it is one that exists. */
static int parent_for_create(const char *path, char *name, struct inode **dpp) {
  int err = path_lookup_parent(path, name, dpp);
  return err == -EINVAL ? -EEXIST : err;
}

/* ip exists where create() was asked to make a new inode. Only open's
 * O_CREATE (type T_FILE) accepts an existing file or device; it comes back
 * locked in *ipp. */
static int create_found(struct inode *ip, short type, struct inode **ipp) {
  ilock(ip);
  if (type == T_FILE && (ip->type == T_FILE || ip->type == T_DEVICE)) {
    *ipp = ip;
    return 0;
  }
  int err = -EEXIST;
  if (ip->type == 0)
    err = -EIO;
  else if (type == T_FILE && ip->type == T_DIR)
    err = -EISDIR;
  iunlockput(ip);
  return err;
}

/* Make a new inode named name in dp (locked); locked in *ipp. On failure
 * the inode is unlinked again, so its final iput frees it. */
static int create_new(struct inode *dp, const char *name, short type, short major,
                      short minor, struct inode **ipp) {
  if (type == T_DIR && dp->nlink >= MAX_NLINK)
    return -EMLINK;
  struct inode *ip;
  int err = ialloc(dp->dev, type, &ip);
  if (err)
    return err;

  ilock(ip);
  ip->major = major;
  ip->minor = minor;
  ip->nlink = 1;
  iupdate(ip);
  if (type == T_DIR) {
    // "." is not counted in nlink, or no directory could ever be freed.
    err = dirlink(ip, ".", ip->inum);
    if (err == 0)
      err = dirlink(ip, "..", dp->inum);
  }
  if (err == 0)
    err = dirlink(dp, name, ip->inum);
  if (err) {
    ip->nlink = 0;
    iupdate(ip);
    iunlockput(ip);
    return err;
  }
  if (type == T_DIR) {
    dp->nlink++; // the new directory's ".."
    iupdate(dp);
  }
  *ipp = ip;
  return 0;
}

/* The inode at path, made with the given type if it does not exist yet.
 * Returned locked. Call inside a transaction. */
static int create(const char *path, short type, short major, short minor,
                  struct inode **ipp) {
  char name[DIRSIZ + 1];
  struct inode *dp, *ip;
  int err = parent_for_create(path, name, &dp);
  if (err)
    return err;
  ilock(dp);
  if (dp->nlink == 0) { /* the directory was removed: nothing new goes in it */
    iunlockput(dp);
    return -ENOENT;
  }
  err = dirlookup(dp, name, 0, &ip);
  if (err == 0) {
    iunlockput(dp);
    return create_found(ip, type, ipp);
  }
  if (err == -ENOENT)
    err = create_new(dp, name, type, major, minor, ipp);
  iunlockput(dp);
  return err;
}

static int lookup_for_open(const char *path, int flags, struct inode **ipp) {
  if (flags & O_CREATE)
    return create(path, T_FILE, 0, 0, ipp);
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

/* mkdir and mknod: a new directory or device named by argument 0. */
static int make_node(short type, short major, short minor) {
  char path[MAXPATH];
  int err = arg_str(0, path, MAXPATH);
  if (err < 0)
    return err;
  struct inode *ip;
  begin_op();
  err = create(path, type, major, minor, &ip);
  if (err == 0)
    iunlockput(ip);
  end_op();
  return err;
}

uint64 sys_mkdir(void) { return make_node(T_DIR, 0, 0); }

uint64 sys_mknod(void) {
  int major = arg_int(1);
  int minor = arg_int(2);
  if (major < 0 || major >= NDEV)
    return -EINVAL;
  return make_node(T_DEVICE, major, minor);
}

uint64 sys_chdir(void) {
  char path[MAXPATH];
  int err = arg_str(0, path, MAXPATH);
  if (err < 0)
    return err;
  struct proc *p = myproc();
  struct inode *ip;
  begin_op();
  err = path_lookup(path, &ip);
  if (err == 0) {
    ilock(ip);
    if (ip->type != T_DIR)
      err = ip->type == 0 ? -EIO : -ENOTDIR;
    iunlock(ip);
    if (err) {
      iput(ip);
    } else {
      if (p->cwd)
        iput(p->cwd);
      p->cwd = ip;
    }
  }
  end_op();
  return err;
}

/* The checks link makes on the existing file ip (locked). */
static int linkable(struct inode *ip) {
  if (ip->type == 0)
    return -EIO;
  if (ip->type == T_DIR)
    return -EPERM;
  if (ip->nlink >= MAX_NLINK)
    return -EMLINK;
  return 0;
}

/* Add the name newpath for ip (unlocked), whose nlink already counts it. */
static int link_name(struct inode *ip, const char *newpath) {
  char name[DIRSIZ + 1];
  struct inode *dp;
  int err = parent_for_create(newpath, name, &dp);
  if (err)
    return err;
  ilock(dp);
  if (dp->nlink == 0)
    err = -ENOENT; /* the directory was removed */
  else
    err = dp->dev != ip->dev ? -EXDEV : dirlink(dp, name, ip->inum);
  iunlockput(dp);
  return err;
}

uint64 sys_link(void) {
  char oldpath[MAXPATH], newpath[MAXPATH];
  int err = arg_str(0, oldpath, MAXPATH);
  if (err >= 0)
    err = arg_str(1, newpath, MAXPATH);
  if (err < 0)
    return err;

  struct inode *ip;
  begin_op();
  err = path_lookup(oldpath, &ip);
  if (err) {
    end_op();
    return err;
  }
  // Count the new link before making it (ip is not locked while the new
  // parent is, which avoids lock-order trouble); undo the count on failure.
  ilock(ip);
  err = linkable(ip);
  if (err == 0) {
    ip->nlink++;
    iupdate(ip);
  }
  iunlock(ip);
  if (err == 0) {
    err = link_name(ip, newpath);
    if (err) {
      ilock(ip);
      ip->nlink--;
      iupdate(ip);
      iunlock(ip);
    }
  }
  iput(ip);
  end_op();
  return err;
}

/* May ip (locked) lose a name? */
static int removable(struct inode *ip) {
  if (ip->type == 0 || ip->nlink < 1)
    return -EIO;
  if (ip->type != T_DIR)
    return 0;
  int empty = dir_is_empty(ip);
  if (empty < 0)
    return empty;
  return empty ? 0 : -ENOTEMPTY;
}

/* Remove the entry name from dp (locked). */
static int remove_entry(struct inode *dp, const char *name) {
  if (name_is_dot_or_dotdot(name))
    return -EINVAL;
  uint off;
  struct inode *ip;
  int err = dirlookup(dp, name, &off, &ip);
  if (err)
    return err;

  ilock(ip);
  err = removable(ip);
  if (err == 0) {
    // Overwriting an existing entry allocates nothing, so only a
    // corrupt directory can make this fail.
    struct dirent cleared;
    memset(&cleared, 0, sizeof(cleared));
    if (writei(dp, 0, (uint64)&cleared, off, sizeof(cleared)) != sizeof(cleared))
      err = -EIO;
  }
  if (err == 0) {
    if (ip->type == T_DIR) {
      dp->nlink--; // the removed directory's ".." pointed here
      iupdate(dp);
    }
    ip->nlink--;
    iupdate(ip);
  }
  iunlockput(ip); // frees the file if that was its last name and use
  return err;
}

uint64 sys_unlink(void) {
  char path[MAXPATH], name[DIRSIZ + 1];
  int err = arg_str(0, path, MAXPATH);
  if (err < 0)
    return err;
  struct inode *dp;
  begin_op();
  err = path_lookup_parent(path, name, &dp);
  if (err == 0) {
    ilock(dp);
    err = remove_entry(dp, name);
    iunlockput(dp);
  }
  end_op();
  return err;
}
