/*
 * fstest TOKEN [SUBTEST]: exercise the file system and its system calls.
 *
 * Runs every sub-test (or only the one named SUBTEST) inside a fresh
 * directory and removes it afterwards. Prints one line
 *   fstest: FAIL <check>: <detail>
 * for every failed check and exits 1, or prints
 *   fstest: PASS TOKEN
 * and exits 0 when everything passed.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "user/user.h"
#include "user/check.h"

#define KIB 1024
#define MIB (1024 * KIB)
#define BIG_FILE_BYTES (32 * MIB)
#define PIPE_TRANSFER_BYTES (1 * MIB)
#define IO_BUFFER_BYTES (64 * KIB)
#define MANY_FILES 200
#define WRITERS 4
#define WRITER_FILE_BYTES (256 * KIB)
#define APPEND_RECORDS 100
#define APPEND_RECORD_BYTES 32
#define MAX_FILE_BYTES (MAXFILE * BSIZE)
#define BAD_USER_ADDRESS 0x10        /* in page 0, which is never mapped */
#define KERNEL_ADDRESS 0x80200000UL  /* kernel memory: never a user buffer */
#define NO_DRIVER_MAJOR (NDEV - 1)   /* a device number no driver registers */
#define FILL_CHUNK_BYTES (8 * KIB)   /* a multiple of BSIZE: see test_full */
#define REFILL_BYTES (1 * MIB)
#define MAX_NFILE_CHILDREN 40
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define PAGE_BYTES 4096

static int failures;
static char iobuf[IO_BUFFER_BYTES];
static char iobuf2[IO_BUFFER_BYTES];

/* --- reporting --- */

static void
fail(const char *check, const char *detail)
{
  printf("fstest: FAIL %s: %s\n", check, detail);
  failures++;
}

/* r must be a success (>= 0). */
static int
ok(const char *check, int r)
{
  if (r >= 0)
    return 1;
  printf("fstest: FAIL %s: returned %d, errno %d (%s)\n", check, r, errno, strerror(errno));
  failures++;
  return 0;
}

/* r must be -1 with errno == code. */
static int
fails_with(const char *check, int r, int code)
{
  if (r == -1 && errno == code)
    return 1;
  printf("fstest: FAIL %s: expected -1 with errno %d (%s), got %d with errno %d (%s)\n",
         check, code, strerror(code), r, errno, strerror(errno));
  failures++;
  return 0;
}

static int
equal(const char *check, long got, long want)
{
  if (got == want)
    return 1;
  printf("fstest: FAIL %s: got %ld, expected %ld\n", check, got, want);
  failures++;
  return 0;
}

/* --- data helpers --- */

/* The byte expected at offset off of a file written with this seed. */
static uchar
pattern(uint seed, uint off)
{
  uint x = off * 2654435761u + seed * 40503u + 12345;
  x ^= x >> 15;
  x *= 2246822519u;
  x ^= x >> 13;
  return x;
}

static void
fill_pattern(char *buf, int n, uint seed, uint off)
{
  for (int i = 0; i < n; i++)
    buf[i] = pattern(seed, off + i);
}

/* How many of buf's n bytes differ from the pattern. */
static int
pattern_mismatches(const char *buf, int n, uint seed, uint off)
{
  int bad = 0;
  for (int i = 0; i < n; i++)
    if ((uchar)buf[i] != pattern(seed, off + i))
      bad++;
  return bad;
}

/* FNV-1a, continued from sum. */
static uint
checksum(uint sum, const char *buf, int n)
{
  for (int i = 0; i < n; i++)
    sum = (sum ^ (uchar)buf[i]) * 16777619u;
  return sum;
}
#define CHECKSUM_START 2166136261u

/* dst = prefix followed by the decimal n. */
static void
name_with_number(char *dst, const char *prefix, int n)
{
  char digits[12];
  int nd = 0;
  strcpy(dst, prefix);
  do {
    digits[nd++] = '0' + n % 10;
    n /= 10;
  } while (n > 0);
  int len = strlen(dst);
  while (nd > 0)
    dst[len++] = digits[--nd];
  dst[len] = 0;
}

/* Create (or truncate) path holding n bytes of buf. */
static int
make_file(const char *path, const char *buf, int n)
{
  int fd = open(path, O_CREATE | O_WRONLY | O_TRUNC);
  if (fd < 0)
    return -1;
  int w = write(fd, buf, n);
  close(fd);
  return w == n ? 0 : -1;
}

/* Size of path, or -1. */
static long
size_of(const char *path)
{
  struct stat st;
  if (stat(path, &st) < 0)
    return -1;
  return st.size;
}

static int
child_status(int pid)
{
  int status = -1;
  if (waitpid(pid, &status, 0) != pid)
    return -1;
  return status;
}

/* --- sub-tests --- */

static void
test_files(void)
{
  const char *msg = "hello, file system";
  int len = strlen(msg);
  int fd = open("f1", O_CREATE | O_RDWR);
  if (!ok("files: create", fd))
    return;
  equal("files: write", write(fd, msg, len), len);
  equal("files: read at end", read(fd, iobuf, sizeof(iobuf)), 0);
  equal("files: rewind", lseek(fd, 0, SEEK_SET), 0);
  char got[64];
  equal("files: read back", read(fd, got, sizeof(got)), len);
  if (memcmp(got, msg, len) != 0)
    fail("files: contents", "bytes read differ from bytes written");

  struct stat st;
  if (ok("files: fstat", fstat(fd, &st))) {
    equal("files: fstat type", st.type, T_FILE);
    equal("files: fstat size", st.size, len);
    equal("files: fstat nlink", st.nlink, 1);
  }
  equal("files: close", close(fd), 0);

  // O_CREATE on an existing file opens it, keeping the contents.
  fd = open("f1", O_CREATE | O_RDONLY);
  if (ok("files: create existing", fd)) {
    equal("files: existing contents kept", read(fd, got, sizeof(got)), len);
    close(fd);
  }
  ok("files: unlink", unlink("f1"));
  fails_with("files: open after unlink", open("f1", O_RDONLY), ENOENT);
}

static void
test_fd_errors(void)
{
  char c = 'x';
  fails_with("fd: read fd -1", read(-1, &c, 1), EBADF);
  fails_with("fd: write fd NOFILE", write(NOFILE, &c, 1), EBADF);
  fails_with("fd: read unopened fd", read(NOFILE - 1, &c, 1), EBADF);
  fails_with("fd: close unopened fd", close(NOFILE - 1), EBADF);
  fails_with("fd: fstat bad fd", fstat(-5, 0), EBADF);
  fails_with("fd: lseek bad fd", lseek(1000, 0, SEEK_SET), EBADF);
  fails_with("fd: fsync bad fd", fsync(NOFILE), EBADF);
  fails_with("fd: dup bad fd", dup(-1), EBADF);

  int fd = open("fde", O_CREATE | O_WRONLY);
  if (!ok("fd: create", fd))
    return;
  fails_with("fd: read a write-only file", read(fd, &c, 1), EBADF);
  fails_with("fd: write n < 0", write(fd, &c, -1), EINVAL);
  fails_with("fd: write from a bad address", write(fd, (void *)BAD_USER_ADDRESS, 10), EFAULT);
  fails_with("fd: write from kernel memory", write(fd, (void *)KERNEL_ADDRESS, 10), EFAULT);
  equal("fd: failed writes left the file empty", size_of("fde"), 0);
  equal("fd: write", write(fd, "0123456789", 10), 10);
  close(fd);
  fails_with("fd: close twice", close(fd), EBADF);

  fd = open("fde", O_RDONLY);
  if (!ok("fd: open read-only", fd))
    return;
  fails_with("fd: write a read-only file", write(fd, &c, 1), EBADF);
  fails_with("fd: read n < 0", read(fd, &c, -1), EINVAL);
  fails_with("fd: read into a bad address", read(fd, (void *)BAD_USER_ADDRESS, 4), EFAULT);
  fails_with("fd: read into kernel memory", read(fd, (void *)KERNEL_ADDRESS, 4), EFAULT);
  char got[4];
  // A failed read must not move the offset.
  if (equal("fd: read after failed reads", read(fd, got, 4), 4) && memcmp(got, "0123", 4) != 0)
    fail("fd: offset after failed reads", "a failed read moved the offset");
  fails_with("fd: fstat to a bad address", fstat(fd, (struct stat *)BAD_USER_ADDRESS), EFAULT);
  close(fd);

  fails_with("fd: open with O_WRONLY|O_RDWR", open("fde", O_WRONLY | O_RDWR), EINVAL);
  fails_with("fd: open a bad path address", open((char *)BAD_USER_ADDRESS, O_RDONLY), EFAULT);
  fails_with("fd: open missing file", open("no-such-file", O_RDONLY), ENOENT);
  fails_with("fd: open empty path", open("", O_RDONLY), ENOENT);
  ok("fd: unlink", unlink("fde"));
}

