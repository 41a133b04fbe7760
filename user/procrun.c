/*
 * procrun: the textbook's process-run homework, on a real kernel.
 *
 *   procrun -l X:Y[,X:Y...] [-L IOLEN] [-u MS] [-s SEED] [-c] [-p] [-o FILE]
 *
 * Each -l entry is one process with X units of work, each unit using the
 * CPU with probability Y% and otherwise doing an I/O. A CPU unit spins for
 * one unit of time (-u MS, default 10 ms, one clock tick). An I/O unit, as
 * in the simulator, takes a unit of CPU to issue the request (RUN:io),
 * then waits IOLEN units (-L, default 5) on the clock, a real sleep in the
 * kernel (BLOCKED), then takes a unit of CPU to finish (RUN:io_done).
 *
 * procrun prints the question (each process's units), starts the processes
 * together, and records every state change the kernel makes meanwhile
 * (the staterec system call). With -c it prints the homework's table,
 * built from that record: one row per unit of time, a column per process,
 * whether the CPU was busy and how many I/Os were in flight, a '*' where
 * an I/O finished. -p prints the totals. -o FILE writes the raw record, in
 * the same text form as the kernel's trace=1 lines (scripts/timeline
 * draws it). docs/processes.md says where Rivet differs from the simulator.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define MAX_PROCS 8
#define MAX_UNITS 100            /* units per process */
#define MAX_ROWS 2000            /* table rows */
#define MAX_RUNS 4096            /* running intervals of all processes */
#define DEFAULT_UNIT_MS 10
#define DEFAULT_IO_UNITS 5
#define MS_PER_TICK 10           /* the kernel's clock tick: sleep()'s unit */
#define NS_PER_MS 1000000UL
#define CALIBRATION_LOOPS 200000 /* spins timed to learn the hart's speed */
#define CALIBRATION_TRIES 3      /* the fastest try wins (a tick may land in one) */
#define GATE_POLLS 500           /* ticks to wait for the children to reach the gate */
#define PERCENT_HUNDREDTHS 10000
#define CLOCK_WAIT "tick"        /* the kernel's name for a sleep() wait: its lock's (staterec.h) */
#define GATE_WAIT "pipe"
#define HIDDEN_FRACTION 4        /* a stretch of a quarter unit with no row is worth a note */

enum unit_kind { UNIT_CPU, UNIT_IO };

/* How a process appears in one row of the table. */
enum cell {
  CELL_NONE,  /* not started yet */
  CELL_READY,
  CELL_RUN,   /* refined to RUN:cpu, RUN:io or RUN:io_done once all rows exist */
  CELL_RUN_CPU,
  CELL_RUN_IO,
  CELL_RUN_IO_DONE,
  CELL_BLOCKED,  /* waiting on the clock: an I/O in flight */
  CELL_WAITING,  /* blocked on anything else (its gate, the disk...) */
  CELL_SUSPENDED,
  CELL_DONE,
};

static const char *cell_names[] = {
    [CELL_NONE] = "",           [CELL_READY] = "READY",          [CELL_RUN] = "RUN",
    [CELL_RUN_CPU] = "RUN:cpu", [CELL_RUN_IO] = "RUN:io",        [CELL_RUN_IO_DONE] = "RUN:io_done",
    [CELL_BLOCKED] = "BLOCKED", [CELL_WAITING] = "WAITING",      [CELL_SUSPENDED] = "SUSPENDED",
    [CELL_DONE] = "DONE",
};

static const char *state_names[PROC_NSTATES] = {
    [PROC_UNUSED] = "unused",   [PROC_NEW] = "new",         [PROC_READY] = "ready",
    [PROC_RUNNING] = "running", [PROC_BLOCKED] = "blocked", [PROC_SUSPENDED] = "suspended",
    [PROC_ZOMBIE] = "zombie",
};

