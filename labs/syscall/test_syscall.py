"""Lab syscall: the tracer (system call 37, `trace MASK CMD ARGS...`) and
sysinfo's freemem and nproc (labs/syscall/README.md).

The tracer tests run `trace MASK syscalltest x calls`: user/syscalltest.c
makes a fixed sequence of calls (pipe, write 3 bytes, read 2, dup2 to 10,
fork, the child writes 1 byte, wait, read 2, close 10, one write of the line
"calls: parent P child C"), so every traced line, "PID: syscall NAME ->
RESULT", is known exactly. sysinfo is checked in the guest by
`syscalltest TOKEN sysinfo`."""

import collections
import re

from oscheck import run
from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "lab_syscall"]
TIMEOUT = 60

TRACE_LINE = re.compile(r"^(\d+): syscall (\w+) -> (-?\d+)$", re.M)
CALLS_LINE = re.compile(r"^calls: parent (\d+) child (\d+)$", re.M)

SYS_FORK, SYS_READ, SYS_WRITE, SYS_DUP2, SYS_TRACE = 1, 5, 16, 33, 37


def bits(*numbers):
    return sum(1 << n for n in numbers)


def traced(t, mask, after="", command="syscalltest x calls"):
    """Run the call sequence under `trace MASK`; return (parent pid, child
    pid, Counter of the trace lines as (pid, name, result)), and the output."""
    res = run(t, "trace %s %s%s" % (mask, command, after))
    m = CALLS_LINE.search(res.stdout)
    t.check(m is not None, "trace %s syscalltest x calls: no 'calls: parent P child C' line in %r"
            % (mask, res.stdout[-600:]))
    lines = collections.Counter((int(p), n, int(r)) for p, n, r in TRACE_LINE.findall(res.stdout))
    return int(m.group(1)), int(m.group(2)), lines, res.stdout


def check_lines(t, got, want, mask):
    want = collections.Counter(want)
    t.check(got == want, "trace %s: got trace lines %s, want exactly %s" % (
        mask, sorted(got.elements()), sorted(want.elements())))


@test("syscall_trace_one_bit", groups=GROUPS, timeout=TIMEOUT)
def syscall_trace_one_bit(t):
    """trace 32 (bit 5, read): the parent's two reads, '-> 2' each, and nothing else"""
    mask = bits(SYS_READ)
    parent, _, got, _ = traced(t, mask)
    check_lines(t, got, [(parent, "read", 2)] * 2, mask)


@test("syscall_trace_bits", groups=GROUPS, timeout=TIMEOUT)
def syscall_trace_bits(t):
    """write and fork bits: parent's writes and fork, the child's write (inherited); later commands untraced"""
    mask = bits(SYS_WRITE, SYS_FORK)
    parent, child, got, out = traced(t, "0x%x" % mask, after="; echo after")
    line_len = len("calls: parent %d child %d\n" % (parent, child))
    check_lines(t, got, [(parent, "write", 3), (parent, "fork", child), (child, "write", 1),
                         (parent, "write", line_len)], "0x%x" % mask)
    # the mask belongs to the traced process and its children: the shell's
    # next command (echo, which writes) is not traced
    t.check(out.endswith("after\n") and not TRACE_LINE.search(out[out.index("\nafter\n"):]),
            "output after the traced command: %r, want only 'after'" % out[-300:])


@test("syscall_trace_high_bits", groups=GROUPS, timeout=TIMEOUT)
def syscall_trace_high_bits(t):
    """bits 33 (dup2) and 37 (trace, called again by a traced trace): the mask has 64 bits"""
    mask = bits(SYS_DUP2, SYS_TRACE)
    # the first trace call turns tracing on (bit 37 was not set when it was
    # made); the second one, by the traced trace program, is reported
    parent, _, got, _ = traced(t, mask, command="trace %d syscalltest x calls" % mask)
    check_lines(t, got, [(parent, "trace", 0), (parent, "dup2", 10)], mask)


@test("syscall_trace_zero", groups=GROUPS, timeout=TIMEOUT)
def syscall_trace_zero(t):
    """trace 0 runs the command and traces nothing; so does 1 << 63 (no such call)"""
    for mask in (0, bits(63)):
        _, _, got, out = traced(t, mask)
        t.check(not got, "trace %d: want no trace lines, got %s" % (mask, sorted(got)))
        t.check("not implemented" not in out and "trace:" not in out,
                "trace %d printed an error: %r" % (mask, out[-300:]))


@test("syscall_trace_usage", groups=GROUPS, timeout=TIMEOUT)
def syscall_trace_usage(t):
    """trace with no command, a bad mask, or a missing program: a message and status 1"""
    res = run(t, "trace; echo st=$?; trace 12x echo; echo st=$?; trace 2 nosuch; echo st=$?;"
                 " trace 0 echo ok; echo st=$?")
    out = res.stdout.splitlines()
    t.check_equal([ln for ln in out if ln.startswith("st=") or ln == "ok"],
                  ["st=1", "st=1", "st=1", "ok", "st=0"], "statuses (and echo's output)")
    t.check(len(out) == 8, "want one message per failing trace, got %r" % res.stdout)


@test("syscall_sysinfo", groups=GROUPS, timeout=TIMEOUT)
def syscall_sysinfo(t):
    """sysinfo: sbrk of 10 pages drops freemem by 40960 exactly and back; a child adds 1 to nproc; EFAULT"""
    t.run_guest_test("syscalltest", "sysinfo")
