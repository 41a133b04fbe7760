/*
 * xt_fds: says what descriptors 0, 1 and 2 are, in one line on fd 1:
 *
 *   fds D0 D1 D2
 *
 * where each D is "closed", "console" (a device with no inode: the console
 * the kernel opens for the first process), "pipe", "file:INO", "dir:INO"
 * or "dev:INO" (INO the inode number).
 *
 * exectest runs it to see that exec hands a program exactly the
 * descriptors its caller had. tests/test_exec.py also boots it as /init
 * (the first process, which the kernel starts with no descriptors and
 * gives the console as 0, 1 and 2); as pid 1 it then also reads a line
 * from fd 0, writes "stdin: LINE" on fd 2, and powers off with status 0
 * (1 if a read or write failed), since init must never exit.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

#define STD_FDS 3
#define LINE_MAX 128
#define INIT_PID 1

static void
describe(int fd)
{
  struct stat st;
  if (fstat(fd, &st) < 0)
    printf(" closed");
  else if (st.type == T_DEVICE && st.ino == 0)
    printf(" console");
  else if (st.type == 0)
    printf(" pipe");
  else
    printf(" %s:%d", st.type == T_DIR ? "dir" : st.type == T_FILE ? "file" : "dev", st.ino);
}

/* As the first process: stdin must be readable, stderr writable. */
static int
echo_a_line_to_stderr(void)
{
  char line[LINE_MAX];
  int len = 0;
  char c;
  while (len < LINE_MAX - 1 && read(0, &c, 1) == 1 && c != '\n')
    line[len++] = c;
  line[len] = 0;
  const char *tag = "stdin: ";
  return len > 0 && write(2, tag, strlen(tag)) == (int)strlen(tag) &&
         write(2, line, len) == len && write(2, "\n", 1) == 1;
}

int
main(void)
{
  printf("fds");
  for (int fd = 0; fd < STD_FDS; fd++)
    describe(fd);
  printf("\n");
  if (getpid() == INIT_PID)
    poweroff(echo_a_line_to_stderr() ? 0 : 1);
  return 0;
}
