/*
 * xt_args: helper for exectest. Prints one line
 *
 *   argc N sum XXXXXXXX
 *
 * where the sum is the 32-bit FNV-1a hash of every argument string with
 * its terminating NUL, argv[0] first. exectest computes the same line
 * from the arguments it passed, so any lost or damaged byte shows.
 *
 * It also checks what exec promises about the new program's start:
 * the stack pointer is 16-byte aligned (RISC-V psABI), argv[argc] is a
 * null pointer, and argv and the strings lie in the stack at the top of
 * user space. It exits 0 when all of that holds, else prints what is
 * wrong and exits 1. (Descriptors are xt_fds's business.)
 */
#include "kernel/types.h"
#include "user/user.h"

#define STACK_ALIGN 16
#define USER_TOP 0x80000000UL
#define STACK_REGION (8UL << 20)

#define FNV_OFFSET_BASIS 2166136261u
#define FNV_PRIME 16777619u

static int
in_stack(uint64 address)
{
  return address >= USER_TOP - STACK_REGION && address < USER_TOP;
}

static int
args_ok(int argc, char **argv)
{
  if (argv[argc] != 0) {
    printf("xt_args: argv[%d] is not a null pointer\n", argc);
    return 0;
  }
  if ((uint64)argv % sizeof(char *) != 0 || !in_stack((uint64)argv)) {
    printf("xt_args: argv at %p\n", argv);
    return 0;
  }
  for (int i = 0; i < argc; i++) {
    if (!in_stack((uint64)argv[i]) || (uint64)argv[i] < (uint64)&argv[argc]) {
      printf("xt_args: argv[%d] at %p, not above argv in the stack\n", i, argv[i]);
      return 0;
    }
  }
  return 1;
}

static uint
args_checksum(int argc, char **argv)
{
  uint hash = FNV_OFFSET_BASIS;
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    do {
      hash ^= (uchar)*s;
      hash *= FNV_PRIME;
    } while (*s++ != 0);
  }
  return hash;
}

int
main(int argc, char **argv)
{
  /* main's frame is a multiple of 16 bytes, so sp here is aligned exactly
   * when exec aligned it. */
  uint64 sp;
  asm volatile("mv %0, sp" : "=r"(sp));

  int ok = 1;
  if (sp % STACK_ALIGN != 0) {
    printf("xt_args: sp 0x%lx is not 16-byte aligned\n", sp);
    ok = 0;
  }
  if (!args_ok(argc, argv))
    ok = 0;
  printf("argc %d sum %x\n", argc, args_checksum(argc, argv));
  return ok ? 0 : 1;
}
