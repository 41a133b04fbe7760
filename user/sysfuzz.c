/*
 * sysfuzz: a seeded system-call fuzzer. It calls every system call of
 * kernel/syscalls.h, and numbers that are no system call, with hostile
 * arguments: bad pointers (null, kernel, device, non-canonical, unmapped,
 * read-only text for a buffer the kernel writes), strings that run into an
 * unmapped page without a terminator, huge and negative lengths, negative
 * and out-of-range descriptors and pids, random flags, and random upper
 * halves in 32-bit arguments. The kernel must answer each call with a
 * result or an error: never panic, hang or lose memory.
 *
 *   sysfuzz TOKEN [-s SEED] [-n CALLS] [-c CALLS_PER_CHILD] [-j CHILDREN_AT_ONCE]
 *
 * The calls run in forked children, CALLS_PER_CHILD each (default 250),
 * CHILDREN_AT_ONCE at a time (default: one per hart), so that a call that
 * damages its caller (sbrk, close, chdir, ...) does not stop the run and
 * several harts make calls at once. Child i draws its calls from a random
 * generator seeded with (SEED, i), so a run repeats exactly from its seed.
 * A child reports its call count through a pipe of its own and exits with a
 * status it chose at random; the parent reaps every child and checks both.
 *
 * At the end the parent removes what the children created and checks that
 * free memory is back to its value at the start: a page that stays in use
 * after every child is gone is a kernel leak. The last lines are
 *
 *   sysfuzz: seed S: N calls (B to bad numbers) in K children, ...
 *   sysfuzz: PASS TOKEN
 *
 * or "sysfuzz: FAIL ..." and exit status 1. Panics and hangs are seen from
 * outside (tests/test_fuzz.py, `make stress`): the machine stops, or this
 * program never prints its verdict.
 *
 * Calls that are left out or tamed, and why:
 *   poweroff   has no error path: any call powers the machine off.
 *   exit       only as each child's last call (with a random status).
 *   fork       the new process exits at once (no fork bombs).
 *   pipe       one end of each new pipe is closed at once, so that a later
 *              read or write of it cannot block forever on ourselves.
 *   sleep      never more than one tick.
 *   kill, suspend, resume   never aim at the caller, its parent or a
 *              sibling (that would stop the run); pid 1 and nonexistent
 *              pids are fair game.
 *   mknod      never makes a console node (reading it would wait for
 *              keyboard input that never comes).
 *   trace      never called: a mask has no wrong value, and a traced
 *              child's every later call would print a console line.
 *   sigalarm   never with a handler in user memory: a random one would be
 *              called after some ticks and kill the child with a fault.
 * A system call added to syscalls.h later is fuzzed with arguments of
 * every kind (ARG_ANY) until someone gives it a recipe below.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "user/user.h"
#include "user/check.h"

/* System-call numbers, from the same table the kernel uses. */
enum {
#define SYSCALL(num, name) SYS_##name = num,
#include "kernel/syscalls.h"
#undef SYSCALL
};
static const int syscall_numbers[] = {
#define SYSCALL(num, name) num,
#include "kernel/syscalls.h"
#undef SYSCALL
};
#define N_SYSCALLS ((int)(sizeof syscall_numbers / sizeof syscall_numbers[0]))

#define PAGE_SIZE 4096UL
#define MAX_ARGS 6
#define DEFAULT_CALLS 20000
#define DEFAULT_CALLS_PER_CHILD 250
#define MAX_AT_ONCE 8
#define SCRATCH_PAGES 4       /* buffers the kernel may write into */
#define STRING_TAIL 64        /* unterminated bytes before the end of the string page */
#define REPORT_FD (NOFILE - 1) /* a child's report pipe; no fuzzed call touches it */
#define BAD_NUMBER_ONE_IN 128 /* one call in 128 uses a number that is no system call */
#define SLEEP_ONE_TICK_ONE_IN 16
#define DISK_CALL_DAMPING 16
#define SBRK_MAX_GROWTH (16 * PAGE_SIZE)
#define PROGRESS_EVERY 200    /* children between progress lines */
#define NS_PER_MS 1000000UL
#define INT_MAX 0x7fffffff
#define INT_MIN (-INT_MAX - 1)

