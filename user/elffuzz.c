/*
 * elffuzz: a seeded corrupted-executable fuzzer. It takes a valid program,
 * spoils it (seeded), writes it to a file and execs that in a child, many
 * times. Every exec must either fail with an error, leaving the child
 * intact to report it, or start the program, which then runs or dies (a
 * fault kills it) like any program. The kernel must never panic, hang or
 * lose memory.
 *
 *   elffuzz TOKEN [-s SEED] [-n RUNS] [-p PROGRAM]
 *
 * PROGRAM (default /xt_ret7, which exits 7) is read once and cut down to
 * what exec uses: the headers and the segments (the symbols and debug
 * information after them only make each file write slower). That image
 * must run unspoiled and exit 7, or the runs prove nothing. Run i then
 * applies 1 to MAX_MUTATIONS spoilings chosen with a generator seeded with
 * (SEED, i): an ELF or program-header field set to an edge value (0, -1,
 * page boundaries, the top of user memory, the file size, the old value
 * plus or minus a little, ...), random bytes in the headers or in the
 * segments, or the file cut short.
 *
 * Running spoiled code is running random instructions: it could call any
 * system call with any arguments. So that one of them cannot stop the run,
 * the base image is first "defanged": the stubs of poweroff, kill, suspend
 * and fork load exit's number instead of their own (see defang()). And a
 * watchdog child kills any run that is still going after RUN_LIMIT_MS (a
 * spoiled program may loop forever).
 *
 * At the end it prints how the runs ended (exec errors by errno, programs
 * that exited 7, exited otherwise, died), checks that free memory is back
 * where it started, and prints "elffuzz: PASS TOKEN".
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/exec/elf.h"
#include "user/user.h"
#include "user/check.h"

enum {
#define SYSCALL(num, name) SYS_##name = num,
#include "kernel/syscalls.h"
#undef SYSCALL
};

#define PAGE_SIZE 4096UL
#define DEFAULT_RUNS 300
#define DEFAULT_PROGRAM "/xt_ret7"
#define PROGRAM_STATUS 7       /* what the unspoiled program exits with */
#define MAX_MUTATIONS 3
#define TRUNCATE_ONE_IN 8
#define RUN_LIMIT_MS 2000      /* a run still going after this is killed */
#define WATCH_EVERY_TICKS 10   /* the watchdog looks every 100 ms */
#define MAX_WATCHED 64
#define PROGRESS_EVERY 1000
#define NS_PER_MS 1000000UL
#define MAX_ERRNO 64
#define USER_TOP 0x80000000UL
#define USER_STACK_BOTTOM (USER_TOP - (8UL << 20))
#define TARGET "/elffuzz.x"
/* A child whose exec failed exits with EXEC_FAILED | errno: a status a
 * spoiled xt_ret7 is most unlikely to produce by chance. */
#define EXEC_FAILED 0x45780000
#define EXEC_FAILED_MASK 0xffff0000

#define STRESS_PROGRAM "elffuzz"
#include "user/stress.h" /* fail(), the leak check */
#include "user/random.h"

/* ------------------------------------------------------------------ */
/* The base image                                                     */
/* ------------------------------------------------------------------ */

static uchar *base;    /* the valid program, cut down */
static int base_len;
static uchar *image;   /* the image of the current run */
static int image_len;
static uchar *on_disk; /* what TARGET holds now */
static int on_disk_len;

static void
read_program(const char *path)
{
  int fd = open(path, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0)
    fail("open the base program");
  base = malloc(st.size);
  image = malloc(st.size);
  on_disk = malloc(st.size);
  if (base == 0 || image == 0 || on_disk == 0)
    fail("malloc for the images");
  if (read(fd, base, st.size) != (int)st.size)
    fail("read the base program");
  close(fd);

  /* Keep the headers and every segment's bytes; drop what follows. */
  struct elf_header *eh = (struct elf_header *)base;
  if (st.size < sizeof *eh || eh->magic != ELF_MAGIC)
    fail("the base program is no ELF file");
  uint64 end = eh->phoff + (uint64)eh->phnum * sizeof(struct program_header);
  for (int i = 0; i < eh->phnum; i++) {
    struct program_header *ph = (struct program_header *)(base + eh->phoff) + i;
    if (ph->type == PT_LOAD && ph->offset + ph->filesz > end)
      end = ph->offset + ph->filesz;
  }
  if (end > st.size)
    fail("the base program's segments run past its end");
  base_len = end;
}

