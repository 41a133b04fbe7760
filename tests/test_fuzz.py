"""Robustness: the system-call fuzzer (user/sysfuzz.c), the corrupted-ELF
fuzzer (user/elffuzz.c) and the soak test (user/soak.c), quick forms of a
few seconds each. `make stress` (scripts/stress) runs the long forms.

The quick forms use fixed seeds, so each run makes the same calls (the
order in which the harts interleave still differs). Besides the program's
verdict (which includes its own checks: every child reaped with the status
it chose, every byte read back right, free memory back to its start value)
each test reads the summary line and checks that the work was really done.
"""

import re

from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "fuzz"]

SYSFUZZ_SEED = 1
SYSFUZZ_CALLS = 10000
ELFFUZZ_SEED = 1
ELFFUZZ_RUNS = 150
SOAK_SECONDS = 3
SOAK_CPUS = 3   # the soak test is about harts running at once

SYSFUZZ_SUMMARY = re.compile(
    r"^sysfuzz: seed (-?\d+): (\d+) calls \((\d+) to bad numbers\) in (\d+) children, .*: "
    r"(-?\d+) pages leaked$", re.M)
ELFFUZZ_SUMMARY = re.compile(
    r"^elffuzz: seed (-?\d+): (\d+) corrupted executables in \d+ ms: exec refused (\d+), "
    r"the program exited 7 (\d+) times, exited otherwise (\d+), died (\d+)$", re.M)
ELFFUZZ_LEAK = re.compile(r"^elffuzz: free memory .*: (-?\d+) pages leaked$", re.M)
SOAK_SUMMARY = re.compile(
    r"^soak: \d+ ms, (\d+) workers: checked (\d+) KiB of files, (\d+) KiB through pipes, "
    r"(\d+) KiB of appended records; free memory before (\d+) after (\d+)$", re.M)


def summary(t, rx, res, what):
    m = rx.search(res.stdout)
    t.check(m is not None, "%s: no summary line matching /%s/ in its output" % (what, rx.pattern))
    return m


@test("fuzz_syscalls", groups=GROUPS, timeout=180)
def fuzz_syscalls(t):
    """sysfuzz: 10000 fuzzed system calls in forked children; no panic, hang or leak"""
    res = t.run_guest_test("sysfuzz", "-s", SYSFUZZ_SEED, "-n", SYSFUZZ_CALLS, timeout=150)
    m = summary(t, SYSFUZZ_SUMMARY, res, "sysfuzz")
    t.check(int(m.group(2)) >= SYSFUZZ_CALLS,
            "sysfuzz made %s calls, want at least %d" % (m.group(2), SYSFUZZ_CALLS))
    t.check(int(m.group(3)) > 0, "sysfuzz made 0 calls to bad numbers, want some")
    t.check_equal(int(m.group(5)), 0, "pages leaked")


@test("fuzz_elf", groups=GROUPS, timeout=180)
def fuzz_elf(t):
    """elffuzz: 150 corrupted executables, each refused or run; no panic, hang or leak"""
    res = t.run_guest_test("elffuzz", "-s", ELFFUZZ_SEED, "-n", ELFFUZZ_RUNS, timeout=150)
    m = summary(t, ELFFUZZ_SUMMARY, res, "elffuzz")
    runs, refused, ran = int(m.group(2)), int(m.group(3)), sum(int(g) for g in m.group(4, 5, 6))
    t.check_equal(runs, ELFFUZZ_RUNS, "corrupted executables tried")
    t.check_equal(refused + ran, runs, "runs accounted for (refused + ran)")
    # Both outcomes must occur, or the spoiling is too weak or too strong to test much.
    t.check(refused > 0 and ran > 0,
            "exec refused %d and ran %d of %d, want some of each" % (refused, ran, runs))
    leak = summary(t, ELFFUZZ_LEAK, res, "elffuzz")
    t.check_equal(int(leak.group(1)), 0, "pages leaked")


@test("soak_quick", groups=GROUPS, timeout=180)
def soak_quick(t):
    """soak on 3 harts for 3 s: files, pipes and appends from several processes, every byte checked"""
    res = t.run_guest_test("soak", "-t", SOAK_SECONDS, cpus=SOAK_CPUS, timeout=150)
    m = summary(t, SOAK_SUMMARY, res, "soak")
    files, pipes, appends = (int(g) for g in m.group(2, 3, 4))
    t.check(files > 0 and pipes > 0 and appends > 0,
            "soak checked %d KiB of files, %d KiB of pipes, %d KiB of appends; want some of each"
            % (files, pipes, appends))
    t.check_equal(int(m.group(6)), int(m.group(5)), "free memory after (vs before)")
