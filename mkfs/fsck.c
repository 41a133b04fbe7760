/*
 * fsck: check a Rivet file-system image on the host, without changing it.
 *
 *   mkfs/fsck [--strict-log] IMAGE
 *
 * The checks, in order:
 *   1. the superblock: magic number, size equal to the image file's, the
 *      regions (log, inodes, bitmap, data) in order without overlap, and a
 *      log the kernel mounts (kernel/fs.h's rules, shared with the kernel);
 *   2. the log: an empty header is clean. A header with committed blocks is
 *      what a crash between commit and install leaves; the kernel replays
 *      it at mount, so fsck replays it too (in memory only) and checks the
 *      result. With --strict-log a non-empty log is itself a problem;
 *   3. every allocated inode: valid type, every block it uses (data blocks
 *      and the indirect blocks) inside the data area and used only once,
 *      and a size that fits its blocks;
 *   4. every directory: "." naming itself and ".." naming its parent as the
 *      first two entries, a size that is a whole number of entries, and
 *      entries with non-empty NUL-padded names that name allocated inodes;
 *   5. every allocated inode reachable from the root, with an nlink equal
 *      to the number of directory entries naming it (for a directory, its
 *      name plus the ".." of each subdirectory);
 *   6. the bitmap: exactly the metadata blocks and the used data blocks.
 *
 * Each problem is one line starting with "fsck: " on standard output; a
 * replayable log is information, not a problem, reported as the line
 * "log: N blocks pending (replayable)". The last line is "fsck: clean",
 * "fsck: clean (log replayable, N blocks)" or "fsck: N problems found".
 * Exit status: 0 clean, 1 problems found, 2 bad usage or unreadable image.
 */
/* fileno and strnlen are POSIX, not plain C. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kernel/types.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "mkfs/image.h"

/*
 * kernel/stat.h (for T_DIR and friends) declares Rivet's own struct stat,
 * which would clash with the host's; give it another name while including.
 */
#define stat rivet_stat
#include "kernel/stat.h"
#undef stat

#define EXIT_CLEAN 0
#define EXIT_PROBLEMS 1
#define EXIT_USAGE 2

/* A badly damaged image can have thousands of problems; show the first ones. */
#define MAX_REPORTED_PROBLEMS 100

/* Directory entries name inodes with a ushort. */
#define LARGEST_INUM USHRT_MAX

#define DIRENT_SIZE sizeof(struct dirent)
#define DIRENTS_PER_BLOCK (BSIZE / DIRENT_SIZE)
#define DOT_INDEX 0    /* every directory starts with "." ... */
#define DOTDOT_INDEX 1 /* ... and ".." */
#define FIRST_NAME_INDEX 2

/* What fsck learns about one inode while checking. */
struct inode_facts {
  struct dinode din;
  uint names;     /* directory entries naming it, not counting "." and ".." */
  uint subdirs;   /* directories only: subdirectories, whose ".." names it */
  uint parent;    /* directories only: the directory holding its name, or 0 */
  uint dotdot;    /* directories only: what its ".." entry names, or 0 */
  int reachable;  /* found by walking the tree from the root */
};

struct fsck {
  struct image img;
  unsigned long file_bytes; /* size of the image file */
  struct superblock sb;
  struct inode_facts *inodes; /* indexed by inode number */
  uint *block_owner;          /* indexed by block number: inode using it, or 0 */
  uint problems;
  int strict_log;
  uint log_replayed;          /* blocks the log replay installed */
};

static void __attribute__((format(printf, 2, 3)))
problem(struct fsck *fs, const char *fmt, ...)
{
  va_list args;

  fs->problems++;
  if (fs->problems > MAX_REPORTED_PROBLEMS)
    return;
  printf("fsck: ");
  va_start(args, fmt);
  vprintf(fmt, args);
  va_end(args);
  printf("\n");
}

