/*
 * malloc() and free().
 *
 * Every block, used or free, starts with a header giving its size in
 * units of one header (so all blocks stay aligned to a header's size).
 * Free blocks are kept on a list sorted by address. free() puts a block
 * back in its place and merges it with a neighbour that touches it, so
 * freed memory turns back into large blocks. malloc() takes the first free
 * block that is big enough (splitting off the tail it needs) and asks the
 * kernel for more memory with sbrk() only when nothing fits.
 */
#include "kernel/types.h"
#include "user/user.h"

union header {
  struct {
    union header *next; /* next free block (free blocks only) */
    uint64 units;       /* size of this block, header included */
  } block;
  long double align; /* forces 16-byte alignment of every block */
};

typedef union header Header;

#define MIN_GROW_UNITS 4096       /* grow the heap by at least this many units */
#define MAX_GROW_BYTES 0x7fffffff /* sbrk() takes an int */

/* The list is circular and never empty once started: `base` is a size-0
 * block that stays on it. free_list points at the block searched first. */
static Header base;
static Header *free_list;

/* Returns the free block after which `block` belongs in address order. */
static Header *find_predecessor(Header *block) {
  Header *prev = free_list;

  for (;;) {
    Header *next = prev->block.next;
    if (block > prev && block < next)
      return prev; // fits between two free blocks
    // The list wraps from its highest block back to its lowest: a block
    // above the highest or below the lowest goes at the wrap.
    int prev_is_highest = prev >= next;
    if (prev_is_highest && (block > prev || block < next))
      return prev;
    prev = next;
  }
}

void free(void *ptr) {
  if (ptr == 0)
    return;

  Header *block = (Header *)ptr - 1;
  Header *prev = find_predecessor(block);
  Header *next = prev->block.next;

  if (block + block->block.units == next) {
    // Touches the following free block: absorb it.
    block->block.units += next->block.units;
    block->block.next = next->block.next;
  } else {
    block->block.next = next;
  }

  if (prev + prev->block.units == block) {
    // Touches the preceding free block: let it absorb us.
    prev->block.units += block->block.units;
    prev->block.next = block->block.next;
  } else {
    prev->block.next = block;
  }

  free_list = prev;
}

/* Adds at least `units` units of new memory to the free list. */
static int grow_heap(uint64 units) {
  if (units < MIN_GROW_UNITS)
    units = MIN_GROW_UNITS;
  if (units > MAX_GROW_BYTES / sizeof(Header))
    return -1;

  char *memory = sbrk(units * sizeof(Header));
  if (memory == (char *)-1)
    return -1;

  Header *block = (Header *)memory;
  block->block.units = units;
  free(block + 1); // links it in, merged with a neighbour if they touch
  return 0;
}

/* First fit: returns a block of `units` units taken from the free list,
 * or 0 if none is big enough. */
static Header *take_free_block(uint64 units) {
  Header *prev = free_list;

  do {
    Header *block = prev->block.next;
    if (block->block.units == units) {
      prev->block.next = block->block.next;
      free_list = prev;
      return block;
    }
    if (block->block.units > units) {
      // Hand out the tail end; the front stays on the list, smaller.
      block->block.units -= units;
      block += block->block.units;
      block->block.units = units;
      free_list = prev;
      return block;
    }
    prev = block;
  } while (prev != free_list);
  return 0;
}

void *malloc(uint nbytes) {
  // Round up to whole units and add one for the header.
  uint64 units = ((uint64)nbytes + sizeof(Header) - 1) / sizeof(Header) + 1;

  if (free_list == 0) {
    base.block.next = &base;
    base.block.units = 0;
    free_list = &base;
  }

  for (;;) {
    Header *block = take_free_block(units);
    if (block != 0)
      return block + 1;
    if (grow_heap(units) < 0)
      return 0;
  }
}
