/*
 * exectest: in-guest tests of program loading: exec, its arguments, lazy
 * loading, what a program may and may not touch, malformed executables,
 * "text busy", sbrk, and fork's copy of loaded pages.
 *
 *   exectest TOKEN            run every subtest
 *   exectest TOKEN SUBTEST    run one subtest (names in the table at the end)
 *
 * The host test (tests/test_exec.py) passes a random TOKEN. When every check
 * passes the last line is "exectest: PASS TOKEN"; the first failed check
 * prints "exectest: FAIL <check>: <detail>" and the program exits 1.
 *
 * Helper programs: exectest_big (192 KiB of data), xt_args (reports its
 * arguments), xt_fds (reports its descriptors 0-2), xt_wait (runs until
 * its input ends), xt_ret7 (returns 7).
 *
 * As in proctest, each subtest runs in a sandbox process of its own
 * (user/subtest.h), and main checks that free memory is back where it was
 * once the sandbox has been reaped.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/exec/elf.h"
#include "user/user.h"

#define PAGE_SIZE 4096
#define NS_PER_MS 1000000UL
#define STATE_WAIT_MS 2000

/* The user address-space layout (kernel/mm/mm.h). */
#define USER_TOP 0x80000000UL
#define USER_STACK_BOTTOM (USER_TOP - (8UL << 20))
#define USER_HEAP_LIMIT (USER_STACK_BOTTOM - (64UL << 10))
#define KERNEL_ADDRESS 0x80200000UL

/* 32-bit FNV-1a, as in exectest_big and xt_args. */
#define FNV_OFFSET_BASIS 2166136261u
#define FNV_PRIME 16777619u

/* ------------------------------------------------------------------ */
/* Reporting (user/check.h)                                           */
/* ------------------------------------------------------------------ */

#define CHECK_FAIL_FORMAT "exectest: FAIL %s: "
#include "user/check.h"
#define SUBTEST_PROGRAM "exectest"
#include "user/subtest.h"

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */
/* ------------------------------------------------------------------ */

static uint
fnv1a(uint hash, const void *bytes, uint n)
{
  const uchar *b = bytes;
  for (uint i = 0; i < n; i++) {
    hash ^= b[i];
    hash *= FNV_PRIME;
  }
  return hash;
}

static void
make_pipe(int fds[2])
{
  CHECK(pipe(fds) == 0, "pipe", "%s", strerror(errno));
}

static void
get_info(int pid, struct procinfo *info)
{
  CHECK(procinfo(pid, info) == 0, "procinfo", "pid %d: %s", pid, strerror(errno));
}

static uint64
resident_pages(void)
{
  struct procinfo me;
  get_info(getpid(), &me);
  return me.resident;
}

static int
fork_or_fail(void)
{
  int pid = fork();
  CHECK(pid >= 0, "fork", "%s", strerror(errno));
  return pid;
}

static int
reap(int pid, const char *check)
{
  int status;
  int got = waitpid(pid, &status, 0);
  CHECK(got == pid, check, "waitpid(%d) returned %d (%s)", pid, got, strerror(errno));
  return status;
}

/* Exit status of a child whose exec failed (127, as a shell uses for "cannot run"). */
#define EXEC_FAILED_STATUS 127

/* Reads fd to its end into out (NUL-terminated, at most max - 1 bytes
 * kept), then closes it. */
static void
collect_output(int fd, char *out, int max)
{
  int len = 0;
  char discard[64];
  for (;;) {
    /* Keep reading when out is full, so the child never blocks. */
    int full = len == max - 1;
    int n = full ? read(fd, discard, sizeof discard) : read(fd, out + len, max - 1 - len);
    if (n <= 0)
      break;
    if (!full)
      len += n;
  }
  out[len] = 0;
  close(fd);
}

/*
 * Runs path with argv in a child and collects its standard output in out
 * (NUL-terminated, at most max - 1 bytes). Returns the exit status.
 */
static int
run_program(const char *path, char **argv, char *out, int max)
{
  int fds[2];
  make_pipe(fds);
  int pid = fork_or_fail();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    exec(path, argv);
    fprintf(2, "exectest: exec %s: %s\n", path, strerror(errno));
    exit(EXEC_FAILED_STATUS);
  }
  close(fds[1]);
  collect_output(fds[0], out, max);
  return reap(pid, path);
}

/*
 * Calls exec(path, argv) in a child, which must come back from it.
 * Returns the errno the child saw, or 0 if exec succeeded (the child
 * then ran the program and never reported).
 */
static int
exec_errno(const char *path, char **argv)
{
  int fds[2];
  make_pipe(fds);
  int pid = fork_or_fail();
  if (pid == 0) {
    close(fds[0]);
    int r = exec(path, argv);
    /* Still here: the old program must be intact and able to report. */
    int code = r == -1 ? errno : 0;
    write(fds[1], &code, sizeof code);
    exit(0);
  }
  close(fds[1]);
  int code = 0;
  if (read(fds[0], &code, sizeof code) != sizeof code)
    code = 0; /* no report: exec replaced the child */
  close(fds[0]);
  reap(pid, "exec_errno");
  return code;
}

