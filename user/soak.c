/*
 * soak: several processes write files and pipes at once, for a while, and
 * check every byte they read back.
 *
 *   soak TOKEN [-t SECONDS] [-f FILE_WORKERS] [-p PIPE_PAIRS] [-a APPENDERS]
 *
 * Until SECONDS (default 3) have passed:
 *   - each file worker writes a file of its own in chunks of random size,
 *     reads it back in chunks of other sizes and at random offsets, checks
 *     every byte, removes it and starts over with a new file;
 *   - each pipe pair streams bytes from a writer to a reader through a
 *     pipe, in random-sized writes and reads, and the reader checks every
 *     byte and the total;
 *   - the appenders all append fixed-size records to one shared file with
 *     O_APPEND; at the end every record must be there exactly once, intact,
 *     and each appender's records in the order it wrote them.
 * Every byte of data is a function of (stream, offset), so a byte that is
 * lost, duplicated, misplaced or mixed with another stream is found, and
 * the failure line says where, what was expected and what was read.
 *
 * Then free memory must be back where it started. The last lines are a
 * summary (bytes checked per kind) and "soak: PASS TOKEN", or
 * "soak: FAIL ..." and exit status 1. Run it on several harts (the host
 * tests use 3) so that the workers really run at the same time.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/check.h"

#define PAGE_SIZE 4096UL
#define NS_PER_MS 1000000UL
#define MS_PER_S 1000
#define DEFAULT_SECONDS 3
#define DEFAULT_FILE_WORKERS 3
#define DEFAULT_PIPE_PAIRS 2
#define DEFAULT_APPENDERS 3
#define MAX_WORKERS 32
#define MAX_FILE_BYTES (200 * 1024) /* reaches the singly-indirect blocks */
#define MAX_CHUNK 9000              /* more than two pages: crosses pipe and block edges */
#define RANDOM_READS 16             /* reads at random offsets per file */
#define RECORD_BYTES 64
/* The shared file stays within the singly-indirect blocks (3 appenders:
 * 192 KiB), as in the fs lab's handout, which has no doubly-indirect block. */
#define MAX_RECORDS_PER_APPENDER 1024
/* Each worker does at least this much, however late it gets a hart: on a
 * busy host an appender can wait seconds for the log behind the file
 * workers, and a soak in which some kind did nothing proves little. */
#define MIN_RECORDS 16
#define MIN_FILES 1
#define MIN_PIPE_BYTES (64 * 1024)
#define SOAK_DIR "/soak.d"
#define APPEND_FILE SOAK_DIR "/append"

#define STRESS_PROGRAM "soak"
#include "user/stress.h" /* fail(), the leak check */
#include "user/random.h"

/* ------------------------------------------------------------------ */
/* Data: byte `offset` of stream `stream`                              */
/* ------------------------------------------------------------------ */

static uchar
data_byte(uint64 stream, uint64 offset)
{
  return mix64(stream * SPLITMIX64_GAMMA + offset / 8) >> (offset % 8 * 8);
}

static void
fill(uchar *buf, uint64 stream, uint64 offset, int n)
{
  for (int i = 0; i < n; i++)
    buf[i] = data_byte(stream, offset + i);
}

/* Checks n bytes read at offset of stream; fails with the first wrong one. */
static void
check_bytes(const char *what, const uchar *buf, uint64 stream, uint64 offset, int n)
{
  for (int i = 0; i < n; i++) {
    uchar want = data_byte(stream, offset + i);
    if (buf[i] != want) {
      printf("soak: FAIL %s: stream %lu byte %lu: read 0x%x, want 0x%x\n", what, stream,
             offset + i, buf[i], want);
      exit(1);
    }
  }
}

static uchar chunk[MAX_CHUNK];

/* ------------------------------------------------------------------ */
/* Workers: each returns how many bytes it checked                     */
/* ------------------------------------------------------------------ */

