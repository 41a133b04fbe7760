/*
 * crashwork: a write-heavy workload for the crash tests (tests/test_crash.py).
 *
 *   crashwork              write files cw0, cw1, cw2, ... until killed
 *   crashwork busyfsync    write and fsync cw0 while a child process keeps
 *                          writing another file, then wait to be killed
 *   crashwork sum FILE...  print "FILE SIZE CHECKSUM" for each FILE,
 *                          or "FILE missing" if it cannot be opened
 *
 * The host kills the machine at a random moment while the workload runs,
 * boots again and asks for the sums of the files that were safely on disk.
 * "synced" and "unlinked" are printed only after the operation returned,
 * and "rewriting" and "unlinking" before it starts, so the host never
 * expects more than the disk must hold:
 *
 *   syncing cwN SIZE CHECKSUM  cwN was written; fsync() is about to start
 *   synced cwN SIZE CHECKSUM   cwN was written and fsync() returned
 *   rewriting cwN              about to overwrite cwN: its content is
 *                              unknown until the next "synced cwN"
 *   unlinking cwN              about to unlink cwN: from now on it may be
 *                              gone (or still hold its last synced content)
 *   unlinked cwN               unlink() of cwN returned
 *
 * Round N creates cwN; every REWRITE_EVERY rounds it also overwrites the
 * file made REWRITE_DISTANCE rounds earlier, and it unlinks the file made
 * KEEP_FILES rounds earlier, so the disk never fills and the metadata
 * (inodes, directory, bitmap) changes all the time.
 *
 * File sizes, write sizes and contents are pseudo-random but depend only on
 * the round and on how often the file was written (its generation).
 * CHECKSUM is the 32-bit FNV-1a hash of the content, in 8 hex digits.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define MAX_FILE_BYTES (40 * 1024)
#define MIN_CHUNK 1
#define MAX_CHUNK 4096
#define KEEP_FILES 5
#define REWRITE_EVERY 3
#define REWRITE_DISTANCE 2
#define NAME_PREFIX "cw"
#define NAME_MAX_LEN 16 /* "cw" and up to 10 digits, with room to spare */
#define DECIMAL_BASE 10

#define FIRST_GENERATION 0
#define REWRITE_GENERATION 1

/* FNV-1a, 32 bits: the standard offset basis and prime. */
#define FNV_OFFSET_BASIS 2166136261u
#define FNV_PRIME 16777619u

/* Knuth's multiplicative hashing constant spreads nearby rounds apart. */
#define MIX_MULTIPLIER 2654435761u
#define BITS_PER_BYTE 8
#define TOP_BYTE_SHIFT 24

static char chunk_buf[MAX_CHUNK];

static uint
fnv1a(uint hash, const char *data, int len)
{
  for (int i = 0; i < len; i++) {
    hash ^= (uchar)data[i];
    hash *= FNV_PRIME;
  }
  return hash;
}

/*
 * A well-spread nonzero number for (round, generation, purpose): combine
 * them, then shift-xor and multiply so that every input bit affects every
 * output bit (the shift amounts are the usual ones for 32-bit mixing).
 */
static uint
mix(uint round, uint generation, uint purpose)
{
  uint x = (round + 1) * MIX_MULTIPLIER;
  x ^= (generation + 1) * FNV_PRIME;
  x ^= purpose << BITS_PER_BYTE;
  x ^= x >> 16;
  x *= MIX_MULTIPLIER;
  x ^= x >> 13;
  return x != 0 ? x : 1; /* xorshift32 never leaves the state 0 */
}

/* Marsaglia's xorshift32: the next content byte from the state. */
static uchar
next_byte(uint *state)
{
  uint x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return (uchar)(x >> TOP_BYTE_SHIFT);
}

enum purpose { FOR_SIZE, FOR_CHUNKS, FOR_CONTENT };

/* "cw" followed by the round in decimal. */
static void
file_name(uint round, char *name)
{
  char digits[NAME_MAX_LEN];
  int ndigits = 0;

  do {
    digits[ndigits++] = '0' + round % DECIMAL_BASE;
    round /= DECIMAL_BASE;
  } while (round > 0);

  strcpy(name, NAME_PREFIX);
  char *end = name + strlen(NAME_PREFIX);
  while (ndigits > 0)
    *end++ = digits[--ndigits];
  *end = '\0';
}

static void __attribute__((noreturn))
fail(const char *what, const char *name)
{
  fprintf(2, "crashwork: %s %s: %s\n", what, name, strerror(errno));
  exit(1);
}

/*
 * Write generation generation of the file of round round, fsync it and
 * report it. Each write() gets a pseudo-random length, so writes start and
 * end at every possible offset inside blocks.
 */
