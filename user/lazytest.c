/*
 * lazytest: the heap grows lazily (the lazy lab).
 *
 *   lazytest TOKEN        prints "lazytest: PASS TOKEN" if all checks pass
 *
 * sbrk(10 MiB) maps nothing: the process's resident page count does not
 * change, yet the memory is promised (sysinfo's freemem drops by 10 MiB,
 * docs/memory.md). Touching one byte maps exactly one page; touching the
 * last byte one more; the pages read zero. Shrinking the heap back gives
 * the pages and the promise back.
 */
#include "kernel/types.h"
#include "kernel/procinfo.h"
#include "kernel/sysinfo.h"
#include "user/user.h"

#define HEAP_BYTES (10 * 1024 * 1024)
#define PAGE_BYTES 4096
#define MAX_TABLE_PAGES 2 /* page tables for the two touched pages */

static int failures;

static uint64 resident(void) {
  struct procinfo info;
  if (procinfo(getpid(), &info) < 0) {
    printf("lazytest: FAIL procinfo of myself failed\n");
    exit(1);
  }
  return info.resident;
}

static uint64 freemem(void) {
  struct sysinfo si;
  if (sysinfo(&si) < 0) {
    printf("lazytest: FAIL sysinfo failed\n");
    exit(1);
  }
  return si.freemem;
}

static void expect(const char *what, uint64 got, uint64 want) {
  if (got != want) {
    printf("lazytest: FAIL %s: got %lu, want %lu\n", what, got, want);
    failures++;
  }
}

int main(int argc, char *argv[]) {
  if (argc != 2) {
    fprintf(2, "usage: lazytest TOKEN\n");
    exit(2);
  }
  uint64 free0 = freemem();
  uint64 r0 = resident();
  char *heap = sbrk(HEAP_BYTES);
  if (heap == (char *)-1) {
    printf("lazytest: FAIL sbrk(10 MiB) failed\n");
    exit(1);
  }
  uint64 r1 = resident();
  uint64 free1 = freemem();
  expect("resident pages right after sbrk(10 MiB) (none is touched yet)", r1, r0);
  expect("freemem after sbrk(10 MiB) (the pages are promised)", free1, free0 - HEAP_BYTES);
  volatile char *first = heap + PAGE_BYTES; /* clear of the page the old break may share */
  expect("a new heap byte", *first, 0);
  expect("resident pages after touching one heap page", resident(), r1 + 1);
  volatile char *last = heap + HEAP_BYTES - 1;
  *last = 'z';
  expect("resident pages after touching the last heap page too", resident(), r1 + 2);
  expect("the byte written", *last, 'z');
  /* The two pages were promised: only page-table pages (not promised,
   * docs/memory.md) may lower freemem now. */
  if (freemem() + MAX_TABLE_PAGES * PAGE_BYTES < free1) {
    printf("lazytest: FAIL freemem after touching two promised pages: %lu, want at least %lu\n",
           freemem(), free1 - MAX_TABLE_PAGES * PAGE_BYTES);
    failures++;
  }
  sbrk(-HEAP_BYTES);
  expect("resident pages after shrinking the heap back", resident(), r0);
  expect("freemem after shrinking the heap back", freemem(), free0);
  if (failures)
    exit(1);
  printf("lazytest: PASS %s\n", argv[1]);
  return 0;
}
