/* false: do nothing, unsuccessfully (exit status 1). */
#include "kernel/types.h"
#include "user/user.h"

int
main(void)
{
  return 1;
}
