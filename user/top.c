/*
 * top [-n FRAMES]: the processes, redrawn every second.
 *
 *   PID STATE HART (index of the cpu it last ran on) CPU% (of one hart, over the last
 *   second) RSS (pages mapped) FAULTS (page faults) CSW (context switches,
 *   voluntary + involuntary) NAME
 *
 * Type q and Enter to quit (the console hands programs whole lines), or
 * end the input with Ctrl-D. -n stops after that many frames.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "user/user.h"

#define TICKS_PER_FRAME 100 /* one second */
#define TICKS_PER_LOOK 10   /* how often to look whether q was typed */
#define NS_PER_US 1000
#define PERCENT 100
#define CLEAR_SCREEN "\033[H\033[2J"

static const char *state_names[PROC_NSTATES] = {
    [PROC_UNUSED] = "unused",   [PROC_NEW] = "new",         [PROC_READY] = "ready",
    [PROC_RUNNING] = "running", [PROC_BLOCKED] = "blocked", [PROC_SUSPENDED] = "suspended",
    [PROC_ZOMBIE] = "zombie",
};

static struct procinfo now[NPROC], before[NPROC];
static int nnow, nbefore;

/* A child that reads the keyboard and exits when it sees q (or the end). */
static int start_key_reader(void) {
  int pid = fork();
  if (pid == 0) {
    char line[32];
    for (;;) {
      int n = read(0, line, sizeof line);
      if (n <= 0 || line[0] == 'q')
        exit(0);
    }
  }
  return pid;
}

/* Sleep one frame; 1 if the key reader has exited (q typed) meanwhile. */
static int wait_frame(int reader) {
  for (int t = 0; t < TICKS_PER_FRAME; t += TICKS_PER_LOOK) {
    if (reader > 0 && waitpid(reader, 0, WNOHANG) == reader)
      return 1;
    sleep(TICKS_PER_LOOK);
  }
  return 0;
}

/* CPU time p used since the last frame, in microseconds. */
static uint64 cpu_since_last(struct procinfo *p) {
  for (int i = 0; i < nbefore; i++)
    if (before[i].pid == p->pid)
      return p->runtime_us >= before[i].runtime_us ? p->runtime_us - before[i].runtime_us : 0;
  return p->runtime_us; /* new since the last frame */
}

static void draw(uint64 interval_us, int frame) {
  char name[PROC_NAME_LEN + 1];
  printf("%stop: %d processes, frame %d (q Enter quits)\n", frame > 1 ? CLEAR_SCREEN : "", nnow, frame);
  printf("%5s %-9s %4s %6s %7s %7s %7s %s\n", "PID", "STATE", "HART", "CPU%", "RSS", "FAULTS", "CSW", "NAME");
  for (int i = 0; i < nnow; i++) {
    struct procinfo *p = &now[i];
    uint64 percent = interval_us ? cpu_since_last(p) * PERCENT / interval_us : 0;
    memmove(name, p->name, PROC_NAME_LEN);
    name[PROC_NAME_LEN] = 0;
    printf("%5d %-9s %4d %5lu%% %7lu %7lu %7lu %s\n", p->pid,
           p->state >= 0 && p->state < PROC_NSTATES ? state_names[p->state] : "?", p->cpu, percent,
           p->resident, p->faults, p->nvcsw + p->nivcsw, name);
  }
}

static void snapshot(void) {
  memmove(before, now, sizeof now);
  nbefore = nnow;
  nnow = getprocs(now, NPROC);
  if (nnow < 0) {
    fprintf(2, "top: getprocs: %s\n", strerror(errno));
    exit(1);
  }
  if (nnow > NPROC)
    nnow = NPROC;
}

int main(int argc, char **argv) {
  int frames = -1; /* forever */
  if (argc == 3 && strcmp(argv[1], "-n") == 0 && parse_int(argv[2], &frames) == 0 && frames > 0) {
  } else if (argc != 1) {
    fprintf(2, "usage: top [-n FRAMES]\n");
    exit(1);
  }
  int reader = start_key_reader();
  snapshot();
  uint64 last = uptime_ns();
  for (int frame = 1; frames < 0 || frame <= frames; frame++) {
    if (wait_frame(reader))
      break;
    snapshot();
    uint64 t = uptime_ns();
    draw((t - last) / NS_PER_US, frame);
    last = t;
  }
  if (reader > 0) {
    kill(reader);
    wait(0);
  }
  exit(0);
}
