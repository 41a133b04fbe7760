/*
 * usertests: run Rivet's in-guest test programs one after another, the way
 * xv6's usertests runs all of its tests.
 *
 *   usertests TOKEN [-q] [PROG...]
 *
 * PROG defaults to every program in the table below (proctest, exectest,
 * fstest). Without -q each program runs once, whole: `PROG TOKEN`. With -q
 * (quick) a program from the table runs once per subtest, `PROG TOKEN
 * SUBTEST`, except for the subtests the table marks SLOW. A PROG that is not
 * in the table always runs whole. A PROG without a '/' is run from /.
 *
 * Each run is a child process whose standard output goes through a pipe:
 * usertests copies it to its own standard output line by line and watches
 * for the program's verdict line `PROG: PASS TOKEN` (PROG without its
 * directory). A run is ok when that line came and the child exited with
 * status 0. After each run one line says how it went:
 *
 *   usertests: fstest files: ok (412 ms)
 *   usertests: proctest: FAILED (status 1)
 *
 * Leak check: a run is ok only if, once it has been reaped, all the memory
 * it used is free again: free memory (sysinfo's freemem) plus
 * our own resident pages must be what it was before the run (allowing a
 * moment for exits still under way). Otherwise:
 *
 *   usertests: fstest pipe: FAILED (leaked 2 pages: free memory ... )
 *
 * and at the end `usertests: PASS TOKEN` (exit status 0) if every run was
 * ok, else `usertests: FAIL <failed> of <runs>` (exit status 1). Usage
 * errors exit with status 2. The children's standard error is not
 * captured: it goes where ours goes.
 *
 * The host test is tests/test_usertests.py.
 */
#include "kernel/types.h"
#include "user/user.h"

/* ------------------------------------------------------------------ */
/* The test programs and their subtests                               */
/* ------------------------------------------------------------------ */

/*
 * TEST_PROGRAMS: the programs run by default, in this order, and their
 * subtests in the order the programs run them (the subtests[] tables in
 * user/proctest.c, user/exectest.c and user/fstest.c). Keep these lists in
 * step with those tables: -q runs exactly the subtests named here. The
 * subtests a program runs only when named (proctest wake and sleep, which
 * need -icount; fstest inodes and zeroed, which need a small disk) are not
 * listed: the host tests run them on such machines.
 *
 * SLOW marks a subtest that -q skips:
 *   proctest fair  four CPU-bound children spin for 2 s (it only measures
 *                  anything on a single hart; elsewhere it skips itself)
 *   fstest big     writes and reads back a 32 MiB file
 *   fstest full    fills the whole disk, then frees it and writes again
 */
#define SLOW 1
#define MAX_SUBTESTS 24 /* per program, with room for the terminating {0} */

struct subtest {
  const char *name;
  int slow; /* SLOW: skipped by -q */
};

struct test_program {
  const char *name;
  struct subtest subtests[MAX_SUBTESTS]; /* ends at the first {0} */
};

static const struct test_program TEST_PROGRAMS[] = {
  {"proctest",
   {{"status"},
    /* LAB procapi: quick-list */
    {"waitpid"}, {"kill"}, {"suspend"}, {"badpids"}, {"getprocs"},
    /* END LAB procapi */
    /* LAB sched: quick-list */
    {"fair", SLOW}, {"preempt"}, {"csw"},
    /* END LAB sched */
    {"forkfull"}, {"orphan"}, {"harts"}, {"sysinfo"}, {"enosys"}, {"badptr"}}},
  {"exectest",
   {{"touch1"}, {"sum"}, {"args"}, {"ret7"}, {"e2big"}, {"faults"}, {"nullderef"},
    {"untouched"}, {"badelf"}, {"badexec"}, {"txtbusy"}, {"sbrk"}, {"forkcopy"}}},
  {"fstest",
   {{"files"}, {"fd"}, {"names"}, {"dirs"}, {"links"}, {"lseek"}, {"append"},
    {"trunc"}, {"dup"}, {"emfile"}, {"pipe"}, {"bigpipe"}, {"pipefault"}, {"mknod"}, {"fsync"},
    {"many"}, {"concurrent"}, {"efbig"}, {"nfile"}, {"big", SLOW}, {"full", SLOW}}},
};
#define N_TEST_PROGRAMS ((int)(sizeof TEST_PROGRAMS / sizeof TEST_PROGRAMS[0]))

/* ------------------------------------------------------------------ */
/* Limits and constants                                               */
/* ------------------------------------------------------------------ */

