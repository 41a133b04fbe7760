"""Floating point in user programs: lazily saved, private per process."""

from testlib import test


# LAB sched: fp-test
@test("fp_private", groups=["needs_fs", "proc"], timeout=90)
def fp_private(t):
    """FP registers survive preemption and migration (both seen to happen); fork copies them"""
    for cpus in (1, 3):
        res = t.osrun("fptest %s" % t.token, cpus=cpus, timeout=60)
        t.check("fptest: PASS %s" % t.token in res.stdout,
                "fptest on %d harts: no line 'fptest: PASS %s', want one; output %r"
                % (cpus, t.token, res.stdout[-400:]))
        t.check_equal(res.status, 0, "fptest exit status")
# END LAB sched
