/*
 * mkfs: build a Rivet file-system image on the host.
 *
 *   mkfs/mkfs IMAGE SIZE_BLOCKS [FILE...]
 *
 * The image has SIZE_BLOCKS blocks of BSIZE bytes laid out as kernel/fs.h
 * describes: an unused boot block, the superblock, the log (an empty header
 * block and the LOG_HEADER_SLOTS blocks it can list), the inode blocks, the free-block bitmap and
 * the data blocks. The root directory holds "." and "..", then one entry per
 * FILE, named after the FILE's last path component with one leading '_'
 * removed (the build names user programs user/_cat so that they do not clash
 * with the sources; on Rivet they are simply /cat).
 *
 * Everything is checked before the image is written, so a refused command
 * leaves IMAGE untouched. The same inputs always give the same image bytes:
 * inodes and blocks are handed out in order and nothing depends on the time.
 *
 * Exit status: 0 on success, 1 if the image cannot be made, 2 on bad usage.
 */
/* pwrite and ftruncate are POSIX, not plain C. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/types.h"
#include "kernel/fs.h"
#include "kernel/param.h"

/*
 * kernel/stat.h (for T_DIR and T_FILE) declares Rivet's own struct stat,
 * which would clash with the host's; give it another name while including.
 */
#define stat rivet_stat
#include "kernel/stat.h"
#undef stat

#include "mkfs/image.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2


/*
 * Inode count: one inode per DATA_BLOCKS_PER_INODE blocks of the image,
 * but never fewer than MIN_INODES (small test images still need room for
 * many small files) and never more than a directory entry can name: an
 * entry's inum is a ushort, and inode 0 is never used, so the numbers
 * 1..MAX_INODES-1 must fit in 16 bits.
 */
#define DATA_BLOCKS_PER_INODE 4
#define MIN_INODES 200
#define MAX_INODES 65535

/* The largest image the kernel mounts (kernel/fs.h's MAX_BITMAP_BLOCKS:
 * 229376 blocks, 224 MiB, with MAXOPBLOCKS 32). */
#define MAX_IMAGE_BLOCKS ((uint)(MAX_BITMAP_BLOCKS * BPB))

#define LARGEST_FILE_BYTES ((unsigned long)MAXFILE * BSIZE)

/* A host file to copy into the root directory. */
struct input_file {
  const char *path;
  char name[DIRSIZ + 1]; /* the Rivet name, NUL-terminated here */
  uint size;             /* bytes */
};

