// primes.c: the xv6 util lab's concurrent prime sieve, written as for
// xv6-riscv. The first process feeds 2..35 into a pipe; every stage
// prints the first number it reads (a prime) and forwards the numbers
// that prime does not divide to a new stage on its right.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

#define LAST 35

void stage(int in) __attribute__((noreturn));

void
stage(int in)
{
  int prime, n;
  int out[2];

  if(read(in, &prime, sizeof(prime)) != sizeof(prime)){
    close(in);
    exit(0);
  }
  printf("prime %d\n", prime);

  if(pipe(out) < 0){
    fprintf(2, "primes: pipe\n");
    exit(1);
  }
  if(fork() == 0){
    close(out[1]);
    close(in);
    stage(out[0]);
  }
  close(out[0]);
  while(read(in, &n, sizeof(n)) == sizeof(n)){
    if(n % prime)
      write(out[1], &n, sizeof(n));
  }
  close(in);
  close(out[1]);
  wait(0);
  exit(0);
}

int
main(int argc, char *argv[])
{
  int p[2];
  int i;

  if(pipe(p) < 0){
    fprintf(2, "primes: pipe\n");
    exit(1);
  }
  if(fork() == 0){
    close(p[1]);
    stage(p[0]);
  }
  close(p[0]);
  for(i = 2; i <= LAST; i++)
    write(p[1], &i, sizeof(i));
  close(p[1]);
  wait(0);
  exit(0);
}
