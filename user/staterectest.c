/*
 * staterectest TOKEN: the kernel's state-change record (staterec) under
 * load. Two processes bounce a byte over pipes until the kernel has seen
 * at least 10^5 state changes, twice:
 *   overflow  nobody reads: the ring fills, and every change after that
 *             is counted as dropped, exactly, with no gap in what was kept;
 *   drain     the parent reads as it goes: nothing is dropped and the
 *             sequence numbers it reads run 0, 1, 2... without a gap.
 * Then bad arguments get errors. Prints "staterectest: PASS TOKEN".
 */
#include "kernel/types.h"
#include "user/user.h"

#define CHANGES_WANTED 100000
#define ROUNDS_PER_CHECK 200 /* round trips between looks at the record */
#define READ_BATCH 256

static char *token;
static int failures;
static struct statechange batch[READ_BATCH];

static void check(int ok, const char *what, long expected, long actual) {
  if (!ok) {
    printf("staterectest: FAIL %s: expected %ld, got %ld\n", what, expected, actual);
    failures++;
  }
}

static void status(struct staterec_status *st) {
  if (staterec(STATEREC_STATUS, st, 0) < 0) {
    printf("staterectest: FAIL staterec(STATUS): %s\n", strerror(errno));
    exit(1);
  }
}

/* A child that echoes every byte from in to out until in closes. */
static int start_echo(int fds_to[2], int fds_from[2]) {
  if (pipe(fds_to) < 0 || pipe(fds_from) < 0) {
    printf("staterectest: FAIL pipe: %s\n", strerror(errno));
    exit(1);
  }
  int pid = fork();
  if (pid < 0) {
    printf("staterectest: FAIL fork: %s\n", strerror(errno));
    exit(1);
  }
  if (pid == 0) {
    char c;
    close(fds_to[1]);
    close(fds_from[0]);
    while (read(fds_to[0], &c, 1) == 1)
      if (write(fds_from[1], &c, 1) != 1)
        exit(1);
    exit(0);
  }
  close(fds_to[0]);
  close(fds_from[1]);
  return pid;
}

static void round_trips(int to, int from, int n) {
  char c = 'x';
  for (int i = 0; i < n; i++)
    if (write(to, &c, 1) != 1 || read(from, &c, 1) != 1) {
      printf("staterectest: FAIL the echo child stopped answering\n");
      exit(1);
    }
}

static void stop_echo(int to, int from) {
  close(to);
  close(from);
  wait(0);
}

/* Read what is in the ring; check that sequence numbers continue from
 * *next_seq without a gap. Returns how many were read. */
static int read_all(uint *next_seq, const char *phase) {
  int total = 0, n;
  while ((n = staterec(STATEREC_READ, batch, READ_BATCH)) > 0) {
    for (int i = 0; i < n; i++) {
      if (batch[i].seq != *next_seq) {
        printf("staterectest: FAIL %s: sequence gap: expected %d, got %d\n", phase, *next_seq, batch[i].seq);
        failures++;
      }
      *next_seq = batch[i].seq + 1;
    }
    total += n;
  }
  check(n == 0, "READ at the end returns 0", 0, n);
  return total;
}

static void overflow(void) {
  int to[2], from[2];
  struct staterec_status st;
  staterec(STATEREC_START, 0, 0);
  start_echo(to, from);
  do {
    round_trips(to[1], from[0], ROUNDS_PER_CHECK);
    status(&st);
  } while (st.total < CHANGES_WANTED);
  staterec(STATEREC_STOP, 0, 0);
  stop_echo(to[1], from[0]);
  status(&st);
  check(st.total >= CHANGES_WANTED, "overflow: changes seen", CHANGES_WANTED, st.total);
  check(st.unread == st.capacity, "overflow: changes kept", st.capacity, st.unread);
  check(st.dropped == st.total - st.capacity, "overflow: changes dropped", st.total - st.capacity, st.dropped);
  uint next_seq = 0;
  int got = read_all(&next_seq, "overflow");
  check(got == st.capacity, "overflow: changes read", st.capacity, got);
  status(&st);
  check(st.unread == 0, "overflow: unread after reading", 0, st.unread);
}

static void drain(void) {
  int to[2], from[2];
  struct staterec_status st;
  uint next_seq = 0;
  long got = 0;
  staterec(STATEREC_START, 0, 0);
  start_echo(to, from);
  while (got < CHANGES_WANTED) {
    round_trips(to[1], from[0], ROUNDS_PER_CHECK);
    got += read_all(&next_seq, "drain");
  }
  staterec(STATEREC_STOP, 0, 0);
  stop_echo(to[1], from[0]);
  got += read_all(&next_seq, "drain");
  status(&st);
  check(st.dropped == 0, "drain: changes dropped", 0, st.dropped);
  check(got == st.total, "drain: changes read", st.total, got);
  check(st.recording == 0, "drain: recording after STOP", 0, st.recording);
}

static void bad_arguments(void) {
  int r = staterec(99, 0, 0);
  check(r == -1 && errno == EINVAL, "unknown op gives EINVAL", EINVAL, r < 0 ? errno : r);
  r = staterec(STATEREC_READ, batch, -1);
  check(r == -1 && errno == EINVAL, "READ of -1 changes gives EINVAL", EINVAL, r < 0 ? errno : r);
  staterec(STATEREC_START, 0, 0);
  sleep(1); /* a few changes to read */
  staterec(STATEREC_STOP, 0, 0);
  r = staterec(STATEREC_READ, (void *)0x10, READ_BATCH);
  check(r == -1 && errno == EFAULT, "READ into a bad address gives EFAULT", EFAULT, r < 0 ? errno : r);
  r = staterec(STATEREC_STATUS, (void *)0x10, 0);
  check(r == -1 && errno == EFAULT, "STATUS into a bad address gives EFAULT", EFAULT, r < 0 ? errno : r);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(2, "usage: staterectest TOKEN\n");
    exit(1);
  }
  token = argv[1];
  overflow();
  drain();
  bad_arguments();
  if (failures) {
    printf("staterectest: FAIL %d checks failed\n", failures);
    exit(1);
  }
  printf("staterectest: PASS %s\n", token);
  exit(0);
}
