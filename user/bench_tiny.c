/*
 * bench_tiny: the smallest program bench can exec (benchmark exectiny).
 * It exits at once with status 42, which bench checks to know the exec
 * really happened (a child whose exec failed exits with 127 instead).
 */
#include "kernel/types.h"
#include "user/user.h"

int
main(void)
{
  exit(42);
}
