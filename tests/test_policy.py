"""Scheduling policies: each policy that the kernel can be booted with
(boot argument sched=NAME, kernel/proc/sched.c) must pass the process
tests that hold for any fair policy, and must show its own character.

schedtest (user/schedtest.c) tells the policies apart on one hart under
-icount: beside CPU-bound processes, a newcomer's clock time over its CPU
time is about 1 under MLFQ (it runs on the top level until done) and
above 2 under round robin (it waits for every other process's quantum).
It is run for both policies with both expectations, so a kernel that
ignored sched= would fail one of them.
"""

from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "proc", "sched"]
POLICIES = ["rr", "mlfq"]

# proctest subtests that hold under every policy (keywords for osrun).
POLICY_NEUTRAL = [
    ("status", {}), ("preempt", {}), ("orphan", {}), ("harts", {"cpus": 4}),
    ("csw", {}), ("fair", {"cpus": 1, "icount": True, "timeout": 100}),
    # LAB procapi: mlfq-tests
    ("waitpid", {}), ("kill", {}), ("suspend", {}), ("getprocs", {}),
    # END LAB procapi
]


def register_character(policy):
    def run(t):
        t.run_guest_test("schedtest", policy, cpus=1, icount=True,
                         bootargs="sched=" + policy, timeout=90)
    run.__doc__ = "schedtest: a newcomer beside CPU hogs is treated as %s treats it" % policy
    test("sched_%s_character" % policy, groups=GROUPS, timeout=120)(run)


def register_neutral(subtest, kw):
    def run(t):
        t.run_guest_test("proctest", subtest, bootargs="sched=mlfq", **kw)
    run.__doc__ = "proctest %s under sched=mlfq" % subtest
    test("sched_mlfq_proc_%s" % subtest, groups=GROUPS, timeout=120)(run)


for _policy in POLICIES:
    register_character(_policy)
for _subtest, _kw in POLICY_NEUTRAL:
    register_neutral(_subtest, _kw)