/* User address-space landmarks (kernel/mm/mm.h: USER_TOP, the stack below
 * it, the guard gap below the stack) and kernel-only addresses. */
#define USER_TOP 0x80000000UL
#define USER_STACK_BOTTOM (USER_TOP - (8UL << 20))
#define GUARD_GAP_ADDRESS (USER_STACK_BOTTOM - PAGE_SIZE)
#define KERNEL_RAM 0x80200000UL
#define KERNEL_STACKS 0x2000000000UL
#define KERNEL_DEVICES 0x3010000000UL /* the UART, as the kernel maps it */
#define NONCANONICAL 0xdead00000000beefUL

#define STRESS_PROGRAM "sysfuzz"
#include "user/stress.h" /* fail(), the leak check */
#include "user/random.h"

/* ------------------------------------------------------------------ */
/* Random arguments (user/random.h: splitmix64)                       */
/* ------------------------------------------------------------------ */

/* A 32-bit argument as the kernel's arg_int reads it: the upper half of the
 * register is garbage half of the time, which the kernel must ignore. */
static uint64
int_register(int value)
{
  uint64 upper = one_in(2) ? random64() << 32 : 0;
  return upper | (uint32)value;
}

/* ------------------------------------------------------------------ */
/* Argument kinds                                                     */
/* ------------------------------------------------------------------ */

enum arg_kind {
  ARG_NONE,
  ARG_ANY,      /* any of the kinds below */
  ARG_INT,      /* an interesting or random int */
  ARG_FD,       /* a descriptor number, mostly plausible */
  ARG_BUF_OUT,  /* memory the kernel writes */
  ARG_BUF_IN,   /* memory the kernel reads */
  ARG_LEN,      /* a byte count */
  ARG_PATH,     /* a path name */
  ARG_ARGV,     /* exec's argument vector */
  ARG_FLAGS,    /* open flags or waitpid options */
  ARG_WHENCE,   /* lseek */
  ARG_PID,      /* kill, procinfo, waitpid: may be our own short-lived child */
  ARG_STOP_PID, /* suspend, resume: never our child (a suspended one would never exit) */
  ARG_MAJOR,    /* mknod's device number */
  ARG_SLEEP,    /* sleep ticks */
  ARG_SBRK,     /* sbrk increment */
  ARG_PIPE_FDS, /* pipe's array */
  ARG_HANDLER,  /* sigalarm's handler: never a user address */
  N_ARG_KINDS
};

struct recipe {
  int known;                    /* 0: no recipe, every argument is ARG_ANY */
  enum arg_kind args[MAX_ARGS]; /* ARG_NONE after the last argument */
};
#define RECIPE(...) {1, {__VA_ARGS__}}

/* Arguments for each system call. */
static const struct recipe recipes[] = {
  [SYS_wait] = RECIPE(ARG_BUF_OUT),
  [SYS_pipe] = RECIPE(ARG_PIPE_FDS),
  [SYS_read] = RECIPE(ARG_FD, ARG_BUF_OUT, ARG_LEN),
  [SYS_kill] = RECIPE(ARG_PID),
  [SYS_exec] = RECIPE(ARG_PATH, ARG_ARGV),
  [SYS_fstat] = RECIPE(ARG_FD, ARG_BUF_OUT),
  [SYS_chdir] = RECIPE(ARG_PATH),
  [SYS_dup] = RECIPE(ARG_FD),
  [SYS_sbrk] = RECIPE(ARG_SBRK),
  [SYS_pause] = RECIPE(ARG_SLEEP),
  [SYS_open] = RECIPE(ARG_PATH, ARG_FLAGS),
  [SYS_write] = RECIPE(ARG_FD, ARG_BUF_IN, ARG_LEN),
  [SYS_mknod] = RECIPE(ARG_PATH, ARG_MAJOR, ARG_INT),
  [SYS_unlink] = RECIPE(ARG_PATH),
  [SYS_link] = RECIPE(ARG_PATH, ARG_PATH),
  [SYS_mkdir] = RECIPE(ARG_PATH),
  [SYS_close] = RECIPE(ARG_FD),
  [SYS_waitpid] = RECIPE(ARG_PID, ARG_BUF_OUT, ARG_FLAGS),
  [SYS_suspend] = RECIPE(ARG_STOP_PID),
  [SYS_resume] = RECIPE(ARG_STOP_PID),
  [SYS_procinfo] = RECIPE(ARG_PID, ARG_BUF_OUT),
  [SYS_getprocs] = RECIPE(ARG_BUF_OUT, ARG_LEN),
  [SYS_sysinfo] = RECIPE(ARG_BUF_OUT),
  [SYS_lseek] = RECIPE(ARG_FD, ARG_INT, ARG_WHENCE),
  [SYS_fsync] = RECIPE(ARG_FD),
  [SYS_dup2] = RECIPE(ARG_FD, ARG_FD),
  [SYS_sigalarm] = RECIPE(ARG_INT, ARG_HANDLER),
  /* No arguments. */
  [SYS_fork] = RECIPE(ARG_NONE),
  [SYS_getpid] = RECIPE(ARG_NONE),
  [SYS_uptime] = RECIPE(ARG_NONE),
  [SYS_getppid] = RECIPE(ARG_NONE),
  [SYS_uptime_ns] = RECIPE(ARG_NONE),
};
#define N_RECIPES ((int)(sizeof recipes / sizeof recipes[0]))

