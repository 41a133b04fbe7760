/* echo [ARG...]: print the arguments separated by spaces, then a newline. */
#include "kernel/types.h"
#include "user/user.h"

int
main(int argc, char **argv)
{
  // Build the whole line first so it goes out in one write() and cannot
  // be interleaved with another process's output.
  uint len = 0;
  for (int i = 1; i < argc; i++)
    len += strlen(argv[i]) + 1; // the word and the space or newline after it
  if (len == 0)
    len = 1; // no arguments: just the newline

  char *line = malloc(len);
  if (line == 0) {
    fprintf(2, "echo: out of memory\n");
    exit(1);
  }

  uint pos = 0;
  for (int i = 1; i < argc; i++) {
    if (i > 1)
      line[pos++] = ' ';
    strcpy(line + pos, argv[i]);
    pos += strlen(argv[i]);
  }
  line[pos++] = '\n';

  if (write(1, line, pos) != (int)pos) {
    fprintf(2, "echo: write error: %s\n", strerror(errno));
    exit(1);
  }
  exit(0);
}