/* The kernel's reasons (kernel/staterec.h), spelled as in its trace lines. */
static const char *why_names[WHY_NREASONS] = {
    [WHY_CREATED] = "created",     [WHY_STARTED] = "started", [WHY_DISPATCHED] = "dispatched",
    [WHY_PREEMPTED] = "preempted", [WHY_YIELDED] = "yielded", [WHY_BLOCKED] = "blocked",
    [WHY_WOKEN] = "woken",         [WHY_KILLED] = "killed",   [WHY_SUSPENDED] = "suspended",
    [WHY_RESUMED] = "resumed",     [WHY_EXITED] = "exited",   [WHY_REAPED] = "reaped",
};

static struct {
  int nprocs;
  int nunits[MAX_PROCS];
  char units[MAX_PROCS][MAX_UNITS]; /* enum unit_kind */
  int io_units;                     /* -L */
  int unit_ms;                      /* -u */
  uint seed;                        /* -s */
  int show_answer, show_stats;      /* -c, -p */
  char *record_file;                /* -o */
} opt;

static int pids[MAX_PROCS];

/* What the record says, as a table (filled by build_table). */
static struct {
  int nrows;
  char cell[MAX_ROWS][MAX_PROCS];   /* enum cell */
  short run[MAX_ROWS][MAX_PROCS];   /* running interval of a CELL_RUN cell */
  char io_finished[MAX_ROWS];       /* an I/O completed as this row began: '*' */
  int run_ends_in_io[MAX_RUNS];     /* the interval ended by waiting on the clock */
  int run_after_io[MAX_RUNS];       /* the first interval after such a wait */
  int nruns;                        /* run 0 means "none yet" */
  int hidden;                       /* stretches too short to get a row */
} table = {.nruns = 1};

static void usage(void) {
  fprintf(2, "usage: procrun -l X:Y[,X:Y...] [-L IOLEN] [-u MS] [-s SEED] [-c] [-p] [-o FILE]\n"
             "  -l  one process per X:Y: X units of work, each a CPU unit with chance Y%%\n"
             "  -L  how many units an I/O waits (default %d)\n"
             "  -u  length of a unit in ms (default %d, one clock tick)\n"
             "  -s  random seed for choosing CPU or I/O (default 0)\n"
             "  -c  print the table of what happened; -p print the totals\n"
             "  -o  write the kernel's record of state changes to FILE\n",
          DEFAULT_IO_UNITS, DEFAULT_UNIT_MS);
  exit(1);
}

/* --- the question --- */

static uint random_state;
static uint next_random(void) { /* xorshift32: same seed, same processes */
  random_state ^= random_state << 13;
  random_state ^= random_state >> 17;
  random_state ^= random_state << 5;
  return random_state;
}

/* Parse "X:Y" into process i's units; 0 or -1. */
static int parse_process(char *spec, int i) {
  char *colon = strchr(spec, ':');
  int count, cpu_percent;
  if (colon == 0)
    return -1;
  *colon = 0;
  if (parse_int(spec, &count) < 0 || parse_int(colon + 1, &cpu_percent) < 0 || count < 0 ||
      count > MAX_UNITS || cpu_percent < 0 || cpu_percent > 100)
    return -1;
  opt.nunits[i] = count;
  for (int u = 0; u < count; u++)
    opt.units[i][u] = (int)(next_random() % 100) < cpu_percent ? UNIT_CPU : UNIT_IO;
  return 0;
}

static void parse_processes(char *list) {
  random_state = opt.seed * 2654435761u + 1; /* never 0: xorshift would stay there */
  while (*list) {
    char *comma = strchr(list, ',');
    if (comma)
      *comma = 0;
    if (opt.nprocs == MAX_PROCS || parse_process(list, opt.nprocs) < 0) {
      fprintf(2, "procrun: bad -l entry '%s' (X:Y, 0<=X<=%d, 0<=Y<=100, at most %d processes)\n", list,
              MAX_UNITS, MAX_PROCS);
      exit(1);
    }
    opt.nprocs++;
    if (comma == 0)
      break;
    list = comma + 1;
  }
}

