"""Lab util: the five user programs of labs/util/README.md (sleep in ticks,
pingpong, primes, find, xargs), run in a fresh Rivet built from this tree.

Each test runs one program with osrun and checks its exact output and exit
status. sleep's length is measured in guest time, from the kernel's record
of process states (osrun's trace): the program must block on the clock for
as many ticks as it was asked, which a program that returns at once (or
spins) cannot fake."""

import re

from oscheck import FIND_CMDLINE, check_find_output, lines, run
from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "lab_util"]
TIMEOUT = 60
NS_PER_TICK = 10 * 1000 * 1000
TICK_LATE = 1.5   # a sleep ends at the first tick after its deadline, plus scheduling
TICK_EARLY = 0.1  # the state record says BLOCKED a little after the deadline was set


def tick_waits(console):
    """Guest nanoseconds each process spent blocked on the clock
    (`wait=tick` in the trace), as a list, one entry per wait."""
    blocked = {}
    waits = []
    for m in re.finditer(r"^trace: t=(\d+) hart=\d+ pid=(\d+) (\w+) -> (\w+) .*$",
                         console, re.M):
        ns, pid, old, new = int(m.group(1)), m.group(2), m.group(3), m.group(4)
        if new == "blocked" and "wait=tick" in m.group(0):
            blocked[pid] = ns
        elif old == "blocked" and pid in blocked:
            waits.append(ns - blocked.pop(pid))
    return waits


@test("util_sleep_usage", groups=GROUPS, timeout=TIMEOUT)
def util_sleep_usage(t):
    """sleep with no argument: a message on stderr, status 1; 'sleep 1' returns 0"""
    res = run(t, "sleep; echo st=$?; sleep 1; echo st=$?")
    out = res.stdout.splitlines()
    t.check(len(out) == 3 and out[0].strip() != "" and "not implemented" not in out[0],
            "sleep with no argument: want a usage message then st=1, st=0; got %r" % res.stdout)
    t.check_equal(out[1:], ["st=1", "st=0"], "statuses of 'sleep' and 'sleep 1'")


@test("util_sleep_ticks", groups=GROUPS, timeout=TIMEOUT)
def util_sleep_ticks(t):
    """sleep N blocks on the clock for N ticks (10 ms each) of guest time: N = 10, 50"""
    for ticks in (10, 50):
        # icount: guest time runs with the instructions, so a loaded host
        # cannot make the guest's clock jump between two ticks
        res = t.osrun("sleep %d; echo st=$?" % ticks, trace=True, icount=True, timeout=30)
        t.check(res.reason == "ok", "sleep %d: %s (%s)" % (ticks, res.reason, res.message))
        said = [ln for ln in res.stdout.splitlines() if not ln.startswith("trace: ")]
        t.check_equal(said, ["st=0"], "output of sleep %d; echo st=$? (trace lines aside)" % ticks)
        waits = tick_waits(res.stdout)
        want = ticks * NS_PER_TICK
        slept = sum(waits)
        low, high = want - TICK_EARLY * NS_PER_TICK, want + TICK_LATE * NS_PER_TICK
        t.check(low <= slept <= high,
                "sleep %d: blocked on the clock for %.1f ms of guest time in %d waits,"
                " want %.0f to %.0f ms" % (ticks, slept / 1e6, len(waits), low / 1e6, high / 1e6))


@test("util_pingpong", groups=GROUPS, timeout=TIMEOUT)
def util_pingpong(t):
    """pingpong: '<child pid>: received ping' then '<parent pid>: received pong', status 0"""
    res = run(t, "pingpong; echo st=$?")
    m = re.fullmatch(r"(\d+): received ping\n(\d+): received pong\nst=0\n", res.stdout)
    t.check(m is not None, "pingpong printed %r, want 'PID: received ping',"
            " 'PID: received pong', st=0" % res.stdout)
    t.check(int(m.group(2)) < int(m.group(1)),
            "pong's pid %s should be the parent of ping's pid %s (the smaller one)"
            % (m.group(2), m.group(1)))


PRIMES = [n for n in range(2, 36) if all(n % d for d in range(2, n))]


@test("util_primes", groups=GROUPS, timeout=TIMEOUT)
def util_primes(t):
    """primes: 'prime N' for each prime up to 35 in order; run twice, both complete"""
    want = lines(*["prime %d" % p for p in PRIMES])
    res = run(t, "primes; echo st=$?")
    t.check_equal(res.stdout, want + "st=0\n", "output of primes")
    # every process of the first pipeline has exited, or the second run
    # would run out of processes or descriptors
    res = run(t, "primes > o1; primes > o2; cat o1 o2; ps")
    t.check(res.stdout.startswith(want + want), "two runs of primes: %r" % res.stdout[:400])
    left = [ln for ln in res.stdout[len(want) * 2:].splitlines()[1:] if ln.endswith(" primes")]
    t.check_equal(left, [], "primes processes left after both runs")


@test("util_find", groups=GROUPS, timeout=TIMEOUT)
def util_find(t):
    """find: every b under ., under a subdirectory, a 14-character name, no match"""
    check_find_output(t, run(t, FIND_CMDLINE).stdout)


@test("util_xargs", groups=GROUPS, timeout=TIMEOUT)
def util_xargs(t):
    """xargs: each line's words appended to the command; -n 1; an empty line; find | xargs grep"""
    res = run(t, "echo hello too | xargs echo bye; (echo 1; echo 2) | xargs -n 1 echo line;"
                 " (echo a b; echo; echo c) | xargs echo x; echo st=$?")
    t.check_equal(res.stdout, lines("bye hello too", "line 1", "line 2", "x a b", "x", "x c",
                                    "st=0"), "xargs output")
    res = run(t, "mkdir a; echo hello > a/b; mkdir c; echo hello > c/b; echo hello > b;"
                 " echo bye > d; find . b | xargs grep hello; echo st=$?")
    t.check_equal(res.stdout, lines("hello", "hello", "hello", "st=0"),
                  "find . b | xargs grep hello")
