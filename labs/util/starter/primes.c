// primes: the util lab's exercise (see labs/util/README.md).
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  // TODO(lab util): write primes here.
  fprintf(2, "primes: not implemented yet (lab util)\n");
  exit(1);
}
