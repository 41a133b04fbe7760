/*
 * failctl: control fault injection (boot argument fail=..., see docs/boot.md).
 *
 *   failctl          print the report: for each site, the calls made while
 *                    armed and how many of them failed on purpose
 *   failctl on       start injecting failures
 *   failctl off      stop
 *
 * A run of `failctl` while armed may itself be hit (its report is copied
 * out like any other system call's result); `failctl off` first avoids it.
 */
#include "kernel/types.h"
#include "user/user.h"

static const char *const SITE_NAMES[FAIL_NSITES] = {"kalloc", "disk", "copy"};

static int
report(void)
{
  struct fail_report r;
  if (failctl(FAILCTL_REPORT, &r) < 0) {
    fprintf(2, "failctl: report: %s\n", strerror(errno));
    return 1;
  }
  printf("failctl: %s, %s, seed %lu\n", r.configured ? "configured" : "not configured",
         r.armed ? "armed" : "not armed", r.seed);
  for (int i = 0; i < FAIL_NSITES; i++)
    printf("failctl: site %s calls %lu failed %lu\n", SITE_NAMES[i], r.calls[i], r.failed[i]);
  return 0;
}

int
main(int argc, char *argv[])
{
  if (argc == 1)
    return report();
  if (argc == 2 && strcmp(argv[1], "on") == 0) {
    if (failctl(FAILCTL_ARM, 0) < 0) {
      fprintf(2, "failctl: on: %s (boot with fail=SITE:RATE,...)\n", strerror(errno));
      return 1;
    }
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "off") == 0)
    return failctl(FAILCTL_DISARM, 0) < 0;
  fprintf(2, "usage: failctl [on|off]\n");
  return 2;
}
