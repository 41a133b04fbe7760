/*
 * schedtest: shows which scheduling policy the kernel runs, by what it
 * does to a newcomer beside CPU-bound processes.
 *
 *   schedtest TOKEN rr|mlfq      (on one hart; prints "schedtest: PASS TOKEN")
 *
 * HOGS processes spin until each has used HOG_WARMUP_MS of CPU time. Then
 * a newcomer spins for NEWCOMER_CPU_MS of its own CPU time, and we compare
 * how long that took on the clock with the CPU time it got (its stretch):
 *  - round robin shares the hart evenly: the newcomer is preempted at least
 *    once and then waits for every hog's quantum, so with 25 ms of work
 *    and three 10 ms quanta in between its stretch is at least 2.2;
 *  - MLFQ has moved the hogs down a level: the newcomer, new on the top
 *    level, runs until it is done, so its stretch is about 1.
 * MLFQ boosts everybody back to the top once a second; we start the
 * newcomer well clear of a boost, so the answer does not depend on luck.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/check.h"

#define NS_PER_MS 1000000UL
#define US_PER_MS 1000UL
#define HOGS 3
#define HOG_WARMUP_MS 60     /* beyond MLFQ's 50 ms allotment on the top level */
#define NEWCOMER_CPU_MS 25   /* more than a quantum (10-20 ms), less than the allotment */
#define BOOST_MS 1000        /* MLFQ's boost interval (kernel/proc/sched_mlfq.c) */
#define BOOST_MARGIN_MS 200  /* the measurement must end this far from a boost */
#define RR_MIN_STRETCH_X10 18
#define MLFQ_MAX_STRETCH_X10 13

static const char *token;

static void fail(const char *what, uint64 got_x10, const char *want) {
  printf("schedtest: FAIL %s: stretch %lu.%lu, want %s\n", what, got_x10 / 10, got_x10 % 10, want);
  exit(1);
}


static uint64 cpu_us(int pid) {
  struct procinfo info;
  if (procinfo(pid, &info) < 0) {
    printf("schedtest: FAIL procinfo(%d): %s\n", pid, strerror(errno));
    exit(1);
  }
  return info.runtime_us;
}

/* Spin until this process has had cpu_ms of CPU time. */
static void spin_cpu(uint64 cpu_ms) {
  int self = getpid();
  while (cpu_us(self) < cpu_ms * US_PER_MS)
    ;
}

/* Stretch of a newcomer, times ten: clock time over CPU time. */
static uint64 newcomer_stretch_x10(void) {
  int fds[2];
  if (pipe(fds) < 0) {
    printf("schedtest: FAIL pipe: %s\n", strerror(errno));
    exit(1);
  }
  int pid = fork();
  if (pid == 0) {
    uint64 start = uptime_ns();
    spin_cpu(NEWCOMER_CPU_MS);
    uint64 elapsed = uptime_ns() - start;
    uint64 stretch_x10 = elapsed * 10 / (cpu_us(getpid()) * (NS_PER_MS / US_PER_MS));
    write(fds[1], &stretch_x10, sizeof stretch_x10);
    exit(0);
  }
  uint64 stretch_x10 = 0;
  if (pid < 0 || read(fds[0], &stretch_x10, sizeof stretch_x10) != sizeof stretch_x10) {
    printf("schedtest: FAIL newcomer did not report\n");
    exit(1);
  }
  wait(0);
  close(fds[0]);
  close(fds[1]);
  return stretch_x10;
}

int main(int argc, char *argv[]) {
  if (argc != 3 || (strcmp(argv[2], "rr") != 0 && strcmp(argv[2], "mlfq") != 0)) {
    fprintf(2, "usage: schedtest TOKEN rr|mlfq\n");
    exit(2);
  }
  token = argv[1];
  struct sysinfo si;
  if (sysinfo(&si) < 0 || si.ncpu != 1) {
    printf("schedtest: FAIL needs exactly 1 hart\n");
    exit(1);
  }
  /* Start far enough from a boost that warm-up and measurement fit. */
  while ((now_ms() + HOGS * HOG_WARMUP_MS + BOOST_MARGIN_MS) % BOOST_MS < BOOST_MARGIN_MS)
    ;
  int hogs[HOGS];
  for (int i = 0; i < HOGS; i++)
    if ((hogs[i] = fork()) == 0)
      for (;;)
        ;
  for (int i = 0; i < HOGS; i++)
    while (cpu_us(hogs[i]) < HOG_WARMUP_MS * US_PER_MS)
      sleep(1);
  uint64 stretch_x10 = newcomer_stretch_x10();
  for (int i = 0; i < HOGS; i++) {
    kill(hogs[i]);
    wait(0);
  }
  printf("schedtest: newcomer stretch %lu.%lu beside %d hogs\n", stretch_x10 / 10, stretch_x10 % 10,
         HOGS);
  if (strcmp(argv[2], "rr") == 0 && stretch_x10 < RR_MIN_STRETCH_X10)
    fail("round robin", stretch_x10, ">= 1.8");
  if (strcmp(argv[2], "mlfq") == 0 && stretch_x10 > MLFQ_MAX_STRETCH_X10)
    fail("mlfq", stretch_x10, "<= 1.3");
  printf("schedtest: PASS %s\n", token);
  exit(0);
}
