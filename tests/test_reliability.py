"""Reliability fixes (issue 11, "Found"): each test here failed before its
fix.

  fs_pipefault          a pipe read into a bad buffer keeps the bytes it
                        could not deliver (fstest pipefault)
  fault_in_print_panic  a hart that faults while holding the print lock still
                        prints its panic report and powers off with status 101
"""

import rivet
from testlib import NEEDS_FS, test

WAIT = 15  # seconds for any single console line


@test("fs_pipefault", groups=[NEEDS_FS, "fs"], timeout=90)
def fs_pipefault(t):
    """fstest pipefault: a read into a bad (or partly bad) buffer leaves the undelivered bytes in the pipe"""
    t.run_guest_test("fstest", "pipefault", timeout=60)


@test("fault_in_print_panic", groups=["boot", "panic"], timeout=40)
def fault_in_print_panic(t):
    """selftest=fault_in_print: a fault while holding the print lock still reports and exits 101"""
    with t.boot(bootargs="selftest=fault_in_print", timeout=30) as r:
        try:
            r.expect(r"^panic: kernel trap: ", timeout=WAIT, panic_ok=True)
        except rivet.ExpectTimeout:
            t.fail("expected a 'panic: kernel trap: ' line within %d s, saw none "
                   "(the panic waits for the print lock its own hart holds?)" % WAIT)
        status = r.wait_exit(timeout=10)
        t.check_equal(status, rivet.PANIC_EXIT_STATUS, "QEMU exit status after a fault in printf")
