// fptest TOKEN: floating point works in user programs, and each process
// keeps its own FP registers (the kernel saves them lazily, see
// kernel/proc/fpu.c) when it is preempted by other FP-using processes and
// moved between harts; the test checks that both really happened. Prints
// "fptest: PASS TOKEN" or "fptest: FAIL ..." lines.
#include "kernel/types.h"
#include "user/user.h"

#define NCHILDREN 6
#define SPIN_NS 300000000UL  // long enough to be preempted many times
#define FAULT_STATUS -1

static int failures;

static void fail(const char *check, const char *detail) {
  printf("fptest: FAIL %s: %s\n", check, detail);
  failures++;
}

// When a child held its value in f5, and on how many harts: reported to
// the parent through a pipe.
struct hold {
  uint64 start_ns, end_ns;
  int harts_seen;
};

// The hart this process runs on (as of its last switch in).
static int current_hart(void) {
  struct procinfo info;
  return procinfo(getpid(), &info) == 0 ? info.cpu : -1;
}

// Put the bit pattern in register f5, spin for a while (so the process is
// switched out and back in, on any hart), then return what f5 holds. The
// pattern travels in integer registers so that only f5 can be clobbered.
// *held gets the interval during which f5 held the pattern.
static uint64 hold_in_f5(uint64 bits, struct hold *held) {
  uint64 out;
  uint64 harts = 0; // bit h: ran on hart h
  asm volatile("fmv.d.x f5, %0" : : "r"(bits) : "f5");
  held->start_ns = uptime_ns();
  uint64 end = held->start_ns + SPIN_NS;
  while (uptime_ns() < end) {
    int h = current_hart();
    if (h >= 0 && h < 64)
      harts |= 1UL << h;
  }
  held->harts_seen = 0;
  for (; harts; harts &= harts - 1)
    held->harts_seen++;
  held->end_ns = uptime_ns();
  asm volatile("fmv.x.d %0, f5" : "=r"(out));
  return out;
}

// The most holds that were in progress at one instant (some hold's start).
static int most_at_once(const struct hold *holds, int n) {
  int most = 0;
  for (int i = 0; i < n; i++) {
    int at_once = 0;
    for (int j = 0; j < n; j++)
      at_once += holds[j].start_ns <= holds[i].start_ns && holds[i].start_ns < holds[j].end_ns;
    if (at_once > most)
      most = at_once;
  }
  return most;
}

static int hart_count(void) {
  struct sysinfo si;
  return sysinfo(&si) == 0 ? (int)si.ncpu : -1;
}

// Each child keeps a value in f5 while the others do the same. If more
// children hold a value at once than there are harts, some hart switched
// between FP-using processes in the middle of their holds: preemption
// happened, and it must not mix up their registers. (With preemption off,
// each child would run to its end before the next one started on that
// hart, and the test would prove nothing: so it fails.)
static void registers_are_private(void) {
  int fds[2];
  if (pipe(fds) < 0) {
    fail("private", "pipe failed");
    return;
  }
  for (int i = 0; i < NCHILDREN; i++) {
    if (fork() == 0) {
      uint64 want = 0x4000000000000000UL + i; // a distinct double per child
      struct hold held;
      int kept = hold_in_f5(want, &held) == want;
      if (write(fds[1], &held, sizeof held) != sizeof held)
        exit(2);
      exit(kept ? 0 : 1);
    }
  }
  close(fds[1]);
  int bad = 0;
  for (int i = 0; i < NCHILDREN; i++) {
    int status;
    if (wait(&status) < 0 || status != 0)
      bad++;
  }
  struct hold holds[NCHILDREN];
  int got = 0;
  while (got < NCHILDREN && read(fds[0], &holds[got], sizeof holds[got]) == sizeof holds[got])
    got++;
  close(fds[0]);
  if (bad)
    fail("private", "a process saw its FP register change while others ran");
  int harts = hart_count();
  int most = got == NCHILDREN ? most_at_once(holds, NCHILDREN) : 0;
  if (got != NCHILDREN || most <= harts) {
    printf("fptest: FAIL preempted: %d of %d children reported; at most %d held f5 at once"
           " on %d harts, want more than %d (a hart switching between FP processes)\n",
           got, NCHILDREN, most, harts, harts);
    failures++;
  }
  // With several harts, some child must also have moved to another hart
  // mid-hold (preempted children go back to one shared ready queue).
  int migrated = 0;
  for (int i = 0; i < got; i++)
    migrated += holds[i].harts_seen > 1;
  if (harts > 1 && migrated == 0) {
    printf("fptest: FAIL migrated: no child ran on more than one of %d harts while holding f5,"
           " want at least one\n", harts);
    failures++;
  }
}

static void arithmetic(void) {
  volatile double sum = 0;
  for (int k = 1; k <= 1000; k++)
    sum += 1.0 / ((double)k * k);
  // sum of 1/k^2 for k <= 1000 lies between 1.6439 and 1.6440
  if (!(sum > 1.6439 && sum < 1.6440))
    fail("arithmetic", "sum of 1/k^2 is wrong");
}

static void fork_inherits(void) {
  volatile double x = 2.75;
  int pid = fork();
  if (pid == 0)
    exit(x == 2.75 ? 0 : 1);
  int status;
  if (wait(&status) != pid || status != 0)
    fail("fork", "the child did not see the parent's FP value");
}

static void illegal_still_kills(void) {
  int pid = fork();
  if (pid == 0) {
    asm volatile(".word 0");  // all zeroes is never a valid instruction
    exit(0);
  }
  int status;
  if (wait(&status) != pid || status != FAULT_STATUS)
    fail("illegal", "an illegal instruction did not kill the child");
}

int main(int argc, char *argv[]) {
  if (argc != 2) {
    fprintf(2, "usage: fptest TOKEN\n");
    exit(2);
  }
  arithmetic();
  fork_inherits();
  registers_are_private();
  illegal_still_kills();
  if (failures)
    exit(1);
  printf("fptest: PASS %s\n", argv[1]);
  return 0;
}
