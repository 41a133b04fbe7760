/*
 * Fault injection: per-site rates, the decision for each call, and the
 * counters behind failctl()'s report. See failpoint.h.
 *
 * The decision for call k of a site is a hash of (seed, site, k) compared
 * with the site's rate, not the next number of one shared random stream:
 * a stream would make each site's failures depend on how the calls of all
 * sites interleave across harts.
 */
#include "kernel/lib/failpoint.h"
#include "kernel/lib/lib.h"

#define PPM_SCALE 1000000   /* rates are kept in parts per million */
#define PERCENT_PPM 10000   /* 1% in parts per million */
#define MAX_DECIMALS 4      /* 0.0001% is one part per million */
#define DEFAULT_SEED 1
#define MAX_DIGITS 18     /* any number of 18 digits fits in a uint64 */

struct site_rate {
  uint64 ppm;   /* probability of failing, in parts per million; or ... */
  uint64 every; /* ... if not 0: calls every, 2*every, ... fail */
};

static const char *const site_names[FAIL_NSITES] = {
    [FAIL_KALLOC] = "kalloc", [FAIL_DISK] = "disk", [FAIL_COPY] = "copy"};

/* Set once at boot by fail_configure; read-only afterwards. */
static struct {
  struct site_rate rate[FAIL_NSITES];
  uint64 seed;
  int configured; /* some site has a rate */
  int paused;     /* do not arm at boot */
} config;

/* Updated with atomic adds by every hart. */
static uint64 calls[FAIL_NSITES], failed[FAIL_NSITES];

int failpoints_armed;

/* Spread the bits of x so that nearby inputs give unrelated outputs. */
static uint64 scramble(uint64 x) {
  for (int round = 0; round < 3; round++) {
    x ^= x >> 31;
    x *= 0x9e3779b97f4a7c15UL; /* odd: the multiply loses no information */
    x ^= x >> 29;
  }
  return x;
}

int fail_decide(enum fail_site site) {
  uint64 k = __atomic_fetch_add(&calls[site], 1, __ATOMIC_RELAXED) + 1;
  const struct site_rate *r = &config.rate[site];
  int fail;
  if (r->every)
    fail = k % r->every == 0;
  else
    fail = scramble(scramble(config.seed * FAIL_NSITES + site) ^ k) % PPM_SCALE < r->ppm;
  if (fail)
    __atomic_fetch_add(&failed[site], 1, __ATOMIC_RELAXED);
  return fail;
}

/* --- parsing fail=SPEC --- */

/* Read decimal digits at *s into *n, moving *s past them; how many there were. */
static int take_digits(const char **s, uint64 *n) {
  int count = 0;
  for (*n = 0; **s >= '0' && **s <= '9' && count < MAX_DIGITS; (*s)++, count++)
    *n = *n * 10 + (**s - '0');
  return count;
}

/* RATE (P% or 1/N) at s, up to end, into *r; 0 or -1. */
static int parse_rate(const char *s, const char *end, struct site_rate *r) {
  uint64 whole, n;
  if (take_digits(&s, &whole) == 0)
    return -1;
  if (*s == '/' && whole == 1) {
    s++;
    if (take_digits(&s, &n) == 0 || n == 0 || s != end)
      return -1;
    r->every = n;
    r->ppm = 0;
    return 0;
  }
  uint64 ppm = whole * PERCENT_PPM;
  if (*s == '.') {
    s++;
    uint64 scale = PERCENT_PPM;
    for (int i = 0; *s >= '0' && *s <= '9'; s++, i++) {
      if (i >= MAX_DECIMALS)
        return -1;
      scale /= 10;
      ppm += (*s - '0') * scale;
    }
  }
  if (*s != '%' || s + 1 != end || ppm > PPM_SCALE)
    return -1;
  r->ppm = ppm;
  r->every = 0;
  return 0;
}

static int word_is(const char *s, const char *end, const char *word) {
  int n = strlen(word);
  return end - s == n && strncmp(s, word, n) == 0;
}

/* One item of the list, [s, end); 0 or -1. */
static int parse_item(const char *s, const char *end) {
  if (word_is(s, end, "paused")) {
    config.paused = 1;
    return 0;
  }
  const char *p = after_prefix(s, "seed=");
  if (p && p < end)
    return take_digits(&p, &config.seed) > 0 && p == end ? 0 : -1;
  const char *colon = s;
  while (colon < end && *colon != ':')
    colon++;
  if (colon == end)
    return -1;
  struct site_rate rate;
  if (parse_rate(colon + 1, end, &rate) < 0)
    return -1;
  int matched = 0;
  for (int i = 0; i < FAIL_NSITES; i++)
    if (word_is(s, colon, site_names[i]) || word_is(s, colon, "all")) {
      config.rate[i] = rate;
      matched = 1;
    }
  return matched ? 0 : -1;
}

int fail_configure(const char *spec) {
  config.seed = DEFAULT_SEED;
  for (const char *s = spec; *s;) {
    const char *end = s;
    while (*end && *end != ',')
      end++;
    if (parse_item(s, end) < 0) {
      printf("warning: fail=%s: bad item at '%s' (want SITE:P%% or SITE:1/N with SITE kalloc, disk,"
             " copy or all; seed=N; paused): no failures will be injected\n",
             spec, s);
      memset(&config, 0, sizeof config);
      return -1;
    }
    s = *end ? end + 1 : end;
  }
  for (int i = 0; i < FAIL_NSITES; i++)
    if (config.rate[i].ppm || config.rate[i].every)
      config.configured = 1;
  return 0;
}

/* --- arming and the report --- */

void fail_boot_done(void) {
  if (config.configured && !config.paused)
    fail_arm();
}

int fail_arm(void) {
  if (!config.configured)
    return -1;
  __atomic_store_n(&failpoints_armed, 1, __ATOMIC_RELEASE);
  return 0;
}

void fail_disarm(void) { __atomic_store_n(&failpoints_armed, 0, __ATOMIC_RELEASE); }

void fail_get_report(struct fail_report *r) {
  memset(r, 0, sizeof *r);
  r->configured = config.configured;
  r->armed = failpoints_armed;
  r->seed = config.seed;
  for (int i = 0; i < FAIL_NSITES; i++) {
    r->calls[i] = __atomic_load_n(&calls[i], __ATOMIC_RELAXED);
    r->failed[i] = __atomic_load_n(&failed[i], __ATOMIC_RELAXED);
  }
}
