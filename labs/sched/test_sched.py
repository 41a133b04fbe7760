"""Lab sched: the round-robin ready queue and preemption at the timer tick.

Most tests run on one hart under -icount, where guest time counts
instructions, so the schedule is the same on every run and a loaded host
cannot disturb the measurements. In-guest checks are subtests of proctest
(user/proctest.c), schedtest (user/schedtest.c) and fptest (user/fptest.c);
procrun's table and the state-change record come from tests/test_procview.py.
"""

from testlib import NEEDS_FS, test
from test_procview import check_alternation

GROUPS = [NEEDS_FS, "lab_sched"]
TIMEOUT = 150   # a boot or two on a busy 2-core host


def guest(name, prog, args, doc, timeout=TIMEOUT, **osrun_kw):
    def run(t):
        t.run_guest_test(prog, *args, timeout=timeout - 30, **osrun_kw)
    run.__doc__ = doc
    test(name, groups=GROUPS, timeout=timeout)(run)


guest("sched_fifo", "proctest", ["fifo"],
      "one hart: children woken in the reverse of their fork order run in the order woken"
      " (a FIFO queue, not a scan of the process table)", cpus=1, icount=True)
guest("sched_preempt", "proctest", ["preempt"],
      "spinning children (one per hart and more) cannot starve their parent")
guest("sched_fair", "proctest", ["fair"],
      "one hart: 4 spinners get equal CPU time (within 10%) over 2 s", cpus=1, icount=True)
guest("sched_csw", "proctest", ["csw"],
      "a spinner is preempted (involuntary switches), a sleeper switches voluntarily")
guest("sched_rr_newcomer", "schedtest", ["rr"],
      "one hart: a newcomer beside CPU hogs waits a quantum of every hog each round",
      cpus=1, icount=True)
guest("sched_fp", "fptest", [],
      "FP registers survive preemption (seen to happen on one hart) and migration", cpus=1)


@test("sched_alternate", groups=GROUPS, timeout=TIMEOUT)
def sched_alternate(t):
    """procrun -l 3:100,3:100 with quantum=5 (units of 10 ms): the two processes alternate each quantum, each preempted, no run longer than a tick"""
    check_alternation(t)