#define NS_PER_MS 1000000UL
#define PAGE_SIZE 4096UL
#define MAX_PROGRAM_NAME 32 /* bytes of a PROG argument */
#define MAX_TOKEN 128       /* bytes of TOKEN */
#define MAX_PATH (MAX_PROGRAM_NAME + 2)
#define MAX_VERDICT (MAX_PROGRAM_NAME + MAX_TOKEN + 16)
#define LINE_BYTES 256      /* longer output lines are passed on in pieces */
#define READ_BYTES 512      /* one read() from a child's pipe */
#define MAX_RECORDED_FAILURES 64
#define STACK_TOUCH_BYTES (16 * 1024)
#define STATUS_EXEC_FAILED 127 /* a child whose exec failed exits with this */
#define LEAK_WAIT_MS 1000      /* how long exits still under way may take */
#define SLEEP_TICKS 1
#define STATUS_USAGE 2

/* ------------------------------------------------------------------ */
/* State                                                              */
/* ------------------------------------------------------------------ */

static const char *token;

/* Buffers for copying a child's output (static: see prefault()). */
static char read_buffer[READ_BYTES];
static char line_buffer[LINE_BYTES];

static int runs, failures;
static struct {
  const char *program;
  const char *subtest; /* 0: the whole program */
} failed_runs[MAX_RECORDED_FAILURES];

/* ------------------------------------------------------------------ */
/* Not disturbing the children's memory checks                        */
/* ------------------------------------------------------------------ */

/* crt0's entry point: the first thing in the text segment. */
void _start(int argc, char **argv);

static void __attribute__((noinline))
touch_stack(void)
{
  volatile char pad[STACK_TOUCH_BYTES];
  for (uint i = 0; i < sizeof pad; i += 256)
    pad[i] = 0;
}

/*
 * proctest and exectest check after every subtest that all free memory is
 * back. Memory is counted machine-wide, so our pages count too: if this
 * process mapped a page for the first time while a child was measuring,
 * the child would see a page vanish and report a leak. (Pages promised at
 * exec do not change freemem when first touched, see docs/memory.md, but a
 * stack deeper than that promise does.) Rivet maps every
 * user page lazily, on first touch (text and data from the file, bss,
 * stack and heap as zeroes), so we touch, before the first run, every page
 * we will use while a child runs: the whole program image (text, rodata,
 * data and bss lie back to back from _start up to the initial break, see
 * user/user.ld) and more stack than we ever need. Nothing below uses the
 * heap.
 */
static void
prefault(void)
{
  uint64 start = (uint64)_start & ~(PAGE_SIZE - 1);
  uint64 end = (uint64)sbrk(0);
  for (uint64 va = start; va < end; va += PAGE_SIZE)
    (void)*(volatile char *)va;
  touch_stack();
}

/* ------------------------------------------------------------------ */
/* The leak check                                                     */
/* ------------------------------------------------------------------ */

/*
 * Memory in use by everything but us: free memory plus our own resident
 * pages (which prefault() has made stable). 0 if it cannot be measured.
 */
static uint64
memory_mark(void)
{
  struct sysinfo si;
  struct procinfo me;
  if (sysinfo(&si) < 0 || procinfo(getpid(), &me) < 0)
    return 0;
  return si.freemem + me.resident * PAGE_SIZE;
}

/* Bytes of memory not back since `before` was measured, waiting up to
 * LEAK_WAIT_MS for the mark to return (an orphan may still be exiting).
 * Negative if more is free than before. */
