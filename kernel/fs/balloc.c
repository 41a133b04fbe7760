/*
 * The free-block bitmap: bit b of the bitmap is 1 when block b is in use.
 * Only blocks of the data area are ever handed out or freed, so a corrupt
 * bitmap or block pointer can never make the kernel overwrite metadata.
 * Bitmap changes go through the log like every other metadata change.
 *
 * A block freed by the open transaction is not handed out again until that
 * transaction has committed. File data is written in place before the
 * commit (journal.c), and until the commit the last committed state of the
 * disk may still use the block: as a file's data, or as a directory or
 * indirect block, which a crash would then leave overwritten.
 */
#include "kernel/types.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"
#include "kernel/fs/internal.h"

#define BITS_PER_BYTE 8

/* Where the next search starts: just past the last block handed out, so
 * that a growing file does not rescan the blocks it already took. */
static struct {
  struct spinlock lock; /* guards next */
  uint next;
} hint;

void balloc_init(void) { spinlock_init(&hint.lock, "balloc hint"); }

static uint take_hint(void) {
  acquire(&hint.lock);
  uint b = hint.next;
  release(&hint.lock);
  if (b < fs_super.datastart || b - fs_super.datastart >= fs_super.nblocks)
    b = fs_super.datastart;
  return b;
}

static void set_hint(uint b) {
  acquire(&hint.lock);
  hint.next = b;
  release(&hint.lock);
}

/* Bit b set: block b was freed since the last commit. A bit is changed only
 * with the bitmap block holding b's bitmap bit locked, or during a commit
 * (when no operation runs), so it needs no lock of its own. */
static uchar freed_since_commit[MAX_BITMAP_BLOCKS * BSIZE];
static volatile int any_freed_since_commit; /* a hint, cleared by commits */

static uchar bit_mask(uint b) { return 1 << (b % BPB % BITS_PER_BYTE); }
static uchar *bit_byte(struct buf *bp, uint b) { return &bp->data[b % BPB / BITS_PER_BYTE]; }

static int freed_recently(uint b) { return freed_since_commit[b / BITS_PER_BYTE] & (1 << b % BITS_PER_BYTE); }

/* A new block starts zeroed, whoever used it before. */
static void zero_block(uint dev, uint b, enum block_use use) {
  struct buf *bp = bgrab(dev, b);
  memset(bp->data, 0, BSIZE);
  if (use == BLOCK_DATA)
    log_write_data(bp);
  else
    log_write(bp);
  brelse(bp);
}

int balloc(uint dev, enum block_use use, uint *block_out) {
  uint start = take_hint() - fs_super.datastart;
  struct buf *bp = 0;
  for (uint i = 0; i < fs_super.nblocks; i++) {
    uint b = fs_super.datastart + (start + i) % fs_super.nblocks;
    if (bp == 0 || bp->blockno != BBLOCK(b, fs_super)) {
      if (bp)
        brelse(bp);
      if ((bp = bread(dev, BBLOCK(b, fs_super))) == 0)
        return -EIO;
    }
    if ((*bit_byte(bp, b) & bit_mask(b)) == 0 && !freed_recently(b)) {
      *bit_byte(bp, b) |= bit_mask(b);
      log_write(bp);
      brelse(bp);
      set_hint(b + 1);
      if (use != BLOCK_DATA_WHOLE)
        zero_block(dev, b, use);
      *block_out = b;
      return 0;
    }
  }
  if (bp)
    brelse(bp);
  return -ENOSPC;
}

void bfree(uint dev, uint b) {
  if (!data_block_ok(b, "bfree"))
    return;
  struct buf *bp = bread(dev, BBLOCK(b, fs_super));
  if (bp == 0) {
    // The block would stay allocated with nothing pointing at it.
    log_fail("cannot read a bitmap block to free a block");
    return;
  }
  if (*bit_byte(bp, b) & bit_mask(b)) {
    *bit_byte(bp, b) &= ~bit_mask(b);
    log_write(bp);
    freed_since_commit[b / BITS_PER_BYTE] |= 1 << b % BITS_PER_BYTE;
    any_freed_since_commit = 1;
  } else {
    printf("fs: bfree: block %u is already free\n", b);
  }
  brelse(bp);
}

int balloc_waiting_for_commit(void) { return any_freed_since_commit; }

void balloc_committed(void) {
  if (!any_freed_since_commit)
    return;
  memset(freed_since_commit, 0, (fs_super.size + BITS_PER_BYTE - 1) / BITS_PER_BYTE);
  any_freed_since_commit = 0;
}
