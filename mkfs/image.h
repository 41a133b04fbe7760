/*
 * A Rivet disk image held in host memory, and the translation between the
 * on-disk byte layout of kernel/fs.h and C structs on the host.
 *
 * The disk is little-endian (like RISC-V), but mkfs and fsck may run on any
 * host. So nothing here copies a struct to or from the disk in one piece:
 * every field is read or written byte by byte with get_u16/get_u32 and
 * put_u16/put_u32, at the offset the field has in the struct. Both the
 * RISC-V compiler and the host compiler lay the structs out the same way
 * (natural alignment, no padding); image.c checks the sizes at compile time.
 *
 * Shared by mkfs/mkfs.c and mkfs/fsck.c.
 */
#ifndef RIVET_MKFS_IMAGE_H
#define RIVET_MKFS_IMAGE_H

#include "kernel/types.h"
#include "kernel/fs.h"

/* The whole disk, one BSIZE block after another. */
struct image {
  uchar *bytes;
  uint nblocks;
};

/* Little-endian loads and stores at any (unaligned) address. */
ushort get_u16(const uchar *p);
uint get_u32(const uchar *p);
void put_u16(uchar *p, ushort value);
void put_u32(uchar *p, uint value);

/* Start of block bno; the caller makes sure bno < img->nblocks. */
uchar *image_block(const struct image *img, uint bno);

/* Block numbers stored in an indirect block: entry index of block bno. */
uint get_block_entry(const struct image *img, uint bno, uint index);
void put_block_entry(struct image *img, uint bno, uint index, uint value);

/* The superblock lives in block SUPERBLOCK_BLOCK (kernel/fs.h). */
void read_superblock(const struct image *img, struct superblock *sb);
void write_superblock(struct image *img, const struct superblock *sb);

/* Inode inum; the caller makes sure inum < sb->ninodes. */
void read_dinode(const struct image *img, const struct superblock *sb,
                 uint inum, struct dinode *din);
void write_dinode(struct image *img, const struct superblock *sb,
                  uint inum, const struct dinode *din);

/* One directory entry at raw (sizeof(struct dirent) bytes). */
void decode_dirent(const uchar *raw, struct dirent *de);
void encode_dirent(uchar *raw, const struct dirent *de);

/* The log header, at the first block of the log. */
void read_logheader(const struct image *img, const struct superblock *sb,
                    struct logheader *lh);

/* The free-block bitmap: bit bno % BPB of block BBLOCK(bno); 1 = in use. */
int bitmap_is_set(const struct image *img, const struct superblock *sb, uint bno);
void bitmap_set(struct image *img, const struct superblock *sb, uint bno);

/* Blocks needed to hold count items of which per_block fit in one block. */
uint blocks_needed(uint count, uint per_block);

#endif
