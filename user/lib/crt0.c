/*
 * Program entry point. exec starts a new program here with argc in a0 and
 * argv in a1, which is exactly where the C calling convention puts the first
 * two arguments, so _start can be a plain C function. The link script
 * (user/user.ld) places section .text.start first in the text segment.
 */
#include "kernel/types.h"
#include "user/user.h"

int main(int argc, char **argv);

__attribute__((section(".text.start"), noreturn)) void _start(int argc, char **argv) {
  exit(main(argc, argv));
}
