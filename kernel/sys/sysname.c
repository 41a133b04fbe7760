/*
 * File-system calls on names: the creation that open(O_CREATE), mkdir and
 * mknod share, chdir, link and unlink. Like sysfile.c's calls, each does
 * its work inside one transaction and undoes a half-done change before
 * that commits, so a call that fails changes nothing.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/stat.h"
#include "kernel/lib/lib.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/fs.h"
#include "kernel/sys/syscall.h"

#define MAX_NLINK 32767 /* largest value of the dinode's short nlink */

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

int create_path(const char *path, short type, short major, short minor, struct inode **ipp) {
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

/* mkdir and mknod: a new directory or device named by argument 0. */
static int make_node(short type, short major, short minor) {
  char path[MAXPATH];
  int err = arg_str(0, path, MAXPATH);
  if (err < 0)
    return err;
  struct inode *ip;
  begin_op();
  err = create_path(path, type, major, minor, &ip);
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
