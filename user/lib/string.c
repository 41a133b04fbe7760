/*
 * String and memory functions. They are written byte by byte for clarity,
 * not speed.
 */
#include "kernel/types.h"
#include "user/user.h"

char *strcpy(char *dst, const char *src) {
  char *start = dst;

  while ((*dst++ = *src++) != 0)
    ;
  return start;
}

/* Copies at most n bytes; like the standard one, pads with NULs and does not
 * terminate dst when src is n bytes or longer. */
char *strncpy(char *dst, const char *src, int n) {
  int i = 0;

  for (; i < n && src[i] != 0; i++)
    dst[i] = src[i];
  for (; i < n; i++)
    dst[i] = 0;
  return dst;
}

char *strcat(char *dst, const char *src) {
  strcpy(dst + strlen(dst), src);
  return dst;
}

int strcmp(const char *a, const char *b) {
  while (*a != 0 && *a == *b) {
    a++;
    b++;
  }
  return (uchar)*a - (uchar)*b;
}

int strncmp(const char *a, const char *b, uint64 n) {
  while (n > 0 && *a != 0 && *a == *b) {
    n--;
    a++;
    b++;
  }
  if (n == 0)
    return 0;
  return (uchar)*a - (uchar)*b;
}

int strlen(const char *s) {
  int n = 0;

  while (s[n] != 0)
    n++;
  return n;
}

/* Returns a pointer to the first c in s, or 0 if there is none. */
char *strchr(const char *s, char c) {
  for (; *s != 0; s++)
    if (*s == c)
      return (char *)s;
  return 0;
}

/*
 * The compiler recognises loops that fill or copy memory and may replace
 * them with calls to memset()/memcpy(). Inside memset() itself that call
 * would recurse forever, so that optimisation is switched off for the
 * functions below.
 */
#define NO_LOOP_TO_CALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LOOP_TO_CALL void *memset(void *dst, int c, uint64 n) {
  uchar *d = dst;

  for (uint64 i = 0; i < n; i++)
    d[i] = (uchar)c;
  return dst;
}

/* Copies n bytes; the two areas may overlap. */
NO_LOOP_TO_CALL void *memmove(void *dst, const void *src, uint64 n) {
  uchar *d = dst;
  const uchar *s = src;

  if (s < d && s + n > d) {
    // dst starts inside src: copy backwards so src bytes are read before
    // they are overwritten.
    while (n-- > 0)
      d[n] = s[n];
  } else {
    for (uint64 i = 0; i < n; i++)
      d[i] = s[i];
  }
  return dst;
}

/* Like memmove(); the C standard lets memcpy() assume no overlap, but
 * handling it costs nothing here. */
void *memcpy(void *dst, const void *src, uint64 n) { return memmove(dst, src, n); }

int memcmp(const void *a, const void *b, uint64 n) {
  const uchar *x = a;
  const uchar *y = b;

  for (uint64 i = 0; i < n; i++)
    if (x[i] != y[i])
      return x[i] - y[i];
  return 0;
}
