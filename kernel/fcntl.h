/* open() flags (xv6 values) and lseek() whence values. */
#ifndef RIVET_FCNTL_H
#define RIVET_FCNTL_H

#define O_RDONLY 0x000
#define O_WRONLY 0x001
#define O_RDWR 0x002
#define O_CREATE 0x200
#define O_TRUNC 0x400
#define O_APPEND 0x800 /* Rivet addition: every write goes to the end */

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#endif
