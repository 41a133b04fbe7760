/* resume PID: let a suspended process run again. */
#include "kernel/types.h"
#include "user/user.h"

int
main(int argc, char **argv)
{
  int pid;

  if (argc != 2 || parse_int(argv[1], &pid) < 0) {
    fprintf(2, "usage: resume PID\n");
    exit(1);
  }
  if (resume(pid) < 0) {
    fprintf(2, "resume: %s: %s\n", argv[1], strerror(errno));
    exit(1);
  }
  exit(0);
}
