/*
 * Inodes: a file's type, size, link count and the list of blocks holding
 * its bytes.
 *
 * On disk, inodes sit in an array of struct dinode starting at
 * superblock.inodestart. In memory, the inode table caches the ones in use,
 * so that every process sees one struct inode per file, and locks it.
 *
 * Life of an in-memory inode:
 *   iget      finds or makes the table entry (ref++); reads nothing
 *   ilock     locks it and reads the dinode on first use
 *   iunlock   unlocks it
 *   iput      drops a reference; the last reference to a file that no
 *             directory names any more frees it on disk
 * A reference (ref) keeps the entry and its inode number alive; the lock
 * protects the contents. Holding a reference without the lock is normal:
 * an open file does so for as long as it is open.
 *
 * A file's blocks: addrs[0..NDIRECT-1] point straight at data blocks;
 * addrs[INDIRECT_SLOT] at a block of NINDIRECT more pointers; and
 * addrs[DINDIRECT_SLOT] at a block of pointers to such blocks. A pointer
 * of 0 is a hole, which reads as zeroes.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/stat.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/internal.h"

#define MAX_FILE_BYTES ((uint)(MAXFILE * BSIZE))

static struct {
  struct spinlock lock; /* guards dev, inum, ref and map_count of every entry */
  struct inode inodes[NINODE];
} itable;

/* What a hole reads as. */
static const uchar zeroes[BSIZE];

void inode_table_init(void) {
  spinlock_init(&itable.lock, "itable");
  for (int i = 0; i < NINODE; i++)
    sleeplock_init(&itable.inodes[i].lock, "inode");
}

struct inode *iget(uint dev, uint inum) {
  struct inode *unused = 0;
  acquire(&itable.lock);
  for (struct inode *ip = itable.inodes; ip < itable.inodes + NINODE; ip++) {
    if (ip->ref > 0 && ip->dev == dev && ip->inum == inum) {
      ip->ref++;
      release(&itable.lock);
      return ip;
    }
    if (ip->ref == 0 && unused == 0)
      unused = ip;
  }
  if (unused) {
    unused->dev = dev;
    unused->inum = inum;
    unused->ref = 1;
    unused->map_count = 0;
    unused->write_count = 0;
    unused->valid = 0;
  }
  release(&itable.lock);
  return unused;
}

struct inode *idup(struct inode *ip) {
  acquire(&itable.lock);
  ip->ref++;
  release(&itable.lock);
  return ip;
}

/* The disk copy of ip: a pointer into the (locked) buffer *bpp; or 0 if
 * the disk could not read it. */
static struct dinode *dinode_of(uint dev, uint inum, struct buf **bpp) {
  *bpp = bread(dev, IBLOCK(inum, fs_super));
  if (*bpp == 0)
    return 0;
  return (struct dinode *)(*bpp)->data + inum % IPB;
}

int ialloc(uint dev, short type, struct inode **ipp) {
  if (log_failed())
    return -EIO;
  // One bread per inode block, not per inode.
  for (uint block_first = 0; block_first < fs_super.ninodes; block_first += IPB) {
    struct buf *bp = bread(dev, IBLOCK(block_first, fs_super));
    if (bp == 0)
      return -EIO;
    struct dinode *dips = (struct dinode *)bp->data;
    for (uint inum = MAX(block_first, ROOTINO); inum < MIN(block_first + IPB, fs_super.ninodes); inum++) {
      struct dinode *dip = &dips[inum % IPB];
      if (dip->type != 0)
        continue;
      // Claim a table entry before the disk inode, so that a full table
      // leaves the disk untouched.
      struct inode *ip = iget(dev, inum);
      if (ip == 0) {
        brelse(bp);
        return -ENFILE;
      }
      memset(dip, 0, sizeof(*dip));
      dip->type = type;
      log_write(bp);
      brelse(bp);
      *ipp = ip;
      return 0;
    }
    brelse(bp);
  }
  return -ENOSPC;
}

