/* Small helpers built on the system calls. */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

int sleep(int ticks) { return pause(ticks); }

/* stat() by name: open the file, ask fstat(), close it again. */
int stat(const char *path, struct stat *st) {
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;

  int result = fstat(fd, st);
  int saved_errno = errno; // close() must not hide fstat()'s reason
  close(fd);
  errno = saved_errno;
  return result;
}

/*
 * Reads one line from standard input into buf, keeping the newline, and
 * always NUL-terminates. Reads a byte at a time so that nothing after the
 * line is consumed (a child process may want to read the rest).
 * At end of input buf holds whatever was read, possibly "".
 */
char *gets(char *buf, int max) {
  int len = 0;

  while (len + 1 < max) {
    char c;
    if (read(0, &c, 1) < 1)
      break;
    buf[len++] = c;
    if (c == '\n' || c == '\r')
      break;
  }
  buf[len] = 0;
  return buf;
}

int isdigit(int c) { return c >= '0' && c <= '9'; }

int isspace(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* Decimal with an optional sign; stops at the first non-digit. */
int atoi(const char *s) {
  int sign = 1;
  int n = 0;

  while (isspace(*s))
    s++;
  if (*s == '-' || *s == '+') {
    if (*s == '-')
      sign = -1;
    s++;
  }
  while (isdigit(*s))
    n = n * 10 + (*s++ - '0');
  return sign * n;
}

/* Parses all of s as a decimal number with an optional '-'. Returns 0 and
 * stores the number in *value, or -1 if s is not such a number or does not
 * fit in an int (so "4294967298" is refused rather than read as 2). */
int parse_int(const char *s, int *value) {
  int negative = s[0] == '-';
  const char *digits = negative ? s + 1 : s;
  uint64 limit = 0x7fffffffUL + negative; /* INT_MAX, or -INT_MIN */
  uint64 n = 0;

  if (*digits == 0)
    return -1;
  for (const char *d = digits; *d != 0; d++) {
    if (!isdigit(*d))
      return -1;
    n = n * 10 + (*d - '0');
    if (n > limit)
      return -1;
  }
  *value = negative ? (int)-(int64)n : (int)n;
  return 0;
}
