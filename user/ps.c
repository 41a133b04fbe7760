/*
 * ps: list the processes.
 *
 *   PID PPID STATE  TIME (CPU seconds)  SIZE (KiB of address space)
 *   RSS (pages actually mapped)  FAULTS (page faults served)  NAME
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "user/user.h"

#define BYTES_PER_KIB 1024
#define US_PER_SECOND 1000000
#define US_PER_HUNDREDTH 10000
#define HUNDREDTHS_PER_SECOND 100

static const char *state_names[PROC_NSTATES] = {
  [PROC_UNUSED] = "unused",
  [PROC_NEW] = "new",
  [PROC_READY] = "ready",
  [PROC_RUNNING] = "running",
  [PROC_BLOCKED] = "blocked",
  [PROC_SUSPENDED] = "suspended",
  [PROC_ZOMBIE] = "zombie",
};

static const char *
state_name(int state)
{
  if (state < 0 || state >= PROC_NSTATES)
    return "?";
  return state_names[state];
}

static void
print_process(const struct procinfo *p)
{
  // The kernel's name may fill all PROC_NAME_LEN bytes without a NUL.
  char name[PROC_NAME_LEN + 1];
  memmove(name, p->name, PROC_NAME_LEN);
  name[PROC_NAME_LEN] = 0;

  printf("%5d %5d %-9s %5lu.%02lu %9lu %10lu %7lu %s\n",
         p->pid, p->ppid, state_name(p->state),
         p->runtime_us / US_PER_SECOND,
         p->runtime_us / US_PER_HUNDREDTH % HUNDREDTHS_PER_SECOND,
         p->size / BYTES_PER_KIB, p->resident, p->faults, name);
}

int
main(int argc, char **argv)
{
  static struct procinfo procs[NPROC];

  if (argc != 1) {
    fprintf(2, "usage: ps\n");
    exit(1);
  }

  int n = getprocs(procs, NPROC);
  if (n < 0) {
    fprintf(2, "ps: getprocs: %s\n", strerror(errno));
    exit(1);
  }

  printf("%5s %5s %-9s %8s %9s %10s %7s %s\n",
         "PID", "PPID", "STATE", "TIME", "SIZE(KiB)", "RSS(pages)", "FAULTS", "NAME");
  for (int i = 0; i < n; i++)
    print_process(&procs[i]);
  exit(0);
}
