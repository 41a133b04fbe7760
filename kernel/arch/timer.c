/*
 * The timer: every hart takes TICK_HZ interrupts a second from the Sstc
 * stimecmp register, and clock_ns() turns the time CSR into nanoseconds.
 * The tick frequency comes from the device tree (timebase-frequency).
 */
#include "kernel/arch/arch.h"

#define NS_PER_SEC 1000000000UL

static uint64 timebase_hz;   /* time-CSR counts per second; set once at boot */
static uint64 tick_interval; /* time-CSR counts per tick */

void timer_init(uint64 hz) {
  timebase_hz = hz;
  tick_interval = hz / TICK_HZ;
}

void timer_rearm(void) { write_stimecmp(read_time() + tick_interval); }

#define NEVER (~0UL)
void timer_stop(void) { write_stimecmp(NEVER); }
void timer_set_in(uint64 ns) { write_stimecmp(read_time() + clock_from_ns(ns)); }

#define PAUSE_NS 1000
void pause_hart(void) {
  timer_set_in(PAUSE_NS);
  wfi();
  timer_rearm();
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
