"""The traps lab's tests: the kernel backtrace and the user alarm.

traps_backtrace boots with selftest=fault (a deliberate kernel fault at
boot, kernel/main.c): the panic report's backtrace must list the return
addresses of the calls that led there. Each address is looked up with
addr2line in the kernel ELF (as scripts/symbolize does): the first must be
in kernel_trap (the call to panic), one must be in main.c (the boot code
that faulted), and every one must name a kernel function.

traps_alarm_* run one subtest of user/alarmtest each (its comment says
what each checks) and require its verdict line `alarmtest: PASS TOKEN`.
"""

import re

import rivet
from testlib import test

GROUPS = ["lab_traps"]
BOOT_WAIT = 30
MIN_FRAMES = 3

ALARM_SUBTESTS = [
    ("calls", "the handler is called again and again, about every N ticks of CPU time"),
    ("registers", "sigreturn restores every register (a0 included) a clobbering handler changed"),
    ("once", "a handler that runs long is not entered again before its sigreturn"),
    ("stop", "sigalarm(0, 0) stops the calls"),
    ("cputime", "ticks asleep are not CPU time: no calls while the process sleeps"),
    ("errors", "sigalarm(N, h) and sigalarm(0, 0) succeed; bad calls fail"),
    ("exec", "exec turns the alarm off"),
]


@test("traps_backtrace", groups=GROUPS, timeout=60)
def traps_backtrace(t):
    """selftest=fault: the panic's backtrace names kernel_trap first, then the boot code in main.c"""
    with t.boot(bootargs="selftest=fault", timeout=BOOT_WAIT) as r:
        r.expect(r"^panic: ", timeout=BOOT_WAIT, panic_ok=True)
        start = r.cursor
        r.wait_exit(timeout=10)
        report = r.console[start:].replace("\r", "")
    lines = report.split("\n")
    heads = [i for i, ln in enumerate(lines) if rivet.BACKTRACE_LINE.match(ln)]
    t.check(heads, "the panic report has no 'backtrace:' line, want one; report %r" % report[:400])
    addresses = []
    for ln in lines[heads[0] + 1:]:
        m = rivet.BACKTRACE_ADDRESS.match(ln)
        if not m:
            break
        addresses.append(m.group(1))
    t.check(len(addresses) >= MIN_FRAMES,
            "backtrace lists %d addresses ('  0x...' lines), want at least %d; report %r"
            % (len(addresses), MIN_FRAMES, report[:400]))
    names = rivet.describe_addresses(addresses)
    t.check(len(names) == len(addresses), "addr2line could not look up the addresses (is the "
            "toolchain's addr2line installed?)")
    t.note("backtrace:\n" + "\n".join("  %s  %s" % (a, names[a]) for a in addresses))
    unknown = [a for a in addresses if names[a].startswith("??")]
    t.check(not unknown, "addresses that are in no kernel function: %s, want none" % unknown)
    t.check(names[addresses[0]].startswith("kernel_trap "),
            "first return address %s is in %r, want kernel_trap (the caller of panic)"
            % (addresses[0], names[addresses[0]]))
    t.check(any(re.search(r"\bkernel/main\.c:", names[a]) for a in addresses),
            "no return address in kernel/main.c (the boot code that faulted), want one; got %s"
            % [names[a] for a in addresses])


def register(subtest, doc):
    def run(t):
        t.run_guest_test("alarmtest", subtest, timeout=90)
    run.__doc__ = "alarmtest %s: %s" % (subtest, doc)
    test("traps_alarm_" + subtest, groups=GROUPS, timeout=120)(run)


for _subtest, _doc in ALARM_SUBTESTS:
    register(_subtest, _doc)