/* ------------------------------------------------------------------ */
/* Memory the arguments point into (set up in each child)              */
/* ------------------------------------------------------------------ */

/*
 * At the top of the heap, SCRATCH_PAGES pages the kernel may write into
 * (nothing in this program reads them), then one page whose last
 * STRING_TAIL bytes are non-zero, ending at the break: a string there runs
 * into unmapped memory without a terminator.
 */
static char *scratch;
static char *string_page_end;
static int pipe_fds[2]; /* where a well-aimed pipe() call puts its descriptors */
static int last_grandchild = -1; /* pid of the last process our fork made */

static void
setup_memory(void)
{
  uint64 brk = (uint64)sbrk(0);
  uint64 pad = (PAGE_SIZE - brk % PAGE_SIZE) % PAGE_SIZE;
  char *base = sbrk(pad + (SCRATCH_PAGES + 1) * PAGE_SIZE);
  if (base == (char *)-1)
    fail("sbrk for the scratch pages");
  scratch = base + pad;
  string_page_end = scratch + (SCRATCH_PAGES + 1) * PAGE_SIZE;
  memset(string_page_end - STRING_TAIL, 'z', STRING_TAIL);
}

/* Addresses no call may use, whatever the program did before: the kernel
 * must refuse every one. */
static uint64
bad_address(void)
{
  static const uint64 bad[] = {
    0, 1, 0x10, PAGE_SIZE - 1, GUARD_GAP_ADDRESS, USER_TOP - 1, USER_TOP, KERNEL_RAM,
    KERNEL_STACKS, KERNEL_DEVICES, NONCANONICAL, ~0UL, ~0UL - 7, 1UL << 38, 1UL << 63,
  };
  if (one_in(4))
    return random64() | USER_TOP; /* kernel half or non-canonical */
  return PICK(bad);
}

static uint64
buffer_out(void)
{
  switch (below(8)) {
  case 0: return (uint64)fail;                      /* read-only program text */
  case 1: return (uint64)string_page_end - below(16); /* runs off the break */
  case 2: return USER_STACK_BOTTOM + below(4) * PAGE_SIZE; /* unused stack, mapped lazily */
  case 3: return (uint64)string_page_end + below(4 * PAGE_SIZE); /* above the break, or not */
  case 4: return bad_address();
  default: return (uint64)scratch + below(SCRATCH_PAGES * PAGE_SIZE);
  }
}

static uint64
buffer_in(void)
{
  return one_in(8) ? (uint64)"read-only data" : buffer_out();
}

static uint64
length(void)
{
  static const int edges[] = {0, 1, -1, INT_MAX, INT_MIN, PAGE_SIZE, PAGE_SIZE + 1, 1 << 20, 1 << 30};
  if (one_in(2))
    return int_register(below(2 * SCRATCH_PAGES * PAGE_SIZE));
  return int_register(PICK(edges));
}

