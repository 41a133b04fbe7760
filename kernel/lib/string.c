/* Freestanding string and memory functions. */
#include "kernel/lib/lib.h"

/* Word loops do 8 words (64 bytes) per turn, written out, while they can:
 * the loop's own counting and branching then costs little next to the
 * copying. Pages and 1 KiB disk blocks are cleared and copied this way all
 * the time. */
#define WORDS_PER_TURN 8

void *memset(void *dst, int c, uint64 n) {
  uchar *d = dst;
  if (((uint64)d & 7) == 0 && (n & 7) == 0) {
    uint64 word = (uchar)c;
    word |= word << 8;
    word |= word << 16;
    word |= word << 32;
    uint64 *w = dst;
    for (; n >= 8 * WORDS_PER_TURN; n -= 8 * WORDS_PER_TURN, w += WORDS_PER_TURN) {
      w[0] = word, w[1] = word, w[2] = word, w[3] = word;
      w[4] = word, w[5] = word, w[6] = word, w[7] = word;
    }
    for (; n; n -= 8)
      *w++ = word;
    return dst;
  }
  while (n--)
    *d++ = c;
  return dst;
}

void *memmove(void *dst, const void *src, uint64 n) {
  uchar *d = dst;
  const uchar *s = src;
  if (s < d && s + n > d) { /* overlapping, destination above: copy backwards */
    while (n--)
      d[n] = s[n];
    return dst;
  }
  if ((((uint64)d | (uint64)s | n) & 7) == 0) {
    uint64 *dw = dst;
    const uint64 *sw = src;
    for (; n >= 8 * WORDS_PER_TURN; n -= 8 * WORDS_PER_TURN, dw += WORDS_PER_TURN, sw += WORDS_PER_TURN) {
      uint64 a = sw[0], b = sw[1], c = sw[2], e = sw[3];
      uint64 f = sw[4], g = sw[5], h = sw[6], k = sw[7];
      dw[0] = a, dw[1] = b, dw[2] = c, dw[3] = e;
      dw[4] = f, dw[5] = g, dw[6] = h, dw[7] = k;
    }
    for (; n; n -= 8)
      *dw++ = *sw++;
    return dst;
  }
  while (n--)
    *d++ = *s++;
  return dst;
}

/* The compiler may emit calls to memcpy for struct copies. */
void *memcpy(void *dst, const void *src, uint64 n) { return memmove(dst, src, n); }

int strlen(const char *s) {
  int n = 0;
  while (s[n])
    n++;
  return n;
}

int strncmp(const char *a, const char *b, uint64 n) {
  for (; n && *a && *a == *b; n--, a++, b++)
    ;
  return n ? (uchar)*a - (uchar)*b : 0;
}

const char *after_prefix(const char *s, const char *prefix) {
  int n = strlen(prefix);
  return strncmp(s, prefix, n) == 0 ? s + n : 0;
}

int strcmp(const char *a, const char *b) {
  for (; *a && *a == *b; a++, b++)
    ;
  return (uchar)*a - (uchar)*b;
}

char *safestrcpy(char *dst, const char *src, int n) {
  if (n <= 0)
    return dst;
  int i = 0;
  for (; i < n - 1 && src[i]; i++)
    dst[i] = src[i];
  dst[i] = 0;
  return dst;
}
