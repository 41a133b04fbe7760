// fptest TOKEN: floating point works in user programs, and each process
// keeps its own FP registers (the kernel saves them lazily, see
// kernel/proc/fpu.c). Prints "fptest: PASS TOKEN" or "fptest: FAIL ..." lines.
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

// Put the bit pattern in register f5, spin for a while (so the process is
// switched out and back in, on any hart), then return what f5 holds. The
// pattern travels in integer registers so that only f5 can be clobbered.
static uint64 hold_in_f5(uint64 bits) {
  uint64 out;
  uint64 end = uptime_ns() + SPIN_NS;
  asm volatile("fmv.d.x f5, %0" : : "r"(bits) : "f5");
  while (uptime_ns() < end)
    ;
  asm volatile("fmv.x.d %0, f5" : "=r"(out));
  return out;
}

static void registers_are_private(void) {
  for (int i = 0; i < NCHILDREN; i++) {
    if (fork() == 0) {
      uint64 want = 0x4000000000000000UL + i; // a distinct double per child
      exit(hold_in_f5(want) == want ? 0 : 1);
    }
  }
  int bad = 0;
  for (int i = 0; i < NCHILDREN; i++) {
    int status;
    if (wait(&status) < 0 || status != 0)
      bad++;
  }
  if (bad)
    fail("private", "a process saw its FP register change while others ran");
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