void iupdate(struct inode *ip) {
  struct buf *bp;
  struct dinode *dip = dinode_of(ip->dev, ip->inum, &bp);
  if (dip == 0) {
    // The operation has changed other blocks to match ip already.
    log_fail("cannot read an inode block to update it");
    return;
  }
  dip->type = ip->type;
  dip->major = ip->major;
  dip->minor = ip->minor;
  dip->nlink = ip->nlink;
  dip->size = ip->size;
  memmove(dip->addrs, ip->addrs, sizeof(ip->addrs));
  log_write(bp);
  brelse(bp);
}

static int dinode_sane(const struct dinode *dip) {
  int known_type = dip->type == T_DIR || dip->type == T_FILE || dip->type == T_DEVICE;
  return known_type && dip->size <= MAX_FILE_BYTES;
}

/* What load leaves in ip when the dinode is unusable: type 0 with no
 * contents, which every operation refuses (-EIO) and nothing frees. */
static void make_unusable(struct inode *ip) {
  ip->type = 0;
  ip->nlink = 0;
  ip->size = 0;
  memset(ip->addrs, 0, sizeof(ip->addrs));
}

/* Fill ip from disk. A corrupt dinode becomes unusable for good; one the
 * disk could not read, until the next ilock tries again (valid stays 0). */
static void load(struct inode *ip) {
  struct buf *bp;
  struct dinode *dip = dinode_of(ip->dev, ip->inum, &bp);
  if (dip == 0) {
    make_unusable(ip);
    return;
  }
  if (dinode_sane(dip)) {
    ip->type = dip->type;
    ip->major = dip->major;
    ip->minor = dip->minor;
    ip->nlink = dip->nlink;
    ip->size = dip->size;
    memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
  } else {
    printf("fs: inode %u is corrupt (type %d, size %u)\n", ip->inum, dip->type, dip->size);
    make_unusable(ip);
  }
  brelse(bp);
  ip->valid = 1;
}

void ilock(struct inode *ip) {
  if (ip == 0 || ip->ref < 1)
    panic("ilock: inode not referenced");
  acquire_sleep(&ip->lock);
  if (!ip->valid)
    load(ip);
}

void iunlock(struct inode *ip) {
  if (ip == 0 || !holding_sleep(&ip->lock) || ip->ref < 1)
    panic("iunlock: inode not locked");
  release_sleep(&ip->lock);
}

void iput(struct inode *ip) {
  acquire(&itable.lock);
  if (ip->ref == 1 && ip->valid && ip->nlink == 0 && ip->type != 0) {
    // The last reference to a file no directory names: free it. No one
    // else can reach this entry (no name leads here, and ialloc will not
    // pick a dinode whose type is set), so taking its lock cannot block.
    release(&itable.lock);
    acquire_sleep(&ip->lock);
    itrunc(ip);
    ip->type = 0;
    iupdate(ip);
    ip->valid = 0;
    release_sleep(&ip->lock);
    acquire(&itable.lock);
  }
  ip->ref--;
  release(&itable.lock);
}

void iunlockput(struct inode *ip) {
  iunlock(ip);
  iput(ip);
}

/* Free block b, and first every block it points to when it is an indirect
 * block of the given depth (1: points at data; 2: points at indirect). */
static void free_tree(uint dev, uint b, int depth) {
  if (depth > 0) {
    if (!data_block_ok(b, "itrunc"))
      return;
    struct buf *bp = bread(dev, b);
    if (bp == 0) {
      // Its blocks cannot be freed, but the inode is about to be.
      log_fail("cannot read an indirect block to free a file");
      return;
    }
    uint *entries = (uint *)bp->data;
    for (uint i = 0; i < NINDIRECT; i++)
      if (entries[i])
        free_tree(dev, entries[i], depth - 1);
    brelse(bp);
  }
  bfree(dev, b);
}

