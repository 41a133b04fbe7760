/* sync: put every completed change to any file on the disk now. Exit
 * status 1 if the kernel could not (a disk error stopped the log). */
#include "kernel/types.h"
#include "user/user.h"

int
main(void)
{
  if (sync() < 0) {
    fprintf(2, "sync: %s\n", strerror(errno));
    return 1;
  }
  return 0;
}
