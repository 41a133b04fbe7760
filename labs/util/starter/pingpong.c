// pingpong: the util lab's exercise (see labs/util/README.md).
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  // TODO(lab util): write pingpong here.
  fprintf(2, "pingpong: not implemented yet (lab util)\n");
  exit(1);
}