void itrunc(struct inode *ip) {
  text_forget(inode_id(ip)); /* cached program pages of these bytes */
  for (int i = 0; i < NDIRECT + 2; i++) {
    if (ip->addrs[i] == 0)
      continue;
    // LAB fs: free-double-indirect
    int depth = i == INDIRECT_SLOT ? 1 : i == DINDIRECT_SLOT ? 2 : 0;
    // END LAB fs
    free_tree(ip->dev, ip->addrs[i], depth);
    ip->addrs[i] = 0;
  }
  ip->size = 0;
  iupdate(ip);
}

/* Resolve the block pointer *slot into *b (0 for a hole). With alloc, a
 * hole is filled with a new block for the given use. holder is the
 * indirect block containing the slot, logged when the slot changes; 0
 * means the slot is in ip->addrs and the caller writes the inode. */
/* Fill the hole *slot with a new block (use and holder as for follow).
 * Kept out of line so that follow, which runs for every block looked up,
 * stays small enough for the compiler to inline. */
__attribute__((noinline)) static int fill_hole(struct inode *ip, uint *slot, struct buf *holder,
                                               enum block_use use) {
  uint fresh;
  int err = balloc(ip->dev, use, &fresh);
  if (err)
    return err;
  *slot = fresh;
  if (holder)
    log_write(holder);
  return 0;
}

static int follow(struct inode *ip, uint *slot, struct buf *holder, int alloc,
                  enum block_use use, uint *b) {
  if (*slot == 0 && alloc) {
    int err = fill_hole(ip, slot, holder, use);
    if (err)
      return err;
  } else if (*slot != 0 && !data_block_ok(*slot, "bmap")) {
    return -EIO;
  }
  *b = *slot;
  return 0;
}

static int follow_indirect(struct inode *ip, uint indirect, uint index, int alloc,
                           enum block_use use, uint *b) {
  struct buf *bp = bread(ip->dev, indirect);
  if (bp == 0)
    return -EIO;
  int err = follow(ip, (uint *)bp->data + index, bp, alloc, use, b);
  brelse(bp);
  return err;
}

/*
 * A map cursor speeds up a run of lookups in one file (one readi or writei,
 * with the inode locked throughout): it keeps a copy of the last "leaf"
 * indirect block used, the one whose entries point at data blocks. A
 * sequential read then reads each indirect block once per 256 file blocks
 * instead of once or twice per block. The copy stays true because a file's
 * indirect blocks change only under its inode lock, and only through the
 * cursor (bmap updates the copy when it fills a hole).
 */
struct map_cursor {
  uint leaf;            /* disk block of the cached leaf, 0 = none */
  uint first_bn;        /* the file block its entry 0 maps */
  uint ptrs[NINDIRECT]; /* its entries */
};

static void cursor_init(struct map_cursor *c) { c->leaf = 0; }

/* The leaf indirect block mapping file block bn (>= NDIRECT) in *leaf (0 if
 * it is a hole and not alloc), and the file block its entry 0 maps. */
static int find_leaf(struct inode *ip, uint bn, int alloc, uint *leaf, uint *first_bn) {
  uint cur = 0;
  bn -= NDIRECT;
  if (bn < NINDIRECT) {
    *first_bn = NDIRECT;
    int err = follow(ip, &ip->addrs[INDIRECT_SLOT], 0, alloc, BLOCK_META, &cur);
    *leaf = cur;
    return err;
  }
  // LAB fs: double-indirect
  bn -= NINDIRECT;
  if (bn >= NDINDIRECT)
    return -EFBIG;
  uint top = bn / NINDIRECT;
  *first_bn = NDIRECT + NINDIRECT + top * NINDIRECT;
  int err = follow(ip, &ip->addrs[DINDIRECT_SLOT], 0, alloc, BLOCK_META, &cur);
  if (err == 0 && cur != 0)
    err = follow_indirect(ip, cur, top, alloc, BLOCK_META, &cur);
  *leaf = cur;
  return err;
  // END LAB fs
}

/* Copy indirect block leaf into the cursor: 0 or -EIO. */
static int cursor_load(struct inode *ip, struct map_cursor *c, uint leaf, uint first_bn) {
  struct buf *bp = bread(ip->dev, leaf);
  if (bp == 0)
    return -EIO;
  memmove(c->ptrs, bp->data, sizeof(c->ptrs));
  brelse(bp);
  c->leaf = leaf;
  c->first_bn = first_bn;
  return 0;
}

