/*
 * Boot. OpenSBI starts one hart (any of them) at _start in S-mode with the
 * device tree in a1. That hart sets up the machine, starts the others with
 * SBI HSM, creates the first process, and every hart enters the scheduler.
 * See docs/boot.md for the flow and the memory map.
 */
#include "kernel/arch/arch.h"
#include "kernel/dev/dev.h"
#include "kernel/dev/virtio_blk.h"
#include "kernel/exec/exec.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/lib.h"
#include "kernel/lib/failpoint.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc.h"
#include "kernel/trap/task.h"
#include "kernel/trap/trap.h"

#define KERNEL_NAME "Rivet kernel 0.1"
#define DEFAULT_QUANTUM_MS 10
#define NS_PER_MS 1000000UL
#define MIB (1024UL * 1024)
#define SELFTEST_TICKS 10
#define SELFTEST_LATE_FAULT_TICKS 200 /* cpu 0's ticks: two seconds at 100 Hz while it is busy */
#define MAX_INIT_ARGS 16
#define BOGUS_KERNEL_ADDRESS 0xdeadbeef0UL
#define SELFTEST_MISSED_STATUS 1 /* a checker self-test did not panic */

struct cpu cpus[NCPU];
int ncpu;
/* entry.S walks cpus[] by hand to place a late hart (see _start). */
const uint64 cpu_struct_size = sizeof(struct cpu);
_Static_assert(__builtin_offsetof(struct cpu, hartid) == CPU_HARTID_OFFSET, "entry.S needs hartid here");

extern char kernel_end[]; /* from kernel.ld: first byte after the image */

/* Boot arguments (QEMU -append), parsed once on the boot hart. */
static struct {
  char buf[BOOTARGS_MAX];
  int trace;
  uint64 quantum_ms;
  const char *selftest;
  const char *init_args[MAX_INIT_ARGS + 2];
  int ninit_args;
} boot;

static struct machine machine;
static int harts_expected;        /* harts that SBI started, plus this one */
static int harts_running;         /* harts that reached hart_main; atomic */
static volatile int ticks_selftest_done; /* harts that reached SELFTEST_TICKS */

static uint64 parse_number(const char *s) {
  uint64 n = 0;
  while (*s >= '0' && *s <= '9')
    n = n * 10 + (*s++ - '0');
  return n;
}

/* Split bootargs into words; known ones set options, init.X ones go to init. */
static void parse_bootargs(const char *args) {
  safestrcpy(boot.buf, args, sizeof boot.buf);
  boot.quantum_ms = DEFAULT_QUANTUM_MS;
  boot.init_args[boot.ninit_args++] = "init";
  for (char *w = boot.buf; *w;) {
    while (*w == ' ')
      *w++ = 0;
    if (*w == 0)
      break;
    char *word = w;
    while (*w && *w != ' ')
      w++;
    if (*w)
      *w++ = 0;
    const char *value; /* what follows the "name=" of the word tried */
    if (strcmp(word, "trace=1") == 0 || strcmp(word, "trace") == 0)
      boot.trace = 1;
    else if ((value = after_prefix(word, "quantum=")) && parse_number(value) > 0)
      boot.quantum_ms = parse_number(value);
    else if ((value = after_prefix(word, "sched=")) && sched_select(value) == 0)
      printf("scheduling policy: %s\n", value);
    else if ((value = after_prefix(word, "selftest=")))
      boot.selftest = value;
    else if ((value = after_prefix(word, "fail=")))
      fail_configure(value); /* complains itself about a bad spec */
    else if (strcmp(word, "icount") == 0)
      proc_set_icount_mode();
    else if ((value = after_prefix(word, "fs.")) && fs_boot_arg(value) == 0)
      continue;
    else if ((value = after_prefix(word, "init.")) && boot.ninit_args < MAX_INIT_ARGS)
      boot.init_args[boot.ninit_args++] = value;
    else
      printf("warning: unknown boot argument '%s'\n", word);
  }
  boot.init_args[boot.ninit_args] = 0;
}

static int selftest_is(const char *name) { return boot.selftest && strcmp(boot.selftest, name) == 0; }

