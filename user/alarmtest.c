/*
 * alarmtest: the user alarm, sigalarm(ticks, handler) and sigreturn()
 * (kernel/sys/alarm.c; the traps lab).
 *
 *   alarmtest TOKEN [SUBTEST]     prints "alarmtest: PASS TOKEN" if all pass
 *
 * Subtests:
 *   calls      the handler is called again and again while the program
 *              computes, about once per `ticks` ticks of its CPU time
 *   registers  sigreturn resumes with every register as it was: a loop
 *              keeps 26 registers busy while a handler written in assembly
 *              overwrites them all (a0 included) before sigreturn
 *   once       a handler that runs longer than the interval is not entered
 *              again before its sigreturn
 *   stop       sigalarm(0, 0) stops the calls
 *   cputime    time spent asleep is not CPU time: no calls
 *   errors     sigreturn with no handler running and sigalarm(-1, ...) fail
 *   exec       exec turns the alarm off (the old handler's address means
 *              nothing in the new program)
 */
#include "kernel/types.h"
#include "kernel/procinfo.h"
#include "user/user.h"

#define US_PER_TICK 10000UL   /* a tick is 10 ms */
#define WAIT_TICKS 300        /* give up on a call after 3 s of our CPU time */
#define CALLS_WANTED 6
#define CALLS_INTERVAL 2
#define HOLD_ITERATIONS 60000000UL
#define HOLD_MIN_CALLS 3
#define ONCE_HANDLER_TICKS 6  /* the slow handler computes this long... */
#define ONCE_INTERVAL 1       /* ...with the alarm due after every tick */
#define QUIET_TICKS 20
#define SLEEP_TICKS 30

static int failures;
static volatile int calls;

static void fail(const char *check, const char *detail) {
  printf("alarmtest: FAIL %s: %s\n", check, detail);
  failures++;
}

/* CPU time used so far, in ticks. */
static uint64 cpu_ticks(void) {
  struct procinfo info;
  if (procinfo(getpid(), &info) < 0)
    return 0;
  return info.runtime_us / US_PER_TICK;
}

/* Compute for n ticks of CPU time. */
static void spin_ticks(uint64 n) {
  uint64 end = cpu_ticks() + n;
  while (cpu_ticks() < end)
    ;
}

static void count_call(void) {
  calls++;
  sigreturn();
}

/* Compute until `want` calls were made or WAIT_TICKS went by; the calls seen. */
static int wait_for_calls(int want) {
  uint64 end = cpu_ticks() + WAIT_TICKS;
  while (calls < want && cpu_ticks() < end)
    ;
  return calls;
}

static void calls_test(void) {
  calls = 0;
  uint64 start = cpu_ticks();
  if (sigalarm(CALLS_INTERVAL, count_call) < 0) {
    fail("calls", "sigalarm(2, handler) failed");
    return;
  }
  int got = wait_for_calls(CALLS_WANTED);
  uint64 used = cpu_ticks() - start;
  sigalarm(0, 0);
  if (got < CALLS_WANTED) {
    printf("alarmtest: FAIL calls: %d calls in %lu ticks of CPU time, want %d\n", got, used,
           CALLS_WANTED);
    failures++;
    return;
  }
  /* 6 calls, one per 2 ticks, need about 12 ticks; far fewer means the
   * interval is not honoured. */
  if (used + 2 < (uint64)CALLS_WANTED * CALLS_INTERVAL) {
    printf("alarmtest: FAIL calls: %d calls after only %lu ticks of CPU time, want about %d\n",
           got, used, CALLS_WANTED * CALLS_INTERVAL);
    failures++;
  }
}

/*
 * registers: hold_registers(n) puts a known value into each of ra, t0-t6,
 * a0-a7 and s1-s11, counts s11 down from n, then checks every one; it
 * returns a mask with bit i set if register xi changed (0 if none did).
 * alarm_clobber, the handler, counts its call and writes garbage into all
 * of those registers before calling sigreturn (number 39) itself.
 */
uint64 hold_registers(uint64 n);
void alarm_clobber(void);
volatile uint64 clobber_calls;