/* ------------------------------------------------------------------ */
/* touch1: exec loads nothing up front                                 */
/* ------------------------------------------------------------------ */

/*
 * How many pages exectest_big may have mapped after touching one data
 * byte (it asks right then, before calling anything else):
 *   text: its whole text segment (code and rodata) is 2 pages today;
 *         allow 3 for a growing library                              3
 *   data: the one page that holds the byte touched                   1
 *   stack: the top page (argument strings, argv) and possibly the
 *          next one down for main's frame                            2
 *   spare: page tables are not counted, but leave room for a stub
 *          or two landing on another page                            2
 * A loader that reads the whole 192 KiB of data would map 48 or more.
 */
#define TOUCH1_MAX_RESIDENT 8

/*
 * exectest_big's memory: every page of its data (BIG_DATA_PAGES) and bss
 * (2 MiB, BSS_BYTES in user/exectest_big.c), plus a few pages of text,
 * stack and page tables. exec promises all of it up front (docs/memory.md),
 * and `sum` maps it all. A small machine (MEM=8M) has less than that free:
 * the subtests that run exectest_big then skip rather than fail for a
 * reason that is no bug.
 */
#define BIG_DATA_PAGES 48
#define BIG_BSS_PAGES ((2 << 20) / PAGE_SIZE)
#define BIG_OTHER_PAGES 32
#define BIG_SUM_BYTES ((uint64)(BIG_DATA_PAGES + BIG_BSS_PAGES + BIG_OTHER_PAGES) * PAGE_SIZE)

/* Is there memory for exectest_big? If not, say that check skips. */
static int
big_fits(const char *check)
{
  struct sysinfo si;
  CHECK(sysinfo(&si) == 0, check, "sysinfo: %s", strerror(errno));
  if (si.freemem >= BIG_SUM_BYTES)
    return 1;
  printf("exectest: %s: skipped (needs %lu KiB free, have %lu KiB)\n", check, BIG_SUM_BYTES / 1024,
         si.freemem / 1024);
  return 0;
}

static char output[1024];

// LAB lazy: exectest-touch1-fn
static void
test_touch1(void)
{
  char *argv[] = {"exectest_big", "touch1", 0};
  if (!big_fits("touch1"))
    return;
  int status = run_program("/exectest_big", argv, output, sizeof output);
  CHECK(status == 0, "touch1", "exectest_big touch1 exited %d: %s", status, output);
  CHECK(strncmp(output, "resident ", 9) == 0, "touch1", "output '%s'", output);
  int resident = atoi(output + 9);
  CHECK(resident >= 1 && resident <= TOUCH1_MAX_RESIDENT, "touch1",
        "%d pages resident after touching one byte, want at most %d", resident,
        TOUCH1_MAX_RESIDENT);
}
// END LAB lazy

/* ------------------------------------------------------------------ */
/* sum: every page of data loads from the right place                 */
/* ------------------------------------------------------------------ */

/* exectest_big's data: page p = the 4-byte number p, then FILL_BYTE(p). */
#define BIG_FILL_BYTES (PAGE_SIZE - sizeof(uint))
#define BIG_FILL_BYTE(p) ((p) % 251 + 1)

static uint
expected_big_sum(void)
{
  uint hash = FNV_OFFSET_BASIS;
  uchar fill[BIG_FILL_BYTES];
  for (uint p = 0; p < BIG_DATA_PAGES; p++) {
    memset(fill, BIG_FILL_BYTE(p), sizeof fill);
    hash = fnv1a(hash, &p, sizeof p); /* little-endian, as stored */
    hash = fnv1a(hash, fill, sizeof fill);
  }
  return hash;
}