static void
write_file(uint round, uint generation)
{
  char name[NAME_MAX_LEN];
  uint size = 1 + mix(round, generation, FOR_SIZE) % MAX_FILE_BYTES;
  uint chunk_state = mix(round, generation, FOR_CHUNKS);
  uint content_state = mix(round, generation, FOR_CONTENT);
  uint checksum = FNV_OFFSET_BASIS;
  uint written = 0;

  file_name(round, name);
  int fd = open(name, O_CREATE | O_WRONLY | O_TRUNC);
  if (fd < 0)
    fail("create", name);

  while (written < size) {
    uint high = next_byte(&chunk_state);
    uint low = next_byte(&chunk_state);
    uint chunk = MIN_CHUNK + ((high << BITS_PER_BYTE) | low) % MAX_CHUNK;
    if (chunk > size - written)
      chunk = size - written;
    for (uint i = 0; i < chunk; i++)
      chunk_buf[i] = next_byte(&content_state);
    if (write(fd, chunk_buf, chunk) != (int)chunk)
      fail("write", name);
    checksum = fnv1a(checksum, chunk_buf, chunk);
    written += chunk;
  }
  printf("syncing %s %d %08x\n", name, size, checksum);
  if (fsync(fd) < 0)
    fail("fsync", name);
  close(fd);
  printf("synced %s %d %08x\n", name, size, checksum);
}

static void
remove_file(uint round)
{
  char name[NAME_MAX_LEN];

  file_name(round, name);
  printf("unlinking %s\n", name);
  if (unlink(name) < 0)
    fail("unlink", name);
  printf("unlinked %s\n", name);
}

static void
run_workload(void)
{
  for (uint round = 0;; round++) {
    write_file(round, FIRST_GENERATION);

    if (round % REWRITE_EVERY == REWRITE_EVERY - 1 && round >= REWRITE_DISTANCE) {
      char name[NAME_MAX_LEN];
      file_name(round - REWRITE_DISTANCE, name);
      printf("rewriting %s\n", name);
      write_file(round - REWRITE_DISTANCE, REWRITE_GENERATION);
    }

    if (round >= KEEP_FILES)
      remove_file(round - KEEP_FILES);
  }
}

/*
 * busyfsync: fsync must commit even while another process is in the middle
 * of its own writes (the log's open transaction is then never idle). A
 * child overwrites the start of BUSY_FILE in a loop; meanwhile cw0 is
 * written and fsync'd, "synced cw0 ..." printed, and the machine left
 * running: the host kills it at that line and checks that cw0 is on disk.
 */
#define BUSY_FILE "cwbusy"
#define BUSY_WRITE_BYTES 512
#define PARK_TICKS 1000

static void
keep_writing(void)
{
  int fd = open(BUSY_FILE, O_CREATE | O_WRONLY | O_TRUNC);
  if (fd < 0)
    fail("create", BUSY_FILE);
  for (;;) {
    if (lseek(fd, 0, SEEK_SET) != 0 || write(fd, chunk_buf, BUSY_WRITE_BYTES) != BUSY_WRITE_BYTES)
      fail("write", BUSY_FILE);
  }
}

static void
busy_fsync(void)
{
  int pid = fork();
  if (pid < 0)
    fail("fork for", BUSY_FILE);
  if (pid == 0)
    keep_writing();
  sleep(1); /* let the writer get going */
  write_file(0, FIRST_GENERATION);
  for (;;)
    sleep(PARK_TICKS);
}

/* Print "NAME SIZE CHECKSUM" for the file, or "NAME missing". */
static int
sum_file(const char *name)
{
  uint checksum = FNV_OFFSET_BASIS;
  int size = 0;
  int n;

  int fd = open(name, O_RDONLY);
  if (fd < 0) {
    printf("%s missing\n", name);
    return 0;
  }
  while ((n = read(fd, chunk_buf, sizeof(chunk_buf))) > 0) {
    checksum = fnv1a(checksum, chunk_buf, n);
    size += n;
  }
  close(fd);
  if (n < 0) {
    fprintf(2, "crashwork: read %s: %s\n", name, strerror(errno));
    return -1;
  }
  printf("%s %d %08x\n", name, size, checksum);
  return 0;
}

int
main(int argc, char **argv)
{
  if (argc == 1)
    run_workload();
  if (argc == 2 && strcmp(argv[1], "busyfsync") == 0)
    busy_fsync();

  if (argc >= 2 && strcmp(argv[1], "sum") == 0) {
    int status = 0;
    for (int i = 2; i < argc; i++)
      if (sum_file(argv[i]) < 0)
        status = 1;
    return status;
  }

  fprintf(2, "usage: crashwork | crashwork busyfsync | crashwork sum FILE...\n");
  return 2;
}