asm(".text\n"
    ".globl alarm_clobber\n"
    "alarm_clobber:\n"
    "  la t0, clobber_calls\n"
    "  ld t1, 0(t0)\n"
    "  addi t1, t1, 1\n"
    "  sd t1, 0(t0)\n"
    "  li ra, -1\n  li t0, -1\n  li t1, -1\n  li t2, -1\n  li t3, -1\n  li t4, -1\n"
    "  li t5, -1\n  li t6, -1\n  li a0, -1\n  li a1, -1\n  li a2, -1\n  li a3, -1\n"
    "  li a4, -1\n  li a5, -1\n  li a6, -1\n  li s1, -1\n  li s2, -1\n  li s3, -1\n"
    "  li s4, -1\n  li s5, -1\n  li s6, -1\n  li s7, -1\n  li s8, -1\n  li s9, -1\n"
    "  li s10, -1\n  li s11, -1\n"
    "  li a7, 39\n" /* SYS_sigreturn: never returns here */
    "  ecall\n"
    "  unimp\n"
    "\n"
    ".globl hold_registers\n"
    "hold_registers:\n"
    "  addi sp, sp, -112\n"
    "  sd ra, 0(sp)\n  sd s1, 8(sp)\n  sd s2, 16(sp)\n  sd s3, 24(sp)\n  sd s4, 32(sp)\n"
    "  sd s5, 40(sp)\n  sd s6, 48(sp)\n  sd s7, 56(sp)\n  sd s8, 64(sp)\n  sd s9, 72(sp)\n"
    "  sd s10, 80(sp)\n  sd s11, 88(sp)\n"
    "  mv s11, a0\n"
    /* register xN holds 1000 + N */
    "  li ra, 1001\n  li t0, 1005\n  li t1, 1006\n  li t2, 1007\n  li s1, 1009\n"
    "  li a0, 1010\n  li a1, 1011\n  li a2, 1012\n  li a3, 1013\n  li a4, 1014\n"
    "  li a5, 1015\n  li a6, 1016\n  li a7, 1017\n  li s2, 1018\n  li s3, 1019\n"
    "  li s4, 1020\n  li s5, 1021\n  li s6, 1022\n  li s7, 1023\n  li s8, 1024\n"
    "  li s9, 1025\n  li s10, 1026\n  li t3, 1028\n  li t4, 1029\n  li t5, 1030\n"
    "  li t6, 1031\n"
    "1:\n"
    "  addi s11, s11, -1\n"
    "  bnez s11, 1b\n"
    /* s11 is the mask now (it is 0); check x1 and x5..x31 but s11 (x27) */
    "  addi ra, ra, -1001\n  snez ra, ra\n  slli ra, ra, 1\n  or s11, s11, ra\n"
    "  addi t0, t0, -1005\n  snez t0, t0\n  slli t0, t0, 5\n  or s11, s11, t0\n"
    "  addi t1, t1, -1006\n  snez t1, t1\n  slli t1, t1, 6\n  or s11, s11, t1\n"
    "  addi t2, t2, -1007\n  snez t2, t2\n  slli t2, t2, 7\n  or s11, s11, t2\n"
    "  addi s1, s1, -1009\n  snez s1, s1\n  slli s1, s1, 9\n  or s11, s11, s1\n"
    "  addi a0, a0, -1010\n  snez a0, a0\n  slli a0, a0, 10\n  or s11, s11, a0\n"
    "  addi a1, a1, -1011\n  snez a1, a1\n  slli a1, a1, 11\n  or s11, s11, a1\n"
    "  addi a2, a2, -1012\n  snez a2, a2\n  slli a2, a2, 12\n  or s11, s11, a2\n"
    "  addi a3, a3, -1013\n  snez a3, a3\n  slli a3, a3, 13\n  or s11, s11, a3\n"
    "  addi a4, a4, -1014\n  snez a4, a4\n  slli a4, a4, 14\n  or s11, s11, a4\n"
    "  addi a5, a5, -1015\n  snez a5, a5\n  slli a5, a5, 15\n  or s11, s11, a5\n"
    "  addi a6, a6, -1016\n  snez a6, a6\n  slli a6, a6, 16\n  or s11, s11, a6\n"
    "  addi a7, a7, -1017\n  snez a7, a7\n  slli a7, a7, 17\n  or s11, s11, a7\n"
    "  addi s2, s2, -1018\n  snez s2, s2\n  slli s2, s2, 18\n  or s11, s11, s2\n"
    "  addi s3, s3, -1019\n  snez s3, s3\n  slli s3, s3, 19\n  or s11, s11, s3\n"
    "  addi s4, s4, -1020\n  snez s4, s4\n  slli s4, s4, 20\n  or s11, s11, s4\n"
    "  addi s5, s5, -1021\n  snez s5, s5\n  slli s5, s5, 21\n  or s11, s11, s5\n"
    "  addi s6, s6, -1022\n  snez s6, s6\n  slli s6, s6, 22\n  or s11, s11, s6\n"
    "  addi s7, s7, -1023\n  snez s7, s7\n  slli s7, s7, 23\n  or s11, s11, s7\n"
    "  addi s8, s8, -1024\n  snez s8, s8\n  slli s8, s8, 24\n  or s11, s11, s8\n"
    "  addi s9, s9, -1025\n  snez s9, s9\n  slli s9, s9, 25\n  or s11, s11, s9\n"
    "  addi s10, s10, -1026\n  snez s10, s10\n  slli s10, s10, 26\n  or s11, s11, s10\n"
    "  addi t3, t3, -1028\n  snez t3, t3\n  slli t3, t3, 28\n  or s11, s11, t3\n"
    "  addi t4, t4, -1029\n  snez t4, t4\n  slli t4, t4, 29\n  or s11, s11, t4\n"
    "  addi t5, t5, -1030\n  snez t5, t5\n  slli t5, t5, 30\n  or s11, s11, t5\n"
    "  addi t6, t6, -1031\n  snez t6, t6\n  slli t6, t6, 31\n  or s11, s11, t6\n"
    "  mv a0, s11\n"
    "  ld ra, 0(sp)\n  ld s1, 8(sp)\n  ld s2, 16(sp)\n  ld s3, 24(sp)\n  ld s4, 32(sp)\n"
    "  ld s5, 40(sp)\n  ld s6, 48(sp)\n  ld s7, 56(sp)\n  ld s8, 64(sp)\n  ld s9, 72(sp)\n"
    "  ld s10, 80(sp)\n  ld s11, 88(sp)\n"
    "  addi sp, sp, 112\n"
    "  ret\n");

