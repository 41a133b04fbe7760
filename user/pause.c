/* pause SECONDS: block that many seconds, then exit 0.
 *
 * The tests' waiting process (`pause 100 &` gives ps, suspend and kill a
 * blocked process to look at). It is sleep's twin on purpose: the util lab
 * hands out user/sleep.c as an exercise, and no lab replaces pause, so a
 * test that only needs something waiting works in every lab's handout. */
#include "kernel/types.h"
#include "user/user.h"

#define TICKS_PER_SECOND 100 /* the timer interrupts 100 times a second */
#define MAX_PART (0x7fffffff / TICKS_PER_SECOND) /* most seconds one pause() takes */

int
main(int argc, char **argv)
{
  int seconds;

  if (argc != 2 || parse_int(argv[1], &seconds) < 0 || seconds < 0) {
    fprintf(2, "usage: pause SECONDS\n");
    exit(1);
  }
  // pause() takes an int of ticks: wait long times in pieces that fit.
  while (seconds > 0) {
    int part = seconds < MAX_PART ? seconds : MAX_PART;
    if (pause(part * TICKS_PER_SECOND) < 0) {
      fprintf(2, "pause: %s\n", strerror(errno));
      exit(1);
    }
    seconds -= part;
  }
  exit(0);
}
