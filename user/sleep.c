/* sleep SECONDS: do nothing for that many seconds. */
#include "kernel/types.h"
#include "user/user.h"

#define TICKS_PER_SECOND 100 /* the timer interrupts 100 times a second */
#define MAX_PART (0x7fffffff / TICKS_PER_SECOND) /* most seconds one sleep() takes */

int
main(int argc, char **argv)
{
  int seconds;

  if (argc != 2 || parse_int(argv[1], &seconds) < 0 || seconds < 0) {
    fprintf(2, "usage: sleep SECONDS\n");
    exit(1);
  }
  // sleep() takes an int of ticks: sleep long times in pieces that fit.
  while (seconds > 0) {
    int part = seconds < MAX_PART ? seconds : MAX_PART;
    if (sleep(part * TICKS_PER_SECOND) < 0) {
      fprintf(2, "sleep: %s\n", strerror(errno));
      exit(1);
    }
    seconds -= part;
  }
  exit(0);
}
