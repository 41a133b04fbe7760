/*
 * printftest: print the line the kernel prints for selftest=printf, with the
 * same format and arguments (kernel/main.c): the user library and the kernel
 * share one formatter, so the two lines must be equal (tests/test_kprintf.py).
 */
#include "kernel/types.h"
#include "user/user.h"

int main(void) {
  printf("printf: [%05d] [%5d] [%05d] [%x] [%lu] [%s] [%c] [%-5d] [%*d] [%-*s] [%5s] [%i] [%ld]\n",
         -5, -5, 42, 0xbeef, 1UL << 40, "str", 'c', 42, 4, 7, 4, "ab", "xy", -3, -(1L << 40));
  return 0;
}
