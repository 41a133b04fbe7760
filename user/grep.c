/*
 * grep PATTERN [FILE...]: print the lines that match PATTERN.
 *
 * PATTERN is a tiny regular expression: characters match themselves,
 * '.' matches any character, 'c*' matches zero or more c's, '^' at the
 * start anchors at the beginning of the line and '$' at the end anchors at
 * its end.
 *
 * Exit status: 0 if a line matched, 1 if none did, 2 if a file could not
 * be read (as other greps do, so scripts can tell "no match" from
 * "error"). A usage error exits with 1.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define BUFFER_SIZE 1024
#define STATUS_NO_MATCH 1
#define STATUS_ERROR 2

static int matches_here(const char *pattern, const char *text);

static int
char_matches(char pattern_char, char c)
{
  return pattern_char == '.' || pattern_char == c;
}

/* Does "repeated*" followed by rest match at the start of text? Tries zero
 * repetitions first, then one, two, ... as long as the characters fit. */
static int
matches_repeated(char repeated, const char *rest, const char *text)
{
  for (;;) {
    if (matches_here(rest, text))
      return 1;
    if (*text == 0 || !char_matches(repeated, *text))
      return 0;
    text++;
  }
}

/* Does pattern match at the start of text? */
static int
matches_here(const char *pattern, const char *text)
{
  for (;;) {
    if (pattern[0] == 0)
      return 1;
    if (pattern[1] == '*')
      return matches_repeated(pattern[0], pattern + 2, text);
    if (pattern[0] == '$' && pattern[1] == 0)
      return *text == 0;
    if (*text == 0 || !char_matches(pattern[0], *text))
      return 0;
    pattern++;
    text++;
  }
}

/* Does pattern match anywhere in line? */
static int
matches_line(const char *pattern, const char *line)
{
  if (pattern[0] == '^')
    return matches_here(pattern + 1, line);
  for (const char *start = line;; start++) {
    if (matches_here(pattern, start))
      return 1;
    if (*start == 0)
      return 0;
  }
}

/* Prints line if it matches; returns 1 if it did. */
static int
print_if_match(const char *pattern, const char *line)
{
  if (!matches_line(pattern, line))
    return 0;
  printf("%s\n", line);
  return 1;
}

/*
 * Prints the matching lines of fd. Returns 1 if any matched, 0 if none,
 * -1 on a read error. A line longer than the buffer is handled as several
 * lines.
 */
static int
grep_fd(const char *pattern, int fd, const char *name)
{
  static char buf[BUFFER_SIZE + 1]; // one extra byte for a final NUL
  int len = 0;
  int matched = 0;

  for (;;) {
    int n = read(fd, buf + len, BUFFER_SIZE - len);
    if (n < 0) {
      fprintf(2, "grep: %s: %s\n", name, strerror(errno));
      return -1;
    }
    int at_end = n == 0;
    len += n;

    int start = 0; // where the first line not yet checked begins
    for (int i = 0; i < len; i++) {
      if (buf[i] == '\n') {
        buf[i] = 0;
        matched |= print_if_match(pattern, buf + start);
        start = i + 1;
      }
    }

    // What is left is an unfinished line. Check it now if no more input
    // will come, or if it fills the whole buffer.
    if (start < len && (at_end || (start == 0 && len == BUFFER_SIZE))) {
      buf[len] = 0;
      matched |= print_if_match(pattern, buf + start);
      start = len;
    }

    // Move the unfinished line to the front for the next read.
    len -= start;
    memmove(buf, buf + start, len);
    if (at_end)
      return matched;
  }
}

int
main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(2, "usage: grep PATTERN [FILE...]\n");
    exit(1);
  }
  const char *pattern = argv[1];

  if (argc == 2) {
    int result = grep_fd(pattern, 0, "standard input");
    exit(result < 0 ? STATUS_ERROR : result ? 0 : STATUS_NO_MATCH);
  }

  int any_matched = 0;
  int any_failed = 0;
  for (int i = 2; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "grep: %s: %s\n", argv[i], strerror(errno));
      any_failed = 1;
      continue;
    }
    int result = grep_fd(pattern, fd, argv[i]);
    close(fd);
    if (result < 0)
      any_failed = 1;
    else if (result > 0)
      any_matched = 1;
  }
  if (any_failed)
    exit(STATUS_ERROR);
  exit(any_matched ? 0 : STATUS_NO_MATCH);
}
