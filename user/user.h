/*
 * Everything a Rivet user program can call: the system calls (stubs in
 * user/lib/usys.S) and the small C library in user/lib/.
 *
 * Include "kernel/types.h" before this file, as xv6 programs do.
 */
#ifndef RIVET_USER_H
#define RIVET_USER_H

#include "kernel/types.h"
#include "kernel/errno.h"
#include "kernel/procinfo.h"
#include "kernel/vm.h"
#include "kernel/failinject.h"
#include "kernel/staterec.h"

struct stat;

#define SBRK_ERROR ((char *)-1) /* what sbrk() and sbrklazy() return on failure */

/*
 * System calls. On failure each returns -1 and stores the reason
 * (an E... code from kernel/errno.h) in errno.
 */
int fork(void);
int exit(int status) __attribute__((noreturn));
int wait(int *status);
int pipe(int *fds);
int write(int fd, const void *buf, int n);
int read(int fd, void *buf, int n);
int close(int fd);
int kill(int pid);
int exec(const char *path, char **argv);
int open(const char *path, int flags);
int mknod(const char *path, short major, short minor);
int unlink(const char *path);
int fstat(int fd, struct stat *st);
int link(const char *oldpath, const char *newpath);
int mkdir(const char *path);
int chdir(const char *path);
int dup(int fd);
int getpid(void);
char *sys_sbrk(int nbytes, int kind); /* kind: SBRK_EAGER or SBRK_LAZY (kernel/vm.h) */
int pause(int ticks);   /* one tick is 10 ms */
int uptime(void);       /* ticks since boot */
int waitpid(int pid, int *status, int options); /* pid -1: any child */
int getppid(void);
int suspend(int pid);
int resume(int pid);
int procinfo(int pid, struct procinfo *info);
int getprocs(struct procinfo *buf, int max);    /* returns the count */
int sysinfo(struct sysinfo *info);
int lseek(int fd, int offset, int whence);
int fsync(int fd);
int sync(void);
int poweroff(int status) __attribute__((noreturn));
uint64 uptime_ns(void);
int dup2(int oldfd, int newfd);
int failctl(int cmd, struct fail_report *report); /* kernel/failinject.h */
/* The state-change record (kernel/staterec.h): op STATEREC_START, _STOP,
 * _READ (buf, max: returns the count), _STATUS (buf: struct staterec_status). */
int staterec(int op, void *buf, int max);
/* Report each later call numbered n (bit n of mask) when it returns, for
 * this process and the children it forks: "PID: syscall NAME -> RESULT". */
int trace(uint64 mask);
/* Call handler after every `ticks` ticks of CPU time this process uses
 * (sigalarm(0, 0) stops it); the handler ends with sigreturn(), which
 * resumes the interrupted code with all its registers. */
int sigalarm(int ticks, void (*handler)(void));
int sigreturn(void);

/* user/lib/ulib.c */
int sleep(int ticks);       /* older xv6 name for pause() */
/* user/lib/usys.S: grow (or shrink) the heap by nbytes; the old break, or SBRK_ERROR.
 * sbrk() is refused (ENOMEM) when memory cannot back the growth; pages are
 * still found lazily, on first touch. sbrklazy() promises nothing: a page
 * touched when memory is out kills the process. */
char *sbrk(int nbytes);
char *sbrklazy(int nbytes);
int stat(const char *path, struct stat *st);
char *gets(char *buf, int max);
int atoi(const char *s);
int parse_int(const char *s, int *value); /* 0 if all of s is a number */
int isdigit(int c);
int isspace(int c);

/* user/lib/string.c: the kernel's types (kernel/lib/lib.h) for the functions both have */
char *strcpy(char *dst, const char *src);
char *strncpy(char *dst, const char *src, int n);
char *strcat(char *dst, const char *src);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, uint64 n);
int strlen(const char *s);
char *strchr(const char *s, char c);
void *memset(void *dst, int c, uint64 n);
void *memmove(void *dst, const void *src, uint64 n);
void *memcpy(void *dst, const void *src, uint64 n);
int memcmp(const void *a, const void *b, uint64 n);

/* user/lib/printf.c: one call produces one write() (unless very long) */
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* user/lib/malloc.c */
void *malloc(uint nbytes);
void free(void *ptr);

/* user/lib/errno.c */
extern int errno;
const char *strerror(int code);

#endif
