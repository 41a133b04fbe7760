// primes (util lab solution): concurrent prime sieve with pipes.
//
// Each process reads numbers from its left neighbour. The first number it
// gets is a prime: it prints it, then passes on to a new right neighbour
// every later number that this prime does not divide.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

#define DEFAULT_LIMIT 35

void sieve(int left) __attribute__((noreturn));

// Starts the next stage: a child running sieve() on the read end of a new
// pipe. Returns the write end, which the caller feeds and closes. The child
// also closes also_close (the caller's own input; -1 for none), so that each
// descriptor stays open only where it is used.
static int
start_next_stage(int also_close)
{
  int p[2];
  if (pipe(p) < 0) {
    fprintf(2, "primes: pipe failed\n");
    exit(1);
  }

  int pid = fork();
  if (pid < 0) {
    fprintf(2, "primes: fork failed\n");
    exit(1);
  }
  if (pid == 0) {
    close(p[1]);
    if (also_close >= 0)
      close(also_close);
    sieve(p[0]);
  }

  close(p[0]);
  return p[1];
}

void
sieve(int left)
{
  int prime;
  if (read(left, &prime, sizeof(prime)) != sizeof(prime)) {
    // Nothing came: the previous stage was the last one.
    close(left);
    exit(0);
  }
  printf("prime %d\n", prime);

  int right = start_next_stage(left);
  int n;
  while (read(left, &n, sizeof(n)) == sizeof(n)) {
    if (n % prime != 0)
      write(right, &n, sizeof(n));
  }
  close(left);
  close(right);
  wait(0);
  exit(0);
}

int
main(int argc, char *argv[])
{
  int limit = DEFAULT_LIMIT;
  if (argc > 1)
    limit = atoi(argv[1]);

  int right = start_next_stage(-1);
  for (int i = 2; i <= limit; i++)
    write(right, &i, sizeof(i));
  close(right);
  wait(0);
  exit(0);
}