/* c.li a7, imm (RVC), and addi a7, zero, imm: how a stub loads its number. */
static ushort
c_li_a7(int imm)
{
  return 0x4000 | ((imm >> 5) & 1) << 12 | 17 << 7 | (imm & 31) << 2 | 1;
}

static uint
addi_a7(int imm)
{
  return (uint)imm << 20 | 17 << 7 | 0x13;
}

/*
 * Makes the system calls that could stop the whole run (poweroff the
 * machine, kill or suspend the shell or us, fork copies of a looping
 * program) unreachable: wherever the base image loads one of their
 * numbers into a7 (the stubs of user/lib/usys.S) it loads exit's instead.
 * Returns how many places were changed.
 */
static int
defang(void)
{
  static const int dangerous[] = {SYS_poweroff, SYS_kill, SYS_suspend, SYS_fork};
  int changed = 0;
  for (int d = 0; d < (int)(sizeof dangerous / sizeof dangerous[0]); d++) {
    ushort c_old = c_li_a7(dangerous[d]), c_new = c_li_a7(SYS_exit);
    uint old = addi_a7(dangerous[d]), new = addi_a7(SYS_exit);
    for (int i = 0; i + 2 <= base_len; i += 2) {
      if (memcmp(base + i, &c_old, 2) == 0) {
        memmove(base + i, &c_new, 2);
        changed++;
      } else if (i + 4 <= base_len && memcmp(base + i, &old, 4) == 0) {
        memmove(base + i, &new, 4);
        changed++;
      }
    }
  }
  return changed;
}

/* ------------------------------------------------------------------ */
/* Spoiling                                                           */
/* ------------------------------------------------------------------ */

/* An edge value for a field that held `old`. */
static uint64
edge_value(uint64 old)
{
  static const uint64 edges[] = {
    0, 1, 2, 0xfff, 0x1000, 0x1001, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000UL,
    USER_TOP - PAGE_SIZE, USER_TOP, USER_STACK_BOTTOM, 1UL << 38, 1UL << 63, ~0UL, ~0UL - 0xfff,
  };
  switch (below(6)) {
  case 0: return old + PAGE_SIZE;
  case 1: return old - PAGE_SIZE;
  case 2: return old + below(16) - 8;
  case 3: return image_len + below(3) - 1; /* about the file's size */
  case 4: return random64();
  default: return PICK(edges);
  }
}

/* Stores the low `size` bytes of value at offset, if inside the image. */
static void
put(int offset, int size, uint64 value)
{
  if (offset >= 0 && offset + size <= image_len)
    memmove(image + offset, &value, size); /* little-endian, as ELF here */
}

static uint64
get(int offset, int size)
{
  uint64 value = 0;
  if (offset >= 0 && offset + size <= image_len)
    memmove(&value, image + offset, size);
  return value;
}

struct field {
  int offset;
  int size;
};

#define FIELD(type, member) {__builtin_offsetof(type, member), sizeof(((type *)0)->member)}

static const struct field header_fields[] = {
  {0, 1}, {1, 1}, {2, 1}, {3, 1}, /* the magic bytes */
  FIELD(struct elf_header, elf_class), FIELD(struct elf_header, data),
  FIELD(struct elf_header, version),   FIELD(struct elf_header, type),
  FIELD(struct elf_header, machine),   FIELD(struct elf_header, version2),
  FIELD(struct elf_header, entry),     FIELD(struct elf_header, phoff),
  FIELD(struct elf_header, ehsize),    FIELD(struct elf_header, phentsize),
  FIELD(struct elf_header, phnum),
};

static const struct field program_header_fields[] = {
  FIELD(struct program_header, type),   FIELD(struct program_header, flags),
  FIELD(struct program_header, offset), FIELD(struct program_header, vaddr),
  FIELD(struct program_header, filesz), FIELD(struct program_header, memsz),
  FIELD(struct program_header, align),
};

static void
spoil_field(int offset, const struct field *f)
{
  put(offset + f->offset, f->size, edge_value(get(offset + f->offset, f->size)));
}

