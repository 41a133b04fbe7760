"""Tiny tests that need no QEMU, for testing the runner and grader
themselves (tests/test_grade.py).  Not a test_*.py module, so `make test`
does not run them; load them with `run.py --module grade_fixtures` or a
rubric line `use grade_fixtures`."""

import time

from testlib import test

TAIL_MARK = "end-of-fixture-log"


@test("grade_fixture_pass", groups=["fixture"], timeout=10)
def grade_fixture_pass(t):
    """always passes"""
    t.note("fixture: passing")


@test("grade_fixture_fail", groups=["fixture"], timeout=10)
def grade_fixture_fail(t):
    """always fails, after logging ~12 KB"""
    for i in range(200):
        t.note("fixture log line %03d %s" % (i, "x" * 40))
    t.note(TAIL_MARK)
    t.fail("failing on purpose")


@test("grade_fixture_hang", groups=["fixture"], timeout=1)
def grade_fixture_hang(t):
    """runs past its 1 s timeout"""
    while not t.aborted:
        time.sleep(0.05)