/* selftest=tick: every hart reports its tenth tick; then power off. */
static void selftest_tick_hook(void) {
  struct cpu *c = mycpu();
  if (selftest_is("tick") && c->ticks == SELFTEST_TICKS) {
    printf("hart %d: tick %d\n", c->hartid, SELFTEST_TICKS);
    if (__sync_add_and_fetch(&ticks_selftest_done, 1) == ncpu)
      power_off(0);
  }
  if (selftest_is("fault_late") && c->index == 0 && c->ticks == SELFTEST_LATE_FAULT_TICKS)
    *(volatile int *)BOGUS_KERNEL_ADDRESS = 1;
  /* A hart in its scheduler loop runs no process: it must have left every
   * process's page table, which an exiting process is about to free. */
  if (selftest_is("exit_window") && c->proc == 0 && !kvm_active())
    panic("selftest exit_window: hart %d runs no process but is still on a process's page table",
          c->hartid);
}

/* selftest=fault_in_print: the console output faults in the middle of a
 * printf, with the print lock held; the panic must still report and power
 * off. Only the first character faults, so the report itself gets out. */
static void faulting_putc(int c) {
  printf_set_output(uart_putc);
  *(volatile int *)BOGUS_KERNEL_ADDRESS = c;
}

static void run_boot_selftests(void) {
  if (boot.selftest == 0)
    return;
  const char *status = after_prefix(boot.selftest, "poweroff:");
  if (status)
    power_off(parse_number(status));
  if (selftest_is("fault"))
    *(volatile int *)BOGUS_KERNEL_ADDRESS = 1;
  if (selftest_is("printf")) {
    /* the same line as user/printftest.c: one feature set (tests/test_kprintf.py) */
    printf("printf: [%05d] [%5d] [%05d] [%x] [%lu] [%s] [%c] [%-5d] [%*d] [%-*s] [%5s] [%i] [%ld]\n",
           -5, -5, 42, 0xbeef, 1UL << 40, "str", 'c', 42, 4, 7, 4, "ab", "xy", -3, -(1L << 40));
    power_off(0);
  }
  /* Checks of the debug kernel's checkers: they return only if missed. */
  if (lockcheck_selftest(boot.selftest) || kalloc_selftest(boot.selftest))
    power_off(SELFTEST_MISSED_STATUS);
  if (selftest_is("fault_in_print")) {
    printf_set_output(faulting_putc);
    printf("selftest: this line faults\n");
  }
  trap_set_tick_hook(selftest_tick_hook);
  if (selftest_is("tick"))
    proc_keep_idle_ticks();
  if (selftest_is("exit_window")) {
    proc_keep_idle_ticks();
    proc_sleep_in_exit();
  }
}

/* Send device interrupt irq to handler; 0 if the PLIC cannot route it. */
static int route_irq(int irq, void (*handler)(void)) {
  if (plic_enable_irq(irq) < 0)
    return 0;
  trap_register_irq(irq, handler);
  return 1;
}

/* Map the devices and start the console on the UART. */
static void init_devices(void) {
  uart_init(DEVICE_VA(machine.uart_base));
  printf_set_output(uart_putc);
  console_init();
  console_set_dump_hook(proc_dump);
  plic_init(DEVICE_VA(machine.plic_base));
  if (!route_irq(machine.uart_irq, uart_intr))
    panic("device tree: the UART's interrupt %d is out of range", machine.uart_irq);
  if (machine.test_base)
    power_init(DEVICE_VA(machine.test_base));
  lib_set_poweroff(power_off);
  for (int i = 0; i < machine.nvirtio; i++)
    if (virtio_blk_probe(DEVICE_VA(machine.virtio_base[i]), machine.virtio_irq[i]) == 0 &&
        !route_irq(machine.virtio_irq[i], virtio_blk_intr))
      panic("device tree: the disk's interrupt %d is out of range", machine.virtio_irq[i]);
}

/* The UART, the PLIC and the test device, and every virtio slot. */
_Static_assert(3 + MAX_VIRTIO <= MAX_DEVICE_WINDOWS, "mem_layout.devices is too small");

static void init_memory(void) {
  struct mem_layout layout = {.ram_end = machine.ram_base + machine.ram_size};
  uint64 windows[][2] = {{machine.uart_base, machine.uart_size},
                         {machine.plic_base, machine.plic_size},
                         {machine.test_base, machine.test_size}};
  for (int i = 0; i < (int)ARRAY_SIZE(windows); i++)
    if (windows[i][0]) {
      layout.devices[layout.ndevices][0] = windows[i][0];
      layout.devices[layout.ndevices++][1] = windows[i][1];
    }
  for (int i = 0; i < machine.nvirtio; i++) {
    layout.devices[layout.ndevices][0] = machine.virtio_base[i];
    layout.devices[layout.ndevices++][1] = machine.virtio_size[i];
  }
  layout.nstacks = NPROC + ncpu; /* one per process slot, one per hart */
  kalloc_init((uint64)kernel_end, layout.ram_end);
  kvm_init(&layout);
  kvm_enable();
}