static void
spoil_once(void)
{
  const struct elf_header *eh = (const struct elf_header *)base;
  int headers_end = eh->phoff + eh->phnum * sizeof(struct program_header);
  switch (below(8)) {
  case 0:
  case 1:
    spoil_field(0, &PICK(header_fields));
    break;
  case 2:
  case 3:
  case 4: {
    /* one of the program headers, or the slot just after them */
    int ph = below(eh->phnum + 1);
    spoil_field(eh->phoff + ph * sizeof(struct program_header), &PICK(program_header_fields));
    break;
  }
  case 5:
    image[below(headers_end)] = random64();
    break;
  case 6:
    image[below(image_len)] = random64();
    break;
  default:
    if (below(TRUNCATE_ONE_IN / 2) == 0)
      image_len = below(image_len);
    else
      image[below(image_len)] ^= 1 << below(8);
    break;
  }
}

static void
make_image(uint64 seed, int run)
{
  random_seed(seed, run);
  memmove(image, base, base_len);
  image_len = base_len;
  int mutations = 1 + below(MAX_MUTATIONS);
  for (int i = 0; i < mutations; i++)
    spoil_once();
}

/*
 * Writes the image to TARGET, rewriting only the bytes that differ from
 * what the file holds (a full rewrite costs tens of disk blocks per run).
 * A shorter image needs O_TRUNC and a full rewrite.
 */
static void
write_image(void)
{
  int fd;
  if (image_len < on_disk_len || on_disk_len == 0) {
    fd = open(TARGET, O_CREATE | O_WRONLY | O_TRUNC);
    if (fd < 0 || write(fd, image, image_len) != image_len)
      fail("write " TARGET);
  } else {
    int first = 0, last = image_len;
    while (first < on_disk_len && image[first] == on_disk[first])
      first++;
    while (last > first && last <= on_disk_len && image[last - 1] == on_disk[last - 1])
      last--;
    fd = open(TARGET, O_WRONLY);
    if (fd < 0)
      fail("open " TARGET);
    if (last > first && (lseek(fd, first, SEEK_SET) != first ||
                         write(fd, image + first, last - first) != last - first))
      fail("rewrite part of " TARGET);
  }
  close(fd); /* exec refuses a file open for writing */
  memmove(on_disk, image, image_len);
  on_disk_len = image_len;
}

/* ------------------------------------------------------------------ */
/* Running                                                            */
/* ------------------------------------------------------------------ */

/* Standard input at end of file, output into a pipe nobody reads: a
 * spoiled program can neither wait for the console nor write on it. */
static int null_in, null_out;

static void
make_null_descriptors(void)
{
  int in[2], out[2];
  if (pipe(in) < 0 || pipe(out) < 0)
    fail("pipe");
  close(in[1]);
  close(out[0]);
  null_in = in[0];
  null_out = out[1];
}

/* Runs TARGET in a child; returns its exit status. */
static int
run_target(void)
{
  int pid = fork();
  if (pid < 0)
    fail("fork");
  if (pid == 0) {
    dup2(null_in, 0);
    dup2(null_out, 1);
    dup2(null_out, 2);
    char *argv[] = {"elffuzz.x", 0};
    exec(TARGET, argv);
    exit(EXEC_FAILED | errno);
  }
  int status;
  if (waitpid(pid, &status, 0) != pid)
    fail("waitpid");
  return status;
}

/*
 * The watchdog: a child that every WATCH_EVERY_TICKS lists the processes
 * and kills any other child of ours it has seen for more than RUN_LIMIT_MS.
 * It exits when the fuzzer is gone.
 * Pids are never reused, so remembering when a pid was first seen is enough.
 */
static void __attribute__((noreturn))
watchdog(int fuzzer)
{
  static struct procinfo procs[NPROC];
  struct { int pid; uint64 since; } seen[MAX_WATCHED];
  int nseen = 0;
  for (;;) {
    sleep(WATCH_EVERY_TICKS);
    if (getppid() != fuzzer)
      exit(0); /* the fuzzer died (a failed check): do not outlive it */
    int n = getprocs(procs, NPROC);
    uint64 now = now_ms();
    for (int i = 0; i < n && i < NPROC; i++) {
      if (procs[i].ppid != fuzzer || procs[i].pid == getpid() || procs[i].state == PROC_ZOMBIE)
        continue;
      int k = 0;
      while (k < nseen && seen[k].pid != procs[i].pid)
        k++;
      if (k == nseen) {
        if (nseen == MAX_WATCHED)
          nseen = 0; /* forget the old ones: they are long gone */
        seen[nseen].pid = procs[i].pid;
        seen[nseen++].since = now;
      } else if (now - seen[k].since > RUN_LIMIT_MS) {
        printf("elffuzz: watchdog: killing pid %d, still running after %d ms\n", procs[i].pid,
               RUN_LIMIT_MS);
        kill(procs[i].pid);
      }
    }
  }
}

