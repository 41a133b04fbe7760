// pingpong (util lab solution): bounce one byte between a parent and a
// child over two pipes.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  int to_child[2];   // parent writes, child reads
  int to_parent[2];  // child writes, parent reads
  char byte = 'x';

  if (pipe(to_child) < 0 || pipe(to_parent) < 0) {
    fprintf(2, "pingpong: pipe failed\n");
    exit(1);
  }

  int pid = fork();
  if (pid < 0) {
    fprintf(2, "pingpong: fork failed\n");
    exit(1);
  }

  if (pid == 0) {
    close(to_child[1]);
    close(to_parent[0]);
    if (read(to_child[0], &byte, 1) != 1) {
      fprintf(2, "pingpong: child read failed\n");
      exit(1);
    }
    printf("%d: received ping\n", getpid());
    write(to_parent[1], &byte, 1);
    exit(0);
  }

  close(to_child[0]);
  close(to_parent[1]);
  write(to_child[1], &byte, 1);
  if (read(to_parent[0], &byte, 1) != 1) {
    fprintf(2, "pingpong: parent read failed\n");
    exit(1);
  }
  printf("%d: received pong\n", getpid());
  wait(0);
  exit(0);
}
