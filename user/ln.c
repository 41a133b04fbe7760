/* ln OLD NEW: give the file OLD a second name, NEW (a hard link). */
#include "kernel/types.h"
#include "user/user.h"

int
main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(2, "usage: ln OLD NEW\n");
    exit(1);
  }
  if (link(argv[1], argv[2]) < 0) {
    fprintf(2, "ln: %s -> %s: %s\n", argv[2], argv[1], strerror(errno));
    exit(1);
  }
  exit(0);
}
