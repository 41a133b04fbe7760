/*
 * Declarations shared by the files of kernel/fs/ and nobody else: the
 * buffer cache, the log's block-level interface, the block allocator and
 * the mounted superblock. The rest of the kernel uses kernel/fs/fs.h.
 */
#ifndef RIVET_FS_INTERNAL_H
#define RIVET_FS_INTERNAL_H

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "kernel/sync/sync.h"
#include "kernel/fs/fs.h"
#include "kernel/dev/virtio_blk.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"
#include "kernel/proc/proc.h" /* either_copyin, for write_from_user */

#define SECTORS_PER_BLOCK (BSIZE / VIRTIO_BLK_SECTOR_SIZE)
#define MAX_FILE_BYTES ((uint)(MAXFILE * BSIZE))

/* File data blocks one operation may dirty (see log.c). A write() is split
 * into operations of at most this many blocks. */
#define OP_DATA_BLOCKS 64

/* A cached disk block. */
struct buf {
  uint dev;              /* dev through hashed: bcache lock */
  uint blockno;
  uint refcnt;           /* holders, plus one per pin by the log */
  struct buf *prev;      /* LRU list: most recently released first */
  struct buf *next;
  struct buf *hash_next; /* chain of its hash bucket, if it names a block */
  int hashed;            /* is it in a hash bucket? */

  int logged;            /* in the open transaction's log (log lock) */
  int ordered;           /* file data the next commit writes in place (log lock) */

  struct sleeplock lock; /* guards valid and data; held between bread and brelse */
  int valid;             /* data holds the block's contents */
  /* Word-aligned so memmove copies it 8 bytes at a time. */
  uchar data[BSIZE] __attribute__((aligned(8)));
};

/* --- buffer cache (bio.c) --- */
void binit(void);
/* The block, locked, with its contents read from disk if not cached;
 * 0 if the disk could not read it (the caller reports -EIO). */
struct buf *bread(uint dev, uint blockno);
/* The block, locked, for a caller that will overwrite all of data:
 * the disk is not read. */
struct buf *bgrab(uint dev, uint blockno);
/* The block, locked, if the cache holds it (waiting for a read in
 * progress); 0 if not, without reading the disk. */
struct buf *bread_cached(uint dev, uint blockno);
/* Read up to n consecutive blocks from blockno on, as far as none of them
 * is cached, into the cache with one disk request. */
#define BREAD_AHEAD_MAX VIRTIO_BLK_MAX_SEGMENTS
void bread_ahead(uint dev, uint blockno, int n);
int bwrite(struct buf *b); /* b locked; 0 or -EIO */
int bwrite_run(struct buf **bufs, int n, uint blockno); /* 0 or -EIO */
/* Make every finished write durable (the disk may cache them): 0 or -EIO.
 * The log's only way to order writes: what was written before a flush is
 * on disk before anything written after it. */
int bflush(void);
void brelse(struct buf *b);
void bpin(struct buf *b);   /* keep b cached until bunpin */
void bunpin(struct buf *b);

/* --- log (log.c: transactions; journal.c: the log on disk) --- */
void log_init(void);
void log_set_interval_ms(uint64 ms); /* the commit interval (boot argument) */
/* Replay a committed transaction left by a crash; 0 or -EIO if the log
 * header is corrupt. Called once by fs_mount. */
int log_mount(uint dev, const struct superblock *sb);
/* Record that metadata block b (locked) was modified: the commit journals
 * it. Replaces bwrite for inode, bitmap, directory and indirect blocks. */
void log_write(struct buf *b);
/* A disk error left the current operation half done: the open transaction
 * must never commit. The log stops writing (see journal.c). */
void log_fail(const char *why);
/* Has the log stopped writing? Then nothing new can reach the disk, and
 * operations that would change the file system fail with -EIO. */
int log_failed(void);
/* Record that b (locked), a regular file's data block, was modified: the
 * commit writes it in place before the metadata that points at it. */
void log_write_data(struct buf *b);

/* --- deterministic crash points for tests (crash.c) --- */
enum crash_event {
  CRASH_DISK_WRITE,    /* a write request to the disk has completed */
  CRASH_BEFORE_COMMIT, /* a commit's blocks are in the log; header not written */
  CRASH_AFTER_COMMIT,  /* a commit's header is on disk; nothing installed yet */
};
/* Count the event; power off if the boot argument fs.crash asked for it. */
void crash_point(enum crash_event event);

/* --- the mounted file system (super.c) --- */
extern struct superblock fs_super; /* set once by fs_mount, then read-only */
/* Is b a block of the data area? Complains (one line) if not. */
int data_block_ok(uint b, const char *who);
/* Is inum a valid inode number? */
int inum_ok(uint inum);

/* --- block allocator (balloc.c) --- */
/* What a new block will hold: metadata goes through the log, file data is
 * ordered (see log.c). BLOCK_DATA_WHOLE is file data that the caller
 * overwrites whole before it releases the inode lock: balloc leaves such a
 * block as it is, since zeroing it would only be undone at once. */
enum block_use { BLOCK_META, BLOCK_DATA, BLOCK_DATA_WHOLE };
/* A newly allocated block in *b, zeroed unless BLOCK_DATA_WHOLE: 0,
 * -ENOSPC (disk full) or -EIO. */
int balloc(uint dev, enum block_use use, uint *b);
void bfree(uint dev, uint b);
/* Blocks freed since the last commit wait for it before reuse: is any? */
int balloc_waiting_for_commit(void);
/* The commit is on disk: blocks freed before it may be reused. */
void balloc_committed(void);

/* --- writing from user memory (device and pipe writes) --- */
#define BOUNCE_BYTES 512 /* the kernel buffer, on the stack */
/* Copy n bytes from the current process's address addr into target a
 * piece at a time, through a kernel buffer, so that no lock is held while
 * user memory is read: put(target, piece, m) stores a piece and returns the
 * bytes it took (fewer than m to stop) or -errno. The bytes taken, or
 * -errno if none. Inline, so that each caller's put is a direct call. */
static inline __attribute__((always_inline)) int
write_from_user(uint64 addr, int n, int (*put)(void *target, const char *src, int n), void *target) {
  char bounce[BOUNCE_BYTES];
  int done = 0;
  while (done < n) {
    int m = MIN(n - done, BOUNCE_BYTES);
    if (either_copyin(bounce, 1, addr + done, m) < 0)
      return done > 0 ? done : -EFAULT;
    int r = put(target, bounce, m);
    if (r < 0)
      return done > 0 ? done : r;
    done += r;
    if (r < m)
      break;
  }
  return done;
}

/* --- pipes (pipe.c), used through struct file --- */
struct pipe;
void pipeclose(struct pipe *pi, int writable);
int piperead(struct pipe *pi, uint64 addr, int n);
int pipewrite(struct pipe *pi, uint64 addr, int n);

/* --- tables set up by fs_init --- */
void inode_table_init(void);
void file_table_init(void);
void balloc_init(void);
/* The cached inode (unlocked, one new reference), or 0 if the cache is full. */
struct inode *iget(uint dev, uint inum);

#endif
