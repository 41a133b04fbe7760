// xargs (util lab solution): run a command once per line of standard
// input, with the words of the line added to its arguments.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/param.h"
#include "user/user.h"

#define LINE_SIZE 512

// Reads one line into buf (without the newline). Returns 0 at end of input.
int
readline(char *buf, int size)
{
  int n = 0;
  char c;
  while (n < size - 1) {
    if (read(0, &c, 1) != 1) {
      if (n == 0)
        return 0;
      break;
    }
    if (c == '\n')
      break;
    buf[n++] = c;
  }
  buf[n] = 0;
  return 1;
}

void
run(char **args)
{
  int pid = fork();
  if (pid < 0) {
    fprintf(2, "xargs: fork failed\n");
    exit(1);
  }
  if (pid == 0) {
    exec(args[0], args);
    // Programs live in /, so try there too.
    char path[LINE_SIZE];
    if (args[0][0] != '/' && strlen(args[0]) + 2 <= sizeof(path)) {
      path[0] = '/';
      strcpy(path + 1, args[0]);
      exec(path, args);
    }
    fprintf(2, "xargs: exec %s failed\n", args[0]);
    exit(1);
  }
  wait(0);
}

int
main(int argc, char *argv[])
{
  char line[LINE_SIZE];
  char *args[MAXARG + 1];

  if (argc < 2) {
    fprintf(2, "usage: xargs command [args...]\n");
    exit(1);
  }
  if (argc - 1 > MAXARG) {
    fprintf(2, "xargs: too many arguments\n");
    exit(1);
  }

  // "-n 1" (one line per command) is what this xargs always does.
  int first = 1;
  if (argc > 3 && strcmp(argv[1], "-n") == 0 && strcmp(argv[2], "1") == 0)
    first = 3;
  int fixed = 0;
  for (int i = first; i < argc; i++)
    args[fixed++] = argv[i];

  while (readline(line, sizeof(line))) {
    int n = fixed;
    char *p = line;
    // Split the line into words in place.
    while (*p) {
      while (*p == ' ' || *p == '\t')
        *p++ = 0;
      if (*p == 0)
        break;
      if (n == MAXARG) {
        fprintf(2, "xargs: too many arguments\n");
        exit(1);
      }
      args[n++] = p;
      while (*p && *p != ' ' && *p != '\t')
        p++;
    }
    args[n] = 0;
    run(args);
  }
  exit(0);
}
