"""Helpers shared by the user-land and shell tests: run a command line in
a fresh Rivet with osrun and check its exact output, or boot to the
interactive shell."""

import rivet

OSRUN_TIMEOUT = 15
# osrun hex-encodes the command line into the kernel's boot arguments,
# which keep 8 KiB (kernel/dev/dev.h, BOOTARGS_MAX) including the marker.
MAX_CMDLINE = 4000


def run(t, cmdline, timeout=OSRUN_TIMEOUT):
    """osrun ``cmdline``; fail unless the command finished (reason ok)."""
    if len(cmdline) > MAX_CMDLINE:
        t.fail("test bug: command line of %d bytes is too long for osrun" % len(cmdline))
    res = t.osrun(cmdline, timeout=timeout)
    if res.reason != "ok":
        t.fail("%r: %s (%s); output so far: %r"
               % (cmdline[:60], res.reason, res.message, res.stdout[-300:]))
    return res


def expect(t, cmdline, want_stdout, want_status=0, timeout=OSRUN_TIMEOUT):
    """osrun ``cmdline`` and require exactly ``want_stdout`` and status."""
    res = run(t, cmdline, timeout)
    t.check_equal(res.stdout, want_stdout, "output of %r" % cmdline[:60])
    t.check_equal(res.status, want_status, "exit status of %r" % cmdline[:60])
    return res


def lines(*ls):
    return "".join(line + "\n" for line in ls)


def shell_boot(t, timeout=55):
    """Boot to the interactive shell, check that every hart announced
    itself, then type an empty line so that the cursor sits just after a
    fresh prompt."""
    r = t.boot(image=rivet.default_image(), timeout=timeout)
    r.wait_prompt(timeout=15)
    r.cursor = 0
    r.expect_all([r"^hart %d: scheduler running$" % i for i in range(r.cpus)], timeout=10)
    r.wait_quiet(0.3, timeout=5)
    mark = len(r.console)
    r.send("\n")
    r.cursor = mark
    r.wait_prompt(timeout=10)
    return r
