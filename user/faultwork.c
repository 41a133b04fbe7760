/*
 * faultwork: a workload that touches every system call (but poweroff),
 * run under injected failures (boot argument fail=..., see docs/boot.md),
 * followed by a check that the kernel got everything back.
 *
 *   faultwork TOKEN [ROUNDS]        (ROUNDS default 4)
 *
 * 1. Record the free memory and the number of processes.
 * 2. Arm the failpoints (failctl), then run ROUNDS rounds of WORKERS
 *    worker processes side by side. Each worker does a bit of everything:
 *    files, directories, links, devices, pipes, fork/exec/wait, kill,
 *    suspend/resume, sbrk, process information, and it reads files
 *    bigger than the buffer cache, so that the disk is read every round. Errors are expected and
 *    ignored; a worker that runs past its deadline is killed.
 * 3. Disarm, kill whatever processes the workers left behind, wait until
 *    they are all gone, and report:
 *
 *      faultwork: start freemem F nproc N
 *      faultwork: workers W fork_failures X overdue Y strays Z
 *      faultwork: end freemem F nproc N
 *      faultwork: site SITE calls C failed K      (kalloc, disk, copy)
 *      faultwork: done TOKEN
 *
 *    plus "faultwork: CORRUPT ..." for any file whose contents did not
 *    read back as written although write, fsync and read all succeeded.
 *
 * The host test (tests/test_faultinject.py) compares the numbers. The
 * controlling process touches all of its memory before it arms the
 * failpoints, so it takes no page faults (which could kill it) while armed.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "user/user.h"

#define DEFAULT_ROUNDS 4
#define WORKERS 3                /* per round, running side by side */
#define WORKER_DEADLINE_TICKS 3000 /* a worker still running after 30 s is killed */
#define POLL_TICKS 1
#define SETTLE_DEADLINE_TICKS 1000 /* strays must be gone within 10 s */
#define FORK_RETRY_TICKS 2
#define STACK_PREFAULT_BYTES (16 * 1024)
#define PROGRAM_START 0x1000     /* user/user.ld */
#define PAGE_BYTES 4096
#define FILE_BYTES (20 * 1024)   /* past the direct blocks: uses an indirect block */
#define PIPE_BYTES 3000
#define HEAP_GROWTH (3 * PAGE_BYTES)
#define MALLOC_BYTES 5000
#define SPARE_FD 10              /* a descriptor number for dup2 to fill */
#define SLEEPER_TICKS 200
#define CHILD_STATUS 7
#define CONSOLE_MAJOR 1
#define SAY_TRIES 100            /* an injected failure may eat a write: retry */
#define WORKER_PROCS 8           /* a worker lists at most this many processes */

static const char *const SITE_NAMES[FAIL_NSITES] = {"kalloc", "disk", "copy"};

/* Files bigger together than the buffer cache (NBUF blocks): reading them
 * makes disk reads in every round, even after the file system has
 * stopped writing. */
static const char *const BIG_FILES[] = {"/exectest_big", "/bench_fault"};
#define READ_CHUNK 4096

/* The controller's getprocs buffer. Everything the controller touches is
 * copied by each fork, so the workers' big buffers come from malloc. */
static struct procinfo procs[NPROC];

/* ------------------------------------------------------------------ */
/* The worker: a bit of every system call                             */
/* ------------------------------------------------------------------ */

static void
fill_pattern(char *buf, int n, int seed)
{
  for (int i = 0; i < n; i++)
    buf[i] = 'a' + (i * 7 + seed) % 26;
}

/* A child that sleeps a while and exits; -1 if fork failed. */
static int
start_sleeper(void)
{
  int pid = fork();
  if (pid == 0) {
    sleep(SLEEPER_TICKS);
    exit(0);
  }
  return pid;
}

