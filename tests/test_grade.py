"""Tests of the harness itself: the grader (tests/grade.py) and the runner
(tests/run.py), driven with the QEMU-free tests of grade_fixtures.py."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from testlib import TESTS_DIR, test

# TAIL_MARK; not imported here, or `make test` would run the fixtures
TAIL_MARK = "end-of-fixture-log"

GRADE = os.path.join(TESTS_DIR, "grade.py")
RUN = os.path.join(TESTS_DIR, "run.py")


def run_py(t, argv, timeout=60):
    p = subprocess.run([sys.executable] + argv, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, text=True)
    t.note("$ %s\nexit %d\n--- stdout:\n%s--- stderr:\n%s"
           % (" ".join(argv), p.returncode, p.stdout, p.stderr))
    return p


def grade(t, rubric_text):
    d = tempfile.mkdtemp(prefix="rivet-grade-")
    try:
        rubric = os.path.join(d, "rubric.txt")
        results = os.path.join(d, "results.json")
        with open(rubric, "w") as f:
            f.write(rubric_text)
        p = run_py(t, [GRADE, "--no-build", "--rubric", rubric, "--results", results,
                       "--logs", os.path.join(d, "logs")])
        data = None
        if os.path.exists(results):
            with open(results) as f:
                data = json.load(f)
        return p, data
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test("grade_rubric", groups=["harness"], timeout=60)
def grade_rubric(t):
    """grade.py: Score line, exit status and results.json of a 5+3 point rubric"""
    p, data = grade(t, "use grade_fixtures\n# comment\n5  grade_fixture_pass  always ok\n"
                       "3  grade_fixture_fail\n")
    lines = p.stdout.splitlines()
    t.check(lines and lines[-1] == "Score: 5/8", "last line %r, want 'Score: 5/8'"
            % (lines[-1] if lines else ""))
    t.check(p.returncode != 0, "exit status 0 although points were lost")
    t.check(any(l.startswith("grade_fixture_pass: OK (") for l in lines), "no OK line")
    t.check(any(l.startswith("grade_fixture_fail: FAIL (failing on purpose) (")
                for l in lines), "no FAIL line with the reason")
    t.check(data is not None, "no results.json written")
    t.check_equal(data["score"], 5, "results.json score")
    t.check(isinstance(data["execution_time"], (int, float)), "execution_time not a number")
    tests = {x["name"]: x for x in data["tests"]}
    t.check_equal(sorted(tests), ["grade_fixture_fail", "grade_fixture_pass"], "test names")
    t.check_equal(sum(x["score"] for x in data["tests"]), data["score"], "sum of test scores")
    ok, bad = tests["grade_fixture_pass"], tests["grade_fixture_fail"]
    t.check_equal((ok["score"], ok["max_score"], ok["status"]), (5, 5, "passed"), "passing test")
    t.check_equal((bad["score"], bad["max_score"], bad["status"]), (0, 3, "failed"), "failing test")
    for x in data["tests"]:
        t.check_equal(x["visibility"], "visible", "visibility of %s" % x["name"])
        t.check(len(x["output"].encode("utf-8")) <= 4096,
                "output of %s is %d bytes" % (x["name"], len(x["output"].encode())))
    t.check(TAIL_MARK in bad["output"], "failing output lacks the log's tail")
    t.check("failing on purpose" in bad["output"], "failing output lacks the reason")


@test("grade_full_marks", groups=["harness"], timeout=60)
def grade_full_marks(t):
    """grade.py exits 0 when every point is earned"""
    p, data = grade(t, "use grade_fixtures\n7 grade_fixture_pass\n")
    t.check_equal(p.stdout.splitlines()[-1:], ["Score: 7/7"], "last line")
    t.check_equal(p.returncode, 0, "exit status")
    t.check_equal(data["score"], 7, "results.json score")


@test("grade_bad_rubric", groups=["harness"], timeout=60)
def grade_bad_rubric(t):
    """grade.py exits 2 on a rubric naming an unknown test"""
    p, data = grade(t, "5 no_such_test_anywhere\n")
    t.check_equal(p.returncode, 2, "exit status")
    t.check("no_such_test_anywhere" in p.stderr, "error does not name the test")


@test("runner_summary", groups=["harness"], timeout=60)
def runner_summary(t):
    """run.py: PASS/FAIL lines, failure log, test timeout, summary, exit 1"""
    d = tempfile.mkdtemp(prefix="rivet-run-")
    try:
        p = run_py(t, [RUN, "--no-build", "--module", "grade_fixtures", "--logs", d,
                       "grade_fixture_*"])
        lines = p.stdout.splitlines()
        t.check_equal(lines[-1:], ["1 passed, 2 failed"], "last line")
        t.check_equal(p.returncode, 1, "exit status")
        t.check(any(l.startswith("PASS grade_fixture_pass (") for l in lines), "no PASS line")
        t.check(any(l.startswith("FAIL grade_fixture_fail (") and
                    l.endswith("): failing on purpose") for l in lines), "no FAIL line")
        t.check(any(l.startswith("FAIL grade_fixture_hang (") and "timed out" in l
                    for l in lines), "hanging test not reported as timed out")
        log = os.path.join(d, "grade_fixture_fail.log")
        t.check(os.path.exists(log), "no failure log written")
        with open(log) as f:
            t.check(TAIL_MARK in f.read(), "failure log incomplete")
        t.check(not os.path.exists(os.path.join(d, "grade_fixture_pass.log")),
                "log written for a passing test")
        p = run_py(t, [RUN, "--no-build", "no_such_test_anywhere"])
        t.check_equal(p.returncode, 2, "exit status for an unknown test name")
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test("grade_visibility", groups=["harness"], timeout=60)
def grade_visibility(t):
    """grade.py: the rubric's visibility column reaches results.json (default visible)"""
    p, data = grade(t, "use grade_fixtures\n5 grade_fixture_pass hidden  a note\n"
                       "3 grade_fixture_fail after_published\n2 grade_fixture_hang a note\n")
    t.check(data is not None, "no results.json written")
    got = {x["name"]: x["visibility"] for x in data["tests"]}
    t.check_equal(got, {"grade_fixture_pass": "hidden", "grade_fixture_fail": "after_published",
                        "grade_fixture_hang": "visible"}, "visibility by test")


