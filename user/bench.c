/*
 * bench: Rivet's benchmark suite (the guest half; scripts/bench is the host
 * half that boots Rivet, runs this program and makes the table).
 *
 *   bench [-q] all          every benchmark of the suite, in table order
 *   bench [-q] NAME...      only these (names in the table at the end)
 *   bench [-q] io           wall-clock file I/O (not part of "all": for a
 *                           boot without -icount, on a big disk image)
 *   bench [-q] scale        4 CPU-bound processes (not part of "all": the
 *                           host runs it in boots of its own, 1/2/4 harts)
 *
 * -q (quick) runs far fewer iterations: for the harness's smoke test only.
 *
 * Output, one line per result, for scripts/bench to parse:
 *
 *   BENCH <name> <iterations> <total_ns> <ns_per_op> [<MiB/s>] [cpu=NS waits=N]
 *   BENCHFAIL <name> <why>               a check failed: no result line
 *   BENCHEND <pass|fail> <failures>      the last line
 *
 * ns_per_op and MiB/s have two decimals. cpu= and waits= (file benchmarks
 * only) are the measuring process's own CPU time and voluntary context
 * switches over the whole interval (see usage_now()). Exit status 0 when
 * every selected benchmark passed its checks, 1 otherwise.
 *
 * Time. Every interval is read from the time CSR with rdtime, which user
 * mode may execute (no system call inside the measurement). QEMU's virt
 * machine counts it at 10 MHz (timebase-frequency in the device tree), so
 * one count is 100 ns; main() checks that assumption against uptime_ns()
 * once and fails the run if it does not hold. Under -icount shift=0 the
 * guest clock advances 1 ns per instruction executed, so the numbers are
 * instruction counts (with a 100-instruction granularity per reading).
 *
 * Each benchmark runs in a child process forked from bench itself, so that
 * one benchmark's heap never makes the next one's fork bigger, and each
 * does a short warm-up before its clock starts (pages of bench mapped,
 * program files in the buffer cache). Every benchmark checks its results:
 * a wrong answer is a failure, never a fast run.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/procinfo.h"
#include "user/user.h"

/* ------------------------------------------------------------------ */
/* Clock                                                              */
/* ------------------------------------------------------------------ */

#define TIMEBASE_HZ 10000000UL                    /* QEMU virt: 10 MHz */
#define NS_PER_SEC 1000000000UL
#define NS_PER_COUNT (NS_PER_SEC / TIMEBASE_HZ)   /* 100 ns per count */
#define TIMEBASE_SLACK_NS 1000000UL               /* 1 ms */

static inline uint64
rdtime(void)
{
  uint64 t;
  asm volatile("rdtime %0" : "=r"(t));
  return t;
}

static inline uint64
now_ns(void)
{
  return rdtime() * NS_PER_COUNT;
}

/* ------------------------------------------------------------------ */
/* Reporting                                                          */
/* ------------------------------------------------------------------ */

#define PAGE_SIZE 4096
#define KIB 1024UL
#define MIB (1024UL * 1024UL)

static int quick;          /* -q: few iterations */
static const char *current; /* name of the benchmark running */

/* Prints v/100 with two decimals. */
static void
print_hundredths(uint64 v)
{
  printf(" %lu.%s%lu", v / 100, v % 100 < 10 ? "0" : "", v % 100);
}

/* What the process itself used over an interval (procinfo): CPU time
 * (kernel and user, only while it runs) and voluntary context switches
 * (each one a sleep: waiting for the disk, a pipe, a lock). */
struct usage {
  uint64 cpu_ns;
  uint64 waits;
};

/* One result line. bytes > 0 adds the throughput in MiB/s; use, when not
 * null, adds "cpu=NS waits=N" for the measuring process. */
static void
report_use(const char *name, uint64 iters, uint64 total_ns, uint64 bytes, const struct usage *use)
{
  if (iters == 0)
    iters = 1;
  if (total_ns == 0)
    total_ns = 1;
  printf("BENCH %s %lu %lu", name, iters, total_ns);
  print_hundredths(total_ns * 100 / iters);
  if (bytes > 0)
    print_hundredths(bytes * 100 * NS_PER_SEC / MIB / total_ns);
  if (use)
    printf(" cpu=%lu waits=%lu", use->cpu_ns, use->waits);
  printf("\n");
}

static void
report(const char *name, uint64 iters, uint64 total_ns, uint64 bytes)
{
  report_use(name, iters, total_ns, bytes, 0);
}

/*
 * The file benchmarks report usage too: while a process waits for the
 * disk, -icount sleep=off moves the clock straight to the next timer tick
 * again and again until the host completes the I/O, so elapsed guest time
 * there depends on the host's disk latency; CPU time and waits do not.
 */
static struct usage
usage_now(void)
{
  struct procinfo info;
  struct usage u = {0, 0};
  if (procinfo(getpid(), &info) == 0) {
    u.cpu_ns = info.runtime_us * 1000;
    u.waits = info.nvcsw;
  }
  return u;
}

