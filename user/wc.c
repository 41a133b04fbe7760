/* wc [FILE...]: count lines, words and bytes. */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define BUFFER_SIZE 512

struct counts {
  int lines;
  int words;
  int bytes;
};

/* Adds fd's counts to *counts. Returns -1 (after saying why) on a read
 * error. */
static int
count(int fd, const char *name, struct counts *counts)
{
  char buf[BUFFER_SIZE];
  int in_word = 0;
  int n;

  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    counts->bytes += n;
    for (int i = 0; i < n; i++) {
      if (buf[i] == '\n')
        counts->lines++;
      if (isspace(buf[i])) {
        in_word = 0;
      } else if (!in_word) {
        in_word = 1; // the first character of a word
        counts->words++;
      }
    }
  }
  if (n < 0) {
    fprintf(2, "wc: %s: %s\n", name, strerror(errno));
    return -1;
  }
  return 0;
}

static void
print_counts(const struct counts *c, const char *name)
{
  printf("%d %d %d %s\n", c->lines, c->words, c->bytes, name);
}

int
main(int argc, char **argv)
{
  struct counts total = { 0, 0, 0 };

  if (argc < 2) {
    if (count(0, "standard input", &total) < 0)
      exit(1);
    printf("%d %d %d\n", total.lines, total.words, total.bytes);
    exit(0);
  }

  int status = 0;
  for (int i = 1; i < argc; i++) {
    struct counts file = { 0, 0, 0 };
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "wc: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    if (count(fd, argv[i], &file) < 0)
      status = 1;
    close(fd);
    print_counts(&file, argv[i]);
    total.lines += file.lines;
    total.words += file.words;
    total.bytes += file.bytes;
  }
  if (argc > 2)
    print_counts(&total, "total");
  exit(status);
}