static uint64
any_int(void)
{
  static const int edges[] = {0, 1, 2, -1, -2, INT_MAX, INT_MIN, 255, 256, 65535, 65536, NOFILE,
                              NPROC, MAXPATH};
  return one_in(2) ? int_register(PICK(edges)) : random64();
}

static uint64
descriptor(void)
{
  static const int bad[] = {-1, -2, INT_MIN, INT_MAX, NOFILE, NOFILE + 1, 1 << 16};
  int fd = one_in(4) ? PICK(bad) : (int)below(REPORT_FD);
  return int_register(fd);
}

/* Names in the child's directory (and, after a chdir, elsewhere). */
static const char *const names[] = {
  "f0", "f1", "d0", "d1", "d0/f2", "d0/d2", "d0/d2/f3", "n0", "d1/n1",
  ".", "..", "/", "", "/no/such/dir/x", "f0/x", "d0/../f1", "//d0//f2",
  "abcdefghijklmnopqrstuvwxyz", /* longer than DIRSIZ */
};

/* A path longer than MAXPATH ("a/a/a/..."), built once. */
static char long_path[MAXPATH * 2];

static uint64
path(void)
{
  switch (below(8)) {
  case 0: return (uint64)long_path;
  case 1: return (uint64)string_page_end - 1 - below(STRING_TAIL); /* unterminated */
  case 2: return bad_address();
  default: return (uint64)PICK(names);
  }
}

/* exec's argv: valid, with a bad element, unterminated, or bad itself. */
static char *argv_ok[] = {"fuzz", "x", 0};
static char *argv_bad_element[] = {"fuzz", (char *)KERNEL_RAM, 0};
static char *argv_bad_string[] = {"fuzz", (char *)0, 0}; /* [1] set to an unterminated string */

static uint64
argument_vector(void)
{
  argv_bad_string[1] = string_page_end - 1 - below(STRING_TAIL);
  switch (below(6)) {
  case 0: return (uint64)argv_ok;
  case 1: return (uint64)argv_bad_element;
  case 2: return (uint64)argv_bad_string;
  case 3: return (uint64)string_page_end - sizeof(char *); /* no null before the end */
  default: return bad_address();
  }
}

static uint64
flags(void)
{
  static const int plausible[] = {O_RDONLY, O_WRONLY, O_RDWR, O_CREATE | O_RDWR,
                                  O_CREATE | O_WRONLY | O_TRUNC, O_APPEND | O_WRONLY, O_TRUNC,
                                  O_CREATE, 1 /* WNOHANG */, 3};
  return one_in(2) ? int_register(PICK(plausible)) : random64();
}

static uint64
whence(void)
{
  static const int values[] = {SEEK_SET, SEEK_CUR, SEEK_END, -1, 3, INT_MAX};
  return int_register(PICK(values));
}

/* Pids that cannot stop the run: init, pids that do not exist and (if
 * may_be_child) our own short-lived child. Never ourselves, our parent or a
 * sibling. Pids are never reused, so an old child's pid stays harmless. */
static uint64
pid(int may_be_child)
{
  static const int values[] = {0, -1, -2, 1, INT_MAX, INT_MIN, 100000, -100000};
  if (may_be_child && one_in(4) && last_grandchild > 0)
    return int_register(last_grandchild);
  return int_register(PICK(values));
}

static uint64
major(void)
{
  static const int values[] = {0, 2, NDEV - 1, NDEV, -1, 32767, -32768, 65536 + CONSOLE};
  int value = one_in(2) ? PICK(values) : (int)random64();
  if ((short)value == CONSOLE)
    value = 0;
  return int_register(value);
}

static uint64
sleep_ticks(void)
{
  static const int values[] = {0, -1, INT_MIN, -100};
  return int_register(one_in(SLEEP_ONE_TICK_ONE_IN) ? 1 : PICK(values));
}

static uint64
sbrk_increment(void)
{
  static const int edges[] = {0, 1, -1, INT_MAX, INT_MIN, -(1 << 30), (int)PAGE_SIZE, -(int)PAGE_SIZE};
  if (one_in(2))
    return int_register((int)below(SBRK_MAX_GROWTH) - (int)(SBRK_MAX_GROWTH / 2));
  return int_register(PICK(edges));
}