static void registers_test(void) {
  clobber_calls = 0;
  if (sigalarm(1, alarm_clobber) < 0) {
    fail("registers", "sigalarm(1, handler) failed");
    return;
  }
  uint64 changed = 0;
  /* Repeat until the handler really interrupted the loop a few times. */
  for (int round = 0; round < WAIT_TICKS && clobber_calls < HOLD_MIN_CALLS; round++)
    changed |= hold_registers(HOLD_ITERATIONS / 10);
  sigalarm(0, 0);
  if (clobber_calls < HOLD_MIN_CALLS) {
    printf("alarmtest: FAIL registers: the handler ran %lu times, want at least %d\n",
           clobber_calls, HOLD_MIN_CALLS);
    failures++;
  }
  if (changed) {
    printf("alarmtest: FAIL registers: after sigreturn registers changed (bit N = xN): 0x%lx, "
           "want 0\n", changed);
    failures++;
  }
}

static volatile int in_slow_handler, reentered;

static void slow_handler(void) {
  if (in_slow_handler)
    reentered = 1;
  in_slow_handler = 1;
  calls++;
  spin_ticks(ONCE_HANDLER_TICKS);
  in_slow_handler = 0;
  sigreturn();
}

static void once_test(void) {
  calls = 0;
  reentered = 0;
  sigalarm(ONCE_INTERVAL, slow_handler);
  int got = wait_for_calls(3);
  sigalarm(0, 0);
  if (got < 3) {
    printf("alarmtest: FAIL once: %d calls of the slow handler, want 3\n", got);
    failures++;
  }
  if (reentered)
    fail("once", "the handler was entered again while it ran, want one call at a time");
}

