"""Program-loading tests: each runs one subtest of the in-guest program
exectest (user/exectest.c, with helpers user/exectest_big.c and
user/xt_*.c) in a fresh Rivet and requires its verdict line
`exectest: PASS TOKEN`.

exec_fault_line also checks the kernel's report of a fatal fault: for a
child killed by a null dereference the console must show
    pid N (exectest): load page fault pc=0x... addr=0x0

exec_first_fds boots a disk whose /init is the helper xt_fds: the first
process starts with no descriptors, and the kernel must give it the
console as fds 0, 1 and 2 (exec itself opens nothing: exec_args checks
that a program gets exactly its caller's descriptors).
"""

import re

from oscheck import check_first_fds
from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "exec"]
TIMEOUT = 120   # whole test: boot plus a subtest of a few seconds, on a busy host

# (subtest, description)
SUBTESTS = [
    # LAB lazy: touch1-test
    ("touch1", "exec is lazy: 192 KiB of data, one byte touched, at most 8 pages resident"),
    # END LAB lazy
    ("sum", "every data page loads from the right file offset; bss reads zero"),
    # LAB args: exec-args
    ("args", "0, 1, 32, MAXARGV-1 and 60 KB of arguments arrive intact; sp aligned; "
             "fds 0-2 are the caller's (a file, a pipe, a closed one)"),
    ("e2big", "more than MAXARGV arguments or 64 KiB of them: exec fails with E2BIG"),
    # END LAB args
    ("ret7", "returning 7 from main gives wait status 7"),
    ("faults", "writing text/rodata, executing data/stack, reading 0, the guard gap, "
               "the kernel or past the break kill with status -1"),
    ("nullderef", "a null dereference kills the child with status -1"),
    ("untouched", "write() from and read() into pages never touched before"),
    ("badelf", "23 kinds of malformed executable: exec fails with ENOEXEC, caller goes on"),
    ("badexec", "exec of a missing file, a directory, bad path and argv pointers"),
    ("txtbusy", "a running program cannot be opened for writing (ETXTBSY)"),
    ("sbrk", "sbrk grows, shrinks, regrows zeroed, and stops below the stack"),
    ("forkcopy", "fork gives the child a copy of data, heap and stack"),
]


def register(subtest, doc):
    def run(t):
        t.run_guest_test("exectest", subtest)
    run.__doc__ = "exectest %s: %s" % (subtest, doc)
    test("exec_" + subtest, groups=GROUPS, timeout=TIMEOUT)(run)


for _subtest, _doc in SUBTESTS:
    register(_subtest, _doc)


@test("exec_all", groups=GROUPS, timeout=180)
def exec_all(t):
    """exectest with no subtest: all of them in one boot; free memory is back at the end"""
    t.run_guest_test("exectest", timeout=150)


@test("exec_fault_line", groups=GROUPS, timeout=TIMEOUT)
def exec_fault_line(t):
    """the console reports a null dereference as 'pid N (exectest): load page fault pc=0x... addr=0x0'"""
    res = t.run_guest_test("exectest", "nullderef")
    m = re.search(r"^exectest: null dereference killed pid (\d+)$", res.stdout, re.M)
    t.check(m, "exectest printed no 'null dereference killed pid N' line, want one")
    pid = int(m.group(1))
    line = r"^pid %d \(exectest\): load page fault pc=0x[0-9a-f]+ addr=0x0$" % pid
    t.check(re.search(line, res.console, re.M),
            "no console line 'pid %d (exectest): load page fault pc=0x... addr=0x0'" % pid)


# LAB args: first-fds
@test("exec_first_fds", groups=GROUPS, timeout=60)
def exec_first_fds(t):
    """the kernel opens the console as fds 0-2 of the first process: /init = xt_fds reads 0, writes 1 and 2"""
    check_first_fds(t)
# END LAB args