/* Parses lowercase hex digits. */
static uint
parse_hex(const char *s)
{
  uint value = 0;
  for (; (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'); s++)
    value = value * 16 + (*s <= '9' ? *s - '0' : *s - 'a' + 10);
  return value;
}

static void
test_sum(void)
{
  char *argv[] = {"exectest_big", "sum", 0};
  if (!big_fits("sum"))
    return;
  int status = run_program("/exectest_big", argv, output, sizeof output);
  CHECK(status == 0, "sum", "exectest_big sum exited %d: %s", status, output);
  CHECK(strncmp(output, "sum ", 4) == 0, "sum", "output '%s'", output);
  uint got = parse_hex(output + 4), want = expected_big_sum();
  CHECK(got == want, "sum", "data checksum %x, want %x", got, want);
}

/* ------------------------------------------------------------------ */
/* args: arguments arrive intact; the start-up state is right          */
/* ------------------------------------------------------------------ */

#define LONG_ARG_BYTES 5000
#define LONG_ARGS 12 /* 12 x 5000 bytes: about 60 KB in all */
#define ARG_SPACE (MAXARGBYTES + 4 * PAGE_SIZE)

static char *arg_vector[MAXARGV + 2];
static char arg_space[ARG_SPACE];
static int arg_count;
static int arg_used;

static void
args_reset(void)
{
  arg_vector[0] = "xt_args";
  arg_count = 1;
  arg_used = 0;
}

/* Appends an argument of len bytes of a pattern that differs per argument. */
static void
args_add(int len)
{
  CHECK(arg_count <= MAXARGV && arg_used + len + 1 <= ARG_SPACE, "args", "argument space full");
  char *s = arg_space + arg_used;
  for (int i = 0; i < len; i++)
    s[i] = 'a' + (arg_count * 7 + i) % 26;
  s[len] = 0;
  arg_vector[arg_count++] = s;
  arg_vector[arg_count] = 0;
  arg_used += len + 1;
}

/* The checksum xt_args should report for arg_vector. */
static uint
expected_args_sum(void)
{
  uint hash = FNV_OFFSET_BASIS;
  for (int i = 0; i < arg_count; i++)
    hash = fnv1a(hash, arg_vector[i], strlen(arg_vector[i]) + 1);
  return hash;
}

/*
 * exec hands the new program exactly the caller's descriptors: fd 0 a
 * file, fd 1 a pipe, fd 2 closed (exec opens nothing by itself: only the
 * first process gets the console, from the kernel; tests/test_exec.py
 * exec_first_fds checks that one).
 */
static void
check_fds_kept(void)
{
  const char *file = "/README.md";
  struct stat st;
  CHECK(stat(file, &st) == 0, "args", "stat %s: %s", file, strerror(errno));
  int fds[2];
  make_pipe(fds);
  int pid = fork_or_fail();
  if (pid == 0) {
    int fd = open(file, O_RDONLY);
    if (fd < 0 || dup2(fd, 0) < 0 || dup2(fds[1], 1) < 0)
      exit(EXEC_FAILED_STATUS);
    close(fd);
    close(fds[0]);
    close(fds[1]);
    close(2);
    char *argv[] = {"xt_fds", 0};
    exec("/xt_fds", argv);
    exit(EXEC_FAILED_STATUS);
  }
  close(fds[1]);
  collect_output(fds[0], output, sizeof output);
  int status = reap(pid, "args");
  const char *prefix = "fds file:", *suffix = " pipe closed\n";
  int plen = strlen(prefix);
  const char *rest = strchr(output + plen, ' ');
  int kept = strncmp(output, prefix, plen) == 0 && atoi(output + plen) == (int)st.ino &&
             rest != 0 && strcmp(rest, suffix) == 0;
  CHECK(status == 0 && kept, "args",
        "descriptors after exec (fd 0 %s, fd 1 a pipe, fd 2 closed): xt_fds printed '%s'"
        " and exited %d, want 'fds file:%d pipe closed' and 0", file, output, status, st.ino);
}

/* Runs xt_args with arg_vector; it must print "argc N sum X" to match. */
static void
check_args_arrive(const char *what)
{
  int status = run_program("/xt_args", arg_vector, output, sizeof output);
  CHECK(status == 0, "args", "%s: xt_args exited %d: %s", what, status, output);
  const char *sum = strchr(output, 's');
  CHECK(strncmp(output, "argc ", 5) == 0 && sum != 0 && strncmp(sum, "sum ", 4) == 0, "args",
        "%s: xt_args printed '%s'", what, output);
  int argc = atoi(output + 5);
  uint got = parse_hex(sum + 4), want = expected_args_sum();
  CHECK(argc == arg_count, "args", "%s: xt_args got argc %d, want %d", what, argc, arg_count);
  CHECK(got == want, "args", "%s: argument checksum %x, want %x", what, got, want);
}

static void
test_args(void)
{
  args_reset();
  check_args_arrive("no arguments");

  args_add(5);
  check_args_arrive("one argument");

  args_reset();
  for (int i = 0; i < MAXARG; i++)
    args_add(i % 10);
  check_args_arrive("MAXARG arguments");

  args_reset();
  for (int i = 0; i < LONG_ARGS; i++)
    args_add(LONG_ARG_BYTES);
  check_args_arrive("60 KB of arguments");

  /* MAXARGV counts argv[0] too: this is the most exec accepts. */
  args_reset();
  while (arg_count < MAXARGV)
    args_add(1);
  check_args_arrive("MAXARGV arguments");

  check_fds_kept();
}

/* ------------------------------------------------------------------ */
/* ret7: returning from main exits with its value                      */
/* ------------------------------------------------------------------ */

static void
test_ret7(void)
{
  char *argv[] = {"xt_ret7", 0};
  int status = run_program("/xt_ret7", argv, output, sizeof output);
  CHECK(status == 7, "ret7", "main returned 7, wait says %d", status);
}

/* ------------------------------------------------------------------ */
/* e2big: too many arguments or too many bytes                         */
/* ------------------------------------------------------------------ */

static void
expect_e2big(const char *what)
{
  int code = exec_errno("/xt_args", arg_vector);
  CHECK(code == E2BIG, "e2big", "%s: exec gave errno %d, want E2BIG (%d)", what, code, E2BIG);
}

static void
test_e2big(void)
{
  args_reset();
  while (arg_count < MAXARGV + 1)
    args_add(1);
  expect_e2big("MAXARGV + 1 arguments");

  args_reset();
  args_add(MAXARGBYTES + 1000);
  expect_e2big("one argument over 64 KiB");

  args_reset();
  for (int i = 0; i < 17; i++) /* 17 x 4000 = 68000 bytes */
    args_add(4000);
  expect_e2big("17 arguments of 4000 bytes");
}

/* ------------------------------------------------------------------ */
/* faults: forbidden accesses kill the process with status -1          */
/* ------------------------------------------------------------------ */

/* The pointer and the access are volatile, so the compiler emits the load
 * as written (a plain null dereference it may drop or turn into a trap). */
static char *volatile null_pointer = 0;

/* An initialized array lives in the data segment: readable, writable,
 * not executable. It holds one "ret" instruction. */
static uint data_code[] = {0x00008067};

static const char rodata_text[] = "read-only";

static void
write_text(void)
{
  *(volatile char *)(uint64)write_text = 0;
}

static void
write_rodata(void)
{
  *(volatile char *)rodata_text = 'R';
}

static void
execute_data(void)
{
  ((void (*)(void))(uint64)data_code)();
}

static void
execute_stack(void)
{
  volatile uint code[1] = {0x00008067};
  ((void (*)(void))(uint64)code)();
}

static void
read_null(void)
{
  (void)*(volatile char *)null_pointer;
}

static void
read_guard_gap(void)
{
  (void)*(volatile char *)(USER_STACK_BOTTOM - PAGE_SIZE);
}

static void
read_kernel(void)
{
  (void)*(volatile char *)KERNEL_ADDRESS;
}

static void
read_past_break(void)
{
  (void)*(volatile char *)sbrk(0);
}

static const struct {
  const char *name;
  void (*access)(void);
} forbidden[] = {
  {"write to text", write_text},
  {"write to rodata", write_rodata},
  {"execute data", execute_data},
  {"execute stack", execute_stack},
  {"read from address 0", read_null},
  {"read the stack guard gap", read_guard_gap},
  {"read a kernel address", read_kernel},
  {"read past the break", read_past_break},
};

static void
test_faults(void)
{
  for (int i = 0; i < (int)(sizeof forbidden / sizeof forbidden[0]); i++) {
    /* The child exits 0 if the access lets it live on. */
    int status = sandbox_status(forbidden[i].access, "child");
    CHECK(status == -1, "faults", "%s: child exited %d, want -1 (killed)", forbidden[i].name,
          status);
  }
}

/* For the host test of the kernel's fault line: a child that reads
 * address 0, and its pid printed so the host can find the kernel's line
 *   pid N (exectest): load page fault pc=0x... addr=0x0 */
static void
test_nullderef(void)
{
  int pid = fork_or_fail();
  if (pid == 0) {
    read_null();
    exit(0);
  }
  int status = reap(pid, "nullderef");
  CHECK(status == -1, "nullderef", "child exited %d, want -1", status);
  printf("exectest: null dereference killed pid %d\n", pid);
}

/* ------------------------------------------------------------------ */
/* untouched: system calls load pages the program never touched        */
/* ------------------------------------------------------------------ */

#define UNTOUCHED_MESSAGE "exectest: written straight from a data page nobody had touched\n"
#define FILE_BYTES (3 * PAGE_SIZE)
#define READ_OFFSET 100 /* so the read spans four pages */
#define TEMP_FILE "/exectest.tmp"

/* Initialized, so in the data segment; used only by this subtest, so its
 * page is not loaded until write() needs it. */
static char untouched_data[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE))) = UNTOUCHED_MESSAGE;
/* In bss and used only here: its pages do not exist until read() fills them. */
static char untouched_bss[4 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static char
file_pattern(int i)
{
  return 'A' + i % 53 % 26;
}

static void
check_write_from_untouched_data(void)
{
  /* write(1, ...) with fd 1 pointing at a pipe for a moment, so we can
   * read back what was written. */
  int len = sizeof UNTOUCHED_MESSAGE - 1;
  int fds[2];
  make_pipe(fds);
  int saved_stdout = dup(1);
  dup2(fds[1], 1);
  int n = write(1, untouched_data, len);
  dup2(saved_stdout, 1);
  close(saved_stdout);
  CHECK(n == len, "untouched", "write from untouched data returned %d, want %d", n, len);
  char back[sizeof UNTOUCHED_MESSAGE];
  CHECK(read(fds[0], back, len) == len, "untouched", "pipe read short");
  CHECK(memcmp(back, UNTOUCHED_MESSAGE, len) == 0, "untouched", "pipe got other bytes");
  close(fds[0]);
  close(fds[1]);
}

static void
write_temp_file(void)
{
  static char pattern[FILE_BYTES];
  for (int i = 0; i < FILE_BYTES; i++)
    pattern[i] = file_pattern(i);
  int fd = open(TEMP_FILE, O_CREATE | O_WRONLY | O_TRUNC);
  CHECK(fd >= 0, "untouched", "create %s: %s", TEMP_FILE, strerror(errno));
  CHECK(write(fd, pattern, FILE_BYTES) == FILE_BYTES, "untouched", "write %s", TEMP_FILE);
  close(fd);
}

/* Reads the temp file into dst (n bytes) and checks every byte. */
static void
check_read_into(char *dst, const char *what)
{
  int fd = open(TEMP_FILE, O_RDONLY);
  CHECK(fd >= 0, "untouched", "open %s: %s", TEMP_FILE, strerror(errno));
  int n = read(fd, dst, FILE_BYTES);
  close(fd);
  CHECK(n == FILE_BYTES, "untouched", "read into %s returned %d (%s)", what, n, strerror(errno));
  for (int i = 0; i < FILE_BYTES; i++)
    CHECK(dst[i] == file_pattern(i), "untouched", "%s: byte %d differs", what, i);
}

static void
test_untouched(void)
{
  check_write_from_untouched_data();
  write_temp_file();
  check_read_into(untouched_bss + READ_OFFSET, "untouched bss");
  char *heap = sbrk(FILE_BYTES + PAGE_SIZE);
  CHECK(heap != (char *)-1, "untouched", "sbrk: %s", strerror(errno));
  check_read_into(heap + READ_OFFSET, "untouched heap");

  /* Text is not writable: read() refuses with EFAULT, we live on. */
  int fd = open(TEMP_FILE, O_RDONLY);
  int n = read(fd, (char *)(uint64)test_untouched, 16);
  CHECK(n == -1 && errno == EFAULT, "untouched", "read into text returned %d errno %d", n, errno);
  close(fd);
  CHECK(unlink(TEMP_FILE) == 0, "untouched", "unlink %s: %s", TEMP_FILE, strerror(errno));
}

/* ------------------------------------------------------------------ */
/* badelf: malformed executables are refused                           */
/* ------------------------------------------------------------------ */

#define ELF_FILE "/exectest.elf"
#define LOAD_VA 0x10000UL
#define CODE_OFFSET 0x200 /* code sits here in the file, after the headers */
#define PROGRAM_STATUS 73
#define EM_X86_64 62
#define ET_DYN 3
#define PT_NOTE 4

/* The program: li a0, 73; li a7, 2 (exit); ecall. */
static const uint program_code[] = {0x04900513, 0x00200893, 0x00000073};

static uchar image[CODE_OFFSET + sizeof program_code];
static int image_len;
static struct elf_header *eh = (struct elf_header *)image;
static struct program_header *ph = (struct program_header *)(image + sizeof(struct elf_header));

/* A small but valid executable: one R+X segment holding the whole file. */
static void
build_valid_image(void)
{
  memset(image, 0, sizeof image);
  image_len = sizeof image;
  eh->magic = ELF_MAGIC;
  eh->elf_class = ELFCLASS64;
  eh->data = ELFDATA2LSB;
  eh->version = 1;
  eh->type = ET_EXEC;
  eh->machine = EM_RISCV;
  eh->version2 = 1;
  eh->entry = LOAD_VA + CODE_OFFSET;
  eh->phoff = sizeof(struct elf_header);
  eh->ehsize = sizeof(struct elf_header);
  eh->phentsize = sizeof(struct program_header);
  eh->phnum = 1;
  ph[0].type = PT_LOAD;
  ph[0].flags = PF_R | PF_X;
  ph[0].offset = 0;
  ph[0].vaddr = ph[0].paddr = LOAD_VA;
  ph[0].filesz = ph[0].memsz = sizeof image;
  ph[0].align = PAGE_SIZE;
  memmove(image + CODE_OFFSET, program_code, sizeof program_code);
}

/* A second segment: R+W, one page at va, nothing from the file. */
static void
add_data_segment(uint64 va)
{
  eh->phnum = 2;
  ph[1].type = PT_LOAD;
  ph[1].flags = PF_R | PF_W;
  ph[1].vaddr = ph[1].paddr = va;
  ph[1].memsz = PAGE_SIZE;
  ph[1].align = PAGE_SIZE;
}

/* Each spoils the valid image in one way. */
static void truncated_header(void) { image_len = sizeof(struct elf_header) / 2; }
static void empty_file(void) { image_len = 0; }
static void bad_magic(void) { image[1] = 'X'; }
static void wrong_class(void) { eh->elf_class = 1; /* ELFCLASS32 */ }
static void wrong_byte_order(void) { eh->data = 2; /* big-endian */ }
static void wrong_machine(void) { eh->machine = EM_X86_64; }
static void not_executable_type(void) { eh->type = ET_DYN; }
static void bad_phentsize(void) { eh->phentsize = 32; }
static void zero_phnum(void) { eh->phnum = 0; }
static void huge_phnum(void) { eh->phnum = 0xffff; }
static void phoff_past_end(void) { eh->phoff = 0x100000; }
static void no_load_segment(void) { ph[0].type = PT_NOTE; }
static void segment_past_end(void) { ph[0].filesz = ph[0].memsz = 0x100000; }
static void offset_past_end(void) { ph[0].offset = 0x100000; }
static void memsz_below_filesz(void) { ph[0].memsz = ph[0].filesz - 4; }
static void memsz_wraps(void) { ph[0].memsz = ~0UL - PAGE_SIZE; }
static void memsz_beyond_user(void) { ph[0].memsz = USER_TOP; }
static void overlapping_segments(void) { add_data_segment(LOAD_VA); }
static void entry_outside(void) { eh->entry = 0x400000; }
static void entry_in_data(void)
{
  add_data_segment(LOAD_VA + 0x10000);
  eh->entry = LOAD_VA + 0x10000;
}
static void kernel_address(void)
{
  ph[0].vaddr = ph[0].paddr = KERNEL_ADDRESS;
  eh->entry = KERNEL_ADDRESS + CODE_OFFSET;
}
static void page_zero(void)
{
  ph[0].vaddr = ph[0].paddr = 0;
  eh->entry = CODE_OFFSET;
}
static void writable_and_executable(void) { ph[0].flags = PF_R | PF_W | PF_X; }

static const struct {
  const char *name;
  void (*spoil)(void);
} bad_images[] = {
  {"truncated header", truncated_header},
  {"empty file", empty_file},
  {"bad magic", bad_magic},
  {"wrong class", wrong_class},
  {"wrong byte order", wrong_byte_order},
  {"wrong machine", wrong_machine},
  {"type ET_DYN", not_executable_type},
  {"wrong phentsize", bad_phentsize},
  {"zero phnum", zero_phnum},
  {"phnum 65535", huge_phnum},
  {"program headers past end of file", phoff_past_end},
  {"no PT_LOAD segment", no_load_segment},
  {"segment past end of file", segment_past_end},
  {"segment offset past end of file", offset_past_end},
  {"memsz < filesz", memsz_below_filesz},
  {"memsz wraps around", memsz_wraps},
  {"memsz beyond user space", memsz_beyond_user},
  {"overlapping segments", overlapping_segments},
  {"entry outside any segment", entry_outside},
  {"entry in a data segment", entry_in_data},
  {"segment at kernel address", kernel_address},
  {"segment at page 0", page_zero},
  {"W+X segment", writable_and_executable},
};

static void
write_image(void)
{
  int fd = open(ELF_FILE, O_CREATE | O_WRONLY | O_TRUNC);
  CHECK(fd >= 0, "badelf", "create %s: %s", ELF_FILE, strerror(errno));
  CHECK(write(fd, image, image_len) == image_len, "badelf", "write %s: %s", ELF_FILE,
        strerror(errno));
  close(fd);
}

static void
test_badelf(void)
{
  char *argv[] = {"exectest.elf", 0};

  /* First the unspoiled image: it must run, or the test proves nothing. */
  build_valid_image();
  write_image();
  int status = run_program(ELF_FILE, argv, output, sizeof output);
  CHECK(status == PROGRAM_STATUS, "badelf", "valid image exited %d, want %d", status,
        PROGRAM_STATUS);

  for (int i = 0; i < (int)(sizeof bad_images / sizeof bad_images[0]); i++) {
    build_valid_image();
    bad_images[i].spoil();
    write_image();
    int code = exec_errno(ELF_FILE, argv);
    CHECK(code == ENOEXEC, "badelf", "%s: exec gave errno %d, want ENOEXEC (%d)",
          bad_images[i].name, code, ENOEXEC);
  }
  CHECK(unlink(ELF_FILE) == 0, "badelf", "unlink: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* badexec: bad paths and pointers                                     */
/* ------------------------------------------------------------------ */

static void
expect_exec_errno(const char *path, char **argv, int want, const char *what)
{
  int code = exec_errno(path, argv);
  CHECK(code == want, "badexec", "%s: errno %d, want %d", what, code, want);
}

static void
test_badexec(void)
{
  char *argv[] = {"xt_args", 0};
  char *bad_element[] = {"xt_args", (char *)KERNEL_ADDRESS, 0};
  expect_exec_errno("/no-such-prog", argv, ENOENT, "missing file");
  expect_exec_errno("/a-name-over-14-chars", argv, ENAMETOOLONG, "name longer than DIRSIZ");
  expect_exec_errno("/", argv, EACCES, "a directory");
  expect_exec_errno("/README.md/xt_args", argv, ENOTDIR, "a file used as a directory");
  expect_exec_errno("/no-such-dir/xt_args", argv, ENOENT, "a missing directory");
  expect_exec_errno((char *)0x10, argv, EFAULT, "path at 0x10");
  expect_exec_errno((char *)KERNEL_ADDRESS, argv, EFAULT, "path in the kernel");
  expect_exec_errno("/xt_args", (char **)0x10, EFAULT, "argv at 0x10");
  expect_exec_errno("/xt_args", bad_element, EFAULT, "argv[1] in the kernel");
}

/* ------------------------------------------------------------------ */
/* txtbusy: a running program cannot be opened for writing             */
/* ------------------------------------------------------------------ */

static void
test_txtbusy(void)
{
  int fds[2];
  make_pipe(fds);
  int pid = fork_or_fail();
  if (pid == 0) {
    dup2(fds[0], 0);
    close(fds[0]);
    close(fds[1]);
    char *argv[] = {"xt_wait", 0};
    exec("/xt_wait", argv);
    exit(EXEC_FAILED_STATUS);
  }
  close(fds[0]);

  /* The name changes when exec has committed to the new program. Look
   * before judging the deadline: a busy host may stall us past it. */
  struct procinfo info;
  uint64 deadline = now_ms() + STATE_WAIT_MS;
  for (;;) {
    get_info(pid, &info);
    if (strcmp(info.name, "xt_wait") == 0)
      break;
    CHECK(now_ms() < deadline, "txtbusy", "expected the child to be xt_wait within %d ms, it is %s",
          STATE_WAIT_MS, info.name);
    sleep(1);
  }

  int fd = open("/xt_wait", O_WRONLY);
  CHECK(fd == -1 && errno == ETXTBSY, "txtbusy", "O_WRONLY open of running program: %d errno %d",
        fd, errno);
  fd = open("/xt_wait", O_RDWR);
  CHECK(fd == -1 && errno == ETXTBSY, "txtbusy", "O_RDWR open of running program: %d errno %d",
        fd, errno);
  fd = open("/xt_wait", O_RDONLY);
  CHECK(fd >= 0, "txtbusy", "O_RDONLY open of running program: %s", strerror(errno));
  close(fd);

  close(fds[1]); /* xt_wait reads end of file and exits */
  int status = reap(pid, "txtbusy");
  CHECK(status == 0, "txtbusy", "xt_wait exited %d", status);
  /* Not busy any more. No O_TRUNC: the program stays intact. */
  fd = open("/xt_wait", O_WRONLY);
  CHECK(fd >= 0, "txtbusy", "O_WRONLY open after exit: %s", strerror(errno));

  /* The other direction: while a file is open for writing, exec refuses it. */
  char *argv[] = {"xt_wait", 0};
  int r = exec("/xt_wait", argv);
  CHECK(r == -1 && errno == ETXTBSY, "txtbusy", "exec of a file open for writing: %d errno %d",
        r, errno);
  close(fd);
  pid = fork();
  if (pid == 0) {
    close(0); /* xt_wait reads standard input until end of file */
    open("/README.md", O_RDONLY);
    exec("/xt_wait", argv);
    exit(99);
  }
  status = reap(pid, "txtbusy");
  CHECK(status == 0, "txtbusy", "exec after the writer closed: status %d", status);
}

/* ------------------------------------------------------------------ */
/* sbrk: grow, shrink, regrow, and the limit                           */
/* ------------------------------------------------------------------ */

#define GROW_PAGES 16
#define GROW_BYTES (GROW_PAGES * PAGE_SIZE)
#define BIG_STEP (64 << 20)

static char *volatile probe_address;

static void
read_probe_address(void)
{
  (void)*(volatile char *)probe_address;
}

static void
check_grow_and_shrink(char *start)
{
  uint64 resident0 = resident_pages();
  char *p = sbrk(GROW_BYTES);
  CHECK(p == start, "sbrk", "sbrk(%d) returned %p, break was %p", GROW_BYTES, p, start);
  CHECK(sbrk(0) == start + GROW_BYTES, "sbrk", "break did not move by %d", GROW_BYTES);
  for (int i = 0; i < GROW_BYTES; i += PAGE_SIZE)
    p[i] = p[i + PAGE_SIZE - 1] = 1 + i / PAGE_SIZE;
  uint64 resident1 = resident_pages();
  CHECK(resident1 >= resident0 + GROW_PAGES, "sbrk", "touching %d pages: resident %lu -> %lu",
        GROW_PAGES, resident0, resident1);

  CHECK(sbrk(-GROW_BYTES) == start + GROW_BYTES, "sbrk", "shrink returned the wrong old break");
  CHECK(sbrk(0) == start, "sbrk", "shrink did not move the break back");
  uint64 resident2 = resident_pages();
  CHECK(resident1 - resident2 == GROW_PAGES, "sbrk", "shrinking freed %lu pages, want %d",
        resident1 - resident2, GROW_PAGES);
  probe_address = start;
  int status = sandbox_status(read_probe_address, "child");
  CHECK(status == -1, "sbrk", "reading a page given back with sbrk: child exited %d", status);

  p = sbrk(GROW_BYTES);
  CHECK(p == start, "sbrk", "regrow returned %p, want %p", p, start);
  for (int i = 0; i < GROW_BYTES; i++)
    CHECK(p[i] == 0, "sbrk", "regrown byte %d is %d, want 0", i, p[i]);
  CHECK(sbrk(-GROW_BYTES) == start + GROW_BYTES, "sbrk", "second shrink failed");
}

/* Run in a child: shrinking by more than the heap holds empties the heap
 * and returns the old break (as in xv6). */
static void
shrink_too_far(void)
{
  sbrk(PAGE_SIZE);
  char *old = sbrk(0);
  char *r = sbrk(-(1 << 30));
  exit(r == old && sbrk(0) <= old - PAGE_SIZE ? 0 : 1);
}

static void
check_limits(char *start)
{
  int status = sandbox_status(shrink_too_far, "child");
  CHECK(status == 0, "sbrk", "shrinking by 1 GiB: child exited %d, want 0 (old break returned,"
        " heap emptied)", status);
  char *r = sbrk(0x7fffffff);
  CHECK(r == (char *)-1 && errno == ENOMEM, "sbrk", "sbrk(0x7fffffff) returned %p errno %d", r,
        errno);
  CHECK(sbrk(0) == start, "sbrk", "a failed sbrk moved the break");

  /* sbrk promises memory: it is refused as soon as memory cannot back
   * the growth, long before the address-space limit. */
  struct sysinfo info;
  int steps = 0;
  while (sbrk(BIG_STEP) != (char *)-1)
    CHECK(++steps < 64, "sbrk", "64 steps of 64 MiB all succeeded");
  CHECK(errno == ENOMEM, "sbrk", "refused sbrk(%d): errno %d, want ENOMEM", BIG_STEP, errno);
  CHECK(sysinfo(&info) == 0 && info.freemem < BIG_STEP, "sbrk",
        "sbrk(%d) refused with %lu bytes free", BIG_STEP, info.freemem);
  CHECK((uint64)sbrk(0) + BIG_STEP < USER_HEAP_LIMIT, "sbrk", "eager sbrk reached %p", sbrk(0));
  while (steps-- > 0)
    CHECK(sbrk(-BIG_STEP) != (char *)-1, "sbrk", "shrinking back failed");

  /* sbrklazy promises nothing: only the address space limits it, and the
   * heap must stop below the stack. */
  steps = 0;
  while (sbrklazy(BIG_STEP) != (char *)-1)
    CHECK(++steps < 64, "sbrk", "64 steps of 64 MiB all succeeded");
  char *top = sbrk(0);
  CHECK((uint64)top <= USER_HEAP_LIMIT, "sbrk", "break %p is above the heap limit", top);
  CHECK((uint64)top + BIG_STEP > USER_HEAP_LIMIT, "sbrk", "refused at %p, well below the limit",
        top);
  top[-1] = 1; /* the last heap byte is usable (one page, lazily) */
  while (steps-- > 0)
    CHECK(sbrklazy(-BIG_STEP) != (char *)-1, "sbrk", "shrinking back failed");
  CHECK(sbrk(0) == start, "sbrk", "break %p after shrinking back, want %p", sbrk(0), start);
}

static void
test_sbrk(void)
{
  /* Start at a page boundary, so that shrinking frees whole pages and
   * regrown pages are entirely new (a partly kept page keeps its bytes). */
  char *start = sbrk(0);
  if ((uint64)start % PAGE_SIZE != 0)
    sbrk(PAGE_SIZE - (uint64)start % PAGE_SIZE);
  start = sbrk(0);
  check_grow_and_shrink(start);
  check_limits(start);
}

/* ------------------------------------------------------------------ */
/* forkcopy: the child gets a copy of every loaded page                */
/* ------------------------------------------------------------------ */

#define COPY_PAGES 3

/* Initialized data: page 0 the parent changes, page 1 it only reads,
 * page 2 it never touches (so the child loads it from the file). */
static char copy_data[COPY_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE))) = {
  "page zero", "page one", "page two",
};

static char *copy_heap;
#define HEAP_TEXT "heap before fork"
#define STACK_TEXT "stack before fork"

static int
child_sees_copies(const char *stack)
{
  if (strcmp(copy_data[0], "changed by parent") != 0 || strcmp(copy_data[1], "page one") != 0 ||
      strcmp(copy_data[2], "page two") != 0 || strcmp(copy_heap, HEAP_TEXT) != 0 ||
      strcmp(stack, STACK_TEXT) != 0)
    return 0;
  /* Scribble on everything: the parent must not see it. */
  strcpy(copy_data[0], "child");
  strcpy(copy_data[1], "child");
  strcpy(copy_heap, "child");
  return 1;
}

static void
test_forkcopy(void)
{
  char stack[32];
  strcpy(stack, STACK_TEXT);
  strcpy(copy_data[0], "changed by parent");
  CHECK(copy_data[1][0] == 'p', "forkcopy", "data page 1 starts with %d", copy_data[1][0]);
  copy_heap = sbrk(PAGE_SIZE);
  CHECK(copy_heap != (char *)-1, "forkcopy", "sbrk: %s", strerror(errno));
  strcpy(copy_heap, HEAP_TEXT);

  int pid = fork_or_fail();
  if (pid == 0)
    exit(child_sees_copies(stack) ? 0 : 1);
  int status = reap(pid, "forkcopy");
  CHECK(status == 0, "forkcopy", "child saw different memory (status %d)", status);
  CHECK(strcmp(copy_data[0], "changed by parent") == 0 && strcmp(copy_data[1], "page one") == 0 &&
        strcmp(copy_heap, HEAP_TEXT) == 0, "forkcopy", "child's writes reached the parent");
}

/* ------------------------------------------------------------------ */
/* Running the subtests                                               */
/* ------------------------------------------------------------------ */

static const struct subtest subtests[] = {
  // LAB lazy: exectest-touch1
  {"touch1", test_touch1},
  // END LAB lazy
  {"sum", test_sum},             {"args", test_args},
  {"ret7", test_ret7},           {"e2big", test_e2big},     {"faults", test_faults},
  {"nullderef", test_nullderef}, {"untouched", test_untouched}, {"badelf", test_badelf},
  {"badexec", test_badexec},     {"txtbusy", test_txtbusy}, {"sbrk", test_sbrk},
  {"forkcopy", test_forkcopy},
};
#define N_SUBTESTS ((int)(sizeof subtests / sizeof subtests[0]))

int
main(int argc, char **argv)
{
  subtest_main(argc, argv, subtests, N_SUBTESTS);
}
