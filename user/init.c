/*
 * init: the first user process (pid 1).
 *
 * With no arguments it keeps a shell running on the console, starting a
 * new one whenever the old one exits.
 *
 * Booted with init.run=HEX init.marker=WORD (the kernel hands these to init
 * as the arguments "run=HEX" and "marker=WORD") it runs one command line
 * instead, for a script on the host:
 *
 *   WORD begin
 *   ...output of sh -c COMMAND, where COMMAND is HEX decoded...
 *   WORD end STATUS
 *
 * and then powers the machine off with STATUS as QEMU's exit status.
 *
 * Either way, init is also the parent of every orphaned process, so
 * whenever it waits it also collects ("reaps") those.
 */
#include "kernel/types.h"
#include "user/user.h"

#define SHELL_PATH "/sh"
#define RUN_PREFIX "run="
#define MARKER_PREFIX "marker="
#define STATUS_MASK 0xff     /* exit statuses are reported as 0..255 */
#define STATUS_CANNOT_RUN 127
#define RETRY_TICKS 100      /* pause before retrying a failed fork */

/* Starts "sh" with the given argument vector; returns its pid, or -1. */
static int
start_shell(char **argv)
{
  int pid = fork();
  if (pid < 0) {
    fprintf(2, "init: fork: %s\n", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    exec(SHELL_PATH, argv);
    fprintf(2, "init: exec %s: %s\n", SHELL_PATH, strerror(errno));
    exit(STATUS_CANNOT_RUN);
  }
  return pid;
}

/* Waits until child `pid` exits, reaping orphans that exit meanwhile.
 * Returns its exit status. */
static int
wait_for_child(int pid)
{
  for (;;) {
    int status;
    int exited = wait(&status);
    if (exited == pid)
      return status;
    if (exited < 0) {
      // Cannot happen while `pid` is our child; report rather than spin.
      fprintf(2, "init: wait: %s\n", strerror(errno));
      return -1;
    }
  }
}

__attribute__((noreturn)) static void
run_console_shell_forever(void)
{
  char *argv[] = { "sh", 0 };

  for (;;) {
    int pid = start_shell(argv);
    if (pid < 0) {
      sleep(RETRY_TICKS);
      continue;
    }
    wait_for_child(pid);
    printf("init: restarting sh\n");
  }
}

/* Value of one hexadecimal digit (lowercase only), or -1. */
static int
hex_digit(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Decodes two hex digits per byte into a new string; 0 if malformed. */
static char *
decode_hex(const char *hex)
{
  int len = strlen(hex);
  if (len % 2 != 0)
    return 0;

  char *text = malloc(len / 2 + 1);
  if (text == 0)
    return 0;
  for (int i = 0; i < len / 2; i++) {
    int high = hex_digit(hex[2 * i]);
    int low = hex_digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      free(text);
      return 0;
    }
    text[i] = high * 16 + low;
  }
  text[len / 2] = 0;
  return text;
}

/* Runs sh -c command between the marker lines, then powers off. */
__attribute__((noreturn)) static void
run_script_command(char *command, const char *marker)
{
  char *argv[] = { "sh", "-c", command, 0 };

  printf("%s begin\n", marker);
  int status = -1;
  int pid = start_shell(argv);
  if (pid >= 0)
    status = wait_for_child(pid);
  status &= STATUS_MASK;
  printf("\n%s end %d\n", marker, status);
  poweroff(status);
}

static int
starts_with(const char *s, const char *prefix)
{
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* What the boot arguments ask for; both 0 means the console shell. */
struct boot_settings {
  char *command;      /* decoded from run=HEX */
  const char *marker; /* from marker=WORD */
};

/* Records one argument in *settings; returns -1 if it is malformed. */
static int
parse_argument(char *arg, struct boot_settings *settings)
{
  if (starts_with(arg, RUN_PREFIX)) {
    settings->command = decode_hex(arg + strlen(RUN_PREFIX));
    return settings->command != 0 ? 0 : -1;
  }
  if (starts_with(arg, MARKER_PREFIX)) {
    settings->marker = arg + strlen(MARKER_PREFIX);
    return *settings->marker != 0 ? 0 : -1;
  }
  return -1;
}

int
main(int argc, char **argv)
{
  struct boot_settings settings = { 0, 0 };

  for (int i = 1; i < argc; i++) {
    if (parse_argument(argv[i], &settings) < 0) {
      fprintf(2, "init: bad argument: %s\n", argv[i]);
      run_console_shell_forever();
    }
  }

  if (settings.command != 0 && settings.marker != 0)
    run_script_command(settings.command, settings.marker);
  if (settings.command != 0 || settings.marker != 0)
    fprintf(2, "init: bad argument: run= and marker= must be given together\n");
  run_console_shell_forever();
}