static void
test_names(void)
{
  const char *longest = "abcdefghijklmn"; // DIRSIZ (14) characters
  const char *too_long = "abcdefghijklmno";
  if (ok("names: create a DIRSIZ-long name", make_file(longest, "x", 1)))
    equal("names: open a DIRSIZ-long name", size_of(longest), 1);
  fails_with("names: open a name longer than DIRSIZ", open(too_long, O_RDONLY), ENAMETOOLONG);
  fails_with("names: create a name longer than DIRSIZ", open(too_long, O_CREATE | O_RDWR), ENAMETOOLONG);
  fails_with("names: mkdir a name longer than DIRSIZ", mkdir(too_long), ENAMETOOLONG);
  fails_with("names: long middle element", open("abcdefghijklmnopq/x", O_RDONLY), ENAMETOOLONG);

  char path[MAXPATH + 16];
  memset(path, 'a', sizeof(path) - 1);
  for (int i = 1; i < (int)sizeof(path) - 1; i += 2)
    path[i] = '/';
  path[sizeof(path) - 1] = 0;
  fails_with("names: path longer than MAXPATH", open(path, O_RDONLY), ENAMETOOLONG);

  fails_with("names: file used as a directory", open("abcdefghijklmn/x", O_RDONLY), ENOTDIR);
  fails_with("names: create under a file", open("abcdefghijklmn/x", O_CREATE | O_RDWR), ENOTDIR);
  fails_with("names: mkdir under a file", mkdir("abcdefghijklmn/x"), ENOTDIR);
  fails_with("names: missing directory", open("nodir/x", O_CREATE | O_RDWR), ENOENT);
  equal("names: ./ prefix", size_of("./abcdefghijklmn"), 1);
  equal("names: repeated slashes", size_of(".//abcdefghijklmn"), 1);
  ok("names: unlink", unlink(longest));
}

static int
count_dir_entries(const char *path, int *found_dot, int *found_dotdot)
{
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  struct dirent de;
  int n = 0;
  *found_dot = *found_dotdot = 0;
  while (read(fd, &de, sizeof(de)) == sizeof(de)) {
    if (de.inum == 0)
      continue;
    if (strcmp(de.name, ".") == 0)
      *found_dot = 1;
    else if (strcmp(de.name, "..") == 0)
      *found_dotdot = 1;
    else
      n++;
  }
  close(fd);
  return n;
}

static void
test_dirs(void)
{
  struct stat before, after;
  if (!ok("dirs: stat .", stat(".", &before)) || !ok("dirs: mkdir", mkdir("d")))
    return;
  fails_with("dirs: mkdir existing", mkdir("d"), EEXIST);
  fails_with("dirs: mkdir /", mkdir("/"), EEXIST);
  ok("dirs: stat . again", stat(".", &after));
  equal("dirs: parent nlink counts the subdirectory", after.nlink, before.nlink + 1);

  ok("dirs: file in subdirectory", make_file("d/inner", "abc", 3));
  ok("dirs: mkdir nested", mkdir("d/sub"));
  int dot, dotdot;
  equal("dirs: entries read from the directory", count_dir_entries("d", &dot, &dotdot), 2);
  equal("dirs: has .", dot, 1);
  equal("dirs: has ..", dotdot, 1);

  int fd = open("d", O_RDONLY);
  if (ok("dirs: open directory read-only", fd)) {
    struct stat st;
    if (ok("dirs: fstat directory", fstat(fd, &st)))
      equal("dirs: directory type", st.type, T_DIR);
    close(fd);
  }
  fails_with("dirs: open directory write-only", open("d", O_WRONLY), EISDIR);
  fails_with("dirs: open directory read-write", open("d", O_RDWR), EISDIR);
  fails_with("dirs: create over a directory", open("d", O_CREATE | O_RDWR), EISDIR);

  ok("dirs: chdir", chdir("d"));
  equal("dirs: relative lookup after chdir", size_of("inner"), 3);
  equal("dirs: lookup through ..", size_of("../d/inner"), 3);
  ok("dirs: chdir ..", chdir(".."));
  fails_with("dirs: chdir to a file", chdir("d/inner"), ENOTDIR);
  fails_with("dirs: chdir to nothing", chdir("d/none"), ENOENT);

  fails_with("dirs: unlink non-empty directory", unlink("d"), ENOTEMPTY);
  fails_with("dirs: unlink .", unlink("d/."), EINVAL);
  fails_with("dirs: unlink ..", unlink("d/.."), EINVAL);
  fails_with("dirs: unlink missing", unlink("d/none"), ENOENT);
  ok("dirs: unlink nested directory", unlink("d/sub"));
  ok("dirs: unlink file", unlink("d/inner"));
  ok("dirs: unlink empty directory", unlink("d"));
  ok("dirs: stat . at end", stat(".", &after));
  equal("dirs: parent nlink restored", after.nlink, before.nlink);
}

static void
test_links(void)
{
  if (!ok("links: create", make_file("l1", "linked", 6)))
    return;
  ok("links: link", link("l1", "l2"));
  struct stat a, b;
  if (ok("links: stat l1", stat("l1", &a)) && ok("links: stat l2", stat("l2", &b))) {
    equal("links: same inode", a.ino, b.ino);
    equal("links: nlink 2", a.nlink, 2);
  }
  fails_with("links: link to existing name", link("l1", "l2"), EEXIST);
  fails_with("links: link missing file", link("none", "l3"), ENOENT);
  fails_with("links: link into missing directory", link("l1", "none/l3"), ENOENT);
  ok("links: mkdir", mkdir("ld"));
  fails_with("links: link a directory", link("ld", "ld2"), EPERM);
  fails_with("links: link over /", link("l1", "/"), EEXIST);
  if (ok("links: stat after failures", stat("l1", &a)))
    equal("links: failed links left nlink alone", a.nlink, 2);

  // An unlinked file lives on while open.
  int fd = open("l2", O_RDONLY);
  ok("links: unlink l1", unlink("l1"));
  ok("links: unlink l2", unlink("l2"));
  char got[8];
  if (ok("links: open before unlink", fd)) {
    equal("links: read an unlinked open file", read(fd, got, sizeof(got)), 6);
    close(fd);
  }
  fails_with("links: gone after unlink", open("l2", O_RDONLY), ENOENT);
  ok("links: unlink directory", unlink("ld"));
}

