/*
 * xt_wait: helper for exectest. Reads standard input until end of file,
 * then exits 0. exectest starts it with a pipe as standard input to have
 * a program that stays running (mapped) exactly as long as it wants.
 */
#include "kernel/types.h"
#include "user/user.h"

int
main(void)
{
  char buf[64];
  while (read(0, buf, sizeof buf) > 0)
    ;
  return 0;
}
