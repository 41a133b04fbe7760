/* sync: put every completed change to any file on the disk now. */
#include "kernel/types.h"
#include "user/user.h"

int
main(void)
{
  sync();
  return 0;
}