/* Usage between two readings. */
static struct usage
usage_since(struct usage before)
{
  struct usage now = usage_now();
  now.cpu_ns -= before.cpu_ns;
  now.waits -= before.waits;
  return now;
}

/* A failed check: say which benchmark and why, and fail its process. */
#define CHECK_FAIL_FORMAT "BENCHFAIL %s "
#include "user/check.h"

/* Iteration count: full, or the quick one under -q. */
static int
count(int full, int small)
{
  return quick ? small : full;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

#define EXEC_FAILED 127      /* a child whose exec failed exits with this */
#define TINY_PATH "/bench_tiny"
#define TINY_STATUS 42       /* bench_tiny's exit status */
#define BIG_PATH "/bench_big"
#define BIG_STATUS 43        /* bench_big's, when its data byte was right */
#define FAULT_PATH "/bench_fault"

/* Waits for child pid; fails unless it exited with status want. */
static void
reap(int pid, int want, const char *what)
{
  int status;
  int got = wait(&status);
  CHECK(got == pid, current, "%s: wait returned %d, want pid %d", what, got, pid);
  CHECK(status == want, current, "%s: exit status %d, want %d", what, status, want);
}

/* fork + exec path + wait; fails unless the program exits with want. */
static void
spawn(const char *path, char **argv, int want)
{
  int pid = fork();
  CHECK(pid >= 0, current, "fork: %s", strerror(errno));
  if (pid == 0) {
    exec(path, argv);
    exit(EXEC_FAILED);
  }
  reap(pid, want, path);
}

/* Writes all n bytes or fails. */
static void
write_all(int fd, const void *buf, int n)
{
  CHECK(write(fd, buf, n) == n, current, "write of %d bytes: %s", n, strerror(errno));
}

/* Reads exactly n bytes (in as many reads as it takes) or fails. */
static void
read_all(int fd, void *buf, int n)
{
  char *p = buf;
  while (n > 0) {
    int got = read(fd, p, n);
    CHECK(got > 0, current, "read: %d (%s)", got, got < 0 ? strerror(errno) : "end of file");
    p += got;
    n -= got;
  }
}

/* A heap buffer with every page already touched. */
static uchar *
alloc_touched(uint64 n)
{
  uchar *p = (uchar *)sbrk(n);
  CHECK(p != (uchar *)-1, current, "sbrk(%lu): %s", n, strerror(errno));
  for (uint64 i = 0; i < n; i += PAGE_SIZE)
    p[i] = 0;
  return p;
}

/* Fills n bytes (n a multiple of 8) with a pseudo-random sequence. */
static void
fill_random(uchar *buf, uint64 n, uint64 seed)
{
  uint64 x = seed | 1;
  uint64 *w = (uint64 *)buf;
  for (uint64 i = 0; i < n / 8; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    w[i] = x;
  }
}

/* An order-sensitive checksum of n bytes (n a multiple of 8): FNV-1a
 * over 64-bit words. */
static uint64
checksum(const uchar *buf, uint64 n)
{
  const uint64 *w = (const uint64 *)buf;
  uint64 h = 14695981039346656037UL;
  for (uint64 i = 0; i < n / 8; i++)
    h = (h ^ w[i]) * 1099511628211UL;
  return h;
}

/* Index of the first differing 8-byte word, or -1 when equal. */
static int64
compare_words(const uchar *a, const uchar *b, uint64 n)
{
  const uint64 *x = (const uint64 *)a, *y = (const uint64 *)b;
  for (uint64 i = 0; i < n / 8; i++)
    if (x[i] != y[i])
      return i;
  return -1;
}

/* ------------------------------------------------------------------ */
/* Processes                                                          */
/* ------------------------------------------------------------------ */

/* getpid: the null system call. */
static void
bench_getpid(void)
{
  int n = count(150000, 2000);
  int me = getpid(), bad = 0;
  for (int i = 0; i < 100; i++)
    bad |= getpid() ^ me;
  uint64 t0 = now_ns();
  for (int i = 0; i < n; i++)
    bad |= getpid() ^ me;
  uint64 t1 = now_ns();
  CHECK(bad == 0, current, "getpid returned something other than %d", me);
  report("getpid", n, t1 - t0, 0);
}

/* forkexit: fork, the child exits at once, the parent waits. Each child
 * exits with its own status, which the parent checks. */
static void
forkexit_once(int i)
{
  int pid = fork();
  CHECK(pid >= 0, current, "fork %d: %s", i, strerror(errno));
  if (pid == 0)
    exit(i & 0x7f);
  reap(pid, i & 0x7f, "child");
}

static void
bench_forkexit(void)
{
  int n = count(2000, 50);
  for (int i = 0; i < 5; i++)
    forkexit_once(i);
  uint64 t0 = now_ns();
  for (int i = 0; i < n; i++)
    forkexit_once(i);
  uint64 t1 = now_ns();
  report("forkexit", n, t1 - t0, 0);
}

/* exectiny / execbig: fork + exec + wait; the exit status shows that the
 * program really ran (and, for bench_big, read the right data byte). */
static void
bench_exec(const char *name, const char *path, int want, int n)
{
  char *argv[] = {(char *)path + 1, 0};
  for (int i = 0; i < 2; i++)
    spawn(path, argv, want);
  uint64 t0 = now_ns();
  for (int i = 0; i < n; i++)
    spawn(path, argv, want);
  uint64 t1 = now_ns();
  report(name, n, t1 - t0, 0);
}

static void
bench_exectiny(void)
{
  bench_exec("exectiny", TINY_PATH, TINY_STATUS, count(600, 20));
}

static void
bench_execbig(void)
{
  bench_exec("execbig", BIG_PATH, BIG_STATUS, count(20, 4));
}

/* exec1mib: the same with exectest_big (192 KiB of initialized data and
 * 2 MiB of bss; the name is older than its present size), of which it
 * reads one byte: with lazy loading it costs about what exectiny does. */
static void
bench_exec1mib(void)
{
  char *argv[] = {"exectest_big", "quiet", 0};
  int n = count(20, 4);
  for (int i = 0; i < 2; i++)
    spawn("/exectest_big", argv, 0);
  uint64 t0 = now_ns();
  for (int i = 0; i < n; i++)
    spawn("/exectest_big", argv, 0);
  report("exec1mib", n, now_ns() - t0, 0);
}

/* ------------------------------------------------------------------ */
/* Pipes                                                              */
/* ------------------------------------------------------------------ */

/* pingpong: the parent sends a byte, the child sends back byte + 1. */
static void
bench_pingpong(void)
{
  int n = count(5000, 200);
  int down[2], up[2];
  CHECK(pipe(down) == 0 && pipe(up) == 0, current, "pipe: %s", strerror(errno));
  int pid = fork();
  CHECK(pid >= 0, current, "fork: %s", strerror(errno));
  if (pid == 0) {
    close(down[1]);
    close(up[0]);
    uchar c;
    int got;
    while ((got = read(down[0], &c, 1)) == 1) {
      c++;
      if (write(up[1], &c, 1) != 1)
        exit(2);
    }
    exit(got == 0 ? 0 : 3);
  }
  close(down[0]);
  close(up[1]);
  uint64 t0 = 0;
  for (int i = -10; i < n; i++) { /* 10 warm-up round trips */
    if (i == 0)
      t0 = now_ns();
    uchar c = i, r;
    write_all(down[1], &c, 1);
    read_all(up[0], &r, 1);
    CHECK(r == (uchar)(c + 1), current, "round trip %d: got %d, want %d", i, r, (uchar)(c + 1));
  }
  uint64 t1 = now_ns();
  close(down[1]);
  close(up[0]);
  reap(pid, 0, "echo child");
  report("pingpong", n, t1 - t0, 0);
}

/* pipebw: 1 MiB through a pipe in 512-byte writes to a reading child. The
 * child reads as much as each read gives into a buffer, notes the time
 * when the last byte arrived, and sends back that time, the byte count and
 * a checksum, which the parent compares with its own. */
#define PIPEBW_CHUNK 512

struct pipebw_result {
  uint64 end_ns;
  uint64 bytes;
  uint64 sum;
};

static void
bench_pipebw(void)
{
  uint64 total = quick ? 64 * KIB : MIB;
  uchar *src = alloc_touched(total);
  fill_random(src, total, 0x9e3779b97f4a7c15UL);
  uint64 want = checksum(src, total);

  int data[2], back[2];
  CHECK(pipe(data) == 0 && pipe(back) == 0, current, "pipe: %s", strerror(errno));
  int pid = fork();
  CHECK(pid >= 0, current, "fork: %s", strerror(errno));
  if (pid == 0) {
    close(data[1]);
    close(back[0]);
    uchar *dst = alloc_touched(total + PAGE_SIZE);
    struct pipebw_result res = {0, 0, 0};
    write_all(back[1], &res, 1);            /* ready */
    int got;
    while ((got = read(data[0], dst + res.bytes, total + PAGE_SIZE - res.bytes)) > 0) {
      res.bytes += got;
      if (res.bytes == total)
        res.end_ns = now_ns();
      if (res.bytes > total)
        break;
    }
    res.sum = checksum(dst, total);
    write_all(back[1], &res, sizeof res);
    exit(0);
  }
  close(data[0]);
  close(back[1]);
  uchar ready;
  read_all(back[0], &ready, 1);
  uint64 t0 = now_ns();
  for (uint64 off = 0; off < total; off += PIPEBW_CHUNK)
    write_all(data[1], src + off, PIPEBW_CHUNK);
  close(data[1]);
  struct pipebw_result res;
  read_all(back[0], &res, sizeof res);
  reap(pid, 0, "reader");
  CHECK(res.bytes == total, current, "reader got %lu bytes, want %lu", res.bytes, total);
  CHECK(res.sum == want, current, "checksum %lx, want %lx", res.sum, want);
  CHECK(res.end_ns >= t0, current, "reader's clock is behind the writer's");
  report("pipebw", total / PIPEBW_CHUNK, res.end_ns - t0, total);
}

/* ------------------------------------------------------------------ */
/* Memory                                                             */
/* ------------------------------------------------------------------ */

/* sbrk: grow the heap a page at a time, write one byte of each new page,
 * shrink back every 4 MiB. Each round writes at a different offset and
 * checks that the previous round's offset reads zero: a page given back
 * by the shrink must come back zeroed. */
#define SBRK_ROUND_PAGES 1024 /* 4 MiB */

static void
bench_sbrk(void)
{
  int rounds = count(4, 1); /* 16 MiB */
  char *base = sbrk(0);
  uint64 t0 = now_ns();
  for (int r = 0; r < rounds; r++) {
    int off = (r % 8) * 64, prev = ((r + 7) % 8) * 64;
    for (int i = 0; i < SBRK_ROUND_PAGES; i++) {
      char *p = sbrk(PAGE_SIZE);
      CHECK(p == base + (uint64)i * PAGE_SIZE, current, "sbrk returned %p, want %p", p,
            base + (uint64)i * PAGE_SIZE);
      p[off] = 1 + r;
      CHECK(p[prev] == 0, current, "round %d page %d: stale byte %d", r, i, p[prev]);
    }
    char *top = sbrk(-SBRK_ROUND_PAGES * PAGE_SIZE);
    CHECK(top == base + SBRK_ROUND_PAGES * PAGE_SIZE, current, "shrinking sbrk returned %p", top);
  }
  uint64 t1 = now_ns();
  CHECK(sbrk(0) == base, current, "break did not come back to %p", base);
  report("sbrk", (uint64)rounds * SBRK_ROUND_PAGES, t1 - t0, 0);
}

/* pgfault: bench_fault times the faults itself (one text, data and zero
 * page at a time) and prints their BENCH lines. A first run with "warm"
 * only fills the buffer cache with its file. */
static void
bench_pgfault(void)
{
  char *warm[] = {"bench_fault", "warm", 0};
  char *run[] = {"bench_fault", "run", 0};
  spawn(FAULT_PATH, warm, 0);
  spawn(FAULT_PATH, run, 0);
}

/* ------------------------------------------------------------------ */
/* Files                                                              */
/* ------------------------------------------------------------------ */

#define SMALLFILE_NAME "bench.small"
#define SMALLFILE_SIZE 1024

static void
smallfile_once(const uchar *buf)
{
  int fd = open(SMALLFILE_NAME, O_CREATE | O_WRONLY);
  CHECK(fd >= 0, current, "create %s: %s", SMALLFILE_NAME, strerror(errno));
  write_all(fd, buf, SMALLFILE_SIZE);
  CHECK(close(fd) == 0, current, "close: %s", strerror(errno));
  CHECK(unlink(SMALLFILE_NAME) == 0, current, "unlink: %s", strerror(errno));
}

/* Creates the file as one iteration does, then reads it back. */
static void
smallfile_verify(const uchar *buf)
{
  uchar back[SMALLFILE_SIZE + 1];
  int fd = open(SMALLFILE_NAME, O_CREATE | O_WRONLY);
  CHECK(fd >= 0, current, "create %s: %s", SMALLFILE_NAME, strerror(errno));
  write_all(fd, buf, SMALLFILE_SIZE);
  close(fd);
  fd = open(SMALLFILE_NAME, O_RDONLY);
  CHECK(fd >= 0, current, "open %s: %s", SMALLFILE_NAME, strerror(errno));
  int got = read(fd, back, sizeof back);
  close(fd);
  CHECK(got == SMALLFILE_SIZE, current, "read back %d bytes, want %d", got, SMALLFILE_SIZE);
  CHECK(memcmp(back, buf, SMALLFILE_SIZE) == 0, current, "read back other bytes than written");
  CHECK(unlink(SMALLFILE_NAME) == 0, current, "unlink: %s", strerror(errno));
  CHECK(open(SMALLFILE_NAME, O_RDONLY) < 0, current, "%s still exists after unlink", SMALLFILE_NAME);
}

static void
bench_smallfile(void)
{
  int n = count(100, 10);
  uchar buf[SMALLFILE_SIZE];
  fill_random(buf, sizeof buf, 12345);
  unlink(SMALLFILE_NAME);
  smallfile_verify(buf);
  smallfile_once(buf);
  struct usage u0 = usage_now();
  uint64 t0 = now_ns();
  for (int i = 0; i < n; i++)
    smallfile_once(buf);
  uint64 t1 = now_ns();
  struct usage use = usage_since(u0);
  smallfile_verify(buf);
  report_use("smallfile", n, t1 - t0, 0, &use);
}

/* fwrite / fread: 1 MiB written as 4 files of 256 KiB in 4 KiB writes,
 * then read back in 4 KiB reads and compared (after the clock stops). */
#define FILEIO_FILES 4
#define FILEIO_IO 4096

static void
fileio_name(char *name, int f)
{
  strcpy(name, "bench.f0");
  name[7] = '0' + f;
}

static void
bench_fileio(void)
{
  uint64 per_file = quick ? 32 * KIB : 256 * KIB;
  uint64 total = per_file * FILEIO_FILES;
  uchar *src = alloc_touched(total);
  uchar *dst = alloc_touched(total);
  fill_random(src, total, 0x243f6a8885a308d3UL);
  char name[16];
  for (int f = 0; f < FILEIO_FILES; f++) {
    fileio_name(name, f);
    unlink(name);
  }

  struct usage u0 = usage_now();
  uint64 t0 = now_ns();
  for (int f = 0; f < FILEIO_FILES; f++) {
    fileio_name(name, f);
    int fd = open(name, O_CREATE | O_WRONLY | O_TRUNC);
    CHECK(fd >= 0, current, "create %s: %s", name, strerror(errno));
    for (uint64 off = 0; off < per_file; off += FILEIO_IO)
      write_all(fd, src + f * per_file + off, FILEIO_IO);
    CHECK(close(fd) == 0, current, "close: %s", strerror(errno));
  }
  uint64 t1 = now_ns();
  struct usage write_use = usage_since(u0);

  for (int f = 0; f < FILEIO_FILES; f++) {
    struct stat st;
    fileio_name(name, f);
    CHECK(stat(name, &st) == 0, current, "stat %s: %s", name, strerror(errno));
    CHECK(st.size == per_file, current, "%s has %lu bytes, want %lu", name, (uint64)st.size, per_file);
  }

  struct usage u2 = usage_now();
  uint64 t2 = now_ns();
  for (int f = 0; f < FILEIO_FILES; f++) {
    fileio_name(name, f);
    int fd = open(name, O_RDONLY);
    CHECK(fd >= 0, current, "open %s: %s", name, strerror(errno));
    for (uint64 off = 0; off < per_file; off += FILEIO_IO) {
      int got = read(fd, dst + f * per_file + off, FILEIO_IO);
      CHECK(got == FILEIO_IO, current, "read %s at %lu: %d", name, off, got);
    }
    uchar extra;
    CHECK(read(fd, &extra, 1) == 0, current, "%s: no end of file after %lu bytes", name, per_file);
    close(fd);
  }
  uint64 t3 = now_ns();
  struct usage read_use = usage_since(u2);

  int64 bad = compare_words(src, dst, total);
  CHECK(bad < 0, current, "byte %ld read back differs from what was written", bad * 8);
  for (int f = 0; f < FILEIO_FILES; f++) {
    fileio_name(name, f);
    CHECK(unlink(name) == 0, current, "unlink %s: %s", name, strerror(errno));
  }
  report_use("fwrite", total / FILEIO_IO, t1 - t0, total, &write_use);
  report_use("fread", total / FILEIO_IO, t3 - t2, total, &read_use);
}

/* kib: the kernel's own cost of read() and write() per KiB, with no disk
 * in the way: a 256 KiB file written in 64 KiB writes (write-back: no
 * commit happens meanwhile, the data stays in the buffer cache), then read
 * back from the cache in 64 KiB reads. Under -icount shift=0 one ns is one
 * instruction, so ns per KiB = instructions per KiB. */
#define KIB_FILE "bench.kib"
#define KIB_FILE_BYTES (256 * KIB)
#define KIB_IO (64 * KIB)

static void
bench_kib(void)
{
  uchar *src = alloc_touched(KIB_FILE_BYTES);
  uchar *dst = alloc_touched(KIB_FILE_BYTES);
  fill_random(src, KIB_FILE_BYTES, 0x9e3779b97f4a7c15UL);
  unlink(KIB_FILE);
  sync(); /* start with an empty transaction */

  int fd = open(KIB_FILE, O_CREATE | O_RDWR | O_TRUNC);
  CHECK(fd >= 0, current, "create %s: %s", KIB_FILE, strerror(errno));
  uint64 t0 = now_ns();
  for (uint64 off = 0; off < KIB_FILE_BYTES; off += KIB_IO)
    write_all(fd, src + off, KIB_IO);
  uint64 t1 = now_ns();
  CHECK(lseek(fd, 0, SEEK_SET) == 0, current, "lseek: %s", strerror(errno));
  uint64 t2 = now_ns();
  for (uint64 off = 0; off < KIB_FILE_BYTES; off += KIB_IO)
    read_all(fd, dst + off, KIB_IO);
  uint64 t3 = now_ns();
  close(fd);
  int64 bad = compare_words(src, dst, KIB_FILE_BYTES);
  CHECK(bad < 0, current, "byte %ld read back differs from what was written", bad * 8);
  CHECK(unlink(KIB_FILE) == 0, current, "unlink: %s", strerror(errno));
  report("wkib", KIB_FILE_BYTES / KIB, t1 - t0, KIB_FILE_BYTES);
  report("rkib", KIB_FILE_BYTES / KIB, t3 - t2, KIB_FILE_BYTES);
}

/* ------------------------------------------------------------------ */
/* Wall-clock I/O ("bench io", not part of "all")                    */
/* ------------------------------------------------------------------ */

/*
 * For a boot without -icount, where rdtime is the host's real clock:
 * what a user waits for, which depends on the host. scripts/bench runs
 * them on a disk image big enough for the 64 MiB file.
 *
 *   io_w64k / io_r64k   a 32 MiB file written in 64 KiB writes + fsync,
 *                       then read back in 64 KiB reads
 *   io_w1k / io_r1k     the same with 1 KiB writes and reads
 *   io_writebig         a 64 MiB file in 1 KiB writes + fsync (the
 *                       pattern of xv6 usertests' writebig, at Rivet's
 *                       largest file size)
 *   io_smallfile        create, write 1 KiB, close, unlink, many times
 *
 * Each 1 KiB block of the files starts with its own offset and a seed,
 * so the read checks find a block that is missing or misplaced.
 */
#define IO_FILE "bench.io"
#define IO_SEQ_BYTES (32 * MIB)
#define IO_BIG_BYTES (64 * MIB)
#define IO_SMALL_FILES 1000

static uint64 io_buf_words[KIB_IO / 8];

/* Label every KiB of buf, which will be written at file offset off. */
static void
io_label(uint64 off, int n, uint64 seed)
{
  for (int k = 0; k < n; k += KIB) {
    io_buf_words[k / 8] = off + k;
    io_buf_words[k / 8 + 1] = seed;
  }
}

static void
io_check(uint64 off, int n, uint64 seed)
{
  for (int k = 0; k < n; k += KIB)
    CHECK(io_buf_words[k / 8] == off + k && io_buf_words[k / 8 + 1] == seed, current,
          "block at %lu holds the label of %lu (seed %lx, want %lx)", off + k,
          io_buf_words[k / 8], io_buf_words[k / 8 + 1], seed);
}

/* Write total bytes in io-byte writes, fsync; the elapsed ns, and the
 * process's CPU time and sleeps in *use. */
static uint64
io_write_file(uint64 total, int io, uint64 seed, struct usage *use)
{
  unlink(IO_FILE);
  sync(); /* the unlinked blocks are free again; nothing pending */
  struct usage u0 = usage_now();
  uint64 t0 = now_ns();
  int fd = open(IO_FILE, O_CREATE | O_WRONLY | O_TRUNC);
  CHECK(fd >= 0, current, "create %s: %s", IO_FILE, strerror(errno));
  for (uint64 off = 0; off < total; off += io) {
    io_label(off, io, seed);
    write_all(fd, io_buf_words, io);
  }
  CHECK(fsync(fd) == 0, current, "fsync: %s", strerror(errno));
  uint64 t1 = now_ns();
  *use = usage_since(u0);
  close(fd);
  return t1 - t0;
}

static uint64
io_read_file(uint64 total, int io, uint64 seed, struct usage *use)
{
  struct usage u0 = usage_now();
  uint64 t0 = now_ns();
  int fd = open(IO_FILE, O_RDONLY);
  CHECK(fd >= 0, current, "open %s: %s", IO_FILE, strerror(errno));
  for (uint64 off = 0; off < total; off += io) {
    read_all(fd, io_buf_words, io);
    io_check(off, io, seed);
  }
  uchar extra;
  CHECK(read(fd, &extra, 1) == 0, current, "no end of file after %lu bytes", total);
  close(fd);
  uint64 t1 = now_ns();
  *use = usage_since(u0);
  return t1 - t0;
}

static void
io_sequential(const char *wname, const char *rname, int io, uint64 seed)
{
  uint64 total = quick ? IO_SEQ_BYTES / 16 : IO_SEQ_BYTES;
  struct usage wuse, ruse;
  uint64 w = io_write_file(total, io, seed, &wuse);
  uint64 r = io_read_file(total, io, seed, &ruse);
  report_use(wname, total / io, w, total, &wuse);
  report_use(rname, total / io, r, total, &ruse);
}

static void
bench_io(void)
{
  io_sequential("io_w64k", "io_r64k", KIB_IO, 0x64);
  io_sequential("io_w1k", "io_r1k", KIB, 0x1);

  uint64 big = quick ? IO_BIG_BYTES / 16 : IO_BIG_BYTES;
  struct usage use;
  uint64 w = io_write_file(big, KIB, 0xb16, &use);
  struct stat st;
  CHECK(stat(IO_FILE, &st) == 0 && st.size == big, current, "%s: size %lu, want %lu", IO_FILE,
        (uint64)st.size, big);
  report_use("io_writebig", big / KIB, w, big, &use);
  CHECK(unlink(IO_FILE) == 0, current, "unlink: %s", strerror(errno));
  sync();

  uchar buf[SMALLFILE_SIZE];
  fill_random(buf, sizeof buf, 777);
  smallfile_verify(buf);
  int n = count(IO_SMALL_FILES, 50);
  uint64 t0 = now_ns();
  for (int i = 0; i < n; i++)
    smallfile_once(buf);
  sync();
  uint64 t1 = now_ns();
  smallfile_verify(buf);
  report("io_smallfile", n, t1 - t0, 0);
}

/* ------------------------------------------------------------------ */
/* Context switches: a token ring (as lmbench's lat_ctx)              */
/* ------------------------------------------------------------------ */

/*
 * N processes in a ring of N pipes: bench (member 0) and N-1 children.
 * Each member reads the token (an int) from its left, adds one and writes
 * it to its right, so every hand-off is a pipe write, a wakeup and a
 * switch to the next process. After a round the token must have grown by
 * N-1. A negative token goes round once more and ends every member.
 * Each process holds only its own two ends (no fd limit at N=60).
 */
static void
ring_member(int in, int out)
{
  for (;;) {
    int token;
    if (read(in, &token, sizeof token) != sizeof token)
      exit(2);
    if (token >= 0)
      token++;
    if (write(out, &token, sizeof token) != sizeof token)
      exit(3);
    if (token < 0)
      exit(0);
  }
}

static void
bench_ring(const char *name, int n, int rounds)
{
  int last[2], first[2];
  CHECK(pipe(last) == 0 && pipe(first) == 0, current, "pipe: %s", strerror(errno));
  int cur_in = first[0];
  for (int i = 1; i < n; i++) {
    int out = last[1], next_in = -1;
    if (i < n - 1) {
      int p[2];
      CHECK(pipe(p) == 0, current, "pipe %d: %s", i, strerror(errno));
      out = p[1];
      next_in = p[0];
    }
    int pid = fork();
    CHECK(pid >= 0, current, "fork %d: %s", i, strerror(errno));
    if (pid == 0) {
      close(first[1]);
      close(last[0]);
      if (out != last[1])
        close(last[1]);
      if (next_in >= 0)
        close(next_in);
      ring_member(cur_in, out);
    }
    close(cur_in);
    if (out != last[1])
      close(out);
    cur_in = next_in;
  }
  close(last[1]);
  int in = last[0], out = first[1];

  int token = 0;
  uint64 t0 = 0;
  for (int r = -2; r < rounds; r++) { /* 2 warm-up rounds */
    if (r == 0)
      t0 = now_ns();
    int back;
    write_all(out, &token, sizeof token);
    read_all(in, &back, sizeof back);
    CHECK(back == token + n - 1, current, "round %d: token %d, want %d", r, back, token + n - 1);
    token = back + 1;
  }
  uint64 t1 = now_ns();

  token = -1;
  write_all(out, &token, sizeof token);
  int back;
  read_all(in, &back, sizeof back);
  CHECK(back == -1, current, "end token came back as %d", back);
  close(in);
  close(out);
  for (int i = 1; i < n; i++) {
    int status, pid = wait(&status);
    CHECK(pid > 0, current, "wait: %s", strerror(errno));
    CHECK(status == 0, current, "ring member %d exited with %d", pid, status);
  }
  report(name, (uint64)rounds * n, t1 - t0, 0);
}

static void
bench_ctxsw2(void)
{
  bench_ring("ctxsw2", 2, count(3000, 100));
}

static void
bench_ctxsw60(void)
{
  bench_ring("ctxsw60", 60, count(100, 4));
}

/* ------------------------------------------------------------------ */
/* Scaling: 4 CPU-bound processes                                     */
/* ------------------------------------------------------------------ */

#define SCALE_PROCS 4

/* A long dependent chain of xorshift steps: pure CPU, no memory. */
static uint64
spin_work(uint64 steps)
{
  uint64 x = 88172645463325252UL;
  for (uint64 i = 0; i < steps; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

static void
bench_scale(void)
{
  uint64 steps = quick ? 200000 : 16000000;
  uint64 want = spin_work(steps);
  int results[2];
  CHECK(pipe(results) == 0, current, "pipe: %s", strerror(errno));
  uint64 t0 = now_ns();
  for (int i = 0; i < SCALE_PROCS; i++) {
    int pid = fork();
    CHECK(pid >= 0, current, "fork: %s", strerror(errno));
    if (pid == 0) {
      uint64 got = spin_work(steps);
      write_all(results[1], &got, sizeof got);
      exit(0);
    }
  }
  for (int i = 0; i < SCALE_PROCS; i++) {
    int status;
    CHECK(wait(&status) > 0, current, "wait: %s", strerror(errno));
    CHECK(status == 0, current, "a worker exited with %d", status);
  }
  uint64 t1 = now_ns();
  close(results[1]);
  for (int i = 0; i < SCALE_PROCS; i++) {
    uint64 got;
    read_all(results[0], &got, sizeof got);
    CHECK(got == want, current, "worker %d computed %lx, want %lx", i, got, want);
  }
  report("scale", SCALE_PROCS, t1 - t0, 0);
}

/* ------------------------------------------------------------------ */
/* Boot                                                               */
/* ------------------------------------------------------------------ */

static uint64 start_ns; /* uptime_ns() as bench started */

/* The guest clock when bench started. When bench is the first command
 * init runs after boot (scripts/bench makes sure), this is the time from
 * reset through OpenSBI, the kernel, init, sh and the exec of bench: close
 * to reset-to-first-prompt, which is when init's command would start. */
static void
bench_boot(void)
{
  report("boot", 1, start_ns, 0);
}

/* ------------------------------------------------------------------ */
/* Main                                                               */
/* ------------------------------------------------------------------ */

struct bench {
  const char *name;
  void (*run)(void);
  int in_all; /* part of "bench all" */
};

static const struct bench benches[] = {
    {"boot", bench_boot, 1},
    {"getpid", bench_getpid, 1},
    {"forkexit", bench_forkexit, 1},
    {"exectiny", bench_exectiny, 1},
    {"execbig", bench_execbig, 1},
    {"exec1mib", bench_exec1mib, 1},
    {"pingpong", bench_pingpong, 1},
    {"pipebw", bench_pipebw, 1},
    {"sbrk", bench_sbrk, 1},
    {"pgfault", bench_pgfault, 1},
    {"smallfile", bench_smallfile, 1},
    {"fileio", bench_fileio, 1},     /* reports fwrite and fread */
    {"kib", bench_kib, 1},           /* reports wkib and rkib */
    {"ctxsw2", bench_ctxsw2, 1},
    {"ctxsw60", bench_ctxsw60, 1},
    {"scale", bench_scale, 0},
    {"io", bench_io, 0},             /* wall clock: see bench_io */
};
#define NBENCH (int)(sizeof benches / sizeof benches[0])

/* Runs one benchmark in a child process; returns 0 if it passed. */
static int
run_one(const struct bench *b)
{
  current = b->name;
  int pid = fork();
  if (pid < 0) {
    printf("BENCHFAIL %s fork: %s\n", b->name, strerror(errno));
    return -1;
  }
  if (pid == 0) {
    b->run();
    exit(0);
  }
  int status;
  if (wait(&status) != pid || status != 0) {
    if (status != 1) /* 1: the child printed its BENCHFAIL line */
      printf("BENCHFAIL %s exited with status %d\n", b->name, status);
    return -1;
  }
  return 0;
}

static const struct bench *
lookup(const char *name)
{
  if (strcmp(name, "fwrite") == 0 || strcmp(name, "fread") == 0)
    name = "fileio";
  if (strcmp(name, "wkib") == 0 || strcmp(name, "rkib") == 0)
    name = "kib";
  for (int i = 0; i < NBENCH; i++)
    if (strcmp(benches[i].name, name) == 0)
      return &benches[i];
  return 0;
}

/* The clock assumption: rdtime counts 10 MHz, i.e. matches uptime_ns(). */
static int
check_timebase(void)
{
  uint64 before = now_ns();
  uint64 kernel = uptime_ns();
  uint64 after = now_ns();
  if (kernel + TIMEBASE_SLACK_NS < before || kernel > after + TIMEBASE_SLACK_NS) {
    printf("BENCHFAIL clock rdtime*%lu gives %lu..%lu ns, uptime_ns() %lu: "
           "the timebase is not %lu Hz\n",
           NS_PER_COUNT, before, after, kernel, TIMEBASE_HZ);
    return -1;
  }
  return 0;
}

static void
usage(void)
{
  fprintf(2, "usage: bench [-q] all | NAME...\nnames:");
  for (int i = 0; i < NBENCH; i++)
    fprintf(2, " %s", benches[i].name);
  fprintf(2, " fwrite fread wkib rkib\n");
  exit(2);
}

int
main(int argc, char **argv)
{
  start_ns = uptime_ns(); /* first thing: see bench_boot */
  int first = 1;
  if (first < argc && strcmp(argv[first], "-q") == 0) {
    quick = 1;
    first++;
  }
  if (first >= argc)
    usage();
  int want[NBENCH] = {0};
  for (int i = first; i < argc; i++) {
    const struct bench *b = lookup(argv[i]);
    if (strcmp(argv[i], "all") == 0) {
      for (int j = 0; j < NBENCH; j++)
        want[j] |= benches[j].in_all;
    } else if (b != 0) {
      want[b - benches] = 1;
    } else {
      fprintf(2, "bench: no benchmark %s\n", argv[i]);
      usage();
    }
  }

  /* With a wrong clock every number would be wrong: run nothing. */
  int clock_ok = check_timebase() == 0;
  int failures = !clock_ok;
  for (int i = 0; clock_ok && i < NBENCH; i++)
    if (want[i])
      failures += run_one(&benches[i]) < 0;
  printf("BENCHEND %s %d\n", failures ? "fail" : "pass", failures);
  return failures ? 1 : 0;
}
