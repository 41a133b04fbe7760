/*
 * The on-disk file-system format, shared by the kernel, mkfs, fsck and user
 * programs that read directories (xv6-compatible names: DIRSIZ, struct dirent).
 *
 * Disk layout, in BSIZE blocks:
 *   [ boot | super | log header + log blocks | inode blocks | bitmap | data ... ]
 *     0      1       sb.logstart               sb.inodestart  sb.bmapstart
 */
#ifndef RIVET_FS_H
#define RIVET_FS_H

#include "kernel/types.h"

#define BSIZE 1024          /* block size in bytes */
#define ROOTINO 1           /* inode number of the root directory "/" */
#define FSMAGIC 0x52495654  /* "RIVT" */

struct superblock {
  uint magic;       /* FSMAGIC */
  uint size;        /* total blocks in the image */
  uint nblocks;     /* data blocks */
  uint ninodes;     /* inodes */
  uint nlog;        /* log blocks, including the header block */
  uint logstart;    /* first log block (the header) */
  uint inodestart;  /* first inode block */
  uint bmapstart;   /* first free-bitmap block */
  uint datastart;   /* first data block */
};

#define NDIRECT 11                      /* direct block numbers in an inode */
#define NINDIRECT (BSIZE / sizeof(uint)) /* block numbers in an indirect block */
#define NDINDIRECT (NINDIRECT * NINDIRECT)
#define MAXFILE (NDIRECT + NINDIRECT + NDINDIRECT) /* largest file, in blocks */
#define INDIRECT_SLOT NDIRECT           /* addrs[] index of the singly-indirect block */
#define DINDIRECT_SLOT (NDIRECT + 1)    /* addrs[] index of the doubly-indirect block */

/* An inode on disk. type 0 means free. */
struct dinode {
  short type;               /* T_DIR, T_FILE, T_DEVICE (kernel/stat.h) or 0 */
  short major;              /* device numbers (T_DEVICE only) */
  short minor;
  short nlink;              /* directory entries naming this inode */
  uint size;                /* bytes */
  uint addrs[NDIRECT + 2];  /* direct, singly-indirect, doubly-indirect */
};

#define IPB (BSIZE / sizeof(struct dinode))      /* inodes per block */
#define IBLOCK(inum, sb) ((inum) / IPB + (sb).inodestart)
#define BPB (BSIZE * 8)                          /* bitmap bits per block */
#define BBLOCK(b, sb) ((b) / BPB + (sb).bmapstart)

/* A directory is a file of these records; inum 0 marks a free entry. */
#define DIRSIZ 14
struct dirent {
  ushort inum;
  char name[DIRSIZ]; /* NUL-padded; not NUL-terminated when DIRSIZ long */
};

/* The log header block: the home block numbers of the committed log blocks. */
struct logheader {
  uint n;                      /* committed blocks; 0 = log empty */
  uint block[BSIZE / sizeof(uint) - 1];
};

/*
 * Rules on the layout that the kernel, mkfs and fsck share (the macros
 * that name MAXOPBLOCKS need kernel/param.h):
 *  - block 0 is left for a boot loader; the superblock is block 1;
 *  - the log is a header block, then the logged blocks. The header lists
 *    at most LOG_HEADER_SLOTS, so the tail of a longer log goes unused
 *    (LOG_SLOTS), and a log must hold one operation (LOG_MIN_BLOCKS);
 *  - freeing a file may clear bits in every bitmap block in one operation
 *    that also writes up to four other blocks (the directory block, two
 *    inode blocks, one to spare): that bounds the bitmap, so the disk.
 */
#define SUPERBLOCK_BLOCK 1
#define LOG_HEADER_BLOCKS 1
#define LOG_HEADER_SLOTS ((uint)(sizeof(((struct logheader *)0)->block) / sizeof(uint)))
#define LOG_SLOTS(nlog)                                                                  \
  ((nlog) - LOG_HEADER_BLOCKS < LOG_HEADER_SLOTS ? (nlog) - LOG_HEADER_BLOCKS : LOG_HEADER_SLOTS)
#define LOG_MIN_BLOCKS (LOG_HEADER_BLOCKS + MAXOPBLOCKS)
#define MAX_BITMAP_BLOCKS (MAXOPBLOCKS - 4)

#endif
