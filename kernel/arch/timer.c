/*
 * The timer: every hart takes TICK_HZ interrupts a second from the Sstc
 * stimecmp register, and clock_ns() turns the time CSR into nanoseconds.
 * The tick frequency comes from the device tree (timebase-frequency).
 */
#include "kernel/arch/arch.h"

#define NS_PER_SEC 1000000000UL
#define MIN(a, b) ((a) < (b) ? (a) : (b))

static uint64 timebase_hz;   /* time-CSR counts per second; set once at boot */
static uint64 tick_interval; /* time-CSR counts per tick */

void timer_init(uint64 hz) {
  timebase_hz = hz;
  tick_interval = hz / TICK_HZ;
}

/* Each hart's next regular tick lives in its struct cpu (next_tick), so a
 * short wait or a stop can borrow stimecmp and then give it back without
 * moving or losing the tick. */
void timer_rearm(void) {
  struct cpu *c = mycpu();
  c->next_tick = read_time() + tick_interval;
  write_stimecmp(c->next_tick);
}

void timer_resume(void) { write_stimecmp(mycpu()->next_tick); }

#define NEVER (~0UL)
void timer_stop(void) { write_stimecmp(NEVER); }

void timer_wake_within(uint64 ns) {
  uint64 when = read_time() + clock_from_ns(ns);
  write_stimecmp(MIN(when, mycpu()->next_tick));
}

#define PAUSE_NS 1000
void pause_hart(void) {
  timer_wake_within(PAUSE_NS);
  wfi();
  timer_resume();
}

void timer_start_hart(void) {
  timer_rearm();
  csr_set(sie, SIE_STIE);
}

uint64 clock_ns(void) {
  uint64 t = read_time();
  /* Split to avoid overflowing t * NS_PER_SEC. */
  return (t / timebase_hz) * NS_PER_SEC + (t % timebase_hz) * NS_PER_SEC / timebase_hz;
}

uint64 clock_from_ns(uint64 ns) {
  return (ns / NS_PER_SEC) * timebase_hz + (ns % NS_PER_SEC) * timebase_hz / NS_PER_SEC;
}
