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
 * What the inode's blocks hold (the block map, readi, writei, itrunc) is
 * contents.c.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/stat.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/internal.h"

static struct {
  struct spinlock lock; /* guards dev, inum, ref, map_count and write_count of every entry */
  struct inode inodes[NINODE];
} itable;

void inode_table_init(void) {
  spinlock_init(&itable.lock, "itable");
  for (int i = 0; i < NINODE; i++)
    sleeplock_init(&itable.inodes[i].lock, "inode");
}

/* The table entry for (dev, inum), with ref++: the one in use, or else an
 * unused one (valid 0). With share 0, an entry in use is not shared: the
 * result is 0 with *busy set (ialloc, below). 0 without *busy: table full. */
static struct inode *take_entry(uint dev, uint inum, int share, int *busy) {
  struct inode *unused = 0;
  *busy = 0;
  acquire(&itable.lock);
  for (struct inode *ip = itable.inodes; ip < itable.inodes + NINODE; ip++) {
    if (ip->ref > 0 && ip->dev == dev && ip->inum == inum) {
      if (share)
        ip->ref++;
      else
        *busy = 1;
      release(&itable.lock);
      return share ? ip : 0;
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

struct inode *iget(uint dev, uint inum) {
  int busy;
  return take_entry(dev, inum, 1, &busy);
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
      // leaves the disk untouched. A free dinode whose entry is still in
      // use is being freed by an iput right now (iput writes the free
      // dinode before it drops its reference): sharing that entry would
      // let the freeing iput's ref-- come after ours, and the new inode's
      // last iput would see ref 2 and leave it allocated with no name
      // (found by fault injection: fsck's "allocated but not reachable").
      int busy;
      struct inode *ip = take_entry(dev, inum, 0, &busy);
      if (busy)
        continue;
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

/* The fields a struct inode copies from its struct dinode, listed once:
 * load copies them in and iupdate out (with the addrs array). */
#define DINODE_SCALARS(COPY) COPY(type) COPY(major) COPY(minor) COPY(nlink) COPY(size)

void iupdate(struct inode *ip) {
  struct buf *bp;
  struct dinode *dip = dinode_of(ip->dev, ip->inum, &bp);
  if (dip == 0) {
    // The operation has changed other blocks to match ip already.
    log_fail("cannot read an inode block to update it");
    return;
  }
#define TO_DISK(field) dip->field = ip->field;
  DINODE_SCALARS(TO_DISK)
#undef TO_DISK
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
#define FROM_DISK(field) ip->field = dip->field;
    DINODE_SCALARS(FROM_DISK)
#undef FROM_DISK
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
    // else can reach this entry (no name leads here, and ialloc neither
    // picks a dinode whose type is set nor shares an entry in use, even
    // once the dinode below is free), so taking its lock cannot block.
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
