/* cat [FILE...]: copy the files (or standard input) to standard output. */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define BUFFER_SIZE 512

/* Copies fd to standard output. Returns -1 (after saying why) if reading
 * fails; a failed write ends the program, since no output can follow. */
static int
copy_to_stdout(int fd, const char *name)
{
  char buf[BUFFER_SIZE];
  int n;

  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    if (write(1, buf, n) != n) {
      fprintf(2, "cat: write error: %s\n", strerror(errno));
      exit(1);
    }
  }
  if (n < 0) {
    fprintf(2, "cat: %s: %s\n", name, strerror(errno));
    return -1;
  }
  return 0;
}

int
main(int argc, char **argv)
{
  if (argc < 2)
    exit(copy_to_stdout(0, "standard input") < 0 ? 1 : 0);

  int status = 0;
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    if (copy_to_stdout(fd, argv[i]) < 0)
      status = 1;
    close(fd);
  }
  exit(status);
}