/* The first process, running in the kernel: mount the root file system,
 * open the console as fds 0-2, and exec /init with the init.* boot args. */
static void first_process_start(void) {
  struct proc *p = myproc();
  int err = fs_mount(ROOTDEV);
  if (err < 0) {
    printf("init: cannot mount the root file system (error %d); no user programs\n", -err);
    proc_sleep_until(~0UL); /* nothing else can run: keep the harts idle */
  }
  files_set_root_cwd(p);
  // LAB args: console-fds
  if (files_open_console(p, CONSOLE) < 0)
    panic("init: cannot open the console");
  // END LAB args
  err = exec_kernel_args("/init", boot.init_args);
  if (err < 0) {
    printf("init: exec /init failed (error %d)\n", -err);
    proc_sleep_until(~0UL);
  }
  p->tf.regs[REG_A0] = err; /* argc */
  fail_boot_done(); /* injected failures start now, not while mounting */
  task_return_to_user();
}

static void start_first_process(void) {
  if (!virtio_blk_present()) {
    printf("no disk: running without user programs\n");
    return;
  }
  initproc = proc_create("init", first_process_start);
  proc_start(initproc);
}

/* The boot hart starts the first process only once every hart has said it
 * is running, so no boot message lands in the middle of a program's output.
 * It waits in wfi (timer ticks wake it), not spinning. */
static void wait_for_other_harts(void) {
  intr_on();
  while (READ_ONCE(harts_running) < harts_expected)
    wfi();
  intr_off();
}

/* Every hart ends here, on its own guarded kernel stack. */
static void hart_main(void) {
  struct cpu *c = mycpu();
  trap_init_hart();
  plic_init_hart(c->hartid);
  timer_start_hart();
  printf("hart %d: scheduler running\n", c->hartid);
  __sync_fetch_and_add(&harts_running, 1);
  if (c->index == 0) {
    wait_for_other_harts();
    start_first_process();
  }
  scheduler();
}

static void start_other_harts(void) {
  extern char boot_stacks[];
  harts_expected = 1;
  for (int i = 1; i < ncpu; i++) {
    cpus[i].boot_sp = (uint64)boot_stacks + (i + 1) * BOOT_STACK_SIZE;
    if (sbi_hart_start(cpus[i].hartid, (uint64)secondary_entry, (uint64)&cpus[i]) == 0)
      harts_expected++;
    else
      printf("warning: hart %d did not start\n", cpus[i].hartid);
  }
}

/* The boot hart: a0 = hart id, a1 = device tree. */
void kmain(uint64 hartid, uint64 dtb) {
  cpus[0].hartid = hartid;
  write_tp((uint64)&cpus[0]);
  /* OpenSBI leaves stvec at our entry point: catch early faults properly. */
  trap_init_hart();
  printf_set_output(sbi_console_putchar);
  lib_set_poweroff(power_off); /* a panic before the device tree is read still stops */
  dtb_parse(dtb, &machine);
  /* The boot hart is cpu 0; the others follow in device-tree order. */
  ncpu = 1;
  for (int i = 0; i < machine.nharts && ncpu < NCPU; i++)
    if (machine.hartids[i] != (int)hartid) {
      cpus[ncpu].hartid = machine.hartids[i];
      cpus[ncpu].index = ncpu;
      ncpu++;
    }
  init_memory();
  init_devices();
  printf("%s: %d harts, %lu MiB RAM, boot hart %d\n", KERNEL_NAME, ncpu, machine.ram_size / MIB, (int)hartid);
#ifdef DEBUG
  printf("debug kernel: lock checker and freed-page poisoning on (docs/locking.md)\n");
#endif
  parse_bootargs(machine.bootargs);
  timer_init(machine.timebase_hz);
  proc_init(boot.trace, boot.quantum_ms * NS_PER_MS);
  fs_init();
  devsw_register(CONSOLE, console_read, console_write);
  run_boot_selftests();
  start_other_harts();
  run_on_stack(kstack_top(NPROC + 0), hart_main);
}

/* A hart started by SBI: paging is off and it runs on its boot stack. */
void secondary_main(uint64 hartid, struct cpu *c) {
  write_tp((uint64)c);
  trap_init_hart();
  kvm_enable();
  run_on_stack(kstack_top(NPROC + c->index), hart_main);
}
