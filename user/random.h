/*
 * A small seeded random-number generator for the in-guest stress programs
 * (elffuzz, sysfuzz, soak): splitmix64, which is tiny, fast and good enough
 * for choosing, and which replays the same choices from the same seed, so a
 * failing run can be repeated exactly.
 *
 * The state is one variable per program (each process after fork has its
 * own copy): seed it with random_seed(SEED, STREAM) — one stream per run or
 * per child of a seeded run — or set rng_state directly.
 */
#ifndef RIVET_USER_RANDOM_H
#define RIVET_USER_RANDOM_H

#include "kernel/types.h"

/* splitmix64's step: the state advances by this odd constant (2^64 / phi). */
#define SPLITMIX64_GAMMA 0x9e3779b97f4a7c15UL
/* Spreads stream numbers over the seed's bits (an odd 64-bit multiplier). */
#define RANDOM_STREAM_SPREAD 0xd1b54a32d192ed03UL

static uint64 rng_state;

/* splitmix64's output function: scrambles z so that nearby inputs give
 * unrelated outputs. Also a hash: soak makes its data bytes with it. */
static inline uint64
mix64(uint64 z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
  return z ^ (z >> 31);
}

/* Seeds the generator for stream `stream` (a run, a child) of seed `seed`. */
static inline void
random_seed(uint64 seed, uint64 stream)
{
  rng_state = seed ^ (stream * RANDOM_STREAM_SPREAD);
}

static inline uint64
random64(void)
{
  return mix64(rng_state += SPLITMIX64_GAMMA);
}

/* A number in [0, n). */
static inline uint64
below(uint64 n)
{
  return random64() % n;
}

/* True once in n times, on average. */
static inline int
one_in(uint64 n)
{
  return below(n) == 0;
}

/* A random element of an array (a real array, not a pointer). */
#define PICK(array) ((array)[below(sizeof(array) / sizeof((array)[0]))])

#endif
