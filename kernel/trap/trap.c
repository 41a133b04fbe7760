/* Trap handling; see trap.h. The assembly half is arch/trapvec.S. */
#include "kernel/trap/trap.h"
#include "kernel/arch/arch.h"
#include "kernel/dev/dev.h"
#include "kernel/proc/proc.h"
#include "kernel/trap/task.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"

#define INIT_OOM_RETRY_NS 10000000UL /* 10 ms */
#define ECALL_BYTES 4 /* the ecall instruction (never compressed) */

static void (*irq_handlers[PLIC_MAX_IRQS])(void); /* set at boot, then read-only */
static void (*tick_hook)(void);

void trap_register_irq(int irq, void (*handler)(void)) {
  if (irq > 0 && irq < PLIC_MAX_IRQS)
    irq_handlers[irq] = handler;
}

void trap_set_tick_hook(void (*hook)(void)) { tick_hook = hook; }

void trap_init_hart(void) {
  trap_install_vector();
  csr_write(sscratch, 0); /* we are in the kernel */
  csr_set(sie, SIE_SEIE | SIE_SSIE);
}

static const char *exception_name(uint64 cause) {
  static const char *names[] = {
      [EXC_INST_MISALIGNED] = "misaligned instruction fetch",
      [EXC_INST_ACCESS] = "instruction access fault",
      [EXC_ILLEGAL_INST] = "illegal instruction",
      [EXC_BREAKPOINT] = "breakpoint",
      [EXC_LOAD_MISALIGNED] = "misaligned load",
      [EXC_LOAD_ACCESS] = "load access fault",
      [EXC_STORE_MISALIGNED] = "misaligned store",
      [EXC_STORE_ACCESS] = "store access fault",
      [EXC_ECALL_U] = "system call from user mode",
      [EXC_ECALL_S] = "system call from supervisor mode",
      [EXC_INST_PAGE_FAULT] = "instruction page fault",
      [EXC_LOAD_PAGE_FAULT] = "load page fault",
      [EXC_STORE_PAGE_FAULT] = "store page fault",
  };
  if (cause < ARRAY_SIZE(names) && names[cause])
    return names[cause];
  return "unknown exception";
}

/* Handle an interrupt; returns 1 if it was the timer. */
static int device_interrupt(uint64 scause) {
  uint64 code = scause & ~SCAUSE_INTERRUPT;
  if (code == IRQ_S_TIMER) {
    timer_rearm();
    mycpu()->ticks++;
    if (tick_hook)
      tick_hook();
    return 1;
  }
  if (code == IRQ_S_EXT) {
    int hart = mycpu()->hartid;
    int irq = plic_claim(hart);
    mycpu()->in_interrupt = 1; /* wakeups from here kick an idle hart */
    if (irq > 0 && irq < PLIC_MAX_IRQS && irq_handlers[irq])
      irq_handlers[irq]();
    mycpu()->in_interrupt = 0;
    if (irq)
      plic_complete(hart, irq);
  } else if (code == IRQ_S_SOFT) {
    csr_clear(sip, SIE_SSIE); /* a wake-up IPI: the scheduler looks at the queue */
  }
  return 0;
}

static int fault_access(uint64 cause) {
  if (cause == EXC_INST_PAGE_FAULT)
    return ACCESS_EXEC;
  if (cause == EXC_STORE_PAGE_FAULT)
    return ACCESS_WRITE;
  return ACCESS_READ;
}

static int is_page_fault(uint64 cause) {
  return cause == EXC_INST_PAGE_FAULT || cause == EXC_LOAD_PAGE_FAULT || cause == EXC_STORE_PAGE_FAULT;
}

static void kill_for_fault(struct proc *p, const char *why, uint64 pc, uint64 addr) {
  printf("pid %d (%s): %s pc=0x%lx addr=0x%lx\n", p->pid, p->name, why, pc, addr);
  task_exit(EXIT_STATUS_KILLED);
}

void user_trap(struct trapframe *tf) {
  struct proc *p = mycpu()->proc; /* interrupts are off: we cannot move */
  uint64 scause = csr_read(scause), stval = csr_read(stval);
  fpu_on_trap(p);
  if (scause & SCAUSE_INTERRUPT) {
    if (device_interrupt(scause)) {
      // LAB traps: alarm-tick
      task_alarm_tick();
      // END LAB traps
      proc_tick();
    }
  } else if (scause == EXC_ECALL_U) {
    tf->epc += ECALL_BYTES; /* resume after the ecall */
    intr_on();
    syscall_dispatch();
  } else if (is_page_fault(scause)) {
    intr_on();
    int err = as_fault(p->as, stval, fault_access(scause));
    if ((err == -ENOMEM || err == -EIO) && p == initproc)
      proc_sleep_until(clock_ns() + INIT_OOM_RETRY_NS); /* init must live: retry */
    else if (err == -ENOMEM)
      kill_for_fault(p, "out of memory serving a page fault", tf->epc, stval);
    else if (err == -EIO)
      kill_for_fault(p, "I/O error loading a page", tf->epc, stval);
    else if (err < 0)
      kill_for_fault(p, exception_name(scause), tf->epc, stval);
  } else if (scause == EXC_ILLEGAL_INST && fpu_first_use(p)) {
    /* the instruction runs again, now with the FPU on */
  } else {
    kill_for_fault(p, exception_name(scause), tf->epc, stval);
  }
  task_return_to_user();
}

void kernel_trap(void) {
  uint64 sepc = csr_read(sepc), sstatus = csr_read(sstatus), scause = csr_read(scause);
  if (!(sstatus & SSTATUS_SPP))
    panic("kernel_trap: trap from user mode");
  if (panicking) {
    if (panicking_here())
      power_off(PANIC_EXIT_STATUS); /* the panic report itself faulted */
    for (;;)
      wfi(); /* another hart is printing its report */
  }
  if (!(scause & SCAUSE_INTERRUPT))
    panic("kernel trap: %s scause=0x%lx sepc=0x%lx stval=0x%lx hart %d", exception_name(scause), scause,
          sepc, csr_read(stval), mycpu()->hartid);
  if (device_interrupt(scause))
    proc_tick();
  /* A yield may have run other code that trapped: restore what sret uses. */
  csr_write(sepc, sepc);
  csr_write(sstatus, sstatus);
}