static void
exercise_processes(void)
{
  struct procinfo info, some[WORKER_PROCS];
  struct sysinfo si;
  getpid();
  getppid();
  uptime();
  uptime_ns();
  sysinfo(&si);
  procinfo(getpid(), &info);
  getprocs(some, WORKER_PROCS);

  int status;
  int pid = fork();
  if (pid == 0)
    exit(CHILD_STATUS);
  if (pid > 0)
    wait(&status);

  pid = start_sleeper();
  if (pid > 0) {
    suspend(pid);
    procinfo(pid, &info);
    resume(pid);
    kill(pid);
    waitpid(pid, &status, 0);
  }
  pid = start_sleeper();
  if (pid > 0) {
    waitpid(pid, &status, WNOHANG);
    kill(pid);
    waitpid(pid, &status, 0);
  }
  sleep(1);
}

static void
exercise_exec(void)
{
  char *true_argv[] = {"true", 0};
  char *echo_argv[] = {"echo", "faultwork", 0};
  int status;
  int pid = fork();
  if (pid == 0) {
    exec("/true", true_argv);
    exit(1);
  }
  if (pid > 0)
    waitpid(pid, &status, 0);

  // echo's output goes into a pipe that we drain.
  int fds[2];
  if (pipe(fds) < 0)
    return;
  pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 1);
    close(fds[1]);
    exec("/echo", echo_argv);
    exit(1);
  }
  close(fds[1]);
  char buf[64];
  while (read(fds[0], buf, sizeof buf) > 0)
    ;
  close(fds[0]);
  if (pid > 0)
    waitpid(pid, &status, 0);

  exec("/no-such-program", true_argv); /* fails: we go on */
}

static void
exercise_pipe(void)
{
  int fds[2];
  if (pipe(fds) < 0)
    return;
  int pid = fork();
  if (pid == 0) {
    close(fds[0]);
    char buf[PIPE_BYTES];
    fill_pattern(buf, sizeof buf, 3);
    write(fds[1], buf, sizeof buf);
    exit(0);
  }
  close(fds[1]);
  char buf[512];
  while (read(fds[0], buf, sizeof buf) > 0)
    ;
  close(fds[0]);
  int status;
  if (pid > 0)
    waitpid(pid, &status, 0);
}

static void
exercise_reads(void)
{
  char *buf = malloc(READ_CHUNK);
  if (buf == 0)
    return;
  for (int i = 0; i < sizeof BIG_FILES / sizeof BIG_FILES[0]; i++) {
    int fd = open(BIG_FILES[i], O_RDONLY);
    if (fd < 0)
      continue;
    while (read(fd, buf, READ_CHUNK) > 0)
      ;
    close(fd);
  }
  free(buf);
}

static void
exercise_memory(void)
{
  char *p = sbrk(HEAP_GROWTH);
  if (p != (char *)-1) {
    for (int i = 0; i < HEAP_GROWTH; i += PAGE_BYTES)
      p[i] = 1;
    sbrk(-HEAP_GROWTH);
  }
  char *m = malloc(MALLOC_BYTES);
  if (m) {
    memset(m, 2, MALLOC_BYTES);
    free(m);
  }
}

/* Print "faultwork: CORRUPT name: what" even while writes may fail. */
static void
report_corrupt(const char *name, const char *what)
{
  char line[128];
  strcpy(line, "faultwork: CORRUPT ");
  strcat(line, name);
  strcat(line, ": ");
  strcat(line, what);
  strcat(line, "\n");
  int len = strlen(line);
  for (int i = 0; i < SAY_TRIES && write(1, line, len) != len; i++)
    ;
}

/* Write the file, make it durable, read it back. Only when every step
 * succeeded must the contents match: a failure anywhere (the file system
 * may even have stopped writing) makes the result unknown. */
