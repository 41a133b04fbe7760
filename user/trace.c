/* trace MASK COMMAND [ARGS...]: run COMMAND with its system calls traced.
 *
 * Bit n of MASK (decimal, or hexadecimal with 0x) traces system call n
 * (kernel/syscalls.h), in COMMAND and in every process it forks: the
 * kernel prints "PID: syscall NAME -> RESULT" on the console each time
 * such a call returns. Example: trace 32 grep x README traces read (5). */
#include "kernel/types.h"
#include "kernel/param.h"
#include "user/user.h"

#define HEX_PREFIX_LEN 2

static int
digit_value(char c, int base)
{
  int v = c >= '0' && c <= '9' ? c - '0'
        : c >= 'a' && c <= 'f' ? c - 'a' + 10
        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : base;
  return v < base ? v : -1;
}

/* A 64-bit mask in decimal or 0x-hexadecimal; -1 for bad text or overflow. */
static int
parse_mask(const char *s, uint64 *mask)
{
  int base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += HEX_PREFIX_LEN;
  }
  if (*s == 0)
    return -1;
  uint64 value = 0;
  for (; *s; s++) {
    int d = digit_value(*s, base);
    if (d < 0 || value > (~0UL - d) / base)
      return -1;
    value = value * base + d;
  }
  *mask = value;
  return 0;
}

int
main(int argc, char **argv)
{
  uint64 mask;
  if (argc < 3 || parse_mask(argv[1], &mask) < 0) {
    fprintf(2, "usage: trace MASK COMMAND [ARGS...]\n");
    exit(1);
  }
  if (trace(mask) < 0) {
    fprintf(2, "trace: %s\n", strerror(errno));
    exit(1);
  }
  exec(argv[2], argv + 2);
  if (strchr(argv[2], '/') == 0 && strlen(argv[2]) < MAXPATH - 1) {
    char path[MAXPATH] = "/"; /* programs live in / */
    strcpy(path + 1, argv[2]);
    exec(path, argv + 2);
  }
  fprintf(2, "trace: exec %s: %s\n", argv[2], strerror(errno));
  exit(1);
}
