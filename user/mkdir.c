/* mkdir DIR...: create directories. */
#include "kernel/types.h"
#include "user/user.h"

int
main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(2, "usage: mkdir DIR...\n");
    exit(1);
  }

  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (mkdir(argv[i]) < 0) {
      fprintf(2, "mkdir: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
  }
  exit(status);
}
