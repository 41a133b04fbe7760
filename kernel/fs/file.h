/*
 * Open files. A struct file is what a file descriptor refers to: an inode
 * with a read/write offset, a device, or one end of a pipe. fork and dup
 * share one struct file between descriptors (and so share its offset).
 */
#ifndef RIVET_FS_FILE_H
#define RIVET_FS_FILE_H

#include "kernel/types.h"

struct proc;
struct inode;
struct pipe;

enum file_kind { FILE_NONE, FILE_PIPE, FILE_INODE, FILE_DEVICE };

struct file {
  /* Guarded by the file table lock. */
  enum file_kind kind;
  int ref;

  /* Set by the opener before the file is shared, then fixed. */
  char readable;
  char writable;
  char append;        /* O_APPEND: every write goes to the end */
  struct pipe *pipe;  /* FILE_PIPE */
  struct inode *ip;   /* FILE_INODE; FILE_DEVICE if opened by name (else 0) */
  short major;        /* FILE_DEVICE */

  uint off;           /* FILE_INODE: guarded by ip's lock */
};

/* A file with ref 1 and kind FILE_NONE, or 0 if the table is full. */
struct file *filealloc(void);
struct file *filedup(struct file *f);
void fileclose(struct file *f);

/* These take user addresses of the current process; bytes or -errno. */
int fileread(struct file *f, uint64 addr, int n);
int filewrite(struct file *f, uint64 addr, int n);
int filestat(struct file *f, uint64 addr);
int filelseek(struct file *f, int offset, int whence); /* new offset */
int filefsync(struct file *f);

/* A new pipe: *rf reads from it and *wf writes to it. 0 or -errno. */
int pipealloc(struct file **rf, struct file **wf);

/* --- per-process file state, for the process layer --- */
void files_fork(struct proc *child, struct proc *parent); /* dup ofile[] and cwd */
void files_exit(struct proc *p);                  /* close all; drop cwd */
/* Make fds 0, 1 and 2 of p one device file for major (no inode needed). */
int files_open_console(struct proc *p, int major);
void files_set_root_cwd(struct proc *p);

#endif
