/*
 * Error codes. A system call that fails returns -code to the user stub,
 * which stores code in errno and returns -1 (so xv6 programs see -1).
 * The numbers follow the traditional Unix ones.
 */
#ifndef RIVET_ERRNO_H
#define RIVET_ERRNO_H

#define EPERM 1         /* operation not permitted */
#define ENOENT 2        /* no such file or directory */
#define ESRCH 3         /* no such process */
#define EINTR 4         /* interrupted (process killed while blocked) */
#define EIO 5           /* input/output error */
#define E2BIG 7         /* argument list too long */
#define ENOEXEC 8       /* exec format error */
#define EBADF 9         /* bad file descriptor */
#define ECHILD 10       /* no child processes */
#define EAGAIN 11       /* resource temporarily unavailable */
#define ENOMEM 12       /* out of memory */
#define EACCES 13       /* permission denied (e.g. exec of a non-file) */
#define EFAULT 14       /* bad address */
#define EBUSY 16        /* device or resource busy */
#define EEXIST 17       /* file exists */
#define EXDEV 18        /* cross-device link */
#define ENODEV 19       /* no such device */
#define ENOTDIR 20      /* not a directory */
#define EISDIR 21       /* is a directory */
#define EINVAL 22       /* invalid argument */
#define ENFILE 23       /* too many open files in the system */
#define EMFILE 24       /* too many open files */
#define ETXTBSY 26      /* text file busy */
#define EFBIG 27        /* file too large */
#define ENOSPC 28       /* no space left on device */
#define ESPIPE 29       /* illegal seek */
#define EMLINK 31       /* too many links */
#define EPIPE 32        /* broken pipe */
#define ENAMETOOLONG 36 /* file name too long */
#define ENOSYS 38       /* no such system call */
#define ENOTEMPTY 39    /* directory not empty */
#define ERRNO_MAX 39

#endif