/* The disk block holding block bn of the file, in *b (0 for a hole unless
 * alloc). 0, or -ENOSPC (disk full), -EIO (corrupt pointer or disk error),
 * -EFBIG. */
static int bmap(struct inode *ip, struct map_cursor *c, uint bn, int alloc, uint *b) {
  // A directory's contents are metadata, journaled; a file's are data.
  enum block_use use = ip->type == T_DIR ? BLOCK_META : BLOCK_DATA;
  *b = 0;
  if (bn < NDIRECT)
    return follow(ip, &ip->addrs[bn], 0, alloc, use, b);
  if (c->leaf == 0 || bn < c->first_bn || bn - c->first_bn >= NINDIRECT) {
    uint leaf, first_bn;
    int err = find_leaf(ip, bn, alloc, &leaf, &first_bn);
    if (err == 0 && leaf != 0)
      err = cursor_load(ip, c, leaf, first_bn);
    if (err || leaf == 0)
      return err;
  }
  uint index = bn - c->first_bn;
  if (c->ptrs[index] == 0 && alloc) {
    // Fill the hole in the leaf itself, then in the copy.
    int err = follow_indirect(ip, c->leaf, index, alloc, use, &c->ptrs[index]);
    if (err)
      return err;
  } else if (c->ptrs[index] != 0 && !data_block_ok(c->ptrs[index], "bmap")) {
    return -EIO;
  }
  *b = c->ptrs[index];
  return 0;
}

/* About to read file block bn, which is disk block b, from the disk: read
 * the file blocks after it too, as far as they follow b on disk, in the
 * same request. A sequential read then costs one disk request per run of
 * blocks instead of one per block. */
static void read_ahead(struct inode *ip, struct map_cursor *c, uint bn, uint b) {
  if (bcached(ip->dev, b))
    return;
  uint last_bn = (ip->size - 1) / BSIZE;
  int run = 1;
  while (run < BREAD_AHEAD_MAX && bn + run <= last_bn) {
    uint next;
    if (bmap(ip, c, bn + run, 0, &next) != 0 || next != b + run)
      break;
    run++;
  }
  bread_ahead(ip->dev, b, run);
}

/*
 * readi and writei copy straight between the cached block and the user's
 * buffer, with the inode and the block locked. That is safe because loading
 * a missing user page takes no file-system lock, except for a page of a
 * program file: the callers map those beforehand (inode_read in file.c and
 * sys_write call as_prefault_file_pages), since the file could be this one.
 * A copy that fails part way counts the bytes copied before the bad page.
 */

/* Copy n bytes to user or kernel memory; the bytes copied (n unless an
 * address is bad). */
static uint copy_out_upto(int user_dst, uint64 dst, const void *src, uint n) {
  if (either_copyout(user_dst, dst, src, n) == 0)
    return n;
  uint done = 0; // find where it failed, one page piece at a time
  while (done < n) {
    uint piece = MIN(n - done, PGSIZE - (dst + done) % PGSIZE);
    if (either_copyout(user_dst, dst + done, (const char *)src + done, piece) != 0)
      break;
    done += piece;
  }
  return done;
}

static uint copy_in_upto(void *dst, int user_src, uint64 src, uint n) {
  if (either_copyin(dst, user_src, src, n) == 0)
    return n;
  uint done = 0;
  while (done < n) {
    uint piece = MIN(n - done, PGSIZE - (src + done) % PGSIZE);
    if (either_copyin((char *)dst + done, user_src, src + done, piece) != 0)
      break;
    done += piece;
  }
  return done;
}