static int number_arg(char *s, char *what, int min) {
  int n;
  if (s == 0 || parse_int(s, &n) < 0 || n < min) {
    fprintf(2, "procrun: %s needs a number >= %d\n", what, min);
    usage();
  }
  return n;
}

static void parse_options(int argc, char **argv) {
  char *list = 0;
  int seed = 0;
  opt.io_units = DEFAULT_IO_UNITS;
  opt.unit_ms = DEFAULT_UNIT_MS;
  for (int i = 1; i < argc; i++) {
    char *a = argv[i], *value = i + 1 < argc ? argv[i + 1] : 0;
    if (strcmp(a, "-l") == 0 && value)
      list = argv[++i];
    else if (strcmp(a, "-L") == 0)
      opt.io_units = number_arg(value, "-L", 0), i++;
    else if (strcmp(a, "-u") == 0)
      opt.unit_ms = number_arg(value, "-u", 1), i++;
    else if (strcmp(a, "-s") == 0)
      seed = number_arg(value, "-s", 0), i++;
    else if (strcmp(a, "-o") == 0 && value)
      opt.record_file = argv[++i];
    else if (strcmp(a, "-c") == 0)
      opt.show_answer = 1;
    else if (strcmp(a, "-p") == 0)
      opt.show_stats = 1;
    else if (strcmp(a, "-S") == 0 || strcmp(a, "-I") == 0) {
      fprintf(2, "procrun: %s is the simulator's policy switch; on Rivet the kernel's round robin decides\n", a);
      exit(1);
    } else
      usage();
  }
  if (list == 0)
    usage();
  opt.seed = seed;
  parse_processes(list);
}

static void print_question(void) {
  for (int i = 0; i < opt.nprocs; i++) {
    printf("Process %d\n", i);
    for (int u = 0; u < opt.nunits[i]; u++)
      printf("  %s\n", opt.units[i][u] == UNIT_CPU ? "cpu" : "io\n  io_done");
    printf("\n");
  }
  printf("A unit is %d ms. A cpu unit spins for one unit; an io takes one unit to issue,\n"
         "waits %d units on the clock, then takes one unit to finish (io_done).\n",
         opt.unit_ms, opt.io_units);
  if (!opt.show_answer)
    printf("What will the processes' states be at each unit of time? procrun -c shows what Rivet did.\n");
}

/* --- running the processes --- */

static volatile uint64 spin_counter;

/* Not inlined: every unit must run this very loop, the one calibrate() timed. */
__attribute__((noinline)) static void spin(uint64 loops) {
  for (uint64 i = 0; i < loops; i++)
    spin_counter++;
}

/* Loops of spin() that take one unit on this hart. */
static uint64 calibrate(void) {
  uint64 fastest = ~0UL;
  for (int t = 0; t < CALIBRATION_TRIES; t++) {
    uint64 start = uptime_ns();
    spin(CALIBRATION_LOOPS);
    uint64 took = uptime_ns() - start;
    if (took < fastest)
      fastest = took;
  }
  if (fastest == 0)
    fastest = 1;
  return (uint64)opt.unit_ms * NS_PER_MS * CALIBRATION_LOOPS / fastest;
}

/* A child: wait at the gate until all are ready, then do the work. */
static void run_process(int i, int gate, uint64 loops_per_unit) {
  char go;
  int io_ticks = (opt.io_units * opt.unit_ms + MS_PER_TICK - 1) / MS_PER_TICK;
  if (read(gate, &go, 1) != 1)
    exit(1);
  for (int u = 0; u < opt.nunits[i]; u++) {
    spin(loops_per_unit);
    if (opt.units[i][u] == UNIT_IO) {
      sleep(io_ticks);
      spin(loops_per_unit);
    }
  }
  exit(0);
}

/* Wait until every child sleeps at its gate, so they start together. */
static int wait_at_gates(void) {
  for (int poll = 0; poll < GATE_POLLS; poll++) {
    int waiting = 0;
    struct procinfo info;
    for (int i = 0; i < opt.nprocs; i++)
      waiting += procinfo(pids[i], &info) == 0 && info.state == PROC_BLOCKED;
    if (waiting == opt.nprocs)
      return 0;
    sleep(1);
  }
  return -1;
}