static void
check_file(const char *name, int seed, char *file_data, char *read_back)
{
  fill_pattern(file_data, FILE_BYTES, seed);
  int fd = open(name, O_CREATE | O_RDWR | O_TRUNC);
  if (fd < 0)
    return;
  int ok = write(fd, file_data, FILE_BYTES) == FILE_BYTES && fsync(fd) == 0;
  struct stat st;
  ok = ok && fstat(fd, &st) == 0;
  if (ok && st.size != FILE_BYTES)
    report_corrupt(name, "wrong size after a full write and fsync");
  ok = ok && lseek(fd, 0, SEEK_SET) == 0;
  ok = ok && read(fd, read_back, FILE_BYTES) == FILE_BYTES;
  if (ok && memcmp(file_data, read_back, FILE_BYTES) != 0)
    report_corrupt(name, "contents differ from what was written and fsync'd");
  close(fd);
}

static void
exercise_files(int id)
{
  char dir[16] = "/fw", num[8];
  int n = 0;
  for (int v = id; n == 0 || v > 0; v /= 10)
    num[n++] = '0' + v % 10;
  for (int i = 0; i < n; i++)
    dir[3 + i] = num[n - 1 - i];
  dir[3 + n] = 0;

  char *file_data = malloc(FILE_BYTES), *read_back = malloc(FILE_BYTES);
  if (file_data == 0 || read_back == 0)
    return;
  mkdir(dir);
  if (chdir(dir) < 0)
    return;
  check_file("data", id, file_data, read_back);

  int fd = open("data", O_RDONLY);
  if (fd >= 0) {
    int copy = dup(fd);
    dup2(fd, SPARE_FD);
    struct stat st;
    fstat(SPARE_FD, &st);
    lseek(fd, 100, SEEK_CUR);
    read(copy, read_back, 100);
    close(copy);
    close(SPARE_FD);
    close(fd);
  }
  fd = open("log", O_CREATE | O_WRONLY | O_APPEND);
  if (fd >= 0) {
    write(fd, "entry\n", 6);
    close(fd);
  }
  link("data", "alias");
  unlink("data");
  mknod("console", CONSOLE_MAJOR, 0);
  mkdir("sub");
  unlink("sub");
  unlink("console");
  unlink("alias");
  unlink("log");
  chdir("/");
  unlink(dir);
  free(file_data);
  free(read_back);
}

/* One worker: everything once. Its exit status does not matter. */
static void
worker(int id)
{
  struct fail_report r;
  failctl(FAILCTL_REPORT, &r);
  exercise_memory();
  exercise_files(id);
  exercise_reads();
  exercise_pipe();
  exercise_processes();
  exercise_exec();
  exit(0);
}

/* ------------------------------------------------------------------ */
/* The controller                                                     */
/* ------------------------------------------------------------------ */

struct totals {
  int workers, fork_failures, overdue, strays;
};

/* Map every page the controller could need, so that none is faulted in
 * (and none can fail) while the failpoints are armed: the program's text,
 * data and bss (from PROGRAM_START up to the heap, which starts right
 * after them; user/user.ld) and the stack pages a deep call could use. */
static volatile char prefault_sink;

__attribute__((noinline)) static void
prefault(void)
{
  char pad[STACK_PREFAULT_BYTES];
  memset(pad, 1, sizeof pad);
  prefault_sink = pad[STACK_PREFAULT_BYTES / 2];
  for (char *p = (char *)PROGRAM_START; p < sbrk(0); p += PAGE_BYTES)
    prefault_sink = *(volatile char *)p;
}

/* Wait for the workers in pids[] (0 = none); kill those past the deadline. */
static void
reap_workers(int *pids, int n, struct totals *t)
{
  int deadline = uptime() + WORKER_DEADLINE_TICKS;
  int left = 0;
  for (int i = 0; i < n; i++)
    left += pids[i] > 0;
  while (left > 0) {
    for (int i = 0; i < n; i++) {
      if (pids[i] == 0)
        continue;
      int status;
      // EFAULT: an injected copy failure lost the status, but the worker
      // was reaped; ECHILD: reaped by such a call earlier.
      int r = waitpid(pids[i], &status, WNOHANG);
      if (r == pids[i] || (r < 0 && (errno == EFAULT || errno == ECHILD))) {
        pids[i] = 0;
        left--;
      }
    }
    if (left > 0 && uptime() > deadline) {
      for (int i = 0; i < n; i++)
        if (pids[i] > 0) {
          kill(pids[i]);
          t->overdue++;
        }
      deadline = uptime() + WORKER_DEADLINE_TICKS;
    }
    if (left > 0)
      sleep(POLL_TICKS);
  }
}

