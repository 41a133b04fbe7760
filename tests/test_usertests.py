"""usertests (user/usertests.c): runs the in-guest test programs proctest,
exectest and fstest in one boot and requires its verdict line
`usertests: PASS TOKEN`.

usertests_quick runs `usertests TOKEN -q`: every subtest of the three
programs in a process of its own, except the slow ones (proctest fair,
fstest big and full). Besides the verdict it checks that each program had
runs, that all of them were ok, and that no slow subtest ran.
"""

import re

from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "usertests"]
PROGRAMS = ("proctest", "exectest", "fstest")
SLOW = {("proctest", "fair"), ("fstest", "big"), ("fstest", "full")}

# One line per run: "usertests: PROG SUBTEST: ok (T ms)" or "...: FAILED (...)".
RUN_LINE = re.compile(r"^usertests: (\S+) (\S+): (ok \(\d+ ms\)|FAILED .*)$", re.M)


@test("usertests_quick", groups=GROUPS, timeout=240)
def usertests_quick(t):
    """usertests -q: every quick subtest of proctest, exectest and fstest, each in its own process"""
    res = t.run_guest_test("usertests", "-q", timeout=t.remaining() - 5)
    runs = RUN_LINE.findall(res.stdout)
    for prog in PROGRAMS:
        t.check(any(p == prog for p, _, _ in runs), "no run of %s in usertests' output" % prog)
    bad = ["%s %s: %s" % r for r in runs if not r[2].startswith("ok")]
    t.check(not bad, "usertests: %s" % (bad[0] if bad else ""))
    slow = sorted({(p, s) for p, s, _ in runs} & SLOW)
    t.check(not slow, "-q ran slow subtest %s" % " ".join(slow[0]) if slow else "")


SMALL_MEM = "8M"   # Rivet boots and runs at 8 MiB; so must its own tests


@test("usertests_8m", groups=GROUPS, timeout=300)
def usertests_8m(t):
    """usertests -q on a machine with 8 MiB of RAM: every quick subtest passes or says why it skips"""
    res = t.run_guest_test("usertests", "-q", mem=SMALL_MEM, timeout=t.remaining() - 5)
    runs = RUN_LINE.findall(res.stdout)
    bad = ["%s %s: %s" % r for r in runs if not r[2].startswith("ok")]
    t.check(not bad, "usertests at %s: %s, want every run ok" % (SMALL_MEM, bad[0] if bad else ""))
    for line in res.stdout.splitlines():
        if "skipped" in line:
            t.check("needs" in line, "a skip without a reason: %r, want '(needs ...)'" % line)
            t.note("at %s: %s" % (SMALL_MEM, line))
