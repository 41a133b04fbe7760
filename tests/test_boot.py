"""Foundation tests: the kernel boots, reports its harts and memory, runs a
scheduler on every hart, ticks, panics properly and powers off with a given
status.  No disk image is needed: everything is driven by boot arguments."""

import re

import rivet
from testlib import test

WAIT = 15          # seconds for any single console line
SETTLE = 0.3       # quiet time before counting lines (late duplicates)


def sched_line(h):
    return r"^hart %d: scheduler running$" % h


def check_boot(t, cpus=rivet.DEFAULT_CPUS, mem=rivet.DEFAULT_MEM, bootargs=""):
    """Boot, check the banner and one scheduler line per hart, then kill."""
    with t.boot(cpus=cpus, mem=mem, bootargs=bootargs, timeout=30) as r:
        m = r.expect(rivet.BANNER, timeout=WAIT)
        harts, mib, boot_hart = (int(g) for g in m.groups())
        t.check_equal(harts, cpus, "hart count in the banner")
        t.check_equal(mib, rivet.mem_mib(mem), "MiB in the banner")
        t.check(0 <= boot_hart < cpus,
                "boot hart %d is not one of harts 0..%d" % (boot_hart, cpus - 1))
        r.cursor = 0
        r.expect_all([sched_line(h) for h in range(cpus)], timeout=WAIT)
        r.wait_quiet(SETTLE, timeout=2)
        con = r.console
        t.check(not rivet.PANIC_LINE.search(con), "the kernel panicked")
        n = len(rivet.BANNER.findall(con))
        t.check(n == 1, "banner printed %d times, want once" % n)
        for h in range(cpus):
            n = len(re.findall(sched_line(h), con, re.M))
            t.check(n == 1, "hart %d printed its scheduler line %d times, want once" % (h, n))
        others = [int(x) for x in re.findall(r"^hart (\d+): scheduler running$", con, re.M)
                  if int(x) >= cpus]
        t.check(not others, "scheduler line from hart %s, want only harts 0..%d" % (others[:1], cpus - 1))
        return r


@test("boot_smp1", groups=["boot"], timeout=40)
def boot_smp1(t):
    """-smp 1: banner says 1 hart, 128 MiB; hart 0 runs its scheduler"""
    check_boot(t, cpus=1)


@test("boot_smp2", groups=["boot"], timeout=40)
def boot_smp2(t):
    """-smp 2: banner and scheduler lines of harts 0..1"""
    check_boot(t, cpus=2)


@test("boot_smp4", groups=["boot"], timeout=40)
def boot_smp4(t):
    """-smp 4: banner and scheduler lines of harts 0..3"""
    check_boot(t, cpus=4)


@test("boot_mem128", groups=["boot"], timeout=40)
def boot_mem128(t):
    """-m 128M: banner says 128 MiB"""
    check_boot(t, mem="128M")


@test("boot_mem512", groups=["boot"], timeout=40)
def boot_mem512(t):
    """-m 512M: banner says 512 MiB"""
    check_boot(t, mem="512M")


@test("boot_icount", groups=["boot"], timeout=40)
def boot_icount(t):
    """boots with -icount shift=0,sleep=off too"""
    with t.boot(cpus=2, icount=True, timeout=30) as r:
        r.expect(rivet.BANNER, timeout=WAIT)
        r.cursor = 0
        r.expect_all([sched_line(h) for h in range(2)], timeout=WAIT)


@test("bootarg_unknown", groups=["boot"], timeout=40)
def bootarg_unknown(t):
    """unknown boot argument foo=1: warning line, boot continues"""
    r = check_boot(t, bootargs="foo=1")
    con = r.console
    n = len(re.findall(r"^warning: unknown boot argument 'foo=1'$", con, re.M))
    t.check(n == 1, "want one line \"warning: unknown boot argument 'foo=1'\", got %d" % n)


def check_tick(t, cpus):
    with t.boot(cpus=cpus, bootargs="selftest=tick", timeout=30) as r:
        r.expect_all([r"^hart %d: tick 10$" % h for h in range(cpus)], timeout=WAIT)
        status = r.wait_exit(timeout=10)
        t.check_equal(status, 0, "QEMU exit status after selftest=tick")
        con = r.console
        for h in range(cpus):
            n = len(re.findall(r"^hart %d: tick 10$" % h, con, re.M))
            t.check(n == 1, "hart %d printed its tick line %d times, want once" % (h, n))


@test("tick_smp1", groups=["boot", "tick"], timeout=40)
def tick_smp1(t):
    """selftest=tick, -smp 1: hart 0 ticks 10 times, exit 0"""
    check_tick(t, 1)


@test("tick_smp4", groups=["boot", "tick"], timeout=40)
def tick_smp4(t):
    """selftest=tick, -smp 4: every hart ticks 10 times, exit 0"""
    check_tick(t, 4)


@test("fault_panic", groups=["boot", "panic"], timeout=40)
def fault_panic(t):
    """selftest=fault: panic report with scause/sepc/stval/hart/backtrace, exit 101"""
    with t.boot(bootargs="selftest=fault", timeout=30) as r:
        r.expect(r"^panic: ", timeout=WAIT, panic_ok=True)
        start = r.cursor
        status = r.wait_exit(timeout=10)
        report = r.console[start:]
        for field in ("scause", "sepc=", "stval=", "hart"):
            t.check(field in report, "panic report lacks %r" % field)
        t.check(re.search(r"(?m)^\s*backtrace:", report), "panic report lacks a 'backtrace:' line")
        t.check_equal(status, rivet.PANIC_EXIT_STATUS, "QEMU exit status after a panic")


def check_poweroff(t, n):
    with t.boot(cpus=1, bootargs="selftest=poweroff:%d" % n, timeout=30) as r:
        status = r.wait_exit(timeout=20)
        t.check_equal(status, n, "QEMU exit status for selftest=poweroff:%d" % n)


@test("poweroff_0", groups=["boot", "poweroff"], timeout=40)
def poweroff_0(t):
    """selftest=poweroff:0 -> QEMU exit status 0"""
    check_poweroff(t, 0)


@test("poweroff_1", groups=["boot", "poweroff"], timeout=40)
def poweroff_1(t):
    """selftest=poweroff:1 -> QEMU exit status 1"""
    check_poweroff(t, 1)


@test("poweroff_255", groups=["boot", "poweroff"], timeout=40)
def poweroff_255(t):
    """selftest=poweroff:255 -> QEMU exit status 255"""
    check_poweroff(t, 255)