static uint64
file_worker(int id, uint64 deadline)
{
  char path[] = SOAK_DIR "/f?";
  path[strlen(path) - 1] = 'a' + id;
  uint64 checked = 0;
  for (uint64 generation = 0; generation < MIN_FILES || now_ms() < deadline; generation++) {
    uint64 stream = (uint64)id << 32 | generation;
    int size = 1 + below(MAX_FILE_BYTES);
    int fd = open(path, O_CREATE | O_RDWR | O_TRUNC);
    if (fd < 0)
      fail("file worker: create");
    for (int done = 0; done < size;) {
      int n = 1 + below(MAX_CHUNK);
      n = n < size - done ? n : size - done;
      fill(chunk, stream, done, n);
      int wrote = write(fd, chunk, n);
      if (wrote != n) {
        printf("soak: FAIL file worker %d: write of %d bytes at %d returned %d (%s)\n", id, n,
               done, wrote, strerror(errno));
        exit(1);
      }
      done += n;
    }
    close(fd);

    /* read it all back, in chunks of other sizes */
    fd = open(path, O_RDONLY);
    if (fd < 0)
      fail("file worker: reopen");
    int done = 0;
    for (;;) {
      int got = read(fd, chunk, 1 + below(MAX_CHUNK));
      if (got < 0)
        fail("file worker: read");
      if (got == 0)
        break;
      check_bytes("file read back", chunk, stream, done, got);
      done += got;
    }
    if (done != size) {
      printf("soak: FAIL file worker %d: read back %d bytes, wrote %d\n", id, done, size);
      exit(1);
    }
    checked += done;
    /* and at random offsets */
    for (int i = 0; i < RANDOM_READS; i++) {
      int offset = below(size);
      int want = 1 + below(MAX_CHUNK);
      want = want < size - offset ? want : size - offset;
      if (lseek(fd, offset, SEEK_SET) != offset || read(fd, chunk, want) != want)
        fail("file worker: read at a random offset");
      check_bytes("file read at an offset", chunk, stream, offset, want);
      checked += want;
    }
    close(fd);
    if (unlink(path) < 0)
      fail("file worker: unlink");
  }
  return checked;
}

static uint64
pipe_writer(int fd, uint64 stream, uint64 deadline)
{
  uint64 offset = 0;
  while (offset < MIN_PIPE_BYTES || now_ms() < deadline) {
    int n = 1 + below(MAX_CHUNK);
    fill(chunk, stream, offset, n);
    if (write(fd, chunk, n) != n)
      fail("pipe writer: short write");
    offset += n;
  }
  return offset;
}

static uint64
pipe_reader(int fd, uint64 stream)
{
  uint64 offset = 0;
  for (;;) {
    int got = read(fd, chunk, 1 + below(MAX_CHUNK));
    if (got < 0)
      fail("pipe reader: read");
    if (got == 0)
      return offset;
    check_bytes("pipe", chunk, stream, offset, got);
    offset += got;
  }
}

/* A record: who wrote it, its number, then bytes from the data function. */
struct record {
  int appender;
  int seq;
  uchar body[RECORD_BYTES - 2 * sizeof(int)];
};

static uint64
record_stream(int appender, int seq)
{
  return 0xa9900000000UL | (uint64)appender << 16 | seq;
}

static uint64
appender(int id, uint64 deadline)
{
  int fd = open(APPEND_FILE, O_WRONLY | O_APPEND);
  if (fd < 0)
    fail("appender: open");
  int seq = 0;
  while (seq < MIN_RECORDS || (now_ms() < deadline && seq < MAX_RECORDS_PER_APPENDER)) {
    struct record r = {id, seq};
    fill(r.body, record_stream(id, seq), 0, sizeof r.body);
    if (write(fd, &r, sizeof r) != sizeof r)
      fail("appender: write");
    seq++;
  }
  close(fd);
  return seq;
}

