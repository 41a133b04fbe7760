"""Reliability fixes (issue 11, "Found"): each test here failed before its
fix.

  fs_pipefault        a pipe read into a bad buffer keeps the bytes it could
                      not deliver (fstest pipefault)
"""

from testlib import NEEDS_FS, test


@test("fs_pipefault", groups=[NEEDS_FS, "fs"], timeout=90)
def fs_pipefault(t):
    """fstest pipefault: a read into a bad (or partly bad) buffer leaves the undelivered bytes in the pipe"""
    t.run_guest_test("fstest", "pipefault", timeout=60)