/* The image being built and where the next inode and block come from. */
struct builder {
  struct image img;
  struct superblock sb;
  uint next_inum;
  uint next_bno;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
refuse(const char *fmt, ...)
{
  va_list args;

  fprintf(stderr, "mkfs: ");
  va_start(args, fmt);
  vfprintf(stderr, fmt, args);
  va_end(args);
  fprintf(stderr, "\n");
  exit(EXIT_REFUSED);
}

static void __attribute__((noreturn))
usage(void)
{
  fprintf(stderr, "usage: mkfs/mkfs IMAGE SIZE_BLOCKS [FILE...]\n");
  exit(EXIT_USAGE);
}

/* A whole decimal number of blocks, or exit. */
static uint
parse_size(const char *text)
{
  char *end;

  errno = 0;
  unsigned long value = strtoul(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0)
    usage();
  if (value > MAX_IMAGE_BLOCKS)
    refuse("SIZE_BLOCKS %s is too large: the kernel mounts at most %u blocks",
           text, MAX_IMAGE_BLOCKS);
  return (uint)value;
}

static uint
inode_count(uint total_blocks)
{
  uint ninodes = total_blocks / DATA_BLOCKS_PER_INODE;

  if (ninodes < MIN_INODES)
    ninodes = MIN_INODES;
  ninodes = blocks_needed(ninodes, IPB) * IPB; /* fill the last inode block */
  if (ninodes > MAX_INODES)
    ninodes = MAX_INODES;
  return ninodes;
}

/* Where each region of an image of total_blocks blocks starts. */
static void
plan_layout(uint total_blocks, struct superblock *sb)
{
  memset(sb, 0, sizeof(*sb));
  sb->magic = FSMAGIC;
  sb->size = total_blocks;
  sb->ninodes = inode_count(total_blocks);
  sb->nlog = LOG_HEADER_BLOCKS + LOG_HEADER_SLOTS;
  sb->logstart = SUPERBLOCK_BLOCK + 1;
  sb->inodestart = sb->logstart + sb->nlog;
  sb->bmapstart = sb->inodestart + blocks_needed(sb->ninodes, IPB);
  sb->datastart = sb->bmapstart + blocks_needed(total_blocks, BPB);
  sb->nblocks = total_blocks > sb->datastart ? total_blocks - sb->datastart : 0;
}

/*
 * Blocks a file of the given size occupies: its data blocks plus the
 * indirect blocks that hold their numbers.
 */
static uint
blocks_for_file(uint bytes)
{
  uint data = blocks_needed(bytes, BSIZE);
  uint total = data;

  if (data > NDIRECT)
    total += 1; /* the singly-indirect block */
  if (data > NDIRECT + NINDIRECT) {
    uint beyond = data - NDIRECT - NINDIRECT;
    total += 1 + blocks_needed(beyond, NINDIRECT); /* doubly-indirect + its children */
  }
  return total;
}

/* The Rivet name of a host path: last component, one leading '_' dropped. */
static void
choose_name(struct input_file *file)
{
  const char *slash = strrchr(file->path, '/');
  const char *name = slash ? slash + 1 : file->path;

  if (name[0] == '_')
    name++;
  if (name[0] == '\0')
    refuse("%s: cannot make a file name from this path", file->path);
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    refuse("%s: '%s' is reserved for directories", file->path, name);
  if (strlen(name) > DIRSIZ)
    refuse("%s: name '%s' is longer than %d characters", file->path, name, DIRSIZ);
  strcpy(file->name, name);
}

static void
measure_file(struct input_file *file)
{
  struct stat st;

  if (stat(file->path, &st) < 0)
    refuse("%s: %s", file->path, strerror(errno));
  if (!S_ISREG(st.st_mode))
    refuse("%s: not a regular file", file->path);
  if ((unsigned long)st.st_size > LARGEST_FILE_BYTES)
    refuse("%s: %lld bytes is larger than the largest file (%d blocks, %lu bytes)",
           file->path, (long long)st.st_size, (int)MAXFILE, LARGEST_FILE_BYTES);
  file->size = (uint)st.st_size;
}

static void
refuse_duplicate_names(const struct input_file *files, int nfiles)
{
  for (int i = 0; i < nfiles; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(files[i].name, files[j].name) == 0)
        refuse("%s and %s would both be named '%s'",
               files[j].path, files[i].path, files[i].name);
}

/* Refuse unless the metadata, the inodes and every block fit. */
static void
check_capacity(const struct superblock *sb, const struct input_file *files, int nfiles)
{
  uint empty_root = blocks_for_file(2 * sizeof(struct dirent)); /* "." and ".." */
  unsigned long smallest = (unsigned long)sb->datastart + empty_root;

  if (sb->size < smallest)
    refuse("SIZE_BLOCKS %u is too small: the metadata and the root directory "
           "need at least %lu blocks", sb->size, smallest);

  /* Inode 0 is never used; the root is one inode, each file another. */
  if ((unsigned long)nfiles + ROOTINO >= sb->ninodes)
    refuse("%d files need more inodes than the %u this image has", nfiles, sb->ninodes);

  uint root_bytes = (2 + nfiles) * sizeof(struct dirent);
  unsigned long needed = blocks_for_file(root_bytes);
  for (int i = 0; i < nfiles; i++)
    needed += blocks_for_file(files[i].size);
  if (needed > sb->nblocks)
    refuse("the root directory and files need %lu data blocks but an image of "
           "%u blocks has only %u", needed, sb->size, sb->nblocks);
}

static uint
alloc_block(struct builder *b)
{
  if (b->next_bno >= b->sb.size)
    refuse("internal error: ran out of data blocks"); /* check_capacity prevents this */
  return b->next_bno++;
}

/* A new inode of the given type with one name (its caller adds the name). */
static uint
alloc_inode(struct builder *b, short type)
{
  struct dinode din;
  uint inum = b->next_inum++;

  memset(&din, 0, sizeof(din));
  din.type = type;
  din.nlink = 1;
  write_dinode(&b->img, &b->sb, inum, &din);
  return inum;
}

/* Entry index of indirect block table, allocating its block if still 0. */
static uint
table_entry(struct builder *b, uint table, uint index)
{
  uint bno = get_block_entry(&b->img, table, index);

  if (bno == 0) {
    bno = alloc_block(b);
    put_block_entry(&b->img, table, index, bno);
  }
  return bno;
}

/* An inode address slot, allocating its block if still 0. */
static uint
address_slot(struct builder *b, uint *slot)
{
  if (*slot == 0)
    *slot = alloc_block(b);
  return *slot;
}

/* The disk block holding block number index of a file, allocated as needed. */
static uint
file_block(struct builder *b, struct dinode *din, uint index)
{
  if (index < NDIRECT)
    return address_slot(b, &din->addrs[index]);
  index -= NDIRECT;

  if (index < NINDIRECT) {
    uint indirect = address_slot(b, &din->addrs[INDIRECT_SLOT]);
    return table_entry(b, indirect, index);
  }
  index -= NINDIRECT;

  uint doubly = address_slot(b, &din->addrs[DINDIRECT_SLOT]);
  uint indirect = table_entry(b, doubly, index / NINDIRECT);
  return table_entry(b, indirect, index % NINDIRECT);
}

/* Append len bytes to the end of inode inum. */
static void
inode_append(struct builder *b, uint inum, const uchar *data, uint len)
{
  struct dinode din;

  read_dinode(&b->img, &b->sb, inum, &din);
  while (len > 0) {
    uint offset_in_block = din.size % BSIZE;
    uint chunk = BSIZE - offset_in_block;
    if (chunk > len)
      chunk = len;

    uint bno = file_block(b, &din, din.size / BSIZE);
    memcpy(image_block(&b->img, bno) + offset_in_block, data, chunk);
    din.size += chunk;
    data += chunk;
    len -= chunk;
  }
  write_dinode(&b->img, &b->sb, inum, &din);
}

static void
add_dirent(struct builder *b, uint dir, const char *name, uint inum)
{
  struct dirent de;
  uchar raw[sizeof(struct dirent)];

  memset(&de, 0, sizeof(de)); /* the name must be NUL-padded */
  de.inum = (ushort)inum;
  memcpy(de.name, name, strlen(name));
  encode_dirent(raw, &de);
  inode_append(b, dir, raw, sizeof(raw));
}

/* Copy one host file into a new inode; returns its inode number. */
static uint
copy_file(struct builder *b, const struct input_file *file)
{
  uchar buf[BSIZE];
  uint inum = alloc_inode(b, T_FILE);
  uint copied = 0;
  size_t got;
  FILE *in = fopen(file->path, "rb");

  if (in == NULL)
    refuse("%s: %s", file->path, strerror(errno));
  while ((got = fread(buf, 1, sizeof(buf), in)) > 0) {
    if (copied + got > file->size)
      break;
    inode_append(b, inum, buf, got);
    copied += got;
  }
  if (ferror(in))
    refuse("%s: read error", file->path);
  fclose(in);
  /* The space was planned for the size stat() saw. */
  if (copied != file->size || got != 0)
    refuse("%s: file changed while mkfs was reading it", file->path);
  return inum;
}

/* Every block handed out so far, and all metadata, is in use. */
static void
mark_used_blocks(struct builder *b)
{
  for (uint bno = 0; bno < b->next_bno; bno++)
    bitmap_set(&b->img, &b->sb, bno);
}

static void
build(struct builder *b, const struct input_file *files, int nfiles)
{
  b->img.nblocks = b->sb.size;
  b->img.bytes = calloc(b->sb.size, BSIZE);
  if (b->img.bytes == NULL)
    refuse("out of memory for a %u-block image", b->sb.size);
  b->next_inum = ROOTINO;
  b->next_bno = b->sb.datastart; /* every block before it is metadata */

  write_superblock(&b->img, &b->sb); /* the log header stays all zero: empty */

  uint root = alloc_inode(b, T_DIR);
  add_dirent(b, root, ".", root);
  add_dirent(b, root, "..", root); /* the root is its own parent */

  for (int i = 0; i < nfiles; i++) {
    uint inum = copy_file(b, &files[i]);
    add_dirent(b, root, files[i].name, inum);
  }
  mark_used_blocks(b);
}

static int
is_zero_block(const uchar *block)
{
  for (int i = 0; i < BSIZE; i++)
    if (block[i] != 0)
      return 0;
  return 1;
}

/*
 * Write only the blocks that hold something and let ftruncate() give the
 * file its full length: the all-zero rest becomes a hole on file systems
 * that support them, and reads back as zeros everywhere.
 */
static void
write_image(const char *path, const struct image *img)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  if (fd < 0)
    refuse("%s: %s", path, strerror(errno));
  for (uint bno = 0; bno < img->nblocks; bno++) {
    const uchar *block = image_block(img, bno);
    if (is_zero_block(block))
      continue;
    if (pwrite(fd, block, BSIZE, (off_t)bno * BSIZE) != BSIZE)
      refuse("%s: write failed: %s", path, strerror(errno));
  }
  if (ftruncate(fd, (off_t)img->nblocks * BSIZE) < 0)
    refuse("%s: %s", path, strerror(errno));
  if (close(fd) < 0)
    refuse("%s: %s", path, strerror(errno));
}

int
main(int argc, char *argv[])
{
  if (argc < 3)
    usage();

  const char *image_path = argv[1];
  uint total_blocks = parse_size(argv[2]);
  int nfiles = argc - 3;
  struct input_file *files = calloc(nfiles + 1, sizeof(*files));
  struct builder b;

  if (files == NULL)
    refuse("out of memory");
  for (int i = 0; i < nfiles; i++) {
    files[i].path = argv[3 + i];
    choose_name(&files[i]);
    measure_file(&files[i]);
  }
  refuse_duplicate_names(files, nfiles);

  plan_layout(total_blocks, &b.sb);
  check_capacity(&b.sb, files, nfiles);

  build(&b, files, nfiles);
  write_image(image_path, &b.img);

  printf("mkfs: %s: %u blocks (%u metadata, %u data, %u used), %u inodes, %d files\n",
         image_path, b.sb.size, b.sb.datastart, b.sb.nblocks,
         b.next_bno - b.sb.datastart, b.sb.ninodes, nfiles);
  free(b.img.bytes);
  free(files);
  return 0;
}
