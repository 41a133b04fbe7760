// pingpong.c: the xv6 util lab's pingpong, written as for xv6-riscv.
// The parent sends one byte to the child over one pipe; the child
// prints "<pid>: received ping" and sends it back over a second pipe;
// the parent then prints "<pid>: received pong".
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  int down[2];   // parent -> child
  int up[2];     // child -> parent
  char b;
  int pid;

  if(pipe(down) < 0 || pipe(up) < 0){
    fprintf(2, "pingpong: pipe\n");
    exit(1);
  }

  pid = fork();
  if(pid < 0){
    fprintf(2, "pingpong: fork\n");
    exit(1);
  }

  if(pid == 0){
    close(down[1]);
    close(up[0]);
    if(read(down[0], &b, 1) != 1){
      fprintf(2, "pingpong: child read\n");
      exit(1);
    }
    printf("%d: received ping\n", getpid());
    if(write(up[1], &b, 1) != 1){
      fprintf(2, "pingpong: child write\n");
      exit(1);
    }
    close(down[0]);
    close(up[1]);
    exit(0);
  }

  close(down[0]);
  close(up[1]);
  b = 'p';
  if(write(down[1], &b, 1) != 1){
    fprintf(2, "pingpong: parent write\n");
    exit(1);
  }
  if(read(up[0], &b, 1) != 1){
    fprintf(2, "pingpong: parent read\n");
    exit(1);
  }
  printf("%d: received pong\n", getpid());
  close(down[1]);
  close(up[0]);
  wait(0);
  exit(0);
}