int readi(struct inode *ip, int user_dst, uint64 dst, uint off, uint n) {
  if (off >= ip->size)
    return 0;
  n = MIN(n, ip->size - off);

  struct map_cursor map;
  cursor_init(&map);
  uint done = 0;
  int err = 0;
  while (done < n) {
    uint b;
    uint m = MIN(n - done, BSIZE - off % BSIZE);
    err = bmap(ip, &map, off / BSIZE, 0, &b);
    if (err)
      break;
    uint copied;
    if (b == 0) {
      copied = copy_out_upto(user_dst, dst + done, zeroes, m);
    } else {
      read_ahead(ip, &map, off / BSIZE, b);
      struct buf *bp = bread(ip->dev, b);
      if (bp == 0) {
        err = -EIO;
        break;
      }
      copied = copy_out_upto(user_dst, dst + done, bp->data + off % BSIZE, m);
      brelse(bp);
    }
    done += copied;
    off += copied;
    if (copied < m) {
      err = -EFAULT;
      break;
    }
  }
  return done > 0 ? (int)done : err;
}

static int same_words(const uint *a, const uint *b, int n) {
  for (int i = 0; i < n; i++)
    if (a[i] != b[i])
      return 0;
  return 1;
}

int writei(struct inode *ip, int user_src, uint64 src, uint off, uint n) {
  if (n == 0)
    return 0;
  if (off >= MAX_FILE_BYTES)
    return -EFBIG;
  if (log_failed())
    return -EIO;
  n = MIN(n, MAX_FILE_BYTES - off);

  struct map_cursor map;
  cursor_init(&map);
  uint old_size = ip->size;
  uint old_addrs[NDIRECT + 2];
  memmove(old_addrs, ip->addrs, sizeof(old_addrs));
  uint done = 0;
  int err = 0;
  while (done < n) {
    uint b;
    uint m = MIN(n - done, BSIZE - off % BSIZE);
    err = bmap(ip, &map, off / BSIZE, 1, &b);
    if (err)
      break;
    struct buf *bp = bread(ip->dev, b);
    if (bp == 0) {
      err = -EIO; /* b stays in the file: the iupdate below records it */
      break;
    }
    uint copied = copy_in_upto(bp->data + off % BSIZE, user_src, src + done, m);
    if (copied > 0) {
      if (ip->type == T_DIR)
        log_write(bp);
      else
        log_write_data(bp);
    }
    brelse(bp);
    done += copied;
    off += copied;
    if (copied < m) {
      err = -EFAULT;
      break;
    }
  }
  if (off > ip->size)
    ip->size = off;
  // The inode changes if the file grew or bmap added a block pointer to
  // the inode itself (even when nothing could be written).
  if (ip->size != old_size || !same_words(old_addrs, ip->addrs, NDIRECT + 2))
    iupdate(ip);
  return done > 0 ? (int)done : err;
}

void stati(struct inode *ip, struct stat *st) {
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

short inode_type(struct inode *ip) { return ip->type; }

uint64 inode_id(struct inode *ip) { return ((uint64)ip->dev << 32) | ip->inum; }

uint inode_size(struct inode *ip) { return ip->size; }

/* The text-busy counters live under the table lock, not the inode's
 * sleeplock, so exec and open can look at them without sleeping. */
static void counter_add(int *counter, int delta, const char *what) {
  acquire(&itable.lock);
  if (*counter + delta < 0)
    panic("inode: %s count below zero", what);
  *counter += delta;
  release(&itable.lock);
}

static int counter_positive(int *counter) {
  acquire(&itable.lock);
  int positive = *counter > 0;
  release(&itable.lock);
  return positive;
}

void inode_map_hold(struct inode *ip) { counter_add(&ip->map_count, 1, "mapping"); }
void inode_map_release(struct inode *ip) { counter_add(&ip->map_count, -1, "mapping"); }
int inode_is_mapped(struct inode *ip) { return counter_positive(&ip->map_count); }

/* A writer may change the file: forget the pages of it cached as program text. */
void inode_writer_hold(struct inode *ip) {
  text_forget(inode_id(ip));
  counter_add(&ip->write_count, 1, "writer");
}
void inode_writer_release(struct inode *ip) { counter_add(&ip->write_count, -1, "writer"); }
int inode_has_writers(struct inode *ip) { return counter_positive(&ip->write_count); }