static void run_processes(void) {
  int gates[MAX_PROCS][2];
  uint64 loops = calibrate();
  if (staterec(STATEREC_START, 0, 0) < 0) {
    fprintf(2, "procrun: staterec: %s\n", strerror(errno));
    exit(1);
  }
  for (int i = 0; i < opt.nprocs; i++) {
    if (pipe(gates[i]) < 0 || (pids[i] = fork()) < 0) {
      fprintf(2, "procrun: cannot start process %d: %s\n", i, strerror(errno));
      exit(1);
    }
    if (pids[i] == 0) {
      for (int j = 0; j <= i; j++) /* only the parent may open a gate */
        close(gates[j][1]);
      run_process(i, gates[i][0], loops);
    }
    close(gates[i][0]);
  }
  if (wait_at_gates() < 0)
    fprintf(2, "procrun: the processes did not all reach the start; starting anyway\n");
  for (int i = 0; i < opt.nprocs; i++)
    if (write(gates[i][1], "g", 1) != 1)
      fprintf(2, "procrun: cannot start process %d\n", i);
  for (int i = 0; i < opt.nprocs; i++) {
    wait(0);
    close(gates[i][1]);
  }
  staterec(STATEREC_STOP, 0, 0);
}

/* --- the record --- */

static struct statechange *changes;
static int nchanges;

/* Read the whole record; returns how many changes the kernel dropped. */
static uint64 read_record(void) {
  struct staterec_status st;
  if (staterec(STATEREC_STATUS, &st, 0) < 0) {
    fprintf(2, "procrun: staterec: %s\n", strerror(errno));
    exit(1);
  }
  changes = malloc(st.capacity * sizeof *changes);
  if (changes == 0) {
    fprintf(2, "procrun: out of memory for the record\n");
    exit(1);
  }
  int n;
  while (nchanges < st.capacity &&
         (n = staterec(STATEREC_READ, changes + nchanges, st.capacity - nchanges)) > 0)
    nchanges += n;
  return st.dropped;
}

static const char *name_of(const char **names, int n, int i) {
  return i >= 0 && i < n && names[i] ? names[i] : "?";
}

static void print_change(int fd, struct statechange *c) {
  fprintf(fd, "trace: t=%lu hart=%d pid=%d %s -> %s why=%s%s%s\n", c->time_ns, c->hartid, c->pid,
          name_of(state_names, PROC_NSTATES, c->old_state), name_of(state_names, PROC_NSTATES, c->new_state),
          name_of(why_names, WHY_NREASONS, c->why), c->new_state == PROC_BLOCKED ? " wait=" : "",
          c->new_state == PROC_BLOCKED ? c->wait : "");
}

static void write_record(uint64 dropped) {
  int fd = open(opt.record_file, O_CREATE | O_WRONLY | O_TRUNC);
  if (fd < 0) {
    fprintf(2, "procrun: cannot write %s: %s\n", opt.record_file, strerror(errno));
    exit(1);
  }
  fprintf(fd, "# procrun record: unit=%d ms\n", opt.unit_ms);
  for (int i = 0; i < opt.nprocs; i++)
    fprintf(fd, "# label pid=%d name=P%d\n", pids[i], i);
  if (dropped)
    fprintf(fd, "# dropped=%lu (the kernel's record was full)\n", dropped);
  for (int i = 0; i < nchanges; i++)
    print_change(fd, &changes[i]);
  close(fd);
}

/* --- the table --- */

static int process_index(int pid) {
  for (int i = 0; i < opt.nprocs; i++)
    if (pids[i] == pid)
      return i;
  return -1;
}

/* The table starts when the first process leaves its gate and ends when
 * the last one exits. 0, or -1 if the record lacks either. */
