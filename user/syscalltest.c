/*
 * syscalltest: the syscall lab's in-guest checks (labs/syscall/).
 *
 *   syscalltest TOKEN sysinfo   sysinfo() against known changes; verdict
 *                               "syscalltest: PASS TOKEN" or FAIL lines
 *   syscalltest TOKEN calls     a fixed sequence of system calls for
 *                               `trace MASK syscalltest TOKEN calls` to
 *                               trace; prints "calls: parent P child C"
 *
 * sysinfo: growing the heap by N pages promises N pages, so freemem drops
 * by exactly N * 4096 bytes and comes back when the heap shrinks; nproc is
 * the number of processes getprocs() lists, and a child adds one to it
 * until it is reaped; a bad buffer pointer (null, the
 * kernel, unmapped, read-only text) gives EFAULT and nothing else happens.
 *
 * calls, in this order (the tracer's lines name each one with its result):
 *   pipe -> 0, write(3 bytes) -> 3, read(2 bytes) -> 2, dup2(read end, 10)
 *   -> 10, fork -> C; the child: write(1 byte) -> 1, exit; the parent:
 *   wait -> C, read -> 2, close(10) -> 0, then one write of its line.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/procinfo.h"
#include "kernel/sysinfo.h"
#include "user/user.h"

#define HEAP_PAGES 10
#define PAGE_BYTES 4096
#define KERNEL_ADDRESS 0x80200000UL
#define UNMAPPED_GAP (1UL << 20) /* far past the break: never mapped */
#define DUP_FD 10

static int failed;
static struct procinfo table[NPROC]; /* getprocs' answer */

#define CHECK(cond, fmt, ...)                                    \
  do {                                                           \
    if (!(cond)) {                                               \
      printf("syscalltest: FAIL " fmt "\n", ##__VA_ARGS__);      \
      failed = 1;                                                \
    }                                                            \
  } while (0)

static struct sysinfo
info_now(void)
{
  struct sysinfo si;
  memset(&si, 0, sizeof si);
  CHECK(sysinfo(&si) == 0, "sysinfo: %s", strerror(errno));
  return si;
}

static void
check_freemem(void)
{
  uint64 before = info_now().freemem;
  CHECK(before >= HEAP_PAGES * PAGE_BYTES, "freemem %lu before sbrk, want at least %d pages",
        before, HEAP_PAGES);
  CHECK(sbrk(HEAP_PAGES * PAGE_BYTES) != SBRK_ERROR, "sbrk(%d pages): %s", HEAP_PAGES,
        strerror(errno));
  uint64 grown = info_now().freemem;
  CHECK(grown == before - HEAP_PAGES * PAGE_BYTES,
        "freemem %lu after sbrk of %d pages, want %lu (%lu before)", grown, HEAP_PAGES,
        before - HEAP_PAGES * PAGE_BYTES, before);
  CHECK(sbrk(-HEAP_PAGES * PAGE_BYTES) != SBRK_ERROR, "sbrk(-%d pages): %s", HEAP_PAGES,
        strerror(errno));
  uint64 shrunk = info_now().freemem;
  CHECK(shrunk == before, "freemem %lu after the heap shrank back, want %lu", shrunk, before);
}

static void
check_nproc(void)
{
  uint64 before = info_now().nproc;
  CHECK(before >= 3, "nproc %lu, want at least 3 (init, sh, us)", before);
  int listed = getprocs(table, NPROC);
  CHECK(listed == (int)before, "nproc %lu, but getprocs lists %d processes", before, listed);
  int hold[2];
  CHECK(pipe(hold) == 0, "pipe: %s", strerror(errno));
  int pid = fork();
  if (pid == 0) {
    char c;
    close(hold[1]);
    read(hold[0], &c, 1); /* until the parent closes its end */
    exit(0);
  }
  CHECK(pid > 0, "fork: %s", strerror(errno));
  uint64 with_child = info_now().nproc;
  CHECK(with_child == before + 1, "nproc %lu with a child, want %lu", with_child, before + 1);
  close(hold[1]);
  close(hold[0]);
  CHECK(wait(0) == pid, "wait for the child: %s", strerror(errno));
  uint64 after = info_now().nproc;
  CHECK(after == before, "nproc %lu after the child was reaped, want %lu", after, before);
}

/* The traced sequence (see the header). */
static void
calls(void)
{
  int p[2];
  char buf[8];
  pipe(p);
  write(p[1], "abc", 3);
  read(p[0], buf, 2);
  dup2(p[0], DUP_FD);
  int pid = fork();
  if (pid == 0) {
    write(p[1], "z", 1);
    exit(0);
  }
  wait(0);
  read(p[0], buf, sizeof buf);
  close(DUP_FD);
  printf("calls: parent %d child %d\n", getpid(), pid);
}

static void
expect_efault(void *buf, const char *what)
{
  int r = sysinfo(buf);
  CHECK(r == -1 && errno == EFAULT, "sysinfo(%s): returned %d, errno %d; want -1, EFAULT (%d)",
        what, r, errno, EFAULT);
}

static void
check_bad_pointers(void)
{
  expect_efault(0, "null");
  expect_efault((void *)KERNEL_ADDRESS, "a kernel address");
  expect_efault(sbrk(0) + UNMAPPED_GAP, "an unmapped address");
  expect_efault((void *)calls, "read-only text");
  CHECK(info_now().nproc >= 3, "sysinfo works after the bad calls");
}

int
main(int argc, char **argv)
{
  if (argc != 3 || (strcmp(argv[2], "sysinfo") != 0 && strcmp(argv[2], "calls") != 0)) {
    fprintf(2, "usage: syscalltest TOKEN sysinfo|calls\n");
    exit(2);
  }
  if (strcmp(argv[2], "calls") == 0) {
    calls();
    exit(0);
  }
  check_freemem();
  check_nproc();
  check_bad_pointers();
  if (failed)
    exit(1);
  printf("syscalltest: PASS %s\n", argv[1]);
  exit(0);
}
