/*
 * A file's contents: the block map from a file's block numbers to disk
 * blocks, and reading, writing and truncating through it.
 *
 * addrs[0..NDIRECT-1] of an inode point straight at data blocks;
 * addrs[INDIRECT_SLOT] at a block of NINDIRECT more pointers; and
 * addrs[DINDIRECT_SLOT] at a block of pointers to such blocks. A pointer
 * of 0 is a hole, which reads as zeroes. Every function here runs with
 * the inode locked (its sleeplock guards addrs, size and the indirect
 * blocks' contents).
 */
#include "kernel/types.h"
#include "kernel/errno.h"
#include "kernel/stat.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/mm.h"
#include "kernel/fs/internal.h"

/* What a hole reads as. */
static const uchar zeroes[BSIZE];

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

/* Resolve the block pointer *slot into *b (0 for a hole). With alloc, a
 * hole is filled with a new block for the given use. holder is the
 * indirect block containing the slot, logged when the slot changes; 0
 * means the slot is in ip->addrs and the caller writes the inode. */
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
  int fresh;            /* the last bmap filled a hole with a block that
                           was not zeroed (MAP_ALLOC_WHOLE) */
  /* Word-aligned like a buffer's data, so that cursor_load's memmove
   * copies 8 bytes at a time (unaligned, it copies byte by byte). */
  uint ptrs[NINDIRECT] __attribute__((aligned(8))); /* its entries */
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

/* bmap's alloc argument: what to do with a hole. */
#define MAP_LOOKUP 0      /* leave it: *b = 0 */
#define MAP_ALLOC 1       /* fill it with a zeroed block */
#define MAP_ALLOC_WHOLE 2 /* fill it with a block the caller overwrites whole
                             (regular files only): not zeroed, c->fresh set */

/* The disk block holding block bn of the file, in *b (0 for a hole unless
 * alloc). 0, or -ENOSPC (disk full), -EIO (corrupt pointer or disk error),
 * -EFBIG. */
static int bmap(struct inode *ip, struct map_cursor *c, uint bn, int alloc, uint *b) {
  // A directory's contents are metadata, journaled; a file's are data.
  enum block_use use = ip->type == T_DIR ? BLOCK_META
                       : alloc == MAP_ALLOC_WHOLE ? BLOCK_DATA_WHOLE
                                                  : BLOCK_DATA;
  *b = 0;
  c->fresh = 0;
  if (bn < NDIRECT) {
    int hole = ip->addrs[bn] == 0;
    int err = follow(ip, &ip->addrs[bn], 0, alloc, use, b);
    c->fresh = err == 0 && hole && use == BLOCK_DATA_WHOLE;
    return err;
  }
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
    c->fresh = use == BLOCK_DATA_WHOLE;
  } else if (c->ptrs[index] != 0 && !data_block_ok(c->ptrs[index], "bmap")) {
    return -EIO;
  }
  *b = c->ptrs[index];
  return 0;
}

/* The file blocks from bn (disk block b) on that follow b on disk, up to
 * BREAD_AHEAD_MAX and the end of the file: how many. One request reads
 * them, so a sequential read costs one disk request per run of blocks
 * instead of one per block. */
static int contiguous_run(struct inode *ip, struct map_cursor *c, uint bn, uint b) {
  uint last_bn = (ip->size - 1) / BSIZE;
  int run = 1;
  while (run < BREAD_AHEAD_MAX && bn + run <= last_bn) {
    uint next;
    if (bmap(ip, c, bn + run, MAP_LOOKUP, &next) != 0 || next != b + run)
      break;
    run++;
  }
  return run;
}

/* File block bn, which is disk block b, locked: from the cache, or else
 * read from the disk with the blocks after it (contiguous_run). 0 if the
 * disk could not read it. */
static struct buf *read_block(struct inode *ip, struct map_cursor *c, uint bn, uint b) {
  struct buf *bp = bread_cached(ip->dev, b);
  if (bp)
    return bp;
  bread_ahead(ip->dev, b, contiguous_run(ip, c, bn, b));
  return bread(ip->dev, b);
}

/*
 * readi and writei copy straight between the cached block and the user's
 * buffer, with the inode and the block locked. That is safe because loading
 * a missing user page takes no file-system lock, except for a page of a
 * program file: the callers map those beforehand (inode_read in file.c and
 * sys_write call as_prefault_file_pages), since the file could be this one.
 * A copy that fails part way counts the bytes copied before the bad page.
 */