/* pipe's array: ours (we close one end of the new pipe at once), or a bad
 * address. Never other valid memory, where we could not find the new
 * descriptors again to close one. */
static uint64
pipe_array(void)
{
  return one_in(2) ? (uint64)pipe_fds : bad_address();
}

/* Handler addresses the kernel must refuse (with ticks 0 it turns the
 * alarm off and never calls them either). */
static uint64
handler(void)
{
  static const uint64 values[] = {USER_TOP, KERNEL_RAM, ~0UL, 1UL << 63};
  return PICK(values);
}

static uint64 argument(enum arg_kind kind);

static uint64
any_argument(void)
{
  return argument(ARG_INT + below(N_ARG_KINDS - ARG_INT));
}

static uint64
argument(enum arg_kind kind)
{
  switch (kind) {
  case ARG_NONE: return random64(); /* ignored by the kernel: may be anything */
  case ARG_ANY: return any_argument();
  case ARG_INT: return any_int();
  case ARG_FD: return descriptor();
  case ARG_BUF_OUT: return buffer_out();
  case ARG_BUF_IN: return buffer_in();
  case ARG_LEN: return length();
  case ARG_PATH: return path();
  case ARG_ARGV: return argument_vector();
  case ARG_FLAGS: return flags();
  case ARG_WHENCE: return whence();
  case ARG_PID: return pid(1);
  case ARG_STOP_PID: return pid(0);
  case ARG_MAJOR: return major();
  case ARG_SLEEP: return sleep_ticks();
  case ARG_SBRK: return sbrk_increment();
  case ARG_PIPE_FDS: return pipe_array();
  case ARG_HANDLER: return handler();
  default: return random64();
  }
}

/* ------------------------------------------------------------------ */
/* Making calls                                                       */
/* ------------------------------------------------------------------ */

/* One system call with every argument register set: no stub in between. */
static long
raw_syscall(uint64 number, const uint64 a[MAX_ARGS])
{
  register uint64 a0 asm("a0") = a[0];
  register uint64 a1 asm("a1") = a[1];
  register uint64 a2 asm("a2") = a[2];
  register uint64 a3 asm("a3") = a[3];
  register uint64 a4 asm("a4") = a[4];
  register uint64 a5 asm("a5") = a[5];
  register uint64 a7 asm("a7") = number;
  asm volatile("ecall"
               : "+r"(a0)
               : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
               : "memory");
  return (long)a0;
}

static int
is_syscall(uint64 n)
{
  for (int i = 0; i < N_SYSCALLS; i++)
    if (n == (uint64)syscall_numbers[i])
      return 1;
  return 0;
}

/* A number that is no system call. */
static uint64
bad_number(void)
{
  static const uint64 values[] = {0, N_SYSCALLS + 1, 64, 255, 1000, ~0UL, 1UL << 32, 1UL << 63};
  uint64 n;
  do
    n = one_in(2) ? PICK(values) : random64();
  while (is_syscall(n));
  return n;
}

/*
 * Calls that may write the disk cost milliseconds each (a log commit),
 * a hundred times more than the others: they are picked DISK_CALL_DAMPING
 * times less often, so that a run makes many calls of every kind.
 */
static int
writes_disk(int number)
{
  return number == SYS_mkdir || number == SYS_mknod || number == SYS_unlink ||
         number == SYS_link || number == SYS_open || number == SYS_write || number == SYS_fsync;
}

static int bad_numbers_called;

/* Makes one fuzzed call. */
static void
fuzz_one_call(void)
{
  uint64 a[MAX_ARGS];
  if (one_in(BAD_NUMBER_ONE_IN)) {
    for (int i = 0; i < MAX_ARGS; i++)
      a[i] = any_argument();
    bad_numbers_called++;
    raw_syscall(bad_number(), a);
    return;
  }
  int number;
  do
    number = PICK(syscall_numbers);
  while (number == SYS_poweroff || number == SYS_exit || number == SYS_trace ||
         (writes_disk(number) && !one_in(DISK_CALL_DAMPING)));
  for (int i = 0; i < MAX_ARGS; i++)
    a[i] = number < N_RECIPES && recipes[number].known ? argument(recipes[number].args[i])
                                                       : any_argument();

  long r = raw_syscall(number, a);
  if (number == SYS_fork) {
    if (r == 0)
      exit(0); /* the new process leaves at once */
    if (r > 0)
      last_grandchild = r;
  } else if (number == SYS_pipe && r == 0 && a[0] == (uint64)pipe_fds) {
    close(pipe_fds[below(2)]);
  }
}

