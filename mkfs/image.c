/*
 * Byte-level access to a Rivet disk image in host memory (see image.h).
 */
#include <stddef.h>
#include <string.h>

#include "mkfs/image.h"

/*
 * The kernel and these tools must agree on the on-disk sizes. If one of
 * these fails, kernel/fs.h changed in a way the tools do not understand.
 */
_Static_assert(sizeof(uint) == 4 && sizeof(ushort) == 2,
               "the disk format needs 32-bit uint and 16-bit ushort");
_Static_assert(BSIZE % sizeof(struct dinode) == 0,
               "inodes must not straddle block boundaries");
_Static_assert(sizeof(struct dirent) == sizeof(ushort) + DIRSIZ,
               "struct dirent must have no padding");
_Static_assert(BSIZE % sizeof(struct dirent) == 0,
               "directory entries must not straddle block boundaries");
_Static_assert(sizeof(struct logheader) == BSIZE,
               "the log header fills exactly one block");

#define BITS_PER_BYTE 8
#define BYTE_MASK 0xffu

ushort
get_u16(const uchar *p)
{
  return (ushort)(p[0] | (p[1] << BITS_PER_BYTE));
}

uint
get_u32(const uchar *p)
{
  uint value = 0;
  for (int i = sizeof(uint) - 1; i >= 0; i--)
    value = (value << BITS_PER_BYTE) | p[i];
  return value;
}

void
put_u16(uchar *p, ushort value)
{
  p[0] = value & BYTE_MASK;
  p[1] = (value >> BITS_PER_BYTE) & BYTE_MASK;
}

void
put_u32(uchar *p, uint value)
{
  for (size_t i = 0; i < sizeof(uint); i++) {
    p[i] = value & BYTE_MASK;
    value >>= BITS_PER_BYTE;
  }
}

uchar *
image_block(const struct image *img, uint bno)
{
  return img->bytes + (size_t)bno * BSIZE;
}

uint
get_block_entry(const struct image *img, uint bno, uint index)
{
  return get_u32(image_block(img, bno) + index * sizeof(uint));
}

void
put_block_entry(struct image *img, uint bno, uint index, uint value)
{
  put_u32(image_block(img, bno) + index * sizeof(uint), value);
}

/* Helpers that name a struct field once and find its offset on disk. */
#define GET_U32_FIELD(raw, type, field) get_u32((raw) + offsetof(type, field))
#define PUT_U32_FIELD(raw, type, field, v) put_u32((raw) + offsetof(type, field), (v))
#define GET_U16_FIELD(raw, type, field) get_u16((raw) + offsetof(type, field))
#define PUT_U16_FIELD(raw, type, field, v) put_u16((raw) + offsetof(type, field), (v))

void
read_superblock(const struct image *img, struct superblock *sb)
{
  const uchar *raw = image_block(img, SUPERBLOCK_BLOCK);

  sb->magic = GET_U32_FIELD(raw, struct superblock, magic);
  sb->size = GET_U32_FIELD(raw, struct superblock, size);
  sb->nblocks = GET_U32_FIELD(raw, struct superblock, nblocks);
  sb->ninodes = GET_U32_FIELD(raw, struct superblock, ninodes);
  sb->nlog = GET_U32_FIELD(raw, struct superblock, nlog);
  sb->logstart = GET_U32_FIELD(raw, struct superblock, logstart);
  sb->inodestart = GET_U32_FIELD(raw, struct superblock, inodestart);
  sb->bmapstart = GET_U32_FIELD(raw, struct superblock, bmapstart);
  sb->datastart = GET_U32_FIELD(raw, struct superblock, datastart);
}

void
write_superblock(struct image *img, const struct superblock *sb)
{
  uchar *raw = image_block(img, SUPERBLOCK_BLOCK);

  PUT_U32_FIELD(raw, struct superblock, magic, sb->magic);
  PUT_U32_FIELD(raw, struct superblock, size, sb->size);
  PUT_U32_FIELD(raw, struct superblock, nblocks, sb->nblocks);
  PUT_U32_FIELD(raw, struct superblock, ninodes, sb->ninodes);
  PUT_U32_FIELD(raw, struct superblock, nlog, sb->nlog);
  PUT_U32_FIELD(raw, struct superblock, logstart, sb->logstart);
  PUT_U32_FIELD(raw, struct superblock, inodestart, sb->inodestart);
  PUT_U32_FIELD(raw, struct superblock, bmapstart, sb->bmapstart);
  PUT_U32_FIELD(raw, struct superblock, datastart, sb->datastart);
}

