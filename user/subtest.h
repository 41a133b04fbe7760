/*
 * The subtest driver shared by the sandboxing in-guest test programs
 * (proctest, exectest): each subtest runs in a process of its own (a
 * "sandbox" forked by main), which keeps subtests from disturbing each
 * other and lets main check that every page a subtest used came back:
 * once the sandbox has been reaped, free memory must be what it was
 * before the subtest.
 *
 * Before including this file, a program includes user/check.h (for CHECK
 * and FAIL) and defines
 *   SUBTEST_PROGRAM    its name, as its output lines start: "proctest"
 * Its main then lists its subtests in a table and hands over:
 *   subtest_main(argc, argv, subtests, N_SUBTESTS);
 * which gives it the command line
 *   PROG TOKEN            run every subtest but the on-request ones
 *   PROG TOKEN SUBTEST    run one subtest
 *   PROG --list           print the table (user/check.h, print_subtest)
 * and prints "PROG: NAME ok" after each subtest, "PROG: PASS TOKEN" at the
 * end.
 */
#ifndef RIVET_USER_SUBTEST_H
#define RIVET_USER_SUBTEST_H

#ifndef SUBTEST_PROGRAM
#error "define SUBTEST_PROGRAM (the program's name) before including user/subtest.h"
#endif

/* How long a reaped sandbox's memory may take to come back: exits finish
 * asynchronously, but promptly. */
#define MEMORY_BACK_MS 1000

struct subtest {
  const char *name;
  void (*run)(void);
  enum subtest_when when; /* user/check.h: slow, or only when named */
};

/*
 * Memory nobody has been promised (sysinfo's freemem). Our own pages were
 * promised when we were exec'ed, so the number stays put when main itself
 * first touches one (a text page of a system-call stub, a stack page).
 */
static uint64
memory_mark(void)
{
  struct sysinfo si;
  CHECK(sysinfo(&si) == 0, "sysinfo", "%s", strerror(errno));
  return si.freemem;
}

/* Waits (briefly: exits finish asynchronously) until the mark is back. */
static void
check_memory_back(uint64 before, const char *name)
{
  uint64 deadline = now_ms() + MEMORY_BACK_MS;
  uint64 now = memory_mark();
  while (now != before && now_ms() < deadline) {
    sleep(1);
    now = memory_mark();
  }
  CHECK(now == before, "freemem", "after %s: %ld bytes not returned (before %lu, after %lu)", name,
        (long)(before - now), before, now);
}

/* Runs body() in a child that exits 0 if body returns; returns its exit
 * status (-1 if a fault killed it). check names the caller in a failure. */
static int
sandbox_status(void (*body)(void), const char *check)
{
  int pid = fork();
  CHECK(pid >= 0, "fork", "%s", strerror(errno));
  if (pid == 0) {
    body();
    exit(0);
  }
  int status;
  int got = waitpid(pid, &status, 0);
  CHECK(got == pid, check, "waitpid(%d) returned %d (%s)", pid, got, strerror(errno));
  return status;
}

static void
run_subtest(const struct subtest *t)
{
  uint64 before = memory_mark();
  int status = sandbox_status(t->run, t->name);
  CHECK(status == 0, t->name, "subtest process exited with status %d", status);
  check_memory_back(before, t->name);
  printf(SUBTEST_PROGRAM ": %s ok\n", t->name);
}

static const struct subtest *
find_subtest(const struct subtest *subtests, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp(subtests[i].name, name) == 0)
      return &subtests[i];
  return 0;
}

static void
do_nothing(void)
{
}

static void __attribute__((noreturn))
subtest_main(int argc, char **argv, const struct subtest *subtests, int n)
{
  if (argc == 2 && strcmp(argv[1], LIST_OPTION) == 0) {
    for (int i = 0; i < n; i++)
      print_subtest(subtests[i].name, subtests[i].when);
    exit(0);
  }
  if (argc < 2 || argc > 3) {
    fprintf(2, "usage: " SUBTEST_PROGRAM " TOKEN [SUBTEST] | " SUBTEST_PROGRAM " " LIST_OPTION "\n");
    exit(2);
  }
  const struct subtest *only = 0;
  if (argc == 3 && (only = find_subtest(subtests, n, argv[2])) == 0)
    FAIL("usage", "no subtest named '%s'", argv[2]);

  /* Warm up: the first fork/wait/printf touch code pages and stack of main
   * that later measurements should not mistake for leaks. */
  sandbox_status(do_nothing, "warm-up");
  uint64 start = memory_mark();
  if (start == 0) /* the syscall lab's handout, before the student's sysinfo */
    printf(SUBTEST_PROGRAM ": note: sysinfo reports no free memory, so no leak check can fail\n");
  if (only) {
    run_subtest(only);
  } else {
    for (int i = 0; i < n; i++)
      if (subtests[i].when != SUBTEST_ON_REQUEST)
        run_subtest(&subtests[i]);
  }
  check_memory_back(start, "all subtests");
  printf(SUBTEST_PROGRAM ": PASS %s\n", argv[1]);
  exit(0);
}

#endif
