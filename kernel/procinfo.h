/* What procinfo() and getprocs() report to user programs (sysinfo(): kernel/sysinfo.h). */
#ifndef RIVET_PROCINFO_H
#define RIVET_PROCINFO_H

#include "kernel/types.h"
#include "kernel/sysinfo.h"

/* Process states. The one state machine is described in docs/processes.md. */
enum procstate {
  PROC_UNUSED,    /* table slot is free */
  PROC_NEW,       /* being created by fork/exec, not yet runnable */
  PROC_READY,     /* runnable, waiting in the ready queue */
  PROC_RUNNING,   /* running on a hart */
  PROC_BLOCKED,   /* sleeping on a channel until a wakeup */
  PROC_SUSPENDED, /* stopped by suspend() until resume() */
  PROC_ZOMBIE,    /* exited, waiting for its parent to collect the status */
  PROC_NSTATES
};

#define PROC_NAME_LEN 16

struct procinfo {
  int pid;
  int ppid;               /* 0 for init */
  int state;              /* enum procstate */
  int suspended_blocked;  /* 1 if suspended while blocked and not yet woken */
  char name[PROC_NAME_LEN];
  uint64 size;            /* bytes of user address space in use (text, data, heap, stack) */
  uint64 resident;        /* user pages actually mapped */
  uint64 runtime_us;      /* CPU time in microseconds */
  uint64 faults;          /* page faults served */
  uint64 nvcsw;           /* voluntary context switches */
  uint64 nivcsw;          /* involuntary context switches (preemptions) */
  int cpu;                /* index of the cpu it last ran on, -1 if never */
  int exit_status;        /* valid for zombies */
};

/* waitpid() options */
#define WNOHANG 1

#endif
