/*
 * bench_fault: page-fault cost, for bench's pgfault benchmark.
 *
 *   bench_fault run    time the first touch of fresh pages of each kind
 *                      and print BENCH lines (format as in bench.c)
 *   bench_fault warm   touch everything, print nothing: run once first so
 *                      that the measured run finds its file in the buffer
 *                      cache and times faults, not the disk (the file,
 *                      about 300 KiB, fits the 512 KiB cache)
 *
 * Three kinds of page, all loaded lazily by exec:
 *   pgfault_text   execute a function at the start of each of 32 code pages
 *                  (instruction fault; the page is read from the file)
 *   pgfault_data   read one byte of each of 32 pages of initialized data
 *                  (load fault; the page is read from the file)
 *   pgfault_zero   write one byte of each of 256 bss pages (store fault;
 *                  a zeroed page)
 * Each kind is touched twice in a row; the fault cost is the first pass's
 * time minus the second's (the same loop on mapped pages), per page.
 * Every touch checks what it got. Exit status 0, or 1 after a BENCHFAIL.
 */
#include "kernel/types.h"
#include "user/user.h"

#define PAGE_SIZE 4096
#define FAULT_PAGES 32
#define ZERO_PAGES 256
#define DATA_FILL 0x3c
#define NS_PER_COUNT 100UL    /* the time CSR counts at 10 MHz on virt */
#define STR(x) #x
#define XSTR(x) STR(x)

/* FAULT_PAGES code pages; page i starts with "a0 += 1; return". */
asm(".pushsection .text.bench_fault_code, \"ax\", @progbits\n"
    ".balign 4096\n"
    ".globl fault_code\n"
    "fault_code:\n"
    ".rept " XSTR(FAULT_PAGES) "\n"
    "addi a0, a0, 1\n"
    "ret\n"
    ".balign 4096\n"
    ".endr\n"
    ".popsection\n");
extern char fault_code[];

uchar fault_data[FAULT_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE))) = {
  [0 ... FAULT_PAGES - 1] = {[0 ... PAGE_SIZE - 1] = DATA_FILL},
};

uchar fault_zero[ZERO_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static inline uint64
now_ns(void)
{
  uint64 t;
  asm volatile("rdtime %0" : "=r"(t));
  return t * NS_PER_COUNT;
}

static int failed;

static void
fail(const char *kind, int bad)
{
  printf("BENCHFAIL pgfault %s: %d pages read back wrong\n", kind, bad);
  failed = 1;
}

/* Calls the function on each code page; returns the pages that answered wrong. */
static int
touch_text(void)
{
  int bad = 0;
  for (int i = 0; i < FAULT_PAGES; i++) {
    int (*f)(int) = (int (*)(int))(fault_code + i * PAGE_SIZE);
    bad += f(i) != i + 1;
  }
  return bad;
}

static int
touch_data(void)
{
  int bad = 0;
  for (int i = 0; i < FAULT_PAGES; i++)
    bad += ((volatile uchar *)fault_data[i])[i * 8] != DATA_FILL;
  return bad;
}

/* Writes byte 8 (the first touch), then checks that byte 0 is zero. */
static int
touch_zero(void)
{
  int bad = 0;
  for (int i = 0; i < ZERO_PAGES; i++) {
    volatile uchar *page = fault_zero[i];
    page[8] = i + 1;
    bad += page[0] != 0;
  }
  return bad;
}

static void
print_hundredths(uint64 v)
{
  printf(" %lu.%s%lu", v / 100, v % 100 < 10 ? "0" : "", v % 100);
}

/* first, second: the two passes' times. */
static void
report(const char *name, int pages, uint64 first, uint64 second)
{
  uint64 cost = first > second ? first - second : 0;
  printf("BENCH %s %d %lu", name, pages, cost);
  print_hundredths(cost * 100 / pages);
  printf("\n");
}

/* Times two passes of touch over fresh pages; reports or fails. */
static void
measure(const char *name, const char *kind, int pages, int (*touch)(void), int show)
{
  uint64 t0 = now_ns();
  int bad = touch();
  uint64 t1 = now_ns();
  bad += touch();
  uint64 t2 = now_ns();
  if (bad)
    fail(kind, bad);
  else if (show)
    report(name, pages, t1 - t0, t2 - t1);
}

int
main(int argc, char **argv)
{
  int show = argc > 1 && strcmp(argv[1], "run") == 0;
  measure("pgfault_text", "text", FAULT_PAGES, touch_text, show);
  measure("pgfault_data", "data", FAULT_PAGES, touch_data, show);
  measure("pgfault_zero", "zero", ZERO_PAGES, touch_zero, show);
  return failed;
}