/* Where inode inum's bytes are: inside its inode block, at its slot. */
static uchar *
dinode_bytes(const struct image *img, const struct superblock *sb, uint inum)
{
  return image_block(img, IBLOCK(inum, *sb)) + (inum % IPB) * sizeof(struct dinode);
}

void
read_dinode(const struct image *img, const struct superblock *sb,
            uint inum, struct dinode *din)
{
  const uchar *raw = dinode_bytes(img, sb, inum);
  const uchar *addrs = raw + offsetof(struct dinode, addrs);

  din->type = (short)GET_U16_FIELD(raw, struct dinode, type);
  din->major = (short)GET_U16_FIELD(raw, struct dinode, major);
  din->minor = (short)GET_U16_FIELD(raw, struct dinode, minor);
  din->nlink = (short)GET_U16_FIELD(raw, struct dinode, nlink);
  din->size = GET_U32_FIELD(raw, struct dinode, size);
  for (int i = 0; i < NDIRECT + 2; i++)
    din->addrs[i] = get_u32(addrs + i * sizeof(uint));
}

void
write_dinode(struct image *img, const struct superblock *sb,
             uint inum, const struct dinode *din)
{
  uchar *raw = dinode_bytes(img, sb, inum);
  uchar *addrs = raw + offsetof(struct dinode, addrs);

  PUT_U16_FIELD(raw, struct dinode, type, (ushort)din->type);
  PUT_U16_FIELD(raw, struct dinode, major, (ushort)din->major);
  PUT_U16_FIELD(raw, struct dinode, minor, (ushort)din->minor);
  PUT_U16_FIELD(raw, struct dinode, nlink, (ushort)din->nlink);
  PUT_U32_FIELD(raw, struct dinode, size, din->size);
  for (int i = 0; i < NDIRECT + 2; i++)
    put_u32(addrs + i * sizeof(uint), din->addrs[i]);
}

void
decode_dirent(const uchar *raw, struct dirent *de)
{
  de->inum = GET_U16_FIELD(raw, struct dirent, inum);
  memcpy(de->name, raw + offsetof(struct dirent, name), DIRSIZ);
}

void
encode_dirent(uchar *raw, const struct dirent *de)
{
  PUT_U16_FIELD(raw, struct dirent, inum, de->inum);
  memcpy(raw + offsetof(struct dirent, name), de->name, DIRSIZ);
}

void
read_logheader(const struct image *img, const struct superblock *sb,
               struct logheader *lh)
{
  const uchar *raw = image_block(img, sb->logstart);
  const uchar *blocks = raw + offsetof(struct logheader, block);
  size_t slots = sizeof(lh->block) / sizeof(lh->block[0]);

  lh->n = GET_U32_FIELD(raw, struct logheader, n);
  for (size_t i = 0; i < slots; i++)
    lh->block[i] = get_u32(blocks + i * sizeof(uint));
}

/* The byte of the bitmap that holds bno's bit, and the bit inside it. */
static uchar *
bitmap_byte(const struct image *img, const struct superblock *sb, uint bno)
{
  return image_block(img, BBLOCK(bno, *sb)) + (bno % BPB) / BITS_PER_BYTE;
}

static uchar
bitmap_mask(uint bno)
{
  return (uchar)(1u << (bno % BITS_PER_BYTE));
}

int
bitmap_is_set(const struct image *img, const struct superblock *sb, uint bno)
{
  return (*bitmap_byte(img, sb, bno) & bitmap_mask(bno)) != 0;
}

void
bitmap_set(struct image *img, const struct superblock *sb, uint bno)
{
  *bitmap_byte(img, sb, bno) |= bitmap_mask(bno);
}

uint
blocks_needed(uint count, uint per_block)
{
  return count / per_block + (count % per_block != 0);
}
