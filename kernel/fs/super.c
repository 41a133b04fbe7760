/*
 * Mounting: read the superblock, refuse it unless it describes a layout
 * that fits this disk, then replay the log. Everything later trusts the
 * layout checked here, so a corrupt or foreign disk is rejected with an
 * error instead of crashing the kernel.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/stat.h"
#include "kernel/lib/lib.h"
#include "kernel/dev/virtio_blk.h"
#include "kernel/fs/internal.h"

#define SECTORS_PER_BLOCK (BSIZE / VIRTIO_BLK_SECTOR_SIZE)

struct superblock fs_super;
static int mounted; /* written once by fs_mount */

void fs_init(void) {
  binit();
  log_init();
  balloc_init();
  inode_table_init();
  file_table_init();
}

static uint blocks_for(uint count, uint per_block) {
  return (count + per_block - 1) / per_block;
}

/* Why sb cannot describe a file system on a disk of disk_blocks blocks,
 * or 0 if it can. The regions must come in order and not overlap:
 * boot, super, log, inodes, bitmap, data. */
static const char *superblock_problem(const struct superblock *sb, uint64 disk_blocks) {
  if (sb->magic != FSMAGIC)
    return "bad magic number";
  if (sb->size > disk_blocks)
    return "file system is larger than the disk";
  if (sb->logstart <= SUPERBLOCK_BLOCK)
    return "log overlaps the superblock";
  if (sb->nlog < 1 + MAXOPBLOCKS)
    return "log cannot hold one operation";
  if ((uint64)sb->logstart + sb->nlog > sb->inodestart)
    return "log overlaps the inodes";
  if (sb->ninodes <= ROOTINO)
    return "no room for the root inode";
  if ((uint64)sb->inodestart + blocks_for(sb->ninodes, IPB) > sb->bmapstart)
    return "inodes overlap the bitmap";
  if ((uint64)sb->bmapstart + blocks_for(sb->size, BPB) > sb->datastart)
    return "bitmap overlaps the data area";
  if (sb->nblocks == 0 || (uint64)sb->datastart + sb->nblocks > sb->size)
    return "data area lies outside the file system";
  if (blocks_for(sb->size, BPB) > MAX_BITMAP_BLOCKS)
    return "too large: freeing a file would overflow the log";
  return 0;
}

/* The root inode must be a directory before anyone looks up a path. */
static int root_ok(uint dev) {
  struct buf *b = bread(dev, IBLOCK(ROOTINO, fs_super));
  if (b == 0)
    return 0;
  struct dinode *root = (struct dinode *)b->data + ROOTINO % IPB;
  int ok = root->type == T_DIR && root->nlink >= 1;
  brelse(b);
  return ok;
}

int fs_mount(int dev) {
  if (dev != ROOTDEV || !virtio_blk_present())
    return -ENODEV;
  if (mounted)
    return -EBUSY;

  uint64 disk_blocks = virtio_blk_capacity() / SECTORS_PER_BLOCK;
  if (disk_blocks <= SUPERBLOCK_BLOCK) {
    printf("fs: disk too small to hold a superblock\n");
    return -EINVAL;
  }
  struct superblock sb;
  struct buf *b = bread(dev, SUPERBLOCK_BLOCK);
  if (b == 0) {
    printf("fs: cannot read the superblock\n");
    return -EIO;
  }
  memmove(&sb, b->data, sizeof(sb));
  brelse(b);

  const char *problem = superblock_problem(&sb, disk_blocks);
  if (problem) {
    printf("fs: bad superblock: %s\n", problem);
    return -EINVAL;
  }
  fs_super = sb;

  int err = log_mount(dev, &fs_super);
  if (err)
    return err;
  if (!root_ok(dev)) {
    printf("fs: root inode is unreadable or not a directory\n");
    return -EIO;
  }
  mounted = 1;
  printf("fs: mounted %u blocks, %u inodes\n", fs_super.size, fs_super.ninodes);
  return 0;
}

int data_block_ok(uint b, const char *who) {
  if (b >= fs_super.datastart && b - fs_super.datastart < fs_super.nblocks)
    return 1;
  printf("fs: %s: block %u is outside the data area\n", who, b);
  return 0;
}

int inum_ok(uint inum) { return inum >= ROOTINO && inum < fs_super.ninodes; }
