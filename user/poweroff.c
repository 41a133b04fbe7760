/* poweroff [STATUS]: shut the machine down; QEMU exits with STATUS. */
#include "kernel/types.h"
#include "user/user.h"

int
main(int argc, char **argv)
{
  int status = 0;

  if (argc > 2 || (argc == 2 && parse_int(argv[1], &status) < 0)) {
    fprintf(2, "usage: poweroff [STATUS]\n");
    exit(1);
  }
  poweroff(status);
}
