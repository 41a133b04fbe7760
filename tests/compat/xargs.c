// xargs.c: the xv6 util lab's xargs, written as for xv6-riscv. Runs
// the command once per line of standard input, with the line's words
// appended to its arguments. "-n 1" is accepted (one line per command is
// what this xargs always does).
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/param.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  char *args[MAXARG];
  char line[512];
  int nfixed, n, len, i;
  char c;
  char *p;

  i = 1;
  if(argc > 2 && strcmp(argv[1], "-n") == 0)
    i = 3;
  if(i >= argc){
    fprintf(2, "Usage: xargs [-n 1] command [args...]\n");
    exit(1);
  }
  nfixed = 0;
  for(; i < argc; i++){
    if(nfixed >= MAXARG - 1){
      fprintf(2, "xargs: too many arguments\n");
      exit(1);
    }
    args[nfixed++] = argv[i];
  }

  len = 0;
  for(;;){
    n = read(0, &c, 1);
    if(n == 1 && c != '\n'){
      if(len < sizeof(line) - 1)
        line[len++] = c;
      continue;
    }
    if(n != 1 && len == 0)
      break;
    line[len] = 0;

    // split the line into words
    n = nfixed;
    p = line;
    while(*p){
      while(*p == ' ' || *p == '\t')
        *p++ = 0;
      if(*p == 0)
        break;
      if(n >= MAXARG - 1){
        fprintf(2, "xargs: too many arguments\n");
        exit(1);
      }
      args[n++] = p;
      while(*p && *p != ' ' && *p != '\t')
        p++;
    }
    args[n] = 0;

    if(fork() == 0){
      exec(args[0], args);
      fprintf(2, "xargs: exec %s failed\n", args[0]);
      exit(1);
    }
    wait(0);
    len = 0;
  }
  exit(0);
}