/* ------------------------------------------------------------------ */
/* Children                                                           */
/* ------------------------------------------------------------------ */

#define SCRATCH_DIR "/sysfuzz.d"

struct report {
  int calls;
  int bad_numbers;
  int exit_status;
};

static uint64
child_seed(uint64 seed, int index)
{
  random_seed(seed, index);
  return random64();
}

/* The exit statuses a child may choose. */
static int
exit_status_choice(void)
{
  static const int values[] = {0, 1, 42, 255, 256, -1, INT_MAX, INT_MIN};
  return PICK(values);
}

static void __attribute__((noreturn))
fuzz_child(uint64 seed, int calls, int report_fd)
{
  random_seed(seed, 0);
  /* Nothing we inherited may be reached by a fuzzed call: the console
   * would block a read, and other descriptors belong to our parent. */
  if (dup2(report_fd, REPORT_FD) < 0)
    exit(1);
  for (int fd = 0; fd < REPORT_FD; fd++)
    close(fd);
  if (chdir(SCRATCH_DIR) < 0)
    exit(1);
  setup_memory();

  for (int i = 0; i < calls; i++)
    fuzz_one_call();

  struct report rep = {calls, bad_numbers_called, exit_status_choice()};
  if (write(REPORT_FD, &rep, sizeof rep) != sizeof rep)
    exit(1);
  /* The last call: exit with the chosen status (still a raw call). */
  uint64 a[MAX_ARGS] = {int_register(rep.exit_status)};
  raw_syscall(SYS_exit, a);
  exit(1); /* not reached */
}

/* ------------------------------------------------------------------ */
/* The parent                                                         */
/* ------------------------------------------------------------------ */

struct running {
  int pid;
  int index;
  int report_fd;
};

static uint64 total_calls, total_bad_numbers;
static int children_done;

static void
start_child(struct running *slot, uint64 seed, int index, int calls)
{
  int fds[2];
  if (pipe(fds) < 0)
    fail("pipe for a child's report");
  uint64 s = child_seed(seed, index);
  int pid = fork();
  if (pid < 0)
    fail("fork of a fuzzing child");
  if (pid == 0) {
    close(fds[0]);
    fuzz_child(s, calls, fds[1]);
  }
  close(fds[1]);
  slot->pid = pid;
  slot->index = index;
  slot->report_fd = fds[0];
}

/* Reaps one child and checks its report against its exit status. */
static void
finish_child(struct running *slots, int n, uint64 seed)
{
  int status;
  int pid = wait(&status);
  if (pid < 0)
    fail("wait: a child went missing");
  int i = 0;
  while (i < n && slots[i].pid != pid)
    i++;
  if (i == n) {
    printf("sysfuzz: FAIL wait returned pid %d, want one of our %d children\n", pid, n);
    exit(1);
  }
  struct report rep;
  int got = read(slots[i].report_fd, &rep, sizeof rep);
  close(slots[i].report_fd);
  if (got != sizeof rep || status != rep.exit_status) {
    printf("sysfuzz: FAIL child %d (seed %lu, pid %d): report of %d bytes (want %d), exit "
           "status %d (want %d)\n",
           slots[i].index, seed, pid, got, (int)sizeof rep, status,
           got == sizeof rep ? rep.exit_status : 0);
    exit(1);
  }
  total_calls += rep.calls;
  total_bad_numbers += rep.bad_numbers;
  children_done++;
  if (children_done % PROGRESS_EVERY == 0)
    printf("sysfuzz: %d children, %lu calls\n", children_done, total_calls);
  slots[i] = slots[n - 1];
}

/*
 * Removing what the children made. A child may have nested directories
 * deeper than MAXPATH allows to name (chdir("d0"); mkdir("d0"); ...), so
 * the tree is walked with chdir, one level at a time.
 */
static void remove_entry(const char *name);