static int find_span(uint64 *start, uint64 *end) {
  int at_gate[MAX_PROCS] = {0}, started = 0, exited = 0;
  for (int k = 0; k < nchanges; k++) {
    struct statechange *c = &changes[k];
    int i = process_index(c->pid);
    if (i < 0)
      continue;
    if (c->why == WHY_BLOCKED && strcmp(c->wait, GATE_WAIT) == 0 && !at_gate[i])
      at_gate[i] = 1;
    else if (c->why == WHY_WOKEN && at_gate[i] == 1) {
      at_gate[i] = 2;
      if (started++ == 0)
        *start = c->time_ns;
    } else if (c->why == WHY_EXITED) {
      exited++;
      *end = c->time_ns;
    }
  }
  return started == opt.nprocs && exited == opt.nprocs ? 0 : -1;
}

static int is_running(int cell) { return cell >= CELL_RUN && cell <= CELL_RUN_IO_DONE; }

static enum cell cell_for(struct statechange *c) {
  switch (c->new_state) {
  case PROC_READY: return CELL_READY;
  case PROC_RUNNING: return CELL_RUN;
  case PROC_BLOCKED: return strcmp(c->wait, CLOCK_WAIT) == 0 ? CELL_BLOCKED : CELL_WAITING;
  case PROC_SUSPENDED: return CELL_SUSPENDED;
  case PROC_ZOMBIE:
  case PROC_UNUSED: return CELL_DONE;
  default: return CELL_NONE;
  }
}

/* Per process, as the sweep goes: its cell, its running interval, and
 * whether its last wait was on the clock (an I/O in flight). */
static struct {
  char cell[MAX_PROCS];
  short run[MAX_PROCS];
  char in_io[MAX_PROCS];
  char after_io[MAX_PROCS];
  int io_finished; /* an I/O finished since the last row */
} now;

/* Row r covers the (r+1)th unit of time after start. The rows that end by
 * time t: t's distance from start in units, rounded. */
static uint64 rows_until(uint64 start, uint64 t) {
  uint64 unit_ns = (uint64)opt.unit_ms * NS_PER_MS;
  return (t - start + unit_ns / 2) / unit_ns;
}

/* Rows for the time from..to, in which nothing changed. A stretch too
 * short to reach a row's middle gets none: it is counted as hidden. */
static void add_rows(uint64 start, uint64 from, uint64 to) {
  uint64 rows = rows_until(start, to) - rows_until(start, from);
  if (rows == 0 && (to - from) * HIDDEN_FRACTION >= (uint64)opt.unit_ms * NS_PER_MS)
    table.hidden++;
  for (uint64 r = 0; r < rows && table.nrows < MAX_ROWS; r++, table.nrows++) {
    memmove(table.cell[table.nrows], now.cell, sizeof now.cell);
    memmove(table.run[table.nrows], now.run, sizeof now.run);
    table.io_finished[table.nrows] = now.io_finished;
    now.io_finished = 0;
  }
}

static void apply_change(int i, struct statechange *c) {
  now.cell[i] = cell_for(c);
  if (c->why == WHY_DISPATCHED && table.nruns < MAX_RUNS) {
    now.run[i] = table.nruns++;
    table.run_after_io[now.run[i]] = now.after_io[i];
    now.after_io[i] = 0;
  } else if (c->why == WHY_BLOCKED) {
    now.in_io[i] = now.cell[i] == CELL_BLOCKED;
    table.run_ends_in_io[now.run[i]] = now.in_io[i];
  } else if (c->old_state == PROC_BLOCKED && now.in_io[i]) {
    now.in_io[i] = 0;
    now.after_io[i] = 1;
    now.io_finished = 1;
  }
}

/* In a stretch of rows where a process runs one interval, the last row
 * issued an I/O if the interval ended waiting on the clock, and the first
 * row finished one if the interval came right after such a wait. */
