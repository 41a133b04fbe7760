/*
 * fs: the file system, as the rest of the kernel sees it.
 *
 * Layers, bottom to top (each file in kernel/fs/ is one of them):
 *   bio.c     buffer cache: one locked in-memory copy per disk block
 *   log.c     write-ahead log: a system call's block writes reach the disk
 *             all together or not at all, even across a crash
 *   journal.c the log on disk: writing a transaction, recovery at mount
 *   balloc.c  free-block bitmap
 *   super.c   superblock checks and mounting
 *   inode.c   inodes: allocation, the in-memory cache
 *   contents.c a file's contents: block map, read, write, truncate
 *   dir.c     directories and path names
 *   file.c    open files (inodes, devices, pipes) and per-process tables
 *   pipe.c    pipes
 * and, beside them, crash.c: crash points for the tests (boot argument
 * fs.crash=) and the fs.* boot arguments.
 *
 * Rules for callers:
 *   - Any operation that may write the disk (including iput, which may
 *     free a file) must run between begin_op() and end_op().
 *   - Functions taking "ip locked" need ilock(ip) held by the caller.
 *   - Errors are returned as -errno (kernel/errno.h).
 *   - Everything that reads the disk may sleep: call from process context.
 */
#ifndef RIVET_FS_FS_H
#define RIVET_FS_FS_H

#include "kernel/types.h"
#include "kernel/fs.h"
#include "kernel/sync/sync.h"

struct stat;

/* An inode in memory: the cached copy of a struct dinode, plus bookkeeping. */
struct inode {
  uint dev;              /* device and inode number: guarded by the table lock */
  uint inum;
  int ref;               /* pointers to this entry; guarded by the table lock */
  int map_count;         /* executables mapping it (text busy); table lock */
  int write_count;       /* open files that may write it; table lock */

  struct sleeplock lock; /* guards everything below */
  int valid;             /* fields below have been read from disk */
  short type;            /* T_DIR, T_FILE, T_DEVICE; 0 = free or corrupt on disk */
  short major;
  short minor;
  short nlink;
  uint size;
  uint addrs[NDIRECT + 2];
};

/* --- setup (super.c) --- */

/* Initialize the subsystem's tables and locks. Call once on the boot hart,
 * before any process runs and before devsw_register or files_open_console. */
void fs_init(void);

/* Check the superblock of disk dev (ROOTDEV) and replay its log.
 * 0 or -errno (-ENODEV no disk, -EINVAL bad superblock, -EIO unreadable,
 * -EBUSY mounted already).
 * Must run in process context: it sleeps on disk I/O. */
int fs_mount(int dev);

/* A boot argument "fs.WORD" (WORD without the prefix): 0 if known (and
 * taken into account), -1 if not. Call before fs_mount. See crash.c. */
int fs_boot_arg(const char *word);

/* --- transactions (log.c) --- */
void begin_op(void);
void end_op(void);
/* Commit everything logged so far; return once it is on disk: 0, or -EIO
 * if it never will be (a disk error stopped the log). Call outside any
 * transaction. This is fsync, sync, and what poweroff does first. */
int log_force(void);

/* --- inodes (inode.c) --- */

/* A new inode of the given type on dev, returned unlocked in *ipp.
 * -ENOSPC when the disk has no free inode, -ENFILE when the cache is full,
 * -EIO when an inode block cannot be read or the log has stopped. */
int ialloc(uint dev, short type, struct inode **ipp);
struct inode *idup(struct inode *ip);
void ilock(struct inode *ip);
void iunlock(struct inode *ip);
void iput(struct inode *ip);
void iunlockput(struct inode *ip);
void iupdate(struct inode *ip);            /* write ip's fields to disk; ip locked */
void stati(struct inode *ip, struct stat *st); /* ip locked */
short inode_type(struct inode *ip);            /* ip locked */
uint64 inode_id(struct inode *ip);             /* device and inode number: names the file */
uint inode_size(struct inode *ip);             /* ip locked */

/* --- a file's contents (contents.c) --- */

void itrunc(struct inode *ip); /* free the contents; ip locked */
/* Bytes read, or -errno if nothing could be read (ip locked). Reading at or
 * past the end gives 0. user_dst: dst is a user address of myproc(). */
int readi(struct inode *ip, int user_dst, uint64 dst, uint off, uint n);
/* Bytes written; fewer than n when the disk fills; -errno if none could be
 * written (-ENOSPC, -EFBIG, -EIO, -EFAULT). ip locked, inside a transaction. */
int writei(struct inode *ip, int user_src, uint64 src, uint off, uint n);

/* Text busy: exec holds the inode of every file it maps. While held, the
 * file cannot be opened for writing (-ETXTBSY). */
void inode_map_hold(struct inode *ip);
void inode_map_release(struct inode *ip);
int inode_is_mapped(struct inode *ip);
/* The other direction: a file open for writing cannot be exec'd. */
void inode_writer_hold(struct inode *ip);
void inode_writer_release(struct inode *ip);
int inode_has_writers(struct inode *ip);

/* --- directories and paths (dir.c) --- */

/* Look up name in directory dp (locked). 0 and the inode (unlocked, one new
 * reference) in *ipp, with the entry's byte offset in *poff if poff != 0;
 * or -ENOENT, -ENOTDIR (dp is no directory), -EIO, -ENFILE (cache full). */
int dirlookup(struct inode *dp, const char *name, uint *poff, struct inode **ipp);
/* Add the entry (name, inum) to dp (locked): 0, -EEXIST, -ENOSPC, -EIO. */
int dirlink(struct inode *dp, const char *name, uint inum);
/* 1 if dp (locked) holds nothing but "." and "..", 0 if it does, or -EIO. */
int dir_is_empty(struct inode *dp);
/* Is name "." or ".."? */
int name_is_dot_or_dotdot(const char *name);

/* Path resolution, relative to myproc()->cwd unless the path starts with '/'.
 * The inode comes back unlocked with a new reference. */
int path_lookup(const char *path, struct inode **ipp);
/* The directory holding the path's last element, whose name is copied to
 * name (DIRSIZ + 1 bytes). -EINVAL when the path has no last element ("/"). */
int path_lookup_parent(const char *path, char *name, struct inode **ipp);

/* --- devices (file.c) --- */

/* Device drivers register their read and write functions by major number.
 * They move bytes through KERNEL buffers; the file layer copies to and from
 * user space. A read hands its bytes to deliver(to, kbuf, k), which copies
 * them to the reader and returns how many it took (fewer at a bad user
 * page), so a driver can keep the rest. Each returns a byte count or
 * -errno. */
int devsw_register(int major,
                   int (*read)(int (*deliver)(void *to, const char *kbuf, int k), void *to, int n),
                   int (*write)(const char *kbuf, int n));

#endif
