/* kill PID...: end the given processes. */
#include "kernel/types.h"
#include "user/user.h"

int
main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(2, "usage: kill PID...\n");
    exit(1);
  }

  int status = 0;
  for (int i = 1; i < argc; i++) {
    int pid;
    if (parse_int(argv[i], &pid) < 0) {
      fprintf(2, "kill: %s: not a process id\n", argv[i]);
      status = 1;
    } else if (kill(pid) < 0) {
      fprintf(2, "kill: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
  }
  exit(status);
}