static void
run_rounds(int rounds, struct totals *t)
{
  int id = 0;
  for (int round = 0; round < rounds; round++) {
    int pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
      int pid = fork();
      if (pid == 0)
        worker(id);
      id++;
      pids[w] = pid > 0 ? pid : 0;
      if (pid > 0) {
        t->workers++;
      } else {
        t->fork_failures++;
        sleep(FORK_RETRY_TICKS);
      }
    }
    reap_workers(pids, WORKERS, t);
  }
}

static int
count_processes(void)
{
  struct sysinfo si;
  return sysinfo(&si) < 0 ? -1 : (int)si.nproc;
}

/* Kill every process that is not one of the `keep` first pids seen at the
 * start (init, the shell, us): orphans of killed workers. They go to init,
 * which reaps them; wait until the count is back. */
static void
remove_strays(int *keep, int nkeep, int start_nproc, struct totals *t)
{
  int n = getprocs(procs, NPROC);
  for (int i = 0; i < n; i++) {
    int known = 0;
    for (int k = 0; k < nkeep; k++)
      known |= procs[i].pid == keep[k];
    if (!known && procs[i].state != PROC_ZOMBIE) {
      kill(procs[i].pid);
      t->strays++;
    }
  }
  int status;
  while (wait(&status) >= 0)
    ; /* our own children, if any are left */
  int deadline = uptime() + SETTLE_DEADLINE_TICKS;
  while (count_processes() != start_nproc && uptime() < deadline)
    sleep(POLL_TICKS);
}

int
main(int argc, char *argv[])
{
  int rounds = DEFAULT_ROUNDS;
  if (argc < 2 || argc > 3 || (argc == 3 && (parse_int(argv[2], &rounds) < 0 || rounds < 1))) {
    fprintf(2, "usage: faultwork TOKEN [ROUNDS]\n");
    exit(2);
  }

  // Touch everything the controller uses, then take the baseline.
  prefault();
  struct sysinfo si;
  struct fail_report report;
  failctl(FAILCTL_REPORT, &report);
  int n = getprocs(procs, NPROC);
  int keep[NPROC];
  for (int i = 0; i < n; i++)
    keep[i] = procs[i].pid;
  if (sysinfo(&si) < 0) {
    fprintf(2, "faultwork: sysinfo: %s\n", strerror(errno));
    exit(1);
  }
  printf("faultwork: start freemem %lu nproc %lu\n", si.freemem, si.nproc);
  int start_nproc = si.nproc;

  if (failctl(FAILCTL_ARM, 0) < 0) {
    fprintf(2, "faultwork: failctl: %s (boot with fail=SITE:RATE,...)\n", strerror(errno));
    exit(1);
  }
  struct totals t = {0, 0, 0, 0};
  run_rounds(rounds, &t);
  failctl(FAILCTL_DISARM, 0);

  remove_strays(keep, n, start_nproc, &t);
  printf("faultwork: workers %d fork_failures %d overdue %d strays %d\n", t.workers,
         t.fork_failures, t.overdue, t.strays);
  sysinfo(&si);
  printf("faultwork: end freemem %lu nproc %lu\n", si.freemem, si.nproc);
  failctl(FAILCTL_REPORT, &report);
  for (int i = 0; i < FAIL_NSITES; i++)
    printf("faultwork: site %s calls %lu failed %lu\n", SITE_NAMES[i], report.calls[i],
           report.failed[i]);
  printf("faultwork: done %s\n", argv[1]);
  exit(0);
}
