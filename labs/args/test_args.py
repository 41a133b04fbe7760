"""Lab args: the new program's stack (argc, argv, the strings, sp aligned)
and descriptors 0-2 of the first process (labs/args/README.md).

user/xt_args prints "argc N sum X", X the FNV-1a hash of every argument
with its NUL, and exits 1 if sp is not 16-byte aligned, argv[argc] is not
null, or argv and the strings are not in the stack; the tests compute the
same line from the arguments they pass. exectest's args and e2big subtests
check exec from a C program (up to MAXARGV arguments, 60 KB of them, and
the E2BIG cases, with the caller going on). args_first_fds boots a disk
whose /init is user/xt_fds: no shell, no osrun, just the kernel's exec."""

from oscheck import check_first_fds, run
from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "lab_args"]
TIMEOUT = 90
FNV_OFFSET_BASIS = 2166136261
FNV_PRIME = 16777619
LONG_ARG = 2000          # bytes: one argument longer than a cache line, a page's half


def xt_args_line(args):
    """What xt_args prints for argv = ["xt_args"] + args."""
    h = FNV_OFFSET_BASIS
    for a in ["xt_args"] + args:
        for b in a.encode() + b"\0":
            h = ((h ^ b) * FNV_PRIME) & 0xffffffff
    return "argc %d sum %x" % (len(args) + 1, h)


def shell_word(a):
    return "'%s'" % a


@test("args_argv", groups=GROUPS, timeout=TIMEOUT)
def args_argv(t):
    """argc/argv: none, empty strings, a space inside, 100 arguments, a 2000-byte one; sp aligned"""
    cases = [[], ["", "a", "two words", ""], [str(i) for i in range(1, 101)],
             ["x" * LONG_ARG, "end"]]
    cmd = "; ".join("xt_args %s; echo st=$?" % " ".join(shell_word(a) for a in args)
                    for args in cases)
    res = run(t, cmd, timeout=30)
    want = "".join("%s\nst=0\n" % xt_args_line(args) for args in cases)
    t.check_equal(res.stdout, want, "xt_args' lines and statuses")


@test("args_exec", groups=GROUPS, timeout=TIMEOUT)
def args_exec(t):
    """exectest args: 0, 1, MAXARG, MAXARGV arguments and 60 KB of them arrive intact from C"""
    t.run_guest_test("exectest", "args", timeout=60)


@test("args_e2big", groups=GROUPS, timeout=TIMEOUT)
def args_e2big(t):
    """exectest e2big: MAXARGV + 1 arguments or over 64 KiB: exec fails with E2BIG, the caller goes on"""
    t.run_guest_test("exectest", "e2big", timeout=60)


@test("args_first_fds", groups=GROUPS, timeout=TIMEOUT)
def args_first_fds(t):
    """/init = xt_fds: fds 0, 1, 2 of the first process are the console (read 0, write 1 and 2)"""
    check_first_fds(t)