# What a test's log holds around the lines of its own (rivet.osrun's log).
BOOT_LOG = """# qemu: qemu-system-riscv64 -machine virt -bios fw_dynamic.bin -kernel kernel/kernel

OpenSBI v1.1
   ____                    _____ ____ _____
  / __ \\                  / ____|  _ \\_   _|
 | |__| | |_) |  __/ | | |____) | |_) || |_
        |_|

Platform Name             : riscv-virtio,qemu
Domain0 Next Mode         : S-mode
Boot HART MEDELEG         : 0x0000000000f0b509
virtio_blk: 81920 KiB disk, irq 1
Rivet kernel 0.1: 3 harts, 128 MiB RAM, boot hart 0
hart 1: scheduler running
hart 0: scheduler running
fs: mounted 81920 blocks, 20480 inodes
RIVET-0123456789abcdef begin
Result : the test's own line
| a table row of the test |
RIVET-0123456789abcdef end 0
# qemu exit status: 0 (after 1.4s)
"""


@test("grade_output_own", groups=["harness"], timeout=30)
def grade_output_own(t):
    """grade.py: a test's output in results.json has no firmware banner or boot lines"""
    import grade as grader
    out = grader.strip_boot_noise(BOOT_LOG)
    for noise in ("# qemu: ", "OpenSBI", "____", "Platform Name", "Boot HART", "virtio_blk",
                  "Rivet kernel", "scheduler running", "fs: mounted"):
        t.check(noise not in out, "output still has %r:\n%s" % (noise, out))
    for own in ("RIVET-0123456789abcdef begin", "Result : the test's own line",
                "| a table row of the test |", "# qemu exit status: 0"):
        t.check(own in out, "output lost %r:\n%s" % (own, out))