/* Every appender's records, each once, intact and in order. */
static uint64
check_appended(int appenders, const int *counts)
{
  int next[MAX_WORKERS] = {0};
  int fd = open(APPEND_FILE, O_RDONLY);
  if (fd < 0)
    fail("open the appended file");
  struct record r;
  int n, total = 0;
  while ((n = read(fd, &r, sizeof r)) == sizeof r) {
    if (r.appender < 0 || r.appender >= appenders || r.seq != next[r.appender]) {
      printf("soak: FAIL appended record %d: appender %d seq %d, want a known appender's next "
             "record\n",
             total, r.appender, r.seq);
      exit(1);
    }
    check_bytes("appended record", r.body, record_stream(r.appender, r.seq), 0, sizeof r.body);
    next[r.appender]++;
    total++;
  }
  if (n != 0)
    fail("the appended file ends with a partial record");
  close(fd);
  for (int i = 0; i < appenders; i++)
    if (next[i] != counts[i]) {
      printf("soak: FAIL appender %d: %d records in the file, it wrote %d\n", i, next[i],
             counts[i]);
      exit(1);
    }
  return (uint64)total * RECORD_BYTES;
}

/* ------------------------------------------------------------------ */
/* Running the workers                                                */
/* ------------------------------------------------------------------ */

enum kind { FILES, PIPES, APPENDS, N_KINDS };
static const char *const kind_names[N_KINDS] = {"file", "pipe", "append"};

struct worker {
  int pid;
  enum kind kind;
  int id;
  int report_fd; /* the worker writes its result here before exiting */
};

static struct worker workers[MAX_WORKERS];
static int nworkers;

/* Workers wait here until all of them exist, then run for the same time
 * from the moment they are let go (forking many takes a while on a busy
 * host, and the last ones started would have no time left). */
static int start_gate[2];

/* Forks a worker; it runs body and reports the result. For a pipe pair,
 * data_fd is the pipe end the worker uses and other_fd is closed in it. */
static void
start_worker(enum kind kind, int id, int seconds, int data_fd, int other_fd)
{
  if (nworkers == MAX_WORKERS)
    fail("too many workers");
  int report[2];
  if (pipe(report) < 0)
    fail("pipe");
  int pid = fork();
  if (pid < 0)
    fail("fork");
  if (pid == 0) {
    close(report[0]);
    if (other_fd >= 0)
      close(other_fd);
    rng_state = mix64(kind * 1000 + id + 1); /* a generator per worker */
    close(start_gate[1]);
    char go;
    if (read(start_gate[0], &go, 1) != 1)
      exit(1);
    uint64 deadline = now_ms() + (uint64)seconds * MS_PER_S;
    uint64 result = 0;
    if (kind == FILES)
      result = file_worker(id, deadline);
    else if (kind == APPENDS)
      result = appender(id, deadline);
    else if (data_fd >= 0 && id % 2 == 0)
      result = pipe_writer(data_fd, id / 2, deadline);
    else
      result = pipe_reader(data_fd, id / 2);
    if (write(report[1], &result, sizeof result) != sizeof result)
      exit(1);
    exit(0);
  }
  close(report[1]);
  workers[nworkers].pid = pid;
  workers[nworkers].kind = kind;
  workers[nworkers].id = id;
  workers[nworkers].report_fd = report[0];
  nworkers++;
}

static int
parse_count(const char *s, int *value, int max)
{
  return s != 0 && parse_int(s, value) == 0 && *value >= 0 && *value <= max;
}

