/*
 * proc: processes, their one state machine, and the scheduler mechanism.
 * internal.h lists the files and what each holds.
 *
 * Lock order: wait_lock (in proc.c) before any p->lock; p->lock before the
 * scheduling policy's lock. Nobody holds a p->lock while acquiring a
 * sleeplock.
 */
#ifndef RIVET_PROC_H
#define RIVET_PROC_H

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/procinfo.h"
#include "kernel/staterec.h"
#include "kernel/sync/sync.h"
#include "kernel/mm/mm.h"
#include "kernel/arch/arch.h"
#include "kernel/proc/sched.h"

struct file;   /* fs/file.h */
struct inode;  /* fs/fs.h */

/* sigalarm's state: private to the process itself (its own hart sets it in
 * system calls and in its timer ticks). exec and a new process start with
 * it off. */
struct alarm {
  int interval;             /* ticks of CPU time between calls; 0 = off */
  int ticks_left;           /* until the next call */
  uint64 handler;           /* user address of the handler */
  int in_handler;           /* the handler runs: no new call until sigreturn */
  struct trapframe saved;   /* the interrupted user registers, for sigreturn */
};

struct proc {
  struct spinlock lock;

  /* Guarded by lock. */
  enum procstate state;
  int suspended_blocked;   /* SUSPENDED while it was BLOCKED and not yet woken */
  void *chan;              /* channel it sleeps on while BLOCKED */
  const char *wait_name;   /* what it sleeps on: the name of chan's lock */
  int interruptible;       /* that sleep may be suspended (see sync.h) */
  int killed;              /* exits the next time it returns to user mode (long waits
                              give up early: sleep_should_abort) */
  int suspend_requested;   /* stop (SUSPENDED) at its next interruptible sleep or
                              return to user mode, whichever comes first */
  int exit_status;         /* for the parent's wait */
  int pid;

  /* Guarded by wait_lock (procinfo's proc_parent_pid() checks that it is
   * held). Only the lock-free Ctrl-P listing, proc_dump, reads it without. */
  struct proc *parent;

  /* Private to the process itself (or its creator before it first runs). */
  int slot;                      /* index in the process table = kernel stack slot */
  uint64 kstack;                 /* top of its kernel stack */
  struct trapframe tf;           /* user registers, saved on every trap */
  void (*start)(void);           /* where a new process begins in the kernel */
  struct context ctx;            /* kernel registers, saved by swtch */
  struct fpstate fp;             /* FP registers, if fp_used (fpu.c) */
  int fp_used;                   /* has this program used floating point? */
  int fp_cpu;                    /* cpu index whose FP registers hold fp live, or -1 */
  struct addrspace *as;          /* user memory; exec and exit replace it under lock,
                                    so other harts (run, procinfo) read it under lock */
  struct file *ofile[NOFILE];    /* open files (owned by the fs layer) */
  struct inode *cwd;             /* current directory */
  char name[PROC_NAME_LEN];
  struct sched_entity se;        /* the scheduling policy's part, under its own lock */
  uint64 trace_mask;             /* system calls to report: bit n for call n (trap/syscall.c) */
  struct alarm alarm;            /* the user alarm (sys/alarm.c) */

  /* Accounting: written by the process's own hart, read racily by procinfo. */
  uint64 runtime_ns;       /* CPU time consumed */
  uint64 run_start_ns;     /* when it last started running */
  uint64 nvcsw, nivcsw;
  int last_cpu;            /* cpu index it last ran on, -1 if never */
  uint64 quantum_end_ns;   /* when its current time slice ends */
};

/* The process running on this hart, or 0. Interrupts go off for the one
 * load, so the process cannot move to another hart between reading tp
 * and reading cpu->proc. */
static inline struct proc *myproc(void) {
  int was_on = intr_save_off();
  struct proc *p = mycpu()->proc;
  if (was_on)
    intr_on();
  return p;
}

/* The exit status a parent sees for a child killed by kill() or by a fault. */
#define EXIT_STATUS_KILLED -1

/* --- life cycle (proc.c) --- */
void proc_init(int trace_states, uint64 quantum_ns);
/* A new process in state NEW that will begin at start() in the kernel
 * (with interrupts on and no locks held). */
struct proc *proc_create(const char *name, void (*start)(void));
/* A copy of the calling process (NEW), without its files: call only
 * through task_fork (trap/task.c), which adds them before proc_start. */
struct proc *proc_fork(void (*start)(void));
void proc_start(struct proc *p);          /* NEW -> READY */
/* Become a ZOMBIE. Call only through task_exit, which closes the files first. */
void proc_exit(int status) __attribute__((noreturn));
/* Wait for a child (pid -1: any) to exit: its pid, 0 with WNOHANG if none has
 * exited yet, -ECHILD if there is no such child, -EINTR if killed. */
int proc_wait(int pid, int *status, int options);
int proc_kill(int pid);
int proc_suspend(int pid);
int proc_resume(int pid);
int proc_info(int pid, struct procinfo *info);
int proc_info_at(int slot, struct procinfo *info); /* table slot 0..NPROC-1; -ESRCH if unused */
int proc_count(void);
void proc_stop_if_requested(void);   /* honour a pending suspend before user mode */
void proc_yield(int involuntary);     /* give up the hart, stay READY */
void proc_tick(void);                 /* one timer tick on this hart */
void proc_sleep_until(uint64 deadline_ns); /* returns early if the process is killed */
void proc_keep_idle_ticks(void);      /* idle harts keep ticking (boot self-test) */
void proc_sleep_in_exit(void);        /* exit sleeps after leaving its memory (self-test) */
void proc_set_icount_mode(void);      /* QEMU runs with -icount: watch disk waits closely */
void proc_dump(void);                 /* Ctrl-P listing */

/* --- the state-change record (staterec.c; ABI in kernel/staterec.h) --- */
void staterec_start(void);                  /* empty the ring and record */
void staterec_stop(void);
int staterec_peek(struct statechange *buf, int max); /* oldest unread, not removed */
void staterec_consume(uint32 first_seq, int n);      /* remove what peek returned */
void staterec_status(struct staterec_status *st);

/* --- lazy floating point (fpu.c) --- */
void fpu_on_trap(struct proc *p);      /* save FP registers the user changed */
int fpu_first_use(struct proc *p);     /* an illegal-instruction trap: was it FP? */
uint64 fpu_before_user(struct proc *p); /* load p's FP registers if needed; FS bits for sstatus */
void scheduler(void) __attribute__((noreturn)); /* this hart's loop */
extern struct proc *initproc;

/* Copy to/from either user space of the current process (user=1) or kernel
 * memory (user=0). 0 on success, -EFAULT on a bad user address. */
int either_copyout(int user_dst, uint64 dst, const void *src, uint64 n);
int either_copyin(void *dst, int user_src, uint64 src, uint64 n);

/* Has p been killed? (It will exit when it next returns to user mode.) */
int proc_killed(struct proc *p);

#endif
