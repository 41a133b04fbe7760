/* System-wide limits visible to user programs (xv6-compatible names). */
#ifndef RIVET_PARAM_H
#define RIVET_PARAM_H

#define NPROC 128          /* size of the process table */
#define NCPU 8             /* most harts the kernel will start */
#define NOFILE 32          /* open files per process */
#define NFILE 512          /* open files in the whole system */
#define NINODE 256         /* in-memory inode cache entries */
#define NDEV 10            /* device numbers (major) */
#define ROOTDEV 1          /* device number of the file-system root disk */
#define CONSOLE 1          /* major device number of the console */
#define MAXARG 32          /* exec arguments guaranteed (more are allowed up to MAXARGBYTES) */
#define MAXARGV 511        /* hard cap on exec argument count (argv fits a page) */
#define MAXARGBYTES 65536  /* exec argument bytes */
#define MAXPATH 128        /* longest path name */
#define MAXOPBLOCKS 32     /* blocks one file-system operation may write */
#define NBUF 1024          /* buffer-cache blocks */
#define USERSTACK 2048     /* pages in the user stack region (8 MiB, filled lazily) */

#endif
