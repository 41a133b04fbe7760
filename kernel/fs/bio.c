/*
 * The buffer cache: NBUF in-memory copies of disk blocks.
 *
 * It does two jobs. It saves disk reads by keeping recently used blocks,
 * and it makes sure there is at most one copy of each block in memory, so
 * that all processes see (and lock) the same bytes.
 *
 * A user of a block calls bread() to get it locked, reads or changes
 * b->data, and calls brelse() when done. Changes reach the disk through
 * the log (log_write), never by the user calling bwrite directly, except
 * inside the log itself.
 *
 * Free buffers are recycled least-recently-used first: a doubly linked
 * list through all buffers keeps the most recently released at the front.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"
#include "kernel/dev/virtio_blk.h"
#include "kernel/fs/internal.h"

#define HASH_BUCKETS 256 /* a lookup looks at about NBUF / HASH_BUCKETS buffers */

static struct {
  struct spinlock lock; /* guards the lists, every buffer's identity and refcnt */
  struct buf bufs[NBUF];
  struct buf head;      /* list sentinel: head.next is the most recently used */
  struct buf *bucket[HASH_BUCKETS]; /* buffers by (dev, blockno) */
  int waiters;          /* processes sleeping until some buffer is free */
} bcache;

static struct buf **bucket_of(uint dev, uint blockno) {
  return &bcache.bucket[(blockno ^ (dev << 7)) % HASH_BUCKETS];
}

static void hash_remove(struct buf *b) {
  if (!b->hashed)
    return;
  struct buf **link = bucket_of(b->dev, b->blockno);
  while (*link != b)
    link = &(*link)->hash_next;
  *link = b->hash_next;
  b->hashed = 0;
}

static void list_remove(struct buf *b) {
  b->next->prev = b->prev;
  b->prev->next = b->next;
}

static void list_push_front(struct buf *b) {
  b->next = bcache.head.next;
  b->prev = &bcache.head;
  bcache.head.next->prev = b;
  bcache.head.next = b;
}

/* Give the free buffer b a new block to hold; its data is not valid yet.
 * It moves to the front of the list: a buffer in use (perhaps pinned by
 * the log for a long time) then never sits among the free ones at the back,
 * where find_free would have to step over it again and again. */
static void rename_buffer(struct buf *b, uint dev, uint blockno) {
  hash_remove(b);
  b->dev = dev;
  b->blockno = blockno;
  b->valid = 0;
  struct buf **head = bucket_of(dev, blockno);
  b->hash_next = *head;
  *head = b;
  b->hashed = 1;
  list_remove(b);
  list_push_front(b);
}

void binit(void) {
  spinlock_init(&bcache.lock, "bcache");
  bcache.head.next = &bcache.head;
  bcache.head.prev = &bcache.head;
  for (struct buf *b = bcache.bufs; b < bcache.bufs + NBUF; b++) {
    sleeplock_init(&b->lock, "buffer");
    list_push_front(b);
  }
}

/* The cached copy of the block, or 0. bcache.lock held. */
static struct buf *find_cached(uint dev, uint blockno) {
  for (struct buf *b = *bucket_of(dev, blockno); b; b = b->hash_next)
    if (b->dev == dev && b->blockno == blockno)
      return b;
  return 0;
}

/* The least recently used buffer nobody holds, or 0. bcache.lock held. */
static struct buf *find_free(void) {
  for (struct buf *b = bcache.head.prev; b != &bcache.head; b = b->prev)
    if (b->refcnt == 0)
      return b;
  return 0;
}

/* The buffer for the block, locked; its data is valid only if b->valid. */
static struct buf *bget(uint dev, uint blockno) {
  acquire(&bcache.lock);
  for (;;) {
    struct buf *b = find_cached(dev, blockno);
    if (b == 0) {
      b = find_free();
      if (b)
        rename_buffer(b, dev, blockno);
    }
    if (b) {
      b->refcnt++;
      release(&bcache.lock);
      acquire_sleep(&b->lock);
      return b;
    }
    // Every buffer is in use: wait for a brelse rather than fail.
    bcache.waiters++;
    sleep(&bcache.waiters, &bcache.lock);
    bcache.waiters--;
  }
}

/* Move the block between b->data and the disk: 0 or -EIO. */
static int disk_io(struct buf *b, int write) {
  uint64 sector = (uint64)b->blockno * SECTORS_PER_BLOCK;
  if (virtio_blk_rw(sector, b->data, BSIZE, write) != 0)
    return -EIO;
  if (write)
    crash_point(CRASH_DISK_WRITE);
  return 0;
}