static void stop_test(void) {
  calls = 0;
  sigalarm(1, count_call);
  wait_for_calls(2);
  sigalarm(0, 0);
  int before = calls;
  spin_ticks(QUIET_TICKS);
  if (before < 2)
    fail("stop", "no calls before sigalarm(0, 0), want some");
  if (calls != before) {
    printf("alarmtest: FAIL stop: %d calls in %d ticks after sigalarm(0, 0), want 0\n",
           calls - before, QUIET_TICKS);
    failures++;
  }
}

/* Asleep, the process uses no CPU time: no calls. Computing afterwards,
 * the calls come (so the alarm really was on). */
static void cputime_test(void) {
  calls = 0;
  sigalarm(CALLS_INTERVAL, count_call);
  pause(SLEEP_TICKS);
  int asleep = calls;
  int after = wait_for_calls(asleep + 2) - asleep;
  sigalarm(0, 0);
  if (asleep > 1) {
    printf("alarmtest: FAIL cputime: %d calls while asleep for %d ticks, want at most 1\n", asleep,
           SLEEP_TICKS);
    failures++;
  }
  if (after < 2) {
    printf("alarmtest: FAIL cputime: %d calls while computing after the sleep, want 2\n", after);
    failures++;
  }
}

static void errors_test(void) {
  if (sigalarm(CALLS_INTERVAL, count_call) != 0)
    fail("errors", "sigalarm(2, handler) failed, want 0");
  if (sigalarm(0, 0) != 0)
    fail("errors", "sigalarm(0, 0) failed, want 0");
  if (sigreturn() >= 0)
    fail("errors", "sigreturn with no handler running succeeded, want an error");
  if (sigalarm(-1, count_call) >= 0)
    fail("errors", "sigalarm(-1, handler) succeeded, want an error");
}

/* The child sets an alarm, then execs `alarmtest TOKEN exec-child`, which
 * computes for a while: a call to the old handler's address would run
 * whatever the new program has there. */
static void exec_test(const char *token) {
  int pid = fork();
  if (pid < 0) {
    fail("exec", "fork failed");
    return;
  }
  if (pid == 0) {
    calls = 0;
    sigalarm(1, count_call);
    if (wait_for_calls(1) < 1) {
      printf("alarmtest: FAIL exec: no call before the exec, want one\n");
      exit(1);
    }
    char *argv[] = {"alarmtest", (char *)token, "exec-child", 0};
    exec("alarmtest", argv);
    printf("alarmtest: FAIL exec: exec alarmtest failed\n");
    exit(1);
  }
  int status = -1;
  wait(&status);
  if (status != 0) {
    printf("alarmtest: FAIL exec: the child exited with status %d, want 0\n", status);
    failures++;
  }
}

/* After exec: the alarm must be off. */
static void exec_child(void) {
  calls = 0;
  spin_ticks(QUIET_TICKS);
  if (calls != 0) {
    printf("alarmtest: FAIL exec: %d calls of the old program's handler after exec, want 0\n", calls);
    exit(1);
  }
  exit(0);
}

static const struct {
  const char *name;
  void (*run)(void);
} subtests[] = {
    {"calls", calls_test}, {"registers", registers_test}, {"once", once_test},
    {"stop", stop_test},   {"cputime", cputime_test},     {"errors", errors_test},
};

int main(int argc, char *argv[]) {
  if (argc < 2 || argc > 3) {
    fprintf(2, "usage: alarmtest TOKEN [SUBTEST]\n");
    exit(2);
  }
  const char *only = argc == 3 ? argv[2] : 0;
  if (only && strcmp(only, "exec-child") == 0)
    exec_child();
  int ran = 0;
  for (int i = 0; i < sizeof subtests / sizeof subtests[0]; i++) {
    if (only && strcmp(only, subtests[i].name) != 0)
      continue;
    subtests[i].run();
    ran++;
  }
  if (!only || strcmp(only, "exec") == 0) {
    exec_test(argv[1]);
    ran++;
  }
  if (ran == 0) {
    fprintf(2, "alarmtest: no subtest %s\n", only);
    exit(2);
  }
  if (failures)
    exit(1);
  printf("alarmtest: PASS %s\n", argv[1]);
  return 0;
}