enum copy_direction { FROM_ADDR, TO_ADDR };

/* Copy n bytes between kbuf and addr (user memory when user, else kernel)
 * in the given direction. 0 or -EFAULT. */
static inline __attribute__((always_inline)) int
copy_piece(enum copy_direction dir, int user, uint64 addr, char *kbuf, uint n) {
  return dir == TO_ADDR ? either_copyout(user, addr, kbuf, n) : either_copyin(kbuf, user, addr, n);
}

/* copy_piece, but the bytes copied: n unless an address is bad, else the
 * bytes before the first bad page. */
static inline __attribute__((always_inline)) uint
copy_upto(enum copy_direction dir, int user, uint64 addr, char *kbuf, uint n) {
  if (copy_piece(dir, user, addr, kbuf, n) == 0)
    return n;
  uint done = 0; /* find where it failed, one page piece at a time */
  while (done < n) {
    uint piece = MIN(n - done, PGSIZE - (addr + done) % PGSIZE);
    if (copy_piece(dir, user, addr + done, kbuf + done, piece) != 0)
      break;
    done += piece;
  }
  return done;
}

/* Count a piece of m bytes at off of which copied went through: -EFAULT
 * if a bad user address cut it short (the copy loop stops), else 0. */
static int advance(uint *done, uint *off, uint copied, uint m) {
  *done += copied;
  *off += copied;
  return copied < m ? -EFAULT : 0;
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
    err = bmap(ip, &map, off / BSIZE, MAP_LOOKUP, &b);
    if (err)
      break;
    uint copied;
    if (b == 0) {
      copied = copy_upto(TO_ADDR, user_dst, dst + done, (char *)zeroes, m); /* only read */
    } else {
      struct buf *bp = read_block(ip, &map, off / BSIZE, b);
      if (bp == 0) {
        err = -EIO;
        break;
      }
      copied = copy_upto(TO_ADDR, user_dst, dst + done, (char *)bp->data + off % BSIZE, m);
      brelse(bp);
    }
    if ((err = advance(&done, &off, copied, m)) != 0)
      break;
  }
  return done > 0 ? (int)done : err;
}

static int same_words(const uint *a, const uint *b, int n) {
  for (int i = 0; i < n; i++)
    if (a[i] != b[i])
      return 0;
  return 1;
}

/* writei's step: copy m bytes from src into the file at off, all within
 * one block, allocating the block if it is a hole. The bytes copied
 * (fewer than m at a bad user address), or -errno if the block could not
 * be had (a block allocated before a failed read stays in the file: the
 * caller's iupdate records it). */
static int write_block(struct inode *ip, struct map_cursor *map, int user_src, uint64 src, uint off,
                       uint m) {
  uint b;
  // A regular file's block written whole needs no zeroing first.
  int whole = ip->type != T_DIR && m == BSIZE;
  int err = bmap(ip, map, off / BSIZE, whole ? MAP_ALLOC_WHOLE : MAP_ALLOC, &b);
  if (err)
    return err;
  // A fresh block's old contents are garbage: neither read nor keep them.
  struct buf *bp = map->fresh ? bgrab(ip->dev, b) : bread(ip->dev, b);
  if (bp == 0)
    return -EIO;
  uint copied = copy_upto(FROM_ADDR, user_src, src, (char *)bp->data + off % BSIZE, m);
  if (map->fresh && copied < BSIZE)
    // A bad user address cut the copy short; the block is in the file
    // now, so what was not copied must read as zeroes, as in a hole.
    memset(bp->data + copied, 0, BSIZE - copied);
  if (copied > 0 || map->fresh) {
    if (ip->type == T_DIR)
      log_write(bp);
    else
      log_write_data(bp);
  }
  brelse(bp);
  return copied;
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
    uint m = MIN(n - done, BSIZE - off % BSIZE);
    int copied = write_block(ip, &map, user_src, src + done, off, m);
    if (copied < 0) {
      err = copied;
      break;
    }
    if ((err = advance(&done, &off, copied, m)) != 0)
      break;
  }
  if (off > ip->size)
    ip->size = off;
  // The inode changes if the file grew or bmap added a block pointer to
  // the inode itself (even when nothing could be written).
  if (ip->size != old_size || !same_words(old_addrs, ip->addrs, NDIRECT + 2))
    iupdate(ip);
  return done > 0 ? (int)done : err;
}