int
main(int argc, char **argv)
{
  int seconds = DEFAULT_SECONDS, file_workers = DEFAULT_FILE_WORKERS;
  int pipe_pairs = DEFAULT_PIPE_PAIRS, appenders = DEFAULT_APPENDERS;
  int ok = argc >= 2;
  for (int i = 2; ok && i < argc; i += 2) {
    const char *v = i + 1 < argc ? argv[i + 1] : 0;
    if (strcmp(argv[i], "-t") == 0)
      ok = parse_count(v, &seconds, 1000000) && seconds > 0;
    else if (strcmp(argv[i], "-f") == 0)
      ok = parse_count(v, &file_workers, 26);
    else if (strcmp(argv[i], "-p") == 0)
      ok = parse_count(v, &pipe_pairs, MAX_WORKERS / 2);
    else if (strcmp(argv[i], "-a") == 0)
      ok = parse_count(v, &appenders, MAX_WORKERS);
    else
      ok = 0;
  }
  if (!ok || file_workers + 2 * pipe_pairs + appenders > MAX_WORKERS) {
    fprintf(2, "usage: soak TOKEN [-t SECONDS] [-f FILE_WORKERS] [-p PIPE_PAIRS] "
               "[-a APPENDERS] (%d workers at most)\n",
            MAX_WORKERS);
    exit(2);
  }

  if (mkdir(SOAK_DIR) < 0)
    fail("mkdir " SOAK_DIR);
  int fd = open(APPEND_FILE, O_CREATE | O_WRONLY);
  if (fd < 0)
    fail("create " APPEND_FILE);
  close(fd);

  /* Warm up, as proctest does: the first fork, wait and printf touch pages
   * of ours that must not look like a leak at the end. */
  int warm = fork();
  if (warm == 0)
    exit(0);
  if (warm < 0 || waitpid(warm, 0, 0) != warm)
    fail("warm-up fork");
  printf("soak: %d file workers, %d pipe pairs, %d appenders for %d s\n", file_workers,
         pipe_pairs, appenders, seconds);
  uint64 before = memory_mark();
  if (pipe(start_gate) < 0)
    fail("pipe");
  for (int i = 0; i < file_workers; i++)
    start_worker(FILES, i, seconds, -1, -1);
  for (int i = 0; i < pipe_pairs; i++) {
    int p[2];
    if (pipe(p) < 0)
      fail("pipe");
    start_worker(PIPES, 2 * i, seconds, p[1], p[0]);
    start_worker(PIPES, 2 * i + 1, seconds, p[0], p[1]);
    close(p[0]);
    close(p[1]);
  }
  for (int i = 0; i < appenders; i++)
    start_worker(APPENDS, i, seconds, -1, -1);
  uint64 start = now_ms();
  for (int i = 0; i < nworkers; i++)
    if (write(start_gate[1], "g", 1) != 1)
      fail("open the start gate");
  close(start_gate[0]);
  close(start_gate[1]);

  /* Collect every worker's result; a worker that failed printed why. */
  uint64 bytes[N_KINDS] = {0};
  uint64 pipe_written[MAX_WORKERS / 2] = {0}, pipe_read[MAX_WORKERS / 2] = {0};
  int records[MAX_WORKERS] = {0};
  int failed = 0;
  for (int i = 0; i < nworkers; i++) {
    struct worker *w = &workers[i];
    int status;
    uint64 result;
    int got = read(w->report_fd, &result, sizeof result);
    close(w->report_fd);
    if (waitpid(w->pid, &status, 0) != w->pid || status != 0 || got != sizeof result) {
      printf("soak: %s worker %d (pid %d) exited with status %d, want 0 and a report\n",
             kind_names[w->kind], w->id, w->pid, status);
      failed++;
      continue;
    }
    if (w->kind == PIPES && w->id % 2 == 0)
      pipe_written[w->id / 2] = result;
    else if (w->kind == PIPES) {
      pipe_read[w->id / 2] = result;
      bytes[PIPES] += result;
    }
    else if (w->kind == APPENDS)
      records[w->id] = result;
    else
      bytes[FILES] += result;
  }
  if (failed)
    fail("a worker failed (see above)");
  for (int i = 0; i < pipe_pairs; i++)
    if (pipe_written[i] != pipe_read[i]) {
      printf("soak: FAIL pipe pair %d: reader got %lu bytes, writer wrote %lu\n", i, pipe_read[i],
             pipe_written[i]);
      exit(1);
    }
  if (appenders > 0)
    bytes[APPENDS] = check_appended(appenders, records);
  if (unlink(APPEND_FILE) < 0 || unlink(SOAK_DIR) < 0)
    fail("remove " SOAK_DIR);

  uint64 after = memory_after_settling(before);
  printf("soak: %lu ms, %d workers: checked %lu KiB of files, %lu KiB through pipes, %lu KiB "
         "of appended records; free memory before %lu after %lu\n",
         now_ms() - start, nworkers, bytes[FILES] / 1024, bytes[PIPES] / 1024,
         bytes[APPENDS] / 1024, before, after);
  check_memory_returned(before, after);
  printf("soak: PASS %s\n", argv[1]);
  exit(0);
}
