/*
 * The state-change record, as the staterec() system call hands it to user
 * programs. While recording is on, the kernel notes every process state
 * change (kernel/proc/staterec.c) in a bounded ring; a full ring counts
 * the changes it cannot keep instead of overwriting old ones.
 */
#ifndef RIVET_STATEREC_H
#define RIVET_STATEREC_H

#include "kernel/types.h"

/* Why a process changed state. */
enum statechange_why {
  WHY_CREATED,    /* UNUSED -> NEW: fork, or the first process */
  WHY_STARTED,    /* NEW -> READY: ready to run for the first time */
  WHY_DISPATCHED, /* READY -> RUNNING: the scheduler picked it */
  WHY_PREEMPTED,  /* RUNNING -> READY: its quantum ran out */
  WHY_YIELDED,    /* RUNNING -> READY: it gave up the hart */
  WHY_BLOCKED,    /* RUNNING -> BLOCKED: it sleeps; `wait` says on what */
  WHY_WOKEN,      /* BLOCKED -> READY: a wakeup */
  WHY_KILLED,     /* BLOCKED or SUSPENDED -> READY, so that it can die */
  WHY_SUSPENDED,  /* -> SUSPENDED: suspend() */
  WHY_RESUMED,    /* SUSPENDED -> READY or BLOCKED: resume() */
  WHY_EXITED,     /* RUNNING -> ZOMBIE */
  WHY_REAPED,     /* -> UNUSED: the parent collected it (or a fork failed) */
  WHY_NREASONS
};

#define STATEREC_CAPACITY 4096 /* changes the ring holds until read */
#define STATEREC_WAIT_LEN 12   /* room for the wait's name, NUL included */

/* One state change. */
struct statechange {
  uint64 time_ns;    /* clock_ns() when it happened */
  uint32 seq;        /* 0, 1, 2... since START: a gap means changes were dropped */
  int pid;
  uint8 hartid;      /* firmware id of the hart that made the change */
  uint8 old_state;   /* enum procstate (kernel/procinfo.h) */
  uint8 new_state;
  uint8 why;         /* enum statechange_why */
  char wait[STATEREC_WAIT_LEN]; /* WHY_BLOCKED: the wait, named after its lock
                                   ("pipe", "tick", "wait", "console", ...) */
};

struct staterec_status {
  uint64 total;    /* changes seen since START, kept or not */
  uint64 dropped;  /* changes lost because the ring was full */
  uint64 unread;   /* changes in the ring, waiting for READ */
  int recording;   /* 1 between START and STOP */
  int capacity;    /* STATEREC_CAPACITY */
};

/* staterec(op, buf, max) operations. */
#define STATEREC_START 1  /* empty the ring, zero the counters, record */
#define STATEREC_STOP 2   /* stop recording (the ring keeps what it has) */
#define STATEREC_READ 3   /* move up to max oldest changes to buf; returns how many */
#define STATEREC_STATUS 4 /* fill the struct staterec_status at buf */

#endif