static void name_running_cells(void) {
  for (int i = 0; i < opt.nprocs; i++)
    for (int r = 0; r < table.nrows; r++) {
      if (table.cell[r][i] != CELL_RUN)
        continue;
      int run = table.run[r][i];
      int first = r == 0 || !is_running(table.cell[r - 1][i]) || table.run[r - 1][i] != run;
      int last = r + 1 == table.nrows || table.cell[r + 1][i] != CELL_RUN || table.run[r + 1][i] != run;
      if (last && table.run_ends_in_io[run])
        table.cell[r][i] = CELL_RUN_IO;
      else if (first && table.run_after_io[run])
        table.cell[r][i] = CELL_RUN_IO_DONE;
      else
        table.cell[r][i] = CELL_RUN_CPU;
    }
}

static int build_table(void) {
  uint64 start = 0, end = 0;
  if (find_span(&start, &end) < 0)
    return -1;
  uint64 from = start;
  for (int k = 0; k < nchanges; k++) {
    struct statechange *c = &changes[k];
    int i = process_index(c->pid);
    if (i < 0)
      continue;
    if (c->time_ns > from && c->time_ns <= end) {
      add_rows(start, from, c->time_ns);
      from = c->time_ns;
    }
    apply_change(i, c);
  }
  name_running_cells();
  return 0;
}

static int cpu_busy(int r) {
  for (int i = 0; i < opt.nprocs; i++)
    if (is_running(table.cell[r][i]))
      return 1;
  return 0;
}

/* I/Os in flight during row r: processes blocked on the clock. */
static int ios_in_flight(int r) {
  int n = 0;
  for (int i = 0; i < opt.nprocs; i++)
    n += table.cell[r][i] == CELL_BLOCKED;
  return n;
}

static void print_table(void) {
  printf("\n%-6s", "Time");
  for (int i = 0; i < opt.nprocs; i++)
    printf(" %13s%d", "PID: ", i);
  printf(" %6s %6s\n", "CPU", "IOs");
  for (int r = 0; r < table.nrows; r++) {
    printf("%4d%c ", r + 1, table.io_finished[r] ? '*' : ' ');
    for (int i = 0; i < opt.nprocs; i++)
      printf(" %14s", cell_names[(int)table.cell[r][i]]);
    int ios = ios_in_flight(r);
    printf(" %6s", cpu_busy(r) ? "1" : "");
    if (ios)
      printf(" %6d", ios);
    printf("\n");
  }
}

static void print_percent(const char *what, int busy, int total) {
  int hundredths = total ? (busy * PERCENT_HUNDREDTHS * 2 + total) / (2 * total) : 0;
  printf("Stats: %s %d (%d.%02d%%)\n", what, busy, hundredths / 100, hundredths % 100);
}

static void print_stats(void) {
  int cpu = 0, io = 0;
  for (int r = 0; r < table.nrows; r++) {
    cpu += cpu_busy(r);
    io += ios_in_flight(r) > 0;
  }
  printf("\nStats: Total Time %d\n", table.nrows);
  print_percent("CPU Busy", cpu, table.nrows);
  print_percent("IO Busy ", io, table.nrows);
}

int main(int argc, char **argv) {
  parse_options(argc, argv);
  print_question();
  run_processes();
  uint64 dropped = read_record();
  if (opt.record_file)
    write_record(dropped);
  if (dropped) {
    fprintf(2, "procrun: the kernel's record was full: %lu state changes lost, no table\n", dropped);
    exit(1);
  }
  if (!opt.show_answer && !opt.show_stats)
    exit(0);
  if (build_table() < 0) {
    fprintf(2, "procrun: the record does not show every process start and exit\n");
    exit(1);
  }
  printf("\n");
  for (int i = 0; i < opt.nprocs; i++)
    printf("PID: %d is pid %d. ", i, pids[i]);
  printf("\n");
  if (opt.show_answer)
    print_table();
  if (table.hidden)
    printf("Note: %d times the processes changed state for less than a unit; a smaller -u shows them.\n",
           table.hidden);
  if (opt.show_stats)
    print_stats();
  exit(0);
}
