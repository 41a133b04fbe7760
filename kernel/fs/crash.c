/*
 * Deterministic crash points, for the crash tests: the boot argument
 *   fs.crash=EVENT:N
 * powers the machine off, as a power cut would, at the N-th occurrence of
 * EVENT (counting from 1):
 *   write:N    right after the N-th disk write request completes
 *   logged:N   in the N-th commit, after its blocks reached the log and
 *              before the header that commits them is written
 *   commit:N   in the N-th commit, right after its header (the commit
 *              record) is on disk and before any block is installed
 * Nothing is flushed: the disk holds exactly what had been written, so a
 * test can check recovery at those moments on every run instead of hoping
 * that a random kill lands there. QEMU exits with CRASH_POINT_STATUS.
 *
 * Also here: fs.commit_ms=N sets the log's commit interval (log.c).
 */
#include "kernel/types.h"
#include "kernel/lib/lib.h"
#include "kernel/dev/dev.h"
#include "kernel/fs/internal.h"

#define CRASH_POINT_STATUS 77 /* QEMU's exit status at a crash point */
#define NO_EVENT (-1)

static const char *event_names[] = {
    [CRASH_DISK_WRITE] = "write",
    [CRASH_BEFORE_COMMIT] = "logged",
    [CRASH_AFTER_COMMIT] = "commit",
};

/* Set once while booting; the count is atomic (disk writes may complete on
 * several harts). */
static struct {
  int event;          /* the chosen event, or NO_EVENT */
  uint64 at;          /* its occurrence that powers off */
  volatile uint64 seen;
} crash = {.event = NO_EVENT};

static int parse_count(const char *s, uint64 *n) {
  *n = 0;
  if (*s == 0)
    return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return -1;
    *n = *n * 10 + (*s - '0');
  }
  return 0;
}

/* "EVENT:N" */
static int parse_crash(const char *arg) {
  for (int e = 0; e < (int)ARRAY_SIZE(event_names); e++) {
    int len = strlen(event_names[e]);
    uint64 n;
    if (strncmp(arg, event_names[e], len) == 0 && arg[len] == ':' &&
        parse_count(arg + len + 1, &n) == 0 && n > 0) {
      crash.event = e;
      crash.at = n;
      return 0;
    }
  }
  return -1;
}

int fs_boot_arg(const char *word) {
  uint64 ms;
  const char *value;
  if ((value = after_prefix(word, "crash=")))
    return parse_crash(value);
  if ((value = after_prefix(word, "commit_ms=")) && parse_count(value, &ms) == 0 && ms > 0) {
    log_set_interval_ms(ms);
    return 0;
  }
  return -1;
}

void crash_point(enum crash_event event) {
  if ((int)event != crash.event)
    return;
  if (__sync_add_and_fetch(&crash.seen, 1) != crash.at)
    return;
  printf("fs: crash point %s:%lu reached: powering off\n", event_names[event], crash.at);
  power_off(CRASH_POINT_STATUS);
}
