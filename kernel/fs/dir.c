/*
 * Directories and path names.
 *
 * A directory is a file of struct dirent records; an entry with inum 0 is
 * free. Names are up to DIRSIZ bytes, NUL-padded on disk. Every directory
 * holds "." (itself) and ".." (its parent; the root's parent is itself).
 *
 * Path lookup walks one element at a time, locking only the directory it is
 * searching: it unlocks a directory before locking the next one, so that
 * looking up "." or ".." never waits for a lock the walker itself holds.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/stat.h"
#include "kernel/lib/lib.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/internal.h"

#define DIRENT_SIZE ((uint)sizeof(struct dirent))

int name_is_dot_or_dotdot(const char *name) {
  return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Does the NUL-terminated name match the NUL-padded on-disk name? */
static int name_matches(const char *name, const char *disk_name) {
  return strncmp(name, disk_name, DIRSIZ) == 0;
}

/* Reads a directory's entries in order, a block's worth per readi. */
struct dir_reader {
  struct inode *dp; /* locked by the caller */
  uint base;        /* offset of entries[0] */
  uint count;       /* entries read into entries[] */
  uint next;        /* the next one to hand out */
  struct dirent entries[BSIZE / sizeof(struct dirent)];
};

static void reader_init(struct dir_reader *r, struct inode *dp) {
  r->dp = dp;
  r->base = 0;
  r->count = 0;
  r->next = 0;
}

/* The next entry in *de and its offset in *off: 1, or 0 at the end, or
 * -errno. A directory's size is a whole number of entries (a stray tail
 * is ignored). */
static int next_entry(struct dir_reader *r, const struct dirent **de, uint *off) {
  if (r->next == r->count) {
    uint start = r->base + r->count * DIRENT_SIZE;
    if (start + DIRENT_SIZE > r->dp->size)
      return 0;
    uint want = MIN((uint)sizeof(r->entries), (r->dp->size - start) / DIRENT_SIZE * DIRENT_SIZE);
    int n = readi(r->dp, 0, (uint64)r->entries, start, want);
    if (n < 0)
      return n;
    if ((uint)n != want)
      return -EIO;
    r->base = start;
    r->count = want / DIRENT_SIZE;
    r->next = 0;
  }
  *off = r->base + r->next * DIRENT_SIZE;
  *de = &r->entries[r->next++];
  return 1;
}

/* Scan dp (locked) for the first entry named name, or, with name 0, the
 * first free entry: 1 with its offset and inode number, 0 if there is
 * none, or -errno. */
static int scan_entries(struct inode *dp, const char *name, uint *poff, uint *pinum) {
  struct dir_reader r;
  const struct dirent *de;
  uint off;
  int more;
  reader_init(&r, dp);
  while ((more = next_entry(&r, &de, &off)) > 0) {
    int match = name ? de->inum != 0 && name_matches(name, de->name) : de->inum == 0;
    if (match) {
      *poff = off;
      *pinum = de->inum;
      return 1;
    }
  }
  return more;
}

/* Find name in dp (locked): 0 with its offset and inode number, or -errno. */
static int find_entry(struct inode *dp, const char *name, uint *poff, uint *pinum) {
  if (dp->type != T_DIR)
    return -ENOTDIR;
  int found = scan_entries(dp, name, poff, pinum);
  if (found <= 0)
    return found < 0 ? found : -ENOENT;
  if (!inum_ok(*pinum)) {
    printf("fs: directory %u: entry %s has bad inode number %u\n", dp->inum, name, *pinum);
    return -EIO;
  }
  return 0;
}

int dirlookup(struct inode *dp, const char *name, uint *poff, struct inode **ipp) {
  uint off, inum;
  int err = find_entry(dp, name, &off, &inum);
  if (err)
    return err;
  struct inode *ip = iget(dp->dev, inum);
  if (ip == 0)
    return -ENFILE;
  if (poff)
    *poff = off;
  *ipp = ip;
  return 0;
}

