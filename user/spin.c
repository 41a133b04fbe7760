/* spin MS: keep the CPU busy for MS milliseconds (no system call but the
 * clock), then exit 0. Something for ps, suspend, resume and kill to show. */
#include "kernel/types.h"
#include "user/user.h"

#define NS_PER_MS 1000000UL

int
main(int argc, char **argv)
{
  int ms;

  if (argc != 2 || parse_int(argv[1], &ms) < 0 || ms < 0) {
    fprintf(2, "usage: spin MS\n");
    exit(1);
  }
  uint64 end = uptime_ns() + (uint64)ms * NS_PER_MS;
  while (uptime_ns() < end)
    ;
  exit(0);
}