/* ------------------------------------------------------------------ */
/* Tallies and main                                                   */
/* ------------------------------------------------------------------ */

static int exec_errors[MAX_ERRNO + 1]; /* [MAX_ERRNO]: any larger errno */
static int exited_normally, exited_otherwise, died;

static void
tally(int status)
{
  if ((status & EXEC_FAILED_MASK) == EXEC_FAILED) {
    int code = status & ~EXEC_FAILED_MASK;
    exec_errors[code < MAX_ERRNO ? code : MAX_ERRNO]++;
  } else if (status == PROGRAM_STATUS) {
    exited_normally++;
  } else if (status == -1) {
    died++;
  } else {
    exited_otherwise++;
  }
}

static void
print_tallies(int runs, int seed, uint64 ms)
{
  int refused = 0;
  for (int e = 0; e <= MAX_ERRNO; e++)
    refused += exec_errors[e];
  printf("elffuzz: seed %d: %d corrupted executables in %lu ms: exec refused %d, the program "
         "exited %d %d times, exited otherwise %d, died %d\n",
         seed, runs, ms, refused, PROGRAM_STATUS, exited_normally, exited_otherwise, died);
  printf("elffuzz: exec errors:");
  for (int e = 0; e <= MAX_ERRNO; e++)
    if (exec_errors[e])
      printf(" %s%s %d", e == MAX_ERRNO ? ">" : "", e == MAX_ERRNO ? "" : strerror(e),
             exec_errors[e]);
  printf("\n");
}

int
main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(2, "usage: elffuzz TOKEN [-s SEED] [-n RUNS] [-p PROGRAM]\n");
    exit(2);
  }
  int seed = 1, runs = DEFAULT_RUNS;
  const char *program = DEFAULT_PROGRAM;
  for (int i = 2; i < argc; i += 2) {
    int ok = i + 1 < argc;
    if (ok && strcmp(argv[i], "-s") == 0)
      ok = parse_int(argv[i + 1], &seed) == 0;
    else if (ok && strcmp(argv[i], "-n") == 0)
      ok = parse_int(argv[i + 1], &runs) == 0 && runs > 0;
    else if (ok && strcmp(argv[i], "-p") == 0)
      program = argv[i + 1];
    else
      ok = 0;
    if (!ok) {
      fprintf(2, "elffuzz: bad option %s\n", argv[i]);
      exit(2);
    }
  }

  read_program(program);
  int defanged = defang();
  make_null_descriptors();

  /* The unspoiled image first: it must run, or the runs prove nothing.
   * It also touches our pages before the memory mark. */
  memmove(image, base, base_len);
  image_len = base_len;
  write_image();
  int status = run_target();
  if (status != PROGRAM_STATUS) {
    printf("elffuzz: FAIL the unspoiled %s (%d bytes, %d stubs defanged) exited %d, want %d\n",
           program, base_len, defanged, status, PROGRAM_STATUS);
    exit(1);
  }
  printf("elffuzz: base %s: %d bytes, %d system-call stubs defanged\n", program, base_len,
         defanged);

  uint64 before = memory_mark();
  int fuzzer = getpid();
  int dog = fork();
  if (dog < 0)
    fail("fork the watchdog");
  if (dog == 0)
    watchdog(fuzzer);

  uint64 start = now_ms();
  for (int run = 0; run < runs; run++) {
    make_image(seed, run);
    write_image();
    tally(run_target());
    if ((run + 1) % PROGRESS_EVERY == 0)
      printf("elffuzz: %d runs\n", run + 1);
  }
  uint64 ms = now_ms() - start;

  if (kill(dog) < 0 || waitpid(dog, 0, 0) != dog)
    fail("stopping the watchdog");
  if (unlink(TARGET) < 0)
    fail("unlink " TARGET);
  print_tallies(runs, seed, ms);

  /* the watchdog's pages and the file's are gone by now */
  uint64 after = memory_after_settling(before);
  printf("elffuzz: free memory before %lu after %lu bytes: %ld pages leaked\n", before, after,
         pages_leaked(before, after));
  check_memory_returned(before, after);
  printf("elffuzz: PASS %s\n", argv[1]);
  exit(0);
}