/* The offset of a free entry in dp, or its size: where an entry can go. */
static int free_slot(struct inode *dp, uint *poff) {
  uint inum; /* 0: the entry is free */
  int found = scan_entries(dp, 0, poff, &inum);
  if (found < 0)
    return found;
  if (found == 0)
    *poff = dp->size / DIRENT_SIZE * DIRENT_SIZE;
  return 0;
}

int dirlink(struct inode *dp, const char *name, uint inum) {
  uint off, existing;
  int err = find_entry(dp, name, &off, &existing);
  if (err == 0)
    return -EEXIST;
  if (err != -ENOENT)
    return err;
  err = free_slot(dp, &off);
  if (err)
    return err;

  struct dirent de;
  memset(&de, 0, sizeof(de));
  memmove(de.name, name, strlen(name)); // at most DIRSIZ: checked by path parsing
  de.inum = inum;
  int n = writei(dp, 0, (uint64)&de, off, DIRENT_SIZE);
  if (n < 0)
    return n;
  return n == DIRENT_SIZE ? 0 : -ENOSPC;
}

int dir_is_empty(struct inode *dp) {
  struct dir_reader r;
  const struct dirent *de;
  uint off;
  int more;
  reader_init(&r, dp);
  while ((more = next_entry(&r, &de, &off)) > 0)
    if (de->inum != 0 && !name_matches(".", de->name) && !name_matches("..", de->name))
      return 0;
  return more < 0 ? more : 1;
}

/* Copy the next element of *path into name (DIRSIZ + 1 bytes) and move
 * *path past it and the slashes around it. 1 if there was an element,
 * 0 at the end of the path, -ENAMETOOLONG if it exceeds DIRSIZ. */
static int next_element(const char **path, char *name) {
  const char *p = *path;
  while (*p == '/')
    p++;
  if (*p == 0) {
    *path = p;
    return 0;
  }
  const char *start = p;
  while (*p != '/' && *p != 0)
    p++;
  int len = p - start;
  if (len > DIRSIZ)
    return -ENAMETOOLONG;
  memmove(name, start, len);
  name[len] = 0;
  while (*p == '/')
    p++;
  *path = p;
  return 1;
}

/* Where a lookup of path starts: the root, or the current directory. */
static struct inode *start_dir(const char *path) {
  struct proc *p = myproc();
  if (*path == '/' || p == 0 || p->cwd == 0)
    return iget(ROOTDEV, ROOTINO);
  return idup(p->cwd);
}

/* Walk path. With want_parent, stop at the directory holding the last
 * element and leave that element in name. */
static int resolve(const char *path, int want_parent, char *name, struct inode **ipp) {
  if (*path == 0)
    return -ENOENT;
  struct inode *ip = start_dir(path);
  if (ip == 0)
    return -ENFILE;

  int more;
  while ((more = next_element(&path, name)) > 0) {
    ilock(ip);
    if (ip->type != T_DIR) {
      int err = ip->type == 0 ? -EIO : -ENOTDIR;
      iunlockput(ip);
      return err;
    }
    if (want_parent && *path == 0) {
      iunlock(ip);
      *ipp = ip;
      return 0;
    }
    struct inode *next;
    int err = dirlookup(ip, name, 0, &next);
    iunlockput(ip);
    if (err)
      return err;
    ip = next;
  }
  if (more < 0) {
    iput(ip);
    return more;
  }
  if (want_parent) { // the path has no last element: it is "/"
    iput(ip);
    return -EINVAL;
  }
  *ipp = ip;
  return 0;
}

int path_lookup(const char *path, struct inode **ipp) {
  char name[DIRSIZ + 1];
  return resolve(path, 0, name, ipp);
}

int path_lookup_parent(const char *path, char *name, struct inode **ipp) {
  return resolve(path, 1, name, ipp);
}