static void __attribute__((noreturn))
usage(void)
{
  fprintf(stderr, "usage: mkfs/fsck [--strict-log] IMAGE\n");
  exit(EXIT_USAGE);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
cannot_read(const char *fmt, ...)
{
  va_list args;

  fprintf(stderr, "fsck: ");
  va_start(args, fmt);
  vfprintf(stderr, fmt, args);
  va_end(args);
  fprintf(stderr, "\n");
  exit(EXIT_USAGE);
}

static int
is_allocated(const struct inode_facts *facts)
{
  return facts->din.type != 0;
}

static int
is_directory(const struct inode_facts *facts)
{
  return facts->din.type == T_DIR;
}

static const char *
type_name(short type)
{
  switch (type) {
  case T_DIR:
    return "directory";
  case T_FILE:
    return "file";
  case T_DEVICE:
    return "device";
  default:
    return "inode of unknown type";
  }
}

/*
 * Read the whole image into memory, rounded up to whole blocks (the tail
 * reads as zeros) so that a short image can still be examined.
 */
static void
load_image(struct fsck *fs, const char *path)
{
  struct stat st;
  FILE *in = fopen(path, "rb");

  if (in == NULL || fstat(fileno(in), &st) < 0)
    cannot_read("%s: %s", path, strerror(errno));
  if (!S_ISREG(st.st_mode))
    cannot_read("%s: not a regular file", path);
  if ((unsigned long)st.st_size > (unsigned long)UINT_MAX * BSIZE)
    cannot_read("%s: too large to be a Rivet image", path);

  fs->file_bytes = st.st_size;
  fs->img.nblocks = (uint)(fs->file_bytes / BSIZE) + (fs->file_bytes % BSIZE != 0);
  if (fs->img.nblocks <= SUPERBLOCK_BLOCK)
    fs->img.nblocks = SUPERBLOCK_BLOCK + 1; /* so that the superblock reads as zeros */
  fs->img.bytes = calloc(fs->img.nblocks, BSIZE);
  if (fs->img.bytes == NULL)
    cannot_read("%s: out of memory", path);
  if (fread(fs->img.bytes, 1, fs->file_bytes, in) != fs->file_bytes)
    cannot_read("%s: read error", path);
  fclose(in);
}

/*
 * Check that the superblock describes this image. Returns 1 if the rest of
 * the image can be checked, 0 if the layout is too broken to go on.
 */
static int
check_superblock(struct fsck *fs)
{
  const struct superblock *sb = &fs->sb;
  unsigned long inode_blocks = blocks_needed(sb->ninodes, IPB);
  unsigned long bitmap_blocks = blocks_needed(sb->size, BPB);
  uint before = fs->problems;

  if (sb->magic != FSMAGIC) {
    problem(fs, "superblock: bad magic number 0x%08x (expected 0x%08x)", sb->magic, FSMAGIC);
    return 0; /* nothing else in it can be trusted */
  }
  if ((unsigned long)sb->size * BSIZE != fs->file_bytes)
    problem(fs, "superblock: size is %u blocks (%lu bytes) but the image file has %lu bytes",
            sb->size, (unsigned long)sb->size * BSIZE, fs->file_bytes);
  if (sb->nlog < LOG_MIN_BLOCKS)
    problem(fs, "superblock: log of %u blocks; the kernel needs at least %u (one operation)",
            sb->nlog, LOG_MIN_BLOCKS);
  if (sb->logstart <= SUPERBLOCK_BLOCK)
    problem(fs, "superblock: log starts at block %u, before the superblock ends", sb->logstart);
  if ((unsigned long)sb->logstart + sb->nlog > sb->inodestart)
    problem(fs, "superblock: log (blocks %u..) overlaps the inode blocks at %u",
            sb->logstart, sb->inodestart);
  if (sb->ninodes <= ROOTINO || sb->ninodes - 1 > LARGEST_INUM)
    problem(fs, "superblock: %u inodes; want %u to %u", sb->ninodes, ROOTINO + 1,
            LARGEST_INUM + 1);
  if (sb->inodestart + inode_blocks > sb->bmapstart)
    problem(fs, "superblock: %u inodes (%lu blocks from %u) overlap the bitmap at %u",
            sb->ninodes, inode_blocks, sb->inodestart, sb->bmapstart);
  if (sb->bmapstart + bitmap_blocks > sb->datastart)
    problem(fs, "superblock: bitmap needs %lu blocks from %u but data starts at %u",
            bitmap_blocks, sb->bmapstart, sb->datastart);
  if (sb->datastart >= sb->size || (unsigned long)sb->datastart + sb->nblocks != sb->size)
    problem(fs, "superblock: %u data blocks from %u do not end at the image size %u",
            sb->nblocks, sb->datastart, sb->size);

  /* Checking further needs every region inside the image as loaded. */
  return fs->problems == before && sb->size <= fs->img.nblocks;
}

/* A logged block must go home to an inode, bitmap or data block. */
static int
is_loggable_block(const struct superblock *sb, uint bno)
{
  return bno >= sb->inodestart && bno < sb->size;
}

/*
 * A non-empty log holds committed blocks that may not have reached their
 * home blocks yet. If the header is sane, copy them home (in memory), as
 * the kernel's recovery will; otherwise report it.
 */
static void
check_log(struct fsck *fs)
{
  struct logheader lh;
  uint capacity = LOG_SLOTS(fs->sb.nlog); /* as the kernel's log_mount */

  read_logheader(&fs->img, &fs->sb, &lh);
  if (lh.n == 0)
    return;
  if (lh.n > capacity) {
    problem(fs, "log: header says %u blocks are committed but the log holds at most %u",
            lh.n, capacity);
    return;
  }
  for (uint i = 0; i < lh.n; i++) {
    if (!is_loggable_block(&fs->sb, lh.block[i])) {
      problem(fs, "log: entry %u sends a block to %u, outside the inode, bitmap and data areas",
              i, lh.block[i]);
      return;
    }
  }

  for (uint i = 0; i < lh.n; i++) {
    uint logged = fs->sb.logstart + LOG_HEADER_BLOCKS + i;
    memcpy(image_block(&fs->img, lh.block[i]), image_block(&fs->img, logged), BSIZE);
  }
  fs->log_replayed = lh.n;
  printf("log: %u blocks pending (replayable)\n", lh.n);
  if (fs->strict_log)
    problem(fs, "log: not empty: %u committed blocks were never installed", lh.n);
}

static int
in_data_area(const struct superblock *sb, uint bno)
{
  return bno >= sb->datastart && bno < sb->size;
}

enum claim {
  CLAIM_OUTSIDE, /* not a data block: not used */
  CLAIM_SHARED,  /* another reference got it first */
  CLAIM_OK,      /* first reference: now owned by this inode */
};

/* Record that inode inum uses block bno (as a "what" block). */
static enum claim
claim_block(struct fsck *fs, uint inum, uint bno, const char *what)
{
  if (!in_data_area(&fs->sb, bno)) {
    problem(fs, "inode %u: %s block %u is outside the data area (blocks %u to %u)",
            inum, what, bno, fs->sb.datastart, fs->sb.size - 1);
    return CLAIM_OUTSIDE;
  }
  if (fs->block_owner[bno] != 0) {
    problem(fs, "block %u is used twice: by inode %u and by inode %u",
            bno, fs->block_owner[bno], inum);
    return CLAIM_SHARED;
  }
  fs->block_owner[bno] = inum;
  return CLAIM_OK;
}

/* Claim the data blocks listed in indirect block table. */
static void
claim_table(struct fsck *fs, uint inum, uint table)
{
  for (uint i = 0; i < NINDIRECT; i++) {
    uint bno = get_block_entry(&fs->img, table, i);
    if (bno != 0)
      claim_block(fs, inum, bno, "data");
  }
}

/* Claim the indirect blocks listed in a doubly-indirect block, and theirs. */
static void
claim_doubly(struct fsck *fs, uint inum, uint doubly)
{
  for (uint i = 0; i < NINDIRECT; i++) {
    uint table = get_block_entry(&fs->img, doubly, i);
    if (table != 0 && claim_block(fs, inum, table, "indirect") == CLAIM_OK)
      claim_table(fs, inum, table);
  }
}

/*
 * The disk block holding block index of an inode, or 0 if there is none
 * (a hole) or the way to it leaves the data area (reported elsewhere).
 */
static uint
lookup_block(const struct fsck *fs, const struct dinode *din, uint index)
{
  uint bno;

  if (index < NDIRECT) {
    bno = din->addrs[index];
  } else if (index < NDIRECT + NINDIRECT) {
    uint table = din->addrs[INDIRECT_SLOT];
    if (!in_data_area(&fs->sb, table))
      return 0;
    bno = get_block_entry(&fs->img, table, index - NDIRECT);
  } else {
    uint doubly = din->addrs[DINDIRECT_SLOT];
    index -= NDIRECT + NINDIRECT;
    if (!in_data_area(&fs->sb, doubly))
      return 0;
    uint table = get_block_entry(&fs->img, doubly, index / NINDIRECT);
    if (!in_data_area(&fs->sb, table))
      return 0;
    bno = get_block_entry(&fs->img, table, index % NINDIRECT);
  }
  return in_data_area(&fs->sb, bno) ? bno : 0;
}

/*
 * Claim every block of an allocated inode, and check that its size fits
 * its blocks. Files may have holes (blocks never written read as zeros:
 * lseek() past the end, then write()), but a write that makes a file longer
 * always leaves the block holding its new last byte allocated.
 */
static void
check_inode_blocks(struct fsck *fs, uint inum)
{
  const struct dinode *din = &fs->inodes[inum].din;

  for (uint i = 0; i < NDIRECT; i++)
    if (din->addrs[i] != 0)
      claim_block(fs, inum, din->addrs[i], "data");

  uint indirect = din->addrs[INDIRECT_SLOT];
  if (indirect != 0 && claim_block(fs, inum, indirect, "indirect") == CLAIM_OK)
    claim_table(fs, inum, indirect);

  uint doubly = din->addrs[DINDIRECT_SLOT];
  if (doubly != 0 && claim_block(fs, inum, doubly, "doubly-indirect") == CLAIM_OK)
    claim_doubly(fs, inum, doubly);

  if (din->size > (unsigned long)MAXFILE * BSIZE) {
    problem(fs, "inode %u: size %u is larger than the largest file (%lu bytes)",
            inum, din->size, (unsigned long)MAXFILE * BSIZE);
    return;
  }
  if (din->size == 0)
    return;
  uint last = (din->size - 1) / BSIZE;
  if (lookup_block(fs, din, last) == 0)
    problem(fs, "inode %u: size %u but the block holding its last byte (block %u "
            "of the file) is not allocated", inum, din->size, last);
}

static void
check_inodes(struct fsck *fs)
{
  for (uint inum = 0; inum < fs->sb.ninodes; inum++) {
    struct inode_facts *facts = &fs->inodes[inum];
    read_dinode(&fs->img, &fs->sb, inum, &facts->din);
    if (!is_allocated(facts))
      continue;
    if (inum == 0) {
      problem(fs, "inode 0 is reserved (it marks free directory entries) but is in use");
      continue;
    }
    short type = facts->din.type;
    if (type != T_DIR && type != T_FILE && type != T_DEVICE)
      problem(fs, "inode %u: invalid type %d", inum, type);
    check_inode_blocks(fs, inum);
  }
}

/* Entries in a directory; none if its size is beyond any file's (reported). */
static uint
entry_count(const struct dinode *dir)
{
  uint count = dir->size / DIRENT_SIZE;

  return count > (unsigned long)MAXFILE * DIRENTS_PER_BLOCK ? 0 : count;
}

/* Entry index of directory dir into de; returns 0 if its block is missing. */
static int
read_entry(const struct fsck *fs, uint dir, uint index, struct dirent *de)
{
  uint bno = lookup_block(fs, &fs->inodes[dir].din, index / DIRENTS_PER_BLOCK);

  if (bno == 0)
    return 0;
  decode_dirent(image_block(&fs->img, bno) + (index % DIRENTS_PER_BLOCK) * DIRENT_SIZE, de);
  return 1;
}

/* An entry's name as a C string (names of exactly DIRSIZ have no NUL). */
static void
entry_name(const struct dirent *de, char out[DIRSIZ + 1])
{
  memcpy(out, de->name, DIRSIZ);
  out[DIRSIZ] = '\0';
}

static int
name_is(const struct dirent *de, const char *name)
{
  return strncmp(de->name, name, DIRSIZ) == 0;
}

/* A name must be non-empty, and everything after its end must be NUL. */
static int
name_is_well_formed(const struct dirent *de)
{
  size_t len = strnlen(de->name, DIRSIZ);

  if (len == 0)
    return 0;
  for (size_t i = len; i < DIRSIZ; i++)
    if (de->name[i] != '\0')
      return 0;
  return 1;
}

static void
check_dot_entries(struct fsck *fs, uint dir)
{
  struct dirent de;
  uint count = entry_count(&fs->inodes[dir].din);

  if (count <= DOT_INDEX || !read_entry(fs, dir, DOT_INDEX, &de) ||
      de.inum != dir || !name_is(&de, "."))
    problem(fs, "directory %u: first entry is not '.' naming itself", dir);

  if (count <= DOTDOT_INDEX || !read_entry(fs, dir, DOTDOT_INDEX, &de) ||
      de.inum == 0 || !name_is(&de, ".."))
    problem(fs, "directory %u: second entry is not '..'", dir);
  else
    fs->inodes[dir].dotdot = de.inum;
}

/* Check one named entry (not "." or "..") of directory dir and count it. */
static void
check_named_entry(struct fsck *fs, uint dir, uint index, const struct dirent *de)
{
  char name[DIRSIZ + 1];

  entry_name(de, name);
  if (!name_is_well_formed(de)) {
    problem(fs, "directory %u: entry %u has an empty or badly padded name", dir, index);
    return;
  }
  if (name_is(de, ".") || name_is(de, "..")) {
    problem(fs, "directory %u: entry %u is an extra '%s'", dir, index, name);
    return;
  }
  if (de->inum >= fs->sb.ninodes) {
    problem(fs, "directory %u: entry '%s' names inode %u, beyond the last inode %u",
            dir, name, de->inum, fs->sb.ninodes - 1);
    return;
  }
  struct inode_facts *target = &fs->inodes[de->inum];
  if (!is_allocated(target)) {
    problem(fs, "directory %u: entry '%s' names free inode %u", dir, name, de->inum);
    return;
  }

  target->names++;
  if (!is_directory(target))
    return;
  if (target->parent != 0)
    problem(fs, "directory %u has more than one name: in directories %u and %u",
            de->inum, target->parent, dir);
  else
    target->parent = dir;
  fs->inodes[dir].subdirs++;
}

static void
check_directory(struct fsck *fs, uint dir)
{
  const struct dinode *din = &fs->inodes[dir].din;
  struct dirent de;

  if (din->size % DIRENT_SIZE != 0)
    problem(fs, "directory %u: size %u is not a multiple of %zu (one entry)",
            dir, din->size, DIRENT_SIZE);
  check_dot_entries(fs, dir);
  for (uint index = FIRST_NAME_INDEX; index < entry_count(din); index++)
    if (read_entry(fs, dir, index, &de) && de.inum != 0)
      check_named_entry(fs, dir, index, &de);
}

/* Each directory's ".." must name the directory holding its name. */
static void
check_parents(struct fsck *fs)
{
  for (uint inum = ROOTINO; inum < fs->sb.ninodes; inum++) {
    const struct inode_facts *facts = &fs->inodes[inum];
    if (!is_directory(facts) || facts->dotdot == 0)
      continue;
    uint parent = inum == ROOTINO ? ROOTINO : facts->parent;
    if (parent != 0 && facts->dotdot != parent)
      problem(fs, "directory %u: '..' names inode %u but its parent is %u",
              inum, facts->dotdot, parent);
  }
  if (fs->inodes[ROOTINO].parent != 0)
    problem(fs, "root directory is named by directory %u", fs->inodes[ROOTINO].parent);
}

/* Mark everything reachable from the root, one directory at a time. */
static void
walk_tree(struct fsck *fs)
{
  uint *queue = calloc(fs->sb.ninodes, sizeof(uint));
  uint head = 0, tail = 0;
  struct dirent de;

  if (queue == NULL)
    cannot_read("out of memory");
  fs->inodes[ROOTINO].reachable = 1;
  queue[tail++] = ROOTINO;
  while (head < tail) {
    uint dir = queue[head++];
    for (uint index = FIRST_NAME_INDEX; index < entry_count(&fs->inodes[dir].din); index++) {
      if (!read_entry(fs, dir, index, &de) || de.inum == 0 || de.inum >= fs->sb.ninodes ||
          name_is(&de, ".") || name_is(&de, ".."))
        continue;
      struct inode_facts *target = &fs->inodes[de.inum];
      if (!is_allocated(target) || target->reachable)
        continue;
      target->reachable = 1;
      if (is_directory(target))
        queue[tail++] = de.inum; /* each directory is queued once */
    }
  }
  free(queue);
}

/*
 * nlink counts the directory entries that keep an inode alive: its names
 * in directories, plus, for a directory, the ".." of each subdirectory
 * (the kernel's mkdir adds one to the parent, and removing a subdirectory
 * takes it away). "." never counts, or no directory could ever be freed.
 * The root has no name in any directory: the file system itself counts as
 * its one name.
 */
static void
check_link_counts(struct fsck *fs)
{
  for (uint inum = ROOTINO; inum < fs->sb.ninodes; inum++) {
    const struct inode_facts *facts = &fs->inodes[inum];
    if (!is_allocated(facts))
      continue;
    uint names = facts->names + (inum == ROOTINO);
    uint expected = names + facts->subdirs;
    if (facts->din.nlink == (int)expected)
      continue;
    if (is_directory(facts))
      problem(fs, "inode %u: nlink is %d but it has %u name%s and %u subdirector%s",
              inum, facts->din.nlink, names, names == 1 ? "" : "s",
              facts->subdirs, facts->subdirs == 1 ? "y" : "ies");
    else
      problem(fs, "inode %u: nlink is %d but %u directory entr%s it",
              inum, facts->din.nlink, names, names == 1 ? "y names" : "ies name");
  }
}

static void
check_reachability(struct fsck *fs)
{
  for (uint inum = ROOTINO; inum < fs->sb.ninodes; inum++) {
    const struct inode_facts *facts = &fs->inodes[inum];
    if (is_allocated(facts) && !facts->reachable)
      problem(fs, "inode %u (%s) is allocated but not reachable from the root",
              inum, type_name(facts->din.type));
  }
}

static void
check_tree(struct fsck *fs)
{
  const struct inode_facts *root = &fs->inodes[ROOTINO];

  if (!is_directory(root)) {
    problem(fs, "root inode %u is not a directory (type %d)", ROOTINO, root->din.type);
    return;
  }
  for (uint inum = ROOTINO; inum < fs->sb.ninodes; inum++)
    if (is_directory(&fs->inodes[inum]))
      check_directory(fs, inum);
  check_parents(fs);
  walk_tree(fs);
  check_reachability(fs);
  check_link_counts(fs);
}

/* The bitmap must mark exactly the metadata blocks and the used data blocks. */
static void
check_bitmap(struct fsck *fs)
{
  for (uint bno = 0; bno < fs->sb.size; bno++) {
    int marked = bitmap_is_set(&fs->img, &fs->sb, bno);
    uint owner = fs->block_owner[bno];
    if (bno < fs->sb.datastart) {
      if (!marked)
        problem(fs, "bitmap: metadata block %u is marked free", bno);
    } else if (marked && owner == 0) {
      problem(fs, "bitmap: block %u is marked in use but no inode uses it", bno);
    } else if (!marked && owner != 0) {
      problem(fs, "bitmap: block %u is marked free but inode %u uses it", bno, owner);
    }
  }
}

static void
check_image(struct fsck *fs)
{
  read_superblock(&fs->img, &fs->sb);
  if (!check_superblock(fs))
    return;
  check_log(fs);

  fs->inodes = calloc(fs->sb.ninodes, sizeof(*fs->inodes));
  fs->block_owner = calloc(fs->sb.size, sizeof(uint));
  if (fs->inodes == NULL || fs->block_owner == NULL)
    cannot_read("out of memory");
  check_inodes(fs);
  check_tree(fs);
  check_bitmap(fs);
}

static void
report(const struct fsck *fs)
{
  if (fs->problems > MAX_REPORTED_PROBLEMS)
    printf("fsck: ... and %u more problems not shown\n",
           fs->problems - MAX_REPORTED_PROBLEMS);
  if (fs->problems > 0)
    printf("fsck: %u problem%s found\n", fs->problems, fs->problems == 1 ? "" : "s");
  else if (fs->log_replayed > 0)
    printf("fsck: clean (log replayable, %u blocks)\n", fs->log_replayed);
  else
    printf("fsck: clean\n");
}

int
main(int argc, char *argv[])
{
  struct fsck fs;
  const char *path = NULL;

  memset(&fs, 0, sizeof(fs));
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--strict-log") == 0)
      fs.strict_log = 1;
    else if (argv[i][0] == '-' || path != NULL)
      usage();
    else
      path = argv[i];
  }
  if (path == NULL)
    usage();

  load_image(&fs, path);
  check_image(&fs);
  report(&fs);

  free(fs.block_owner);
  free(fs.inodes);
  free(fs.img.bytes);
  return fs.problems > 0 ? EXIT_PROBLEMS : EXIT_CLEAN;
}