static int64
memory_not_returned(uint64 before, uint64 *after)
{
  uint64 deadline = uptime_ns() + LEAK_WAIT_MS * NS_PER_MS;
  *after = memory_mark();
  while (*after != before && uptime_ns() < deadline) {
    sleep(SLEEP_TICKS);
    *after = memory_mark();
  }
  return (int64)(before - *after);
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */
/* ------------------------------------------------------------------ */

static void __attribute__((noreturn))
usage(const char *why)
{
  if (why)
    fprintf(2, "usertests: %s\n", why);
  fprintf(2, "usage: usertests TOKEN [-q] [PROG...]\n");
  exit(STATUS_USAGE);
}

/* name without its directories */
static const char *
base_name(const char *path)
{
  const char *base = path;
  for (const char *p = path; *p; p++)
    if (*p == '/')
      base = p + 1;
  return base;
}

static const struct test_program *
find_program(const char *name)
{
  for (int i = 0; i < N_TEST_PROGRAMS; i++)
    if (strcmp(TEST_PROGRAMS[i].name, base_name(name)) == 0)
      return &TEST_PROGRAMS[i];
  return 0;
}

/* Does line[0..len) say exactly `want`, ignoring the line end? */
static int
line_is(const char *line, int len, const char *want)
{
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    len--;
  return len == (int)strlen(want) && memcmp(line, want, len) == 0;
}

/* ------------------------------------------------------------------ */
/* Running one program                                                */
/* ------------------------------------------------------------------ */

/*
 * Copies everything a child writes to fd to our standard output, one
 * write() per line (so the lines come out whole between other console
 * output), until end of file. Returns 1 if one line was exactly `verdict`.
 * A line longer than LINE_BYTES is passed on in pieces and is never the
 * verdict; a last line without a newline gets one.
 */
static int
relay_output(int fd, const char *verdict)
{
  int len = 0;     /* bytes of the current line in line_buffer */
  int partial = 0; /* the start of the current line was passed on already */
  int seen = 0;
  int n;
  while ((n = read(fd, read_buffer, sizeof read_buffer)) > 0) {
    for (int i = 0; i < n; i++) {
      char c = read_buffer[i];
      line_buffer[len++] = c;
      if (c == '\n') {
        if (!partial && line_is(line_buffer, len, verdict))
          seen = 1;
        write(1, line_buffer, len);
        len = 0;
        partial = 0;
      } else if (len == LINE_BYTES) {
        write(1, line_buffer, len);
        len = 0;
        partial = 1;
      }
    }
  }
  if (n < 0)
    printf("usertests: reading the output: %s\n", strerror(errno));
  if (len > 0) {
    /* len < LINE_BYTES here, so the newline fits. */
    if (!partial && line_is(line_buffer, len, verdict))
      seen = 1;
    line_buffer[len++] = '\n';
    write(1, line_buffer, len);
  }
  return seen;
}

/* In the child: stdout into the pipe, then exec. Never returns. */
static void __attribute__((noreturn))
exec_child(int fds[2], char *path, char **argv)
{
  close(fds[0]);
  if (fds[1] != 1) {
    if (dup2(fds[1], 1) < 0) {
      fprintf(2, "usertests: dup2: %s\n", strerror(errno));
      exit(STATUS_EXEC_FAILED);
    }
    close(fds[1]);
  }
  exec(path, argv);
  fprintf(2, "usertests: exec %s: %s\n", path, strerror(errno));
  exit(STATUS_EXEC_FAILED);
}

static void
record_failure(const char *program, const char *subtest)
{
  if (failures < MAX_RECORDED_FAILURES) {
    failed_runs[failures].program = program;
    failed_runs[failures].subtest = subtest;
  }
  failures++;
}

/* "prog" or "prog subtest", as the result lines name a run */
#define RUN_NAME_FORMAT "%s%s%s"
#define RUN_NAME_ARGS(program, subtest) \
  (program), ((subtest) ? " " : ""), ((subtest) ? (subtest) : "")

/*
 * Runs `program TOKEN [subtest]` (subtest 0: none), passes its output on,
 * and prints the result line. Returns 1 if the run was ok.
 */
static int
run_one(const char *program, const char *subtest)
{
  char path[MAX_PATH], verdict[MAX_VERDICT];
  if (strchr(program, '/')) {
    strcpy(path, program);
  } else {
    strcpy(path, "/");
    strcat(path, program);
  }
  strcpy(verdict, base_name(program));
  strcat(verdict, ": PASS ");
  strcat(verdict, token);
  char *argv[] = {(char *)program, (char *)token, (char *)subtest, 0};

  runs++;
  uint64 memory_before = memory_mark();
  int fds[2];
  if (pipe(fds) < 0) {
    printf("usertests: " RUN_NAME_FORMAT ": FAILED (pipe: %s)\n", RUN_NAME_ARGS(program, subtest),
           strerror(errno));
    record_failure(program, subtest);
    return 0;
  }
  uint64 start = uptime_ns();
  int pid = fork();
  if (pid < 0) {
    printf("usertests: " RUN_NAME_FORMAT ": FAILED (fork: %s)\n", RUN_NAME_ARGS(program, subtest),
           strerror(errno));
    close(fds[0]);
    close(fds[1]);
    record_failure(program, subtest);
    return 0;
  }
  if (pid == 0)
    exec_child(fds, path, argv);

  close(fds[1]);
  int passed = relay_output(fds[0], verdict);
  /* Closed before waiting, so that a child still writing (after a read
   * error) gets an error instead of blocking forever. */
  close(fds[0]);
  int status;
  if (waitpid(pid, &status, 0) != pid) {
    printf("usertests: " RUN_NAME_FORMAT ": FAILED (waitpid: %s)\n",
           RUN_NAME_ARGS(program, subtest), strerror(errno));
    record_failure(program, subtest);
    return 0;
  }
  uint64 ms = (uptime_ns() - start) / NS_PER_MS;
  uint64 memory_after;
  int64 leaked = memory_not_returned(memory_before, &memory_after);

  if (status == 0 && passed && leaked != 0) {
    printf("usertests: " RUN_NAME_FORMAT ": FAILED (leaked %ld pages: free memory plus "
           "usertests' own pages was %lu bytes before the run, %lu after)\n",
           RUN_NAME_ARGS(program, subtest), leaked / (int64)PAGE_SIZE, memory_before, memory_after);
    record_failure(program, subtest);
    return 0;
  }
  if (status == 0 && passed) {
    printf("usertests: " RUN_NAME_FORMAT ": ok (%lu ms)\n", RUN_NAME_ARGS(program, subtest), ms);
    return 1;
  }
  if (status != 0)
    printf("usertests: " RUN_NAME_FORMAT ": FAILED (status %d%s)\n",
           RUN_NAME_ARGS(program, subtest), status,
           status == STATUS_EXEC_FAILED ? ", exec failed?" : "");
  else
    printf("usertests: " RUN_NAME_FORMAT ": FAILED (status 0, but no PASS line with the token)\n",
           RUN_NAME_ARGS(program, subtest));
  record_failure(program, subtest);
  return 0;
}

/* Runs one program: whole, or (quick, and the table knows it) subtest by
 * subtest without the slow ones. */
static void
run_program(const char *program, int quick)
{
  const struct test_program *known = find_program(program);
  if (!quick || known == 0) {
    run_one(program, 0);
    return;
  }
  for (const struct subtest *s = known->subtests; s->name; s++)
    if (!s->slow)
      run_one(program, s->name);
}

/* For -q: one line naming what will be skipped. */
static void
print_skipped(char **programs, int nprograms)
{
  int any = 0;
  for (int i = 0; i < nprograms; i++) {
    const struct test_program *known = find_program(programs[i]);
    if (known == 0)
      continue;
    for (const struct subtest *s = known->subtests; s->name; s++) {
      if (!s->slow)
        continue;
      printf("%s %s %s", any ? "," : "usertests: -q skips", programs[i], s->name);
      any = 1;
    }
  }
  if (any)
    printf("\n");
}

/* ------------------------------------------------------------------ */
/* main                                                               */
/* ------------------------------------------------------------------ */

int
main(int argc, char **argv)
{
  if (argc < 2)
    usage(0);
  token = argv[1];
  if (token[0] == '\0' || token[0] == '-')
    usage("the first argument must be the TOKEN");
  if (strlen(token) > MAX_TOKEN)
    usage("TOKEN is too long");
  for (const char *p = token; *p; p++)
    if (isspace(*p))
      usage("TOKEN must be one word");

  /* Options and program names may come in any order after the token;
   * the names are collected at the front of argv[2..]. */
  int quick = 0;
  char **programs = &argv[2];
  int nprograms = 0;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "-q") == 0) {
      quick = 1;
    } else if (argv[i][0] == '-' || argv[i][0] == '\0') {
      usage("unknown option");
    } else if (strlen(argv[i]) > MAX_PROGRAM_NAME) {
      usage("program name too long");
    } else {
      programs[nprograms++] = argv[i];
    }
  }
  static char *default_programs[N_TEST_PROGRAMS];
  if (nprograms == 0) {
    for (int i = 0; i < N_TEST_PROGRAMS; i++)
      default_programs[i] = (char *)TEST_PROGRAMS[i].name;
    programs = default_programs;
    nprograms = N_TEST_PROGRAMS;
  }

  prefault();
  if (quick)
    print_skipped(programs, nprograms);
  uint64 start = uptime_ns();
  for (int i = 0; i < nprograms; i++)
    run_program(programs[i], quick);
  uint64 ms = (uptime_ns() - start) / NS_PER_MS;

  if (failures == 0) {
    printf("usertests: all %d runs ok (%lu ms)\n", runs, ms);
    printf("usertests: PASS %s\n", token);
    exit(0);
  }
  for (int i = 0; i < failures && i < MAX_RECORDED_FAILURES; i++)
    printf("usertests: failed: " RUN_NAME_FORMAT "\n",
           RUN_NAME_ARGS(failed_runs[i].program, failed_runs[i].subtest));
  printf("usertests: FAIL %d of %d\n", failures, runs);
  exit(1);
}