/* Removes everything in the current directory. */
static void
empty_current_directory(void)
{
  int fd = open(".", O_RDONLY);
  if (fd < 0)
    fail("open a directory to clean it up");
  struct dirent de;
  char name[DIRSIZ + 1];
  while (read(fd, &de, sizeof de) == sizeof de) {
    if (de.inum == 0)
      continue;
    memmove(name, de.name, DIRSIZ);
    name[DIRSIZ] = 0;
    if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
      remove_entry(name);
  }
  close(fd);
}

static void
remove_entry(const char *name)
{
  struct stat st;
  if (stat(name, &st) < 0)
    return; /* not there */
  if (st.type == T_DIR) {
    if (chdir(name) < 0)
      fail("chdir into a directory to clean it up");
    empty_current_directory();
    if (chdir("..") < 0)
      fail("chdir .. while cleaning up");
  }
  if (unlink(name) < 0)
    printf("sysfuzz: clean-up: unlink %s: %s\n", name, strerror(errno));
}

/* Removes the scratch directory, and what the children made in / after a
 * chdir("/") or chdir(".."): only names from our list. */
static void
clean_up(void)
{
  if (chdir("/") < 0)
    fail("chdir /");
  for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
    if (names[i][0] != '/' && names[i][0] != '.' && names[i][0] != '\0' && !strchr(names[i], '/'))
      remove_entry(names[i]);
  remove_entry(SCRATCH_DIR + 1);
  struct stat st;
  if (stat(SCRATCH_DIR, &st) == 0)
    fail(SCRATCH_DIR " is still there after the clean-up");
}

static int
parse_option(const char *text, int *value)
{
  return text != 0 && parse_int(text, value) == 0 && *value > 0;
}

int
main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(2, "usage: sysfuzz TOKEN [-s SEED] [-n CALLS] [-c CALLS_PER_CHILD] [-j AT_ONCE]\n");
    exit(2);
  }
  int seed = 1, calls = DEFAULT_CALLS, per_child = DEFAULT_CALLS_PER_CHILD, at_once;
  struct sysinfo si;
  if (sysinfo(&si) < 0)
    fail("sysinfo");
  at_once = si.ncpu;
  for (int i = 2; i < argc; i += 2) {
    int ok = 0;
    if (strcmp(argv[i], "-s") == 0)
      ok = argc > i + 1 && parse_int(argv[i + 1], &seed) == 0;
    else if (strcmp(argv[i], "-n") == 0)
      ok = parse_option(argv[i + 1], &calls);
    else if (strcmp(argv[i], "-c") == 0)
      ok = parse_option(argv[i + 1], &per_child);
    else if (strcmp(argv[i], "-j") == 0)
      ok = parse_option(argv[i + 1], &at_once) && at_once <= MAX_AT_ONCE;
    if (!ok) {
      fprintf(2, "sysfuzz: bad option %s\n", argv[i]);
      exit(2);
    }
  }
  for (int i = 0; i + 2 < (int)sizeof long_path; i += 2)
    long_path[i] = 'a', long_path[i + 1] = '/';

  if (mkdir(SCRATCH_DIR) < 0)
    fail("mkdir " SCRATCH_DIR);
  /* Warm-up, as in proctest: touch our pages before the first mark. */
  struct running slots[MAX_AT_ONCE];
  start_child(&slots[0], seed, -1, 1);
  finish_child(slots, 1, seed);
  total_calls = total_bad_numbers = children_done = 0;
  uint64 before = memory_mark();
  uint64 start_ms = now_ms();

  int nchildren = (calls + per_child - 1) / per_child, started = 0, running = 0;
  while (children_done < nchildren) {
    while (running < at_once && started < nchildren)
      start_child(&slots[running++], seed, started++, per_child);
    finish_child(slots, running--, seed);
  }
  clean_up();

  uint64 after = memory_after_settling(before);
  printf("sysfuzz: seed %d: %lu calls (%lu to bad numbers) in %d children, %lu ms; "
         "free memory before %lu after %lu bytes: %ld pages leaked\n",
         seed, total_calls, total_bad_numbers, children_done, now_ms() - start_ms, before, after,
         pages_leaked(before, after));
  check_memory_returned(before, after);
  printf("sysfuzz: PASS %s\n", argv[1]);
  exit(0);
}
