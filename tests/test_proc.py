"""Process tests: each runs one subtest of the in-guest program proctest
(user/proctest.c) in a fresh Rivet and requires its verdict line
`proctest: PASS TOKEN`.

Most subtests run on the default number of harts. Some need a particular
machine:
  fair   one hart, so the four CPU-bound children share it; and -icount, so
         guest time is counted in instructions: with real time, whenever
         the host deschedules QEMU the child that happens to be running is
         charged for the gap, which on a busy host is enough to break the
         10% tolerance although the scheduler is fair.
  harts  four harts, to see that every one of them runs user processes.
  wnohang, fifo  -icount (fifo on one hart: woken children would run side
         by side on several): run only when named, as wake and sleep.
  wake, sleep  -icount (3 harts), because they check guest-time bounds a
         loaded host would break: a new process starts on an idle hart
         within a tick; sleep(n) lasts n to n + 1.1 ticks.
         proctest runs them only when named (not in proc_all or usertests).
"""

import os
import re

from testlib import NEEDS_FS, test

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))

GROUPS = [NEEDS_FS, "proc"]
TIMEOUT = 120   # whole test: boot plus a subtest of a few seconds, on a busy host

# What the host adds to each subtest of proctest: the machine it needs
# (osrun keywords) and a description. The list of subtests itself is
# proctest's own table (user/proctest.c, also `proctest --list`).
MACHINE_AND_DOC = {
    "status": ({}, "exit statuses 0, 1, 42, 255 and -1 (fault) reach wait"),
    # LAB procapi: proc-tests
    "waitpid": ({}, "waitpid: a given pid, WNOHANG, ECHILD"),
    "kill": ({}, "kill a running, sleeping, pipe-blocked, suspended child; a zombie"),
    "suspend": ({}, "suspend stops a child, resume restarts it; a sleeper shows SUSPENDED"),
    "badpids": ({}, "kill/suspend/resume of pid 1 (EPERM) and unknown pids (ESRCH)"),
    "getprocs": ({}, "getprocs shows READY/RUNNING, BLOCKED, SUSPENDED and ZOMBIE children"),
    "wnohang": ({"icount": True}, "waitpid WNOHANG never blocks (guest time)"),
    # END LAB procapi
    # LAB sched: proc-tests
    "fair": ({"cpus": 1, "icount": True, "timeout": 100},
             "round robin: 4 spinners on 1 hart get equal CPU time"),
    "preempt": ({}, "spinning children cannot starve the parent"),
    "csw": ({}, "voluntary and involuntary context switches are counted"),
    "fifo": ({"cpus": 1, "icount": True}, "one hart: woken children run in the order woken"),
    # END LAB sched
    "forkfull": ({}, "fork until EAGAIN, release and reap all, fork again"),
    "orphan": ({}, "an orphan gets ppid 1 and init reaps it"),
    "harts": ({"cpus": 4}, "user processes run on all 4 harts"),
    # LAB syscall: proc-sysinfo
    "sysinfo": ({}, "sysinfo: ncpu, memory, uptime and nproc make sense"),
    # END LAB syscall
    "enosys": ({}, "unknown system call numbers return -ENOSYS"),
    "badptr": ({}, "bad user pointers give EFAULT and do not kill the caller"),
    "wake": ({"cpus": 3, "icount": True},
             "a new process starts on an idle hart within a tick (guest time) while its parent spins"),
    "sleep": ({"cpus": 3, "icount": True},
              "sleep(1, 7, 50 ticks) lasts n to n + 1.1 ticks of guest time"),
}


def proctest_subtests():
    """(name, on_request) of each entry of user/proctest.c's subtests[] table, in order."""
    with open(os.path.join(ROOT, "user", "proctest.c")) as f:
        src = f.read()
    table = src[src.index("static const struct subtest subtests[] = {"):]
    return [(name, flags.strip() == "SUBTEST_ON_REQUEST") for name, flags in
            re.findall(r'\{"(\w+)", test_\w+(?:, *(\w+))?\}', table[:table.index("};")])]


# Every subtest of the table has a host test here, except subtests that run
# only when named (in a lab's handout, the lab's own tests name them).
SUBTEST_NAMES = [name for name, _ in proctest_subtests()]
_UNLISTED = [name for name, on_request in proctest_subtests()
             if name not in MACHINE_AND_DOC and not on_request]
if _UNLISTED or set(MACHINE_AND_DOC) - set(SUBTEST_NAMES):
    raise RuntimeError("tests/test_proc.py: MACHINE_AND_DOC names %s, user/proctest.c's table %s"
                       % (sorted(MACHINE_AND_DOC), sorted(SUBTEST_NAMES)))
SUBTESTS = [(name,) + MACHINE_AND_DOC[name] for name in SUBTEST_NAMES if name in MACHINE_AND_DOC]


def register(subtest, osrun_kw, doc):
    def run(t):
        t.run_guest_test("proctest", subtest, **osrun_kw)
    run.__doc__ = "proctest %s: %s" % (subtest, doc)
    test("proc_" + subtest, groups=GROUPS, timeout=TIMEOUT)(run)


for _subtest, _kw, _doc in SUBTESTS:
    register(_subtest, _kw, _doc)


@test("proc_all", groups=GROUPS, timeout=180)
def proc_all(t):
    """proctest with no subtest: all of them in one boot; free memory is back at the end"""
    t.run_guest_test("proctest", timeout=150)