struct buf *bread(uint dev, uint blockno) {
  struct buf *b = bget(dev, blockno);
  if (!b->valid) {
    if (disk_io(b, 0) != 0) {
      brelse(b); /* still not valid: the next bread tries the disk again */
      return 0;
    }
    b->valid = 1;
  }
  return b;
}

struct buf *bread_cached(uint dev, uint blockno) {
  acquire(&bcache.lock);
  struct buf *b = find_cached(dev, blockno);
  if (b)
    b->refcnt++;
  release(&bcache.lock);
  if (b == 0)
    return 0;
  acquire_sleep(&b->lock); // perhaps after a read in progress
  if (!b->valid) {          // that read failed: the caller reads again
    brelse(b);
    return 0;
  }
  return b;
}

/* Take and lock buffers for blocks blockno, blockno + 1, ... (at most n),
 * stopping at the first block that is cached already. bcache.lock held. */
static int claim_run(uint dev, uint blockno, int n, struct buf **bufs) {
  int k = 0;
  while (k < n && find_cached(dev, blockno + k) == 0) {
    struct buf *b = find_free();
    if (b == 0)
      break;
    rename_buffer(b, dev, blockno + k);
    b->refcnt = 1;
    // The one exception to "no sleeplock under a spinlock": nobody held
    // this buffer, and bcache.lock keeps everyone else from finding it,
    // so its lock is free and taking it cannot sleep.
    acquire_sleep_unused(&b->lock);
    bufs[k++] = b;
  }
  return k;
}

void bread_ahead(uint dev, uint blockno, int n) {
  struct buf *bufs[BREAD_AHEAD_MAX];
  struct blk_segment segs[BREAD_AHEAD_MAX];
  acquire(&bcache.lock);
  int k = claim_run(dev, blockno, MIN(n, BREAD_AHEAD_MAX), bufs);
  release(&bcache.lock);
  if (k == 0)
    return;

  for (int i = 0; i < k; i++) {
    segs[i].buf = bufs[i]->data;
    segs[i].nbytes = BSIZE;
  }
  // Reading ahead is only a hint: after an error the blocks stay not
  // valid, and the bread that needs one of them tries again (and reports).
  int ok = virtio_blk_rw_segments((uint64)blockno * SECTORS_PER_BLOCK, segs, k, 0) == 0;
  for (int i = 0; i < k; i++) {
    bufs[i]->valid = ok;
    brelse(bufs[i]);
  }
}

struct buf *bgrab(uint dev, uint blockno) {
  struct buf *b = bget(dev, blockno);
  b->valid = 1; // the caller is about to fill in every byte
  return b;
}

/* Write the data of n locked buffers to the n consecutive blocks starting
 * at blockno (not necessarily their own blocks), in as few disk requests
 * as the driver allows. 0, or -EIO after the first request that failed
 * (the blocks may then be written, partly written or not written). */
int bwrite_run(struct buf **bufs, int n, uint blockno) {
  struct blk_segment segs[VIRTIO_BLK_MAX_SEGMENTS];
  for (int done = 0; done < n;) {
    int k = MIN(n - done, VIRTIO_BLK_MAX_SEGMENTS);
    for (int i = 0; i < k; i++) {
      if (!holding_sleep(&bufs[done + i]->lock))
        panic("bwrite_run: buffer not locked");
      segs[i].buf = bufs[done + i]->data;
      segs[i].nbytes = BSIZE;
    }
    uint64 sector = (uint64)(blockno + done) * SECTORS_PER_BLOCK;
    if (virtio_blk_rw_segments(sector, segs, k, 1) != 0)
      return -EIO;
    crash_point(CRASH_DISK_WRITE);
    done += k;
  }
  return 0;
}

int bflush(void) { return virtio_blk_flush(); }

int bwrite(struct buf *b) {
  if (!holding_sleep(&b->lock))
    panic("bwrite: buffer not locked");
  return disk_io(b, 1);
}

/* One holder fewer. The last one makes b the most recently used free
 * buffer and lets a waiting bget have it. */
static void drop_ref(struct buf *b) {
  acquire(&bcache.lock);
  b->refcnt--;
  if (b->refcnt == 0) {
    list_remove(b);
    list_push_front(b);
    if (bcache.waiters)
      wakeup(&bcache.waiters);
  }
  release(&bcache.lock);
}

void brelse(struct buf *b) {
  if (!holding_sleep(&b->lock))
    panic("brelse: buffer not locked");
  release_sleep(&b->lock);
  drop_ref(b);
}

void bpin(struct buf *b) {
  acquire(&bcache.lock);
  b->refcnt++;
  release(&bcache.lock);
}

void bunpin(struct buf *b) { drop_ref(b); }
