/*
 * exectest_big: a program with a big data segment, run by exectest to see
 * that exec loads programs lazily and correctly.
 *
 *   exectest_big touch1   touch one byte of data, print "resident N"
 *                         (N = user pages mapped at that moment)
 *   exectest_big sum      read all of the data, print "sum XXXXXXXX";
 *                         check that all of bss reads as zero
 *
 * Exits 0 on success, 1 (after printing why) on failure.
 *
 * The data is 192 KiB of initialized, non-zero bytes, so it really is in
 * the program file (a zero array would go to bss and take no file space).
 * The file stays below NDIRECT + NINDIRECT blocks (267 KiB), so that it
 * loads in the fs lab's handout, which has no doubly-indirect block.
 * Page p of it holds the number p in its first four bytes, then the byte
 * FILL_BYTE(p) everywhere else. exectest computes the same checksum from
 * the same formula: keep the two in step.
 */
#include "kernel/types.h"
#include "user/user.h"

#define PAGE_SIZE 4096
#define DATA_PAGES 48                          /* 192 KiB */
#define FILL_BYTES (PAGE_SIZE - sizeof(uint))
#define FILL_BYTE(p) ((p) % 251 + 1)           /* never 0 */
#define BSS_BYTES (2 << 20)                    /* 2 MiB */

/* 32-bit FNV-1a: the standard offset basis and prime. */
#define FNV_OFFSET_BASIS 2166136261u
#define FNV_PRIME 16777619u

struct data_page {
  uint number;
  uchar fill[FILL_BYTES];
};

/* One initializer per page, spelled out by the preprocessor: 3 x 4 x 4. */
#define PAGE(p) [p] = {(p), {[0 ... FILL_BYTES - 1] = FILL_BYTE(p)}}
#define PAGES4(p) PAGE(p), PAGE((p) + 1), PAGE((p) + 2), PAGE((p) + 3)
#define PAGES16(p) PAGES4(p), PAGES4((p) + 4), PAGES4((p) + 8), PAGES4((p) + 12)

/*
 * Page-aligned, so touching one byte maps exactly one page of it.
 * data and bss are global, not static: for a static array that nothing
 * writes, the compiler may assume it still holds its initial values and
 * read those instead of memory (it did drop bss entirely).
 */
struct data_page data[DATA_PAGES] __attribute__((aligned(PAGE_SIZE))) = {
  PAGES16(0), PAGES16(16), PAGES16(32),
};

uchar bss[BSS_BYTES];

/*
 * Touches one data byte, then asks how many pages are mapped. Nothing
 * else may happen in between: no printf, no string functions, so that
 * the count shows only what exec and this one touch mapped.
 */
static int
touch_one(void)
{
  volatile uchar *byte = &data[DATA_PAGES / 2].fill[0];
  uchar seen = *byte;
  struct procinfo info;
  if (procinfo(getpid(), &info) < 0)
    return 1;
  printf("resident %lu\n", info.resident);
  if (seen != FILL_BYTE(DATA_PAGES / 2)) {
    printf("exectest_big: data byte is %d, want %d\n", seen, FILL_BYTE(DATA_PAGES / 2));
    return 1;
  }
  return 0;
}

static uint
checksum(const uchar *bytes, uint n)
{
  uint hash = FNV_OFFSET_BASIS;
  for (uint i = 0; i < n; i++) {
    hash ^= bytes[i];
    hash *= FNV_PRIME;
  }
  return hash;
}

static int
sum_all(void)
{
  printf("sum %x\n", checksum((const uchar *)data, sizeof data));
  for (uint i = 0; i < BSS_BYTES; i++) {
    if (bss[i] != 0) {
      printf("exectest_big: bss byte %d is %d, want 0\n", i, bss[i]);
      return 1;
    }
  }
  return 0;
}

int
main(int argc, char **argv)
{
  /* Only the first letter is looked at: touch1 must not call strcmp
   * before it has counted its pages (see touch_one). */
  if (argc == 2 && argv[1][0] == 't')
    return touch_one();
  if (argc == 2 && argv[1][0] == 's')
    return sum_all();
  if (argc == 2 && argv[1][0] == 'q') /* quiet: for make bench's exec1mib */
    return data[DATA_PAGES / 2].fill[0] == FILL_BYTE(DATA_PAGES / 2) ? 0 : 1;
  fprintf(2, "usage: exectest_big touch1|sum|quiet\n");
  return 2;
}
