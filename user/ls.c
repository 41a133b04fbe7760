/*
 * ls [PATH...]: list files. For each file (or each entry of a directory)
 * print its name, type (1 directory, 2 file, 3 device), inode number and
 * size in bytes. Without PATH, list the current directory.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "user/user.h"

static void
print_entry(const char *name, const struct stat *st)
{
  printf("%-*s %d %d %lu\n", DIRSIZ, name, st->type, st->ino, st->size);
}

/* Lists the entries of the directory open as fd. Returns -1 on an error. */
static int
list_directory(int fd, const char *path)
{
  char entry_path[MAXPATH];
  struct dirent entry;
  int status = 0;

  if (strlen(path) + 1 + DIRSIZ + 1 > sizeof(entry_path)) {
    fprintf(2, "ls: %s: path too long\n", path);
    return -1;
  }

  while (read(fd, &entry, sizeof(entry)) == sizeof(entry)) {
    if (entry.inum == 0)
      continue; // a free slot in the directory

    // The name is NUL-padded but not terminated when it is DIRSIZ long.
    char name[DIRSIZ + 1];
    memmove(name, entry.name, DIRSIZ);
    name[DIRSIZ] = 0;

    strcpy(entry_path, path);
    strcat(entry_path, "/");
    strcat(entry_path, name);

    struct stat st;
    if (stat(entry_path, &st) < 0) {
      fprintf(2, "ls: %s: %s\n", entry_path, strerror(errno));
      status = -1;
      continue;
    }
    print_entry(name, &st);
  }
  return status;
}

/* Lists one path argument. Returns -1 on an error. */
static int
list(const char *path)
{
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    fprintf(2, "ls: %s: %s\n", path, strerror(errno));
    return -1;
  }

  struct stat st;
  int status = 0;
  if (fstat(fd, &st) < 0) {
    fprintf(2, "ls: %s: %s\n", path, strerror(errno));
    status = -1;
  } else if (st.type == T_DIR) {
    status = list_directory(fd, path);
  } else {
    print_entry(path, &st);
  }
  close(fd);
  return status;
}

int
main(int argc, char **argv)
{
  if (argc < 2)
    exit(list(".") < 0 ? 1 : 0);

  int status = 0;
  for (int i = 1; i < argc; i++)
    if (list(argv[i]) < 0)
      status = 1;
  exit(status);
}