static void
test_lseek(void)
{
  int fd = open("s", O_CREATE | O_RDWR);
  if (!ok("lseek: create", fd))
    return;
  equal("lseek: write", write(fd, "0123456789", 10), 10);
  equal("lseek: SEEK_SET", lseek(fd, 3, SEEK_SET), 3);
  equal("lseek: SEEK_CUR", lseek(fd, 2, SEEK_CUR), 5);
  equal("lseek: SEEK_END", lseek(fd, -1, SEEK_END), 9);
  char c = 0;
  equal("lseek: read after seek", read(fd, &c, 1), 1);
  equal("lseek: byte after seek", c, '9');
  fails_with("lseek: negative offset", lseek(fd, -11, SEEK_END), EINVAL);
  fails_with("lseek: bad whence", lseek(fd, 0, 7), EINVAL);
  equal("lseek: failures kept the offset", lseek(fd, 0, SEEK_CUR), 10);

  // Writing past the end leaves a hole that reads as zeroes.
  equal("lseek: seek past end", lseek(fd, 3 * BSIZE + 5, SEEK_SET), 3 * BSIZE + 5);
  equal("lseek: write past end", write(fd, "Z", 1), 1);
  equal("lseek: size after hole", size_of("s"), 3 * BSIZE + 6);
  lseek(fd, 10, SEEK_SET);
  int n = read(fd, iobuf, 3 * BSIZE);
  equal("lseek: read hole", n, 3 * BSIZE - 4);
  int nonzero = 0;
  for (int i = 0; i < n - 1; i++)
    if (iobuf[i])
      nonzero++;
  equal("lseek: hole bytes are zero", nonzero, 0);
  if (n > 0)
    equal("lseek: byte after hole", iobuf[n - 1], 'Z');
  close(fd);

  int p[2];
  if (ok("lseek: pipe", pipe(p))) {
    fails_with("lseek: on a pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
    close(p[0]);
    close(p[1]);
  }
  ok("lseek: unlink", unlink("s"));
}

static void
test_append(void)
{
  int fd = open("a", O_CREATE | O_WRONLY | O_APPEND);
  int other = open("a", O_WRONLY | O_APPEND);
  if (!ok("append: open", fd) || !ok("append: open second", other))
    return;
  equal("append: first", write(fd, "aaa", 3), 3);
  equal("append: second fd", write(other, "bbb", 3), 3);
  lseek(fd, 0, SEEK_SET);
  equal("append: after seek to start", write(fd, "ccc", 3), 3);
  close(fd);
  close(other);
  fd = open("a", O_RDONLY);
  char got[16];
  memset(got, 0, sizeof(got));
  equal("append: size", read(fd, got, sizeof(got)), 9);
  if (strcmp(got, "aaabbbccc") != 0)
    fail("append: contents", got);
  close(fd);
  ok("append: unlink", unlink("a"));
}

static void
test_trunc(void)
{
  fill_pattern(iobuf, 20 * BSIZE, 7, 0);
  if (!ok("trunc: create", make_file("t", iobuf, 20 * BSIZE)))
    return;
  int fd = open("t", O_RDWR | O_TRUNC);
  if (ok("trunc: open O_TRUNC", fd)) {
    equal("trunc: size after O_TRUNC", size_of("t"), 0);
    equal("trunc: read after O_TRUNC", read(fd, iobuf, 10), 0);
    equal("trunc: write after O_TRUNC", write(fd, "new", 3), 3);
    close(fd);
  }
  equal("trunc: final size", size_of("t"), 3);
  ok("trunc: unlink", unlink("t"));
}

static void
test_dup(void)
{
  int fd = open("u", O_CREATE | O_RDWR);
  if (!ok("dup: create", fd))
    return;
  int fd2 = dup(fd);
  if (ok("dup: dup", fd2)) {
    equal("dup: write fd", write(fd, "ab", 2), 2);
    equal("dup: write copy (shared offset)", write(fd2, "cd", 2), 2);
    equal("dup: offset shared", lseek(fd, 0, SEEK_CUR), 4);
  }
  equal("dup2: to a free fd", dup2(fd, NOFILE - 1), NOFILE - 1);
  equal("dup2: write through it", write(NOFILE - 1, "ef", 2), 2);
  equal("dup2: same fd", dup2(fd, fd), fd);
  fails_with("dup2: newfd -1", dup2(fd, -1), EBADF);
  fails_with("dup2: newfd NOFILE", dup2(fd, NOFILE), EBADF);
  fails_with("dup2: bad oldfd", dup2(NOFILE - 2, 5), EBADF);

  // dup2 onto an open descriptor closes what was there.
  int other = open("u2", O_CREATE | O_RDWR);
  if (ok("dup2: open second file", other)) {
    equal("dup2: replace", dup2(fd, other), other);
    struct stat a, b;
    fstat(fd, &a);
    fstat(other, &b);
    equal("dup2: now the same file", b.ino, a.ino);
    close(other);
  }
  equal("dup: size", size_of("u"), 6);
  close(fd);
  if (fd2 >= 0)
    close(fd2);
  close(NOFILE - 1);
  unlink("u");
  unlink("u2");
}

static void
test_emfile(void)
{
  int fds[NOFILE];
  int n = 0;
  int fd = -1;
  while (n < NOFILE && (fd = open(".", O_RDONLY)) >= 0)
    fds[n++] = fd;
  fails_with("emfile: open beyond NOFILE", fd, EMFILE);
  fails_with("emfile: dup beyond NOFILE", dup(0), EMFILE);
  int p[2];
  fails_with("emfile: pipe beyond NOFILE", pipe(p), EMFILE);
  while (n > 0)
    close(fds[--n]);
  // All descriptors came back: pipe works again.
  if (ok("emfile: pipe afterwards", pipe(p))) {
    close(p[0]);
    close(p[1]);
  }
}

/* Spin until process pid is asleep in the kernel (or gone). */
static void
wait_until_blocked(int pid)
{
  struct procinfo info;
  while (procinfo(pid, &info) == 0 && info.state != PROC_BLOCKED)
    ;
}

static void
test_pipe(void)
{
  int p[2];
  if (!ok("pipe: create", pipe(p)))
    return;
  equal("pipe: write", write(p[1], "ping", 4), 4);
  char got[8];
  equal("pipe: read", read(p[0], got, sizeof(got)), 4);
  close(p[1]);
  equal("pipe: end of file", read(p[0], got, sizeof(got)), 0);
  fails_with("pipe: write the read end", write(p[0], "x", 1), EBADF);
  close(p[0]);

  if (!ok("pipe: create 2", pipe(p)))
    return;
  close(p[0]);
  fails_with("pipe: write with no reader", write(p[1], "x", 1), EPIPE);
  fails_with("pipe: fsync", fsync(p[1]), EINVAL);
  close(p[1]);

  fails_with("pipe: bad array address", pipe((int *)BAD_USER_ADDRESS), EFAULT);
  int fd = open(".", O_RDONLY);
  if (ok("pipe: descriptors not leaked", fd)) {
    equal("pipe: lowest fd after failure", fd, 3);
    close(fd);
  }

  // A killed reader stops waiting.
  if (!ok("pipe: create 3", pipe(p)))
    return;
  int pid = fork();
  if (pid == 0) {
    read(p[0], got, 1);
    exit(0);
  }
  wait_until_blocked(pid);
  ok("pipe: kill blocked reader", kill(pid));
  int status;
  equal("pipe: killed reader exits", waitpid(pid, &status, 0), pid);
  close(p[0]);
  close(p[1]);
}

/* Child: write PIPE_TRANSFER_BYTES of pattern in uneven pieces. */
static void
pipe_writer(int fd)
{
  uint sent = 0;
  int piece = 1;
  while (sent < PIPE_TRANSFER_BYTES) {
    int n = MIN(piece, PIPE_TRANSFER_BYTES - sent);
    fill_pattern(iobuf, n, 99, sent);
    if (write(fd, iobuf, n) != n) {
      printf("fstest: FAIL bigpipe: writer: write failed at %d: %s\n", sent, strerror(errno));
      exit(1);
    }
    sent += n;
    piece = piece * 3 % (IO_BUFFER_BYTES - 1) + 1;
  }
  exit(0);
}

static void
test_bigpipe(void)
{
  int p[2];
  if (!ok("bigpipe: create", pipe(p)))
    return;
  int pid = fork();
  if (pid == 0) {
    close(p[0]);
    pipe_writer(p[1]);
  }
  close(p[1]);
  uint got = 0, sum = CHECKSUM_START, want = CHECKSUM_START;
  int mismatches = 0, n, piece = 7;
  while ((n = read(p[0], iobuf, piece)) > 0) {
    mismatches += pattern_mismatches(iobuf, n, 99, got);
    sum = checksum(sum, iobuf, n);
    got += n;
    piece = piece * 5 % (IO_BUFFER_BYTES - 1) + 1;
  }
  close(p[0]);
  for (uint off = 0; off < PIPE_TRANSFER_BYTES; off += IO_BUFFER_BYTES) {
    fill_pattern(iobuf, IO_BUFFER_BYTES, 99, off);
    want = checksum(want, iobuf, IO_BUFFER_BYTES);
  }
  equal("bigpipe: bytes received", got, PIPE_TRANSFER_BYTES);
  equal("bigpipe: misplaced bytes", mismatches, 0);
  equal("bigpipe: checksum", sum, want);
  equal("bigpipe: writer status", child_status(pid), 0);
}

/* Grow the heap so that it ends on a page boundary (the next page is not
 * mapped); *align is the growth, for sbrk(-*align) afterwards. Returns the
 * end, or 0 after a failed check. */
static char *
heap_end_on_page(const char *check, int *align)
{
  char *end = sbrk(0);
  *align = (PAGE_BYTES - (uint64)end % PAGE_BYTES) % PAGE_BYTES;
  if (sbrk(*align) == (char *)-1) {
    printf("fstest: FAIL %s: sbrk: cannot align the heap\n", check);
    failures++;
    return 0;
  }
  return end + *align;
}

#define PIPEFAULT_BYTES 3000 /* less than a pipe holds, so one write puts it all in */
#define PIPEFAULT_SEED 7

/* Reads a pipe holding PIPEFAULT_BYTES of pattern into a buffer whose
 * first good bytes are writable and whose rest lies past the end of the
 * heap. Whatever that read returns, every byte it did not deliver must
 * still come out of the pipe, in order. */
static void
pipefault_partway(char *heap_end, int good)
{
  int p[2];
  if (!ok("pipefault: create", pipe(p)))
    return;
  fill_pattern(iobuf, PIPEFAULT_BYTES, PIPEFAULT_SEED, 0);
  equal("pipefault: write", write(p[1], iobuf, PIPEFAULT_BYTES), PIPEFAULT_BYTES);
  close(p[1]);
  char *buf = heap_end - good;
  int n = read(p[0], buf, PIPEFAULT_BYTES);
  if (n == -1 && errno == EFAULT) {
    n = 0; /* nothing delivered: nothing taken */
  } else if (n < 0 || n > good) {
    printf("fstest: FAIL pipefault: read into %d good bytes then a bad page: returned %d "
           "(errno %d), expected -1 (EFAULT) or 1..%d\n", good, n, errno, good);
    failures++;
    close(p[0]);
    return;
  } else if (pattern_mismatches(buf, n, PIPEFAULT_SEED, 0) != 0) {
    printf("fstest: FAIL pipefault: read into %d good bytes: the %d bytes it returned "
           "are not the first %d written\n", good, n, n);
    failures++;
  }
  int left = 0, r;
  while ((r = read(p[0], iobuf2 + left, PIPEFAULT_BYTES - left)) > 0)
    left += r;
  if (left != PIPEFAULT_BYTES - n) {
    printf("fstest: FAIL pipefault: after a read of %d bytes into %d good bytes, the pipe "
           "held %d bytes, expected %d\n", n, good, left, PIPEFAULT_BYTES - n);
    failures++;
  } else if (pattern_mismatches(iobuf2, left, PIPEFAULT_SEED, n) != 0) {
    printf("fstest: FAIL pipefault: after a read of %d bytes into %d good bytes, the rest "
           "is not bytes %d..%d of what was written\n", n, good, n, PIPEFAULT_BYTES - 1);
    failures++;
  }
  close(p[0]);
}

#define SHARED_PIPE_BYTES (1 * MIB)
#define SHARED_PIPE_READERS 3

/* Child: read p until end of file; report how many bytes and their sum. */
static void
shared_pipe_reader(int p[2], int report)
{
  close(p[1]);
  uint counts[2] = {0, 0}; /* bytes, sum of byte values */
  int n, piece = 1;
  while ((n = read(p[0], iobuf, piece)) > 0) {
    for (int i = 0; i < n; i++)
      counts[1] += (uchar)iobuf[i];
    counts[0] += n;
    piece = piece * 7 % 4096 + 1;
  }
  write(report, counts, sizeof counts);
  exit(0);
}

/* Readers take turns: with several of them on one pipe, every byte written is
 * delivered exactly once. */
static void
pipefault_shared(void)
{
  int p[2], report[2];
  if (!ok("pipefault: create", pipe(p)) || !ok("pipefault: create", pipe(report)))
    return;
  int pids[SHARED_PIPE_READERS];
  for (int i = 0; i < SHARED_PIPE_READERS; i++)
    if ((pids[i] = fork()) == 0)
      shared_pipe_reader(p, report[1]);
  close(p[0]);
  uint want_sum = 0;
  for (uint off = 0; off < SHARED_PIPE_BYTES; off += IO_BUFFER_BYTES) {
    fill_pattern(iobuf, IO_BUFFER_BYTES, PIPEFAULT_SEED, off);
    for (int i = 0; i < IO_BUFFER_BYTES; i++)
      want_sum += (uchar)iobuf[i];
    equal("pipefault: shared pipe write", write(p[1], iobuf, IO_BUFFER_BYTES), IO_BUFFER_BYTES);
  }
  close(p[1]);
  uint bytes = 0, sum = 0, counts[2];
  for (int i = 0; i < SHARED_PIPE_READERS; i++) {
    if (read(report[0], counts, sizeof counts) == sizeof counts) {
      bytes += counts[0];
      sum += counts[1];
    }
    equal("pipefault: shared pipe reader status", child_status(pids[i]), 0);
  }
  close(report[0]);
  close(report[1]);
  equal("pipefault: bytes the readers of one pipe got in all", bytes, SHARED_PIPE_BYTES);
  equal("pipefault: sum of the bytes the readers got", sum, want_sum);
}

/* A read whose buffer is bad, from the start or partway, leaves the bytes
 * it could not deliver in the pipe. */
static void
test_pipefault(void)
{
  int p[2];
  if (!ok("pipefault: create", pipe(p)))
    return;
  equal("pipefault: write", write(p[1], "abcdef", 6), 6);
  fails_with("pipefault: read into kernel memory", read(p[0], (char *)KERNEL_ADDRESS, 3), EFAULT);
  char got[8];
  int n = read(p[0], got, sizeof got);
  if (equal("pipefault: bytes left after a failed read", n, 6) && memcmp(got, "abcdef", 6) != 0) {
    got[6] = 0;
    printf("fstest: FAIL pipefault: after a failed read the pipe held '%s', expected 'abcdef'\n",
           got);
    failures++;
  }
  close(p[0]);
  close(p[1]);

  int align;
  char *end = heap_end_on_page("pipefault", &align);
  if (end == 0)
    return;
  static const int goods[] = {0, 1, 100, 700, 1500, PAGE_BYTES / 2 + 1, PIPEFAULT_BYTES - 1};
  for (int i = 0; i < (int)(sizeof goods / sizeof goods[0]); i++)
    pipefault_partway(end, goods[i]);
  sbrk(-align);
  pipefault_shared();
}

#define CONSOLE_LINE "first line\n"
#define CONSOLE_PARTWAY_LINE "0123456789abcdef\n"
#define CONSOLE_READ_BYTES 64 /* more than any line typed here */
static const int console_goods[] = {1, 5, sizeof CONSOLE_PARTWAY_LINE - 2};

/* got[0..n) must be exactly want (a string). */
static void
expect_text(const char *check, const char *got, int n, const char *want)
{
  int len = strlen(want);
  if (n == len && memcmp(got, want, len) == 0)
    return;
  char shown[CONSOLE_READ_BYTES + 1];
  int k = n < 0 ? 0 : MIN(n, CONSOLE_READ_BYTES);
  memmove(shown, got, k);
  shown[k] = 0;
  printf("fstest: FAIL %s: read returned %d bytes '%s', expected %d bytes '%s'\n",
         check, n, shown, len, want);
  failures++;
}

/* Reads a console line into a buffer whose first good bytes are writable
 * and whose rest lies past the end of the heap; the next read must return
 * exactly the part of the line the first one did not deliver. */
static void
consolefault_partway(char *heap_end, int good)
{
  const char *line = CONSOLE_PARTWAY_LINE;
  char *buf = heap_end - good;
  int n = read(0, buf, CONSOLE_READ_BYTES);
  if (n == -1 && errno == EFAULT) {
    n = 0; /* nothing delivered: nothing taken */
  } else if (n < 0 || n > good) {
    printf("fstest: FAIL consolefault: read into %d good bytes then a bad page: returned %d "
           "(errno %d), expected -1 (EFAULT) or 1..%d\n", good, n, errno, good);
    failures++;
    return;
  } else if (memcmp(buf, line, n) != 0) {
    printf("fstest: FAIL consolefault: read into %d good bytes: its %d bytes are not the "
           "line's first %d\n", good, n, n);
    failures++;
  }
  char rest[CONSOLE_READ_BYTES];
  int left = read(0, rest, sizeof rest);
  expect_text("consolefault: the rest of a line after a read into good bytes then a bad page",
              rest, left, line + n);
}

/* Reads fd 0 (the console) into bad buffers: what a read could not deliver
 * must stay for the next read. Run only on request, by a test that types
 * the lines once it sees the ready line (tests/test_reliability.py). */
static void
test_consolefault(void)
{
  int partway = sizeof console_goods / sizeof console_goods[0];
  printf("fstest: consolefault: ready for '%s' and %d x '%s'\n", "first line", partway,
         "0123456789abcdef");
  fails_with("consolefault: read into kernel memory",
             read(0, (char *)KERNEL_ADDRESS, CONSOLE_READ_BYTES), EFAULT);
  char got[CONSOLE_READ_BYTES];
  int n = read(0, got, sizeof got);
  expect_text("consolefault: the line after a failed read", got, n, CONSOLE_LINE);

  int align;
  char *end = heap_end_on_page("consolefault", &align);
  if (end == 0)
    return;
  for (int i = 0; i < partway; i++)
    consolefault_partway(end, console_goods[i]);
  sbrk(-align);
}

static void
test_mknod(void)
{
  if (!ok("mknod: console", mknod("cons", CONSOLE, 0)))
    return;
  fails_with("mknod: existing", mknod("cons", CONSOLE, 0), EEXIST);
  fails_with("mknod: bad major", mknod("bad", NDEV, 0), EINVAL);
  fails_with("mknod: negative major", mknod("bad", -1, 0), EINVAL);
  int fd = open("cons", O_WRONLY);
  if (ok("mknod: open device", fd)) {
    struct stat st;
    if (ok("mknod: fstat device", fstat(fd, &st)))
      equal("mknod: device type", st.type, T_DEVICE);
    equal("mknod: empty write", write(fd, "", 0), 0);
    fails_with("mknod: lseek on a device", lseek(fd, 0, SEEK_SET), ESPIPE);
    fails_with("mknod: fsync a device", fsync(fd), EINVAL);
    close(fd);
  }
  if (ok("mknod: driverless device", mknod("nodrv", NO_DRIVER_MAJOR, 0))) {
    fd = open("nodrv", O_RDWR);
    char c;
    if (ok("mknod: open driverless device", fd)) {
      fails_with("mknod: read driverless device", read(fd, &c, 1), ENODEV);
      close(fd);
    }
  }
  ok("mknod: unlink", unlink("cons"));
  unlink("nodrv");
}

static void
test_fsync(void)
{
  int fd = open("y", O_CREATE | O_RDWR);
  if (!ok("fsync: create", fd))
    return;
  equal("fsync: write", write(fd, "durable", 7), 7);
  equal("fsync: fsync", fsync(fd), 0);
  equal("fsync: fsync with nothing new", fsync(fd), 0);
  close(fd);
  equal("fsync: size", size_of("y"), 7);
  ok("fsync: unlink", unlink("y"));
}

static void
test_many(void)
{
  char name[32];
  if (!ok("many: mkdir", mkdir("m")))
    return;
  for (int i = 0; i < MANY_FILES; i++) {
    name_with_number(name, "m/file", i);
    if (!ok("many: create", make_file(name, name, strlen(name))))
      return;
  }
  int dot, dotdot;
  equal("many: directory entries", count_dir_entries("m", &dot, &dotdot), MANY_FILES);
  int bad = 0;
  for (int i = 0; i < MANY_FILES; i++) {
    name_with_number(name, "m/file", i);
    int fd = open(name, O_RDONLY);
    char got[32];
    memset(got, 0, sizeof(got));
    if (fd < 0 || read(fd, got, sizeof(got)) != strlen(name) || strcmp(got, name) != 0)
      bad++;
    close(fd);
  }
  equal("many: files with wrong contents", bad, 0);
  for (int i = 0; i < MANY_FILES; i++) {
    name_with_number(name, "m/file", i);
    if (!ok("many: unlink", unlink(name)))
      return;
  }
  equal("many: empty afterwards", count_dir_entries("m", &dot, &dotdot), 0);
  ok("many: remove directory", unlink("m"));
}

/* Child of test_concurrent: write own file, append records to the shared one. */
static void
concurrent_writer(int id)
{
  char name[16];
  name_with_number(name, "w", id);
  int fd = open(name, O_CREATE | O_WRONLY);
  int shared = open("shared", O_WRONLY | O_APPEND);
  if (fd < 0 || shared < 0) {
    printf("fstest: FAIL concurrent: writer %d: open: %s\n", id, strerror(errno));
    exit(1);
  }
  uint off = 0;
  int piece = 1000 + id * 357;
  int record = 0;
  while (off < WRITER_FILE_BYTES) {
    int n = MIN(piece, WRITER_FILE_BYTES - off);
    fill_pattern(iobuf, n, id, off);
    if (write(fd, iobuf, n) != n) {
      printf("fstest: FAIL concurrent: writer %d: write: %s\n", id, strerror(errno));
      exit(1);
    }
    off += n;
    if (record < APPEND_RECORDS) {
      char rec[APPEND_RECORD_BYTES];
      memset(rec, 'a' + id, sizeof(rec));
      rec[0] = record; // sequence number, to check order
      if (write(shared, rec, sizeof(rec)) != sizeof(rec)) {
        printf("fstest: FAIL concurrent: writer %d: append: %s\n", id, strerror(errno));
        exit(1);
      }
      record++;
    }
  }
  exit(0);
}

static void
check_shared_file(void)
{
  int fd = open("shared", O_RDONLY);
  if (!ok("concurrent: open shared", fd))
    return;
  int next[WRITERS];
  memset(next, 0, sizeof(next));
  int bad = 0, records = 0;
  char rec[APPEND_RECORD_BYTES];
  while (read(fd, rec, sizeof(rec)) == sizeof(rec)) {
    int id = rec[1] - 'a';
    if (id < 0 || id >= WRITERS || rec[0] != next[id]) {
      bad++;
      continue;
    }
    for (int i = 1; i < APPEND_RECORD_BYTES; i++)
      if (rec[i] != 'a' + id)
        bad++;
    next[id]++;
    records++;
  }
  close(fd);
  equal("concurrent: shared records", records, WRITERS * APPEND_RECORDS);
  equal("concurrent: damaged shared records", bad, 0);
}

static void
test_concurrent(void)
{
  if (!ok("concurrent: create shared", make_file("shared", "", 0)))
    return;
  int pids[WRITERS];
  for (int i = 0; i < WRITERS; i++) {
    pids[i] = fork();
    if (pids[i] == 0)
      concurrent_writer(i);
  }
  for (int i = 0; i < WRITERS; i++)
    equal("concurrent: writer status", child_status(pids[i]), 0);

  char name[16];
  for (int i = 0; i < WRITERS; i++) {
    name_with_number(name, "w", i);
    int fd = open(name, O_RDONLY);
    if (!ok("concurrent: open written file", fd))
      continue;
    uint off = 0;
    int n, mismatches = 0;
    while ((n = read(fd, iobuf, IO_BUFFER_BYTES)) > 0) {
      mismatches += pattern_mismatches(iobuf, n, i, off);
      off += n;
    }
    close(fd);
    equal("concurrent: file size", off, WRITER_FILE_BYTES);
    equal("concurrent: misplaced bytes", mismatches, 0);
    unlink(name);
  }
  check_shared_file();
  unlink("shared");
}

static void
test_efbig(void)
{
  int fd = open("e", O_CREATE | O_RDWR);
  if (!ok("efbig: create", fd))
    return;
  // The last byte a file can hold: reached through the doubly-indirect block.
  equal("efbig: seek to the last byte", lseek(fd, MAX_FILE_BYTES - 1, SEEK_SET), MAX_FILE_BYTES - 1);
  equal("efbig: write the last byte", write(fd, "L", 1), 1);
  fails_with("efbig: write beyond MAXFILE", write(fd, "X", 1), EFBIG);
  equal("efbig: size", size_of("e"), MAX_FILE_BYTES);
  lseek(fd, 0, SEEK_SET);
  char c = 1;
  equal("efbig: read start of hole", read(fd, &c, 1), 1);
  equal("efbig: hole reads zero", c, 0);
  lseek(fd, -1, SEEK_END);
  equal("efbig: read last byte", read(fd, &c, 1), 1);
  equal("efbig: last byte", c, 'L');
  close(fd);
  ok("efbig: unlink", unlink("e"));
}

/* Child of test_nfile: open files until the kernel refuses, report why on
 * `report`, then hold them until `release` is closed. */
static void
nfile_holder(int report, int release)
{
  while (open(".", O_RDONLY) >= 0)
    ;
  char why = errno == ENFILE ? 'N' : errno == EMFILE ? 'M' : '?';
  write(report, &why, 1);
  char c;
  read(release, &c, 1);
  exit(0);
}

static void
test_nfile(void)
{
  int report[2], release[2];
  if (!ok("nfile: pipes", pipe(report)) || !ok("nfile: pipes", pipe(release)))
    return;
  int pids[MAX_NFILE_CHILDREN];
  int n = 0;
  char why = 'M';
  while (n < MAX_NFILE_CHILDREN && why == 'M') {
    pids[n] = fork();
    if (pids[n] == 0) {
      close(release[1]);
      nfile_holder(report[1], release[0]);
    }
    if (pids[n] < 0)
      break;
    n++;
    if (read(report[0], &why, 1) != 1)
      why = '?';
  }
  /* On a small machine (MEM=8M) memory for the holders runs out before
   * the file table does: no bug, so the check skips, saying why. */
  int no_memory = why == 'M' && n < MAX_NFILE_CHILDREN && pids[n] < 0;
  if (no_memory)
    printf("fstest: nfile: skipped (needs memory for more holders: fork failed after %d: %s)\n", n,
           strerror(errno));
  else {
    equal("nfile: a child ran out of system-wide files (ENFILE)", why, 'N');
    fails_with("nfile: open with the file table full", open(".", O_RDONLY), ENFILE);
  }
  close(release[1]);
  for (int i = 0; i < n; i++)
    child_status(pids[i]);
  close(release[0]);
  close(report[0]);
  close(report[1]);
  int fd = open(".", O_RDONLY);
  if (ok("nfile: open after the holders exit", fd))
    close(fd);
}

static void
test_big(void)
{
  int fd = open("big", O_CREATE | O_RDWR | O_TRUNC);
  if (!ok("big: create", fd))
    return;
  uint written = CHECKSUM_START;
  for (uint off = 0; off < BIG_FILE_BYTES; off += IO_BUFFER_BYTES) {
    fill_pattern(iobuf, IO_BUFFER_BYTES, 1, off);
    written = checksum(written, iobuf, IO_BUFFER_BYTES);
    int n = write(fd, iobuf, IO_BUFFER_BYTES);
    if (!equal("big: write", n, IO_BUFFER_BYTES)) {
      close(fd);
      unlink("big");
      return;
    }
  }
  struct stat st;
  if (ok("big: fstat", fstat(fd, &st)))
    equal("big: size", st.size, BIG_FILE_BYTES);
  ok("big: fsync", fsync(fd));
  close(fd);

  fd = open("big", O_RDONLY);
  if (!ok("big: reopen", fd))
    return;
  uint read_sum = CHECKSUM_START, total = 0;
  int n, mismatches = 0;
  while ((n = read(fd, iobuf2, IO_BUFFER_BYTES)) > 0) {
    mismatches += pattern_mismatches(iobuf2, n, 1, total);
    read_sum = checksum(read_sum, iobuf2, n);
    total += n;
  }
  close(fd);
  equal("big: bytes read", total, BIG_FILE_BYTES);
  equal("big: misplaced bytes", mismatches, 0);
  equal("big: checksum", read_sum, written);
  ok("big: unlink", unlink("big"));
}

/* Write pattern to fd until the disk fills. Bytes written; *why gets the
 * errno that stopped it (0 for a short write). */
static uint
fill(int fd, int *why)
{
  uint total = 0;
  for (;;) {
    fill_pattern(iobuf, FILL_CHUNK_BYTES, 3, total);
    int n = write(fd, iobuf, FILL_CHUNK_BYTES);
    if (n < 0) {
      *why = errno;
      return total;
    }
    total += n;
    if (n < FILL_CHUNK_BYTES) {
      *why = 0;
      return total;
    }
  }
}

static void
test_full(void)
{
  char name[16];
  uint sizes[8];
  int nfiles = 0, why = EFBIG;
  // A file can outgrow the disk or the disk a file: fill more files if needed.
  while (why == EFBIG && nfiles < 8) {
    name_with_number(name, "full", nfiles);
    int fd = open(name, O_CREATE | O_RDWR);
    if (!ok("full: create", fd))
      break;
    sizes[nfiles++] = fill(fd, &why);
    if (why != EFBIG) {
      // The disk is full now. Sizes end on a block boundary, so not even
      // one more byte fits.
      fails_with("full: one more byte", write(fd, "x", 1), ENOSPC);
      struct stat st;
      if (ok("full: fstat", fstat(fd, &st)))
        equal("full: size matches bytes written", st.size, sizes[nfiles - 1]);
    }
    close(fd);
  }
  equal("full: stopped by a full disk", why == 0 || why == ENOSPC, 1);
  fails_with("full: mkdir on a full disk", mkdir("fulldir"), ENOSPC);
  fails_with("full: failed mkdir left nothing", open("fulldir", O_RDONLY), ENOENT);

  // What was written before the disk filled reads back intact.
  int fd = open("full0", O_RDONLY);
  if (ok("full: reopen", fd)) {
    int n = read(fd, iobuf2, FILL_CHUNK_BYTES);
    equal("full: read back", n, FILL_CHUNK_BYTES);
    equal("full: contents", pattern_mismatches(iobuf2, n, 3, 0), 0);
    close(fd);
  }
  for (int i = 0; i < nfiles; i++) {
    name_with_number(name, "full", i);
    ok("full: unlink", unlink(name));
  }

  // The space came back.
  fill_pattern(iobuf, IO_BUFFER_BYTES, 4, 0);
  fd = open("refill", O_CREATE | O_WRONLY);
  if (ok("full: create after freeing", fd)) {
    int bad = 0;
    for (int done = 0; done < REFILL_BYTES; done += IO_BUFFER_BYTES)
      if (write(fd, iobuf, IO_BUFFER_BYTES) != IO_BUFFER_BYTES)
        bad++;
    equal("full: writes after freeing", bad, 0);
    close(fd);
    unlink("refill");
  }
}

// Run out of inodes: creating fails with ENOSPC and changes nothing, and
// freeing inodes makes room again. Only when asked for by name: on the
// default image (16384 inodes) it would take long; tests/test_fs_limits.py
// runs it on a small image.
#define MAX_INODE_FILES 70000 // more than any image has (inode numbers are 16 bits)

static void
test_inodes(void)
{
  char name[16];
  int n = 0;
  for (; n < MAX_INODE_FILES; n++) {
    name_with_number(name, "i", n);
    int fd = open(name, O_CREATE | O_WRONLY);
    if (fd < 0)
      break;
    close(fd);
  }
  equal("inodes: ran out before the bound", n < MAX_INODE_FILES, 1);
  name_with_number(name, "i", n);
  fails_with("inodes: create with none left", open(name, O_CREATE | O_WRONLY), ENOSPC);
  fails_with("inodes: failed create left nothing", open(name, O_RDONLY), ENOENT);
  fails_with("inodes: mkdir with none left", mkdir("idir"), ENOSPC);
  for (int i = 0; i < n; i++) {
    name_with_number(name, "i", i);
    ok("inodes: unlink", unlink(name));
  }
  int fd = open("again", O_CREATE | O_WRONLY);
  if (ok("inodes: create after freeing", fd)) {
    close(fd);
    unlink("again");
  }
}

// Newly allocated blocks read as zeroes wherever a file was never written,
// even when every free block last held another file's data: fill the disk
// with non-zero bytes, delete those files, then write new files sparsely
// (holes in the direct, singly- and doubly-indirect ranges) and in pieces
// of blocks. A stale byte would show one user's deleted data to another.
// Only when asked for by name (it fills the disk): tests/test_fs_limits.py
// runs it on a small image.
#define STALE_BYTE 0xA5
#define STALE_FILES 8              // more files if one reaches MAXFILE first
#define MARK_BYTES 8               // bytes written into each new block
#define PARTIAL_BLOCKS (NDIRECT + NINDIRECT + 16) // reaches the doubly-indirect range

// Blocks of the sparse file that get one mark each; every other block is a hole.
static const uint sparse_blocks[] = {
  2,                                // direct
  NDIRECT + 7,                      // singly indirect
  NDIRECT + NINDIRECT + NINDIRECT + 3, // doubly indirect, second inner block
};
#define N_SPARSE_BLOCKS ((int)(sizeof(sparse_blocks) / sizeof(sparse_blocks[0])))

// Where in block b the marks go: a different place in every block.
static uint
mark_offset(uint b)
{
  return b * BSIZE + (b * 37) % (BSIZE - MARK_BYTES);
}

// Fill the disk with STALE_BYTE files, then delete them. 1 if it filled.
static int
fill_with_stale_data(void)
{
  char name[16];
  int nfiles = 0, full = 0;
  memset(iobuf, STALE_BYTE, FILL_CHUNK_BYTES);
  while (!full && nfiles < STALE_FILES) {
    name_with_number(name, "stale", nfiles++);
    int fd = open(name, O_CREATE | O_WRONLY);
    if (!ok("zeroed: create stale file", fd))
      break;
    int n;
    while ((n = write(fd, iobuf, FILL_CHUNK_BYTES)) == FILL_CHUNK_BYTES)
      ;
    full = n >= 0 || errno == ENOSPC; // a short write or ENOSPC: the disk is full
    close(fd);
  }
  equal("zeroed: disk filled with stale data", full, 1);
  for (int i = 0; i < nfiles; i++) {
    name_with_number(name, "stale", i);
    ok("zeroed: unlink stale file", unlink(name));
  }
  return full;
}

// Writes MARK_BYTES of 'm' at mark_offset(b) for each of the n blocks.
// Returns how many marks it wrote (n unless a write failed).
static int
write_marks(int fd, const uint *blocks, int n)
{
  char mark[MARK_BYTES];
  memset(mark, 'm', MARK_BYTES);
  for (int i = 0; i < n; i++) {
    int r = -1;
    if (lseek(fd, mark_offset(blocks[i]), SEEK_SET) >= 0)
      r = write(fd, mark, MARK_BYTES);
    if (r != MARK_BYTES) {
      printf("fstest: FAIL zeroed: write %d bytes at offset %d (block %d): got %d (%s),"
             " expected %d\n", MARK_BYTES, mark_offset(blocks[i]), blocks[i], r,
             r < 0 ? strerror(errno) : "short", MARK_BYTES);
      failures++;
      return i;
    }
  }
  return n;
}

// Reads path whole: every byte must be 'm' inside a mark and 0 elsewhere.
// blocks[] is in increasing order, so the marks are met in order.
static void
check_marks_and_zeroes(const char *check, const char *path, const uint *blocks, int n)
{
  int fd = open(path, O_RDONLY);
  if (!ok(check, fd))
    return;
  uint off = 0, wrong = 0, first_wrong = 0;
  int next = 0; // the first mark that does not end before off
  int got;
  while ((got = read(fd, iobuf2, IO_BUFFER_BYTES)) > 0) {
    for (int i = 0; i < got; i++, off++) {
      if (next < n && off >= mark_offset(blocks[next]) + MARK_BYTES)
        next++;
      char want = next < n && off >= mark_offset(blocks[next]) ? 'm' : 0;
      if (iobuf2[i] != want && wrong++ == 0)
        first_wrong = off;
    }
  }
  close(fd);
  equal("zeroed: last read returns 0 (end of file)", got, 0);
  equal("zeroed: bytes read (the file size)", off, mark_offset(blocks[n - 1]) + MARK_BYTES);
  if (wrong > 0) {
    printf("fstest: FAIL %s: %d bytes are not what was written (0 where nothing was),"
           " first at offset %d, expected 0 wrong bytes\n", check, wrong, first_wrong);
    failures++;
  }
}

#define CUT_GOOD_BYTES 300 // what a whole-block write can copy before a bad page

// A write of a whole new block whose user buffer turns bad part way: the
// kernel does not zero a block it expects to overwrite whole, so it must
// zero what the copy could not fill. The file then holds the bytes copied
// and zeroes, never the block's stale contents.
static void
test_zeroed_cut_short(void)
{
  char *end = sbrk(0); // make the heap end on a page boundary
  int align = (PAGE_BYTES - (uint64)end % PAGE_BYTES) % PAGE_BYTES;
  if (sbrk(align) == (char *)-1) {
    fail("zeroed: sbrk", "cannot align the heap");
    return;
  }
  end += align;
  char *good = end - CUT_GOOD_BYTES;
  memset(good, 'w', CUT_GOOD_BYTES);
  int fd = open("cutshort", O_CREATE | O_RDWR);
  if (ok("zeroed: create cutshort", fd)) {
    equal("zeroed: whole-block write from a buffer that ends early", write(fd, good, BSIZE),
          CUT_GOOD_BYTES);
    close(fd);
    // The file is CUT_GOOD_BYTES long but the whole block is in it: make
    // the file longer than the block, then read the block back whole.
    fd = open("cutshort", O_RDWR);
    if (ok("zeroed: reopen cutshort", fd)) {
      equal("zeroed: seek past the block", lseek(fd, BSIZE, SEEK_SET), BSIZE);
      equal("zeroed: extend past the block", write(fd, "e", 1), 1);
      equal("zeroed: seek to 0", lseek(fd, 0, SEEK_SET), 0);
      equal("zeroed: read the block back", read(fd, iobuf2, BSIZE), BSIZE);
      int wrong = 0, first_wrong = -1;
      for (int i = 0; i < BSIZE; i++) {
        char want = i < CUT_GOOD_BYTES ? 'w' : 0;
        if (iobuf2[i] != want && wrong++ == 0)
          first_wrong = i;
      }
      if (wrong > 0) {
        printf("fstest: FAIL zeroed: block cut short: %d bytes wrong, first at offset %d"
               " (0x%x), expected %d 'w' bytes then zeroes\n", wrong, first_wrong,
               (uchar)iobuf2[first_wrong], CUT_GOOD_BYTES);
        failures++;
      }
      close(fd);
    }
    ok("zeroed: unlink cutshort", unlink("cutshort"));
  }
  sbrk(-align);
}

static void
test_zeroed(void)
{
  if (!fill_with_stale_data())
    return;

  int fd = open("sparse", O_CREATE | O_RDWR);
  if (ok("zeroed: create sparse", fd)) {
    int written = write_marks(fd, sparse_blocks, N_SPARSE_BLOCKS);
    close(fd);
    if (written > 0) // check what was written, even if a later write failed
      check_marks_and_zeroes("zeroed: sparse file", "sparse", sparse_blocks, written);
    ok("zeroed: unlink sparse", unlink("sparse"));
  }

  static uint partial_blocks[PARTIAL_BLOCKS];
  for (int b = 0; b < PARTIAL_BLOCKS; b++)
    partial_blocks[b] = b;
  fd = open("partial", O_CREATE | O_RDWR);
  if (ok("zeroed: create partial", fd)) {
    int written = write_marks(fd, partial_blocks, PARTIAL_BLOCKS);
    close(fd);
    if (written > 0)
      check_marks_and_zeroes("zeroed: partly written blocks", "partial", partial_blocks,
                             written);
    ok("zeroed: unlink partial", unlink("partial"));
  }
  test_zeroed_cut_short();
}

/*
 * fstest TOKEN syncfail, booted with fail=disk:1/1,paused (every disk
 * request fails once armed): a commit whose only block is a file's data,
 * rewritten in place, fails. The log must stop for good: sync reports EIO,
 * nothing can be created, and the file reads back as the disk still has it
 * (the cache forgets the data that never reached the disk). Leaves the
 * file system read-only, so main does not clean up after it.
 */
#define SYNCFAIL_OLD 'o'
#define SYNCFAIL_NEW 'n'

static void
test_syncfail(void)
{
  static char block[BSIZE];
  memset(block, SYNCFAIL_OLD, BSIZE);
  int fd = open("data", O_CREATE | O_WRONLY);
  if (!ok("syncfail: create data", fd))
    return;
  equal("syncfail: write the old contents", write(fd, block, BSIZE), BSIZE);
  close(fd);
  equal("syncfail: sync before arming", sync(), 0);

  if (!ok("syncfail: arm fault injection (boot with fail=disk:1/1,paused)",
          failctl(FAILCTL_ARM, 0)))
    return;
  // Same size, same block: the transaction holds this data block only.
  fd = open("data", O_WRONLY);
  memset(block, SYNCFAIL_NEW, BSIZE);
  int wrote = fd >= 0 ? write(fd, block, BSIZE) : fd;
  if (fd >= 0)
    close(fd);
  int synced = sync();
  int sync_errno = errno;
  failctl(FAILCTL_DISARM, 0);
  equal("syncfail: rewrite in place while armed", wrote, BSIZE);
  errno = sync_errno;
  fails_with("syncfail: sync after the data write failed", synced, EIO);

  fails_with("syncfail: create once the log stopped", open("later", O_CREATE | O_WRONLY), EIO);
  fails_with("syncfail: sync once the log stopped", sync(), EIO);

  fd = open("data", O_RDONLY);
  if (!ok("syncfail: open data to read it back", fd))
    return;
  equal("syncfail: read back", read(fd, block, BSIZE), BSIZE);
  close(fd);
  int old = 0;
  for (int i = 0; i < BSIZE; i++)
    old += block[i] == SYNCFAIL_OLD;
  equal("syncfail: bytes still as on disk (old), not the failed write's", old, BSIZE);
}

struct subtest {
  const char *name;
  void (*run)(void);
  enum subtest_when when; // user/check.h: slow, or run only when named
  int leaves_read_only; // the file system refuses changes afterwards
};

/* The one list of fstest's subtests (fstest --list prints it for usertests). */
static struct subtest subtests[] = {
  {"files", test_files},
  {"fd", test_fd_errors},
  {"names", test_names},
  {"dirs", test_dirs},
  {"links", test_links},
  {"lseek", test_lseek},
  {"append", test_append},
  {"trunc", test_trunc},
  {"dup", test_dup},
  {"emfile", test_emfile},
  {"pipe", test_pipe},
  {"bigpipe", test_bigpipe},
  {"pipefault", test_pipefault},
  {"mknod", test_mknod},
  {"fsync", test_fsync},
  {"many", test_many},
  {"concurrent", test_concurrent},
  // LAB fs: fstest-rows
  {"efbig", test_efbig},
  {"nfile", test_nfile},
  {"big", test_big, SUBTEST_SLOW},
  {"full", test_full, SUBTEST_SLOW},
  // END LAB fs
  {"inodes", test_inodes, SUBTEST_ON_REQUEST},
  {"zeroed", test_zeroed, SUBTEST_ON_REQUEST},
  {"syncfail", test_syncfail, SUBTEST_ON_REQUEST, 1},
  {"consolefault", test_consolefault, SUBTEST_ON_REQUEST},
};

int
main(int argc, char **argv)
{
  int nsubtests = (int)(sizeof(subtests) / sizeof(subtests[0]));
  if (argc == 2 && strcmp(argv[1], LIST_OPTION) == 0) {
    for (int i = 0; i < nsubtests; i++)
      print_subtest(subtests[i].name, subtests[i].when);
    exit(0);
  }
  if (argc < 2 || argc > 3) {
    fprintf(2, "usage: fstest TOKEN [SUBTEST] | fstest --list\n");
    exit(2);
  }
  const char *token = argv[1];
  const char *only = argc == 3 ? argv[2] : 0;

  char dir[32];
  name_with_number(dir, "/fstest.", getpid());
  if (mkdir(dir) < 0 || chdir(dir) < 0) {
    printf("fstest: FAIL setup: cannot make %s: %s\n", dir, strerror(errno));
    exit(1);
  }

  int ran = 0;
  int read_only = 0;
  for (int i = 0; i < nsubtests; i++) {
    if (only ? strcmp(only, subtests[i].name) != 0 : subtests[i].when == SUBTEST_ON_REQUEST)
      continue;
    subtests[i].run();
    read_only |= subtests[i].leaves_read_only;
    ran++;
  }
  if (ran == 0)
    fail("setup", "no sub-test has that name");

  chdir("/");
  if (!read_only && unlink(dir) < 0)
    fail("cleanup", "the test directory is not empty");

  if (failures > 0)
    exit(1);
  printf("fstest: PASS %s\n", token);
  exit(0);
}
