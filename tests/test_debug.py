"""The debug kernel (make DEBUG=1, build/debug/kernel/kernel): its lock
checker and page poisoning, and the lock table they enforce.

* debug_selftest_*: each boots the debug kernel with a checker self-test
  (kernel/sync/selftest.c, kernel/mm/kalloc.c) that breaks one rule on
  purpose; the kernel must panic (exit status 101) with the checker's
  report, and the two code addresses the report names must resolve (with
  addr2line) to the self-test functions that broke the rule.
* debug_usertests_*: the in-guest test programs run on the debug kernel
  and pass: no lock-order violation, no use after free, no leaked page.
* debug_off_in_normal_build: the normal kernel has none of the checker's
  code, and its self-tests say so instead of panicking.
* lock_table_*: docs/locking.md shows the table of kernel/sync/lockrank.h,
  and every lock the kernel initializes has a class in it.

These tests build the kernels they need (make is a no-op when they are up
to date), so `make test` covers the debug kernel without `make DEBUG=1`.
"""

import functools
import glob
import os
import re
import subprocess
import threading

import rivet
from testlib import NEEDS_FS, test

ROOT = rivet.ROOT
DEBUG_KERNEL = "build/debug/kernel/kernel"
NORMAL_KERNEL = "kernel/kernel"
GROUPS = ["debug"]
BUILD_TIMEOUT = 240      # a full debug build on a loaded 2-core machine
SELFTEST_TIMEOUT = 30
DEBUG_BANNER = r"^debug kernel: lock checker and freed-page poisoning on"

_build_lock = threading.Lock()
_built = {}              # make target -> True once built by this process


def built(t, target):
    """Path of kernel `target` (relative to ROOT), built with make first.
    Tests run in parallel threads: one make at a time."""
    with _build_lock:
        if not _built.get(target):
            p = subprocess.run(["make", "-s", target], cwd=ROOT, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=min(BUILD_TIMEOUT, t.remaining()))
            out = p.stdout.decode(errors="replace")
            t.check(p.returncode == 0, "make %s: exit status %d, want 0:\n%s"
                    % (target, p.returncode, out[-2000:]))
            t.check("warning" not in out, "make %s printed warnings:\n%s" % (target, out[-2000:]))
            _built[target] = True
    return os.path.join(ROOT, target)


def toolprefix():
    out = subprocess.run(["scripts/check-deps.sh"], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=dict(os.environ, NO_INSTALL="1"))
    return out.stdout.decode().strip()


def function_at(kernel, address):
    """The function containing `address` (hex string) in ELF `kernel`."""
    out = subprocess.run([toolprefix() + "addr2line", "-f", "-e", kernel, address],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return out.stdout.decode().splitlines()[0]


def selftest_panic(t, name):
    """Boot the debug kernel with selftest=NAME; return (panic line, console)."""
    kernel = built(t, DEBUG_KERNEL)
    with t.boot(cpus=2, kernel=kernel, bootargs="selftest=" + name, timeout=SELFTEST_TIMEOUT) as r:
        r.expect(DEBUG_BANNER, timeout=SELFTEST_TIMEOUT)
        # Up to the newline: the rest of the line may not have arrived yet.
        m = r.expect(r"^panic: ([^\n]*)\n", timeout=SELFTEST_TIMEOUT, panic_ok=True)
        status = r.wait_exit(timeout=SELFTEST_TIMEOUT)
        t.check_equal(status, rivet.PANIC_EXIT_STATUS, "QEMU exit status after the checker's panic")
        return m.group(1), r.console


def check_sites(t, line, pattern, want_functions):
    """The panic line must match pattern, whose groups are code addresses;
    each must lie in the function want_functions names for it."""
    m = re.search(pattern, line)
    t.check(m, "panic line %r does not match %r" % (line, pattern))
    kernel = os.path.join(ROOT, DEBUG_KERNEL)
    for address, want in zip(m.groups(), want_functions):
        got = function_at(kernel, address)
        t.check_equal(got, want, "function at %s named by the report" % address)


@test("debug_selftest_lock_order", groups=GROUPS, timeout=BUILD_TIMEOUT + 60)
def debug_selftest_lock_order(t):
    """selftest=lock_order: 'proc' then 'wait' (ranks 50, 30) panics naming both sites"""
    line, console = selftest_panic(t, "lock_order")
    check_sites(t, line, r"^lockcheck: lock order: 'wait' \(rank 30\) taken at (0x[0-9a-f]+) "
                r"while holding 'proc' \(rank 50\) taken at (0x[0-9a-f]+)$",
                ["selftest_take_second", "selftest_take_first"])
    t.check(re.search(r"(?m)^lockcheck:   taking 'wait' at 0x", console)
            and re.search(r"(?m)^lockcheck:   while holding 'proc' at 0x", console),
            "the report lacks the lines giving both sites with their callers")


def lock_selftest(name, doc, report, functions):
    """Register test debug_selftest_NAME: selftest=NAME must panic with a
    report line matching `report`, whose two code addresses lie in the two
    `functions`."""
    def run(t):
        line, _ = selftest_panic(t, name)
        check_sites(t, line, report, functions)
    run.__doc__ = doc
    test("debug_selftest_" + name, groups=GROUPS, timeout=BUILD_TIMEOUT + 60)(run)


lock_selftest("lock_nest",
              "selftest=lock_nest: two 'pipe' locks (NEST 1) held at once panics naming both sites",
              r"^lockcheck: nesting: 'pipe' taken at (0x[0-9a-f]+) while holding 1 of "
              r"its class \(latest taken at (0x[0-9a-f]+)\)$",
              ["selftest_take_second", "selftest_take_first"])
lock_selftest("lock_sleep",
              "selftest=lock_sleep: sleep() on 'pipe' while holding 'console' panics naming both"
              " sites",
              r"^lockcheck: sleep \('pipe'\) at (0x[0-9a-f]+) while holding spinlock "
              r"'console' taken at (0x[0-9a-f]+)$",
              ["selftest_sleep", "selftest_take_first"])
lock_selftest("lock_sleeplock",
              "selftest=lock_sleeplock: acquire_sleep while holding a spinlock panics naming both"
              " sites",
              r"^lockcheck: acquire_sleep \('inode'\) at (0x[0-9a-f]+) while holding "
              r"spinlock 'console' taken at (0x[0-9a-f]+)$",
              ["selftest_take_sleeplock", "selftest_take_first"])
lock_selftest("lock_release",
              "selftest=lock_release: releasing a lock not held panics naming release and last"
              " acquire",
              r"^lockcheck: release of 'pipe' at (0x[0-9a-f]+), not held by this hart "
              r"\(last taken at (0x[0-9a-f]+), cpu 0\)$",
              ["selftest_release", "selftest_take_first"])


@test("debug_selftest_use_after_free", groups=GROUPS, timeout=BUILD_TIMEOUT + 60)
def debug_selftest_use_after_free(t):
    """selftest=use_after_free: a write to a freed page panics at the next kalloc, naming the page"""
    line, console = selftest_panic(t, "use_after_free")
    m = re.search(r"(?m)^selftest use_after_free: writing to freed page (0x[0-9a-f]+) at offset "
                  r"(0x[0-9a-f]+)$", console)   # a whole line: the panic came after it
    t.check(m, "no line announcing which freed page the self-test writes to")
    page, offset = m.groups()
    want = (r"^kalloc: page %s was written after it was freed: at offset %s it holds 0x1, not "
            r"the poison 0x5a5a5a5a5a5a5a5a \(freed by code at (0x[0-9a-f]+)\)$" % (page, offset))
    check_sites(t, line, want, ["kalloc_selftest"])


@test("debug_selftest_double_free", groups=GROUPS, timeout=BUILD_TIMEOUT + 60)
def debug_selftest_double_free(t):
    """selftest=double_free: freeing a free page panics naming the page and the caller"""
    line, console = selftest_panic(t, "double_free")
    m = re.search(r"(?m)^selftest double_free: freeing page (0x[0-9a-f]+) again$", console)
    t.check(m, "no line announcing which page the self-test frees twice")
    want = (r"^kfree: freeing a page that is free already: page %s \(called from (0x[0-9a-f]+)\)$"
            % m.group(1))
    check_sites(t, line, want, ["kalloc_selftest"])


def run_on_debug_kernel(t, *args):
    kernel = built(t, DEBUG_KERNEL)
    factory = functools.partial(rivet.Rivet, kernel=kernel)
    res = t.run_guest_test("usertests", *args, rivet_factory=factory,
                           timeout=t.remaining() - 5)
    t.check(re.search(DEBUG_BANNER, res.console, re.M),
            "the console lacks the debug kernel's line %r: not the debug kernel?" % DEBUG_BANNER)
    t.check("lockcheck" not in res.console, "the lock checker complained (see the log)")
    return res


@test("debug_usertests_proc", groups=GROUPS + [NEEDS_FS], timeout=BUILD_TIMEOUT + 240)
def debug_usertests_proc(t):
    """usertests -q proctest exectest fptest on the debug kernel: checker silent, no leaks"""
    # LAB sched: debug-fptest
    run_on_debug_kernel(t, "-q", "proctest", "exectest", "fptest")
    # END LAB sched


@test("debug_usertests_fs", groups=GROUPS + [NEEDS_FS], timeout=BUILD_TIMEOUT + 240)
def debug_usertests_fs(t):
    """usertests -q fstest on the debug kernel: checker silent, no leaks"""
    run_on_debug_kernel(t, "-q", "fstest")


@test("debug_off_in_normal_build", groups=GROUPS, timeout=BUILD_TIMEOUT + 60)
def debug_off_in_normal_build(t):
    """the normal kernel has no checker code, and its self-tests say they need DEBUG=1"""
    kernel = built(t, NORMAL_KERNEL)
    out = subprocess.run([toolprefix() + "nm", kernel], stdout=subprocess.PIPE, check=True)
    symbols = [ln.split()[-1] for ln in out.stdout.decode().splitlines()]
    debug_only = [s for s in symbols if s.startswith("lockcheck_") and s != "lockcheck_selftest"
                  or s in ("check_poison", "poison", "set_free_bit")]
    t.check(not debug_only, "the normal kernel contains debug-only functions: %s" % debug_only)
    with t.boot(cpus=1, kernel=kernel, bootargs="selftest=lock_order", timeout=SELFTEST_TIMEOUT) as r:
        r.expect(r"^selftest lock_order: the lock checker is built only by make DEBUG=1$",
                 timeout=SELFTEST_TIMEOUT)
        t.check_equal(r.wait_exit(timeout=SELFTEST_TIMEOUT), 1, "QEMU exit status")


# --- the lock table ---------------------------------------------------------

LOCKRANK_H = os.path.join(ROOT, "kernel", "sync", "lockrank.h")
LOCKING_MD = os.path.join(ROOT, "docs", "locking.md")


def table_in_header():
    """{name: (kind, rank, nest, sleep)} from kernel/sync/lockrank.h."""
    with open(LOCKRANK_H) as f:
        text = f.read()
    rows = re.findall(r'LOCK_CLASS\(\w+, "([^"]+)", (SPINLOCK|SLEEPLOCK), (\d+), (\w+), '
                      r'(SLEEP_OK|SLEEP_NO),', text)
    return {name: (kind.lower(), int(rank), "any" if nest == "NEST_ANY" else nest,
                   "yes" if sleep == "SLEEP_OK" else "no")
            for name, kind, rank, nest, sleep in rows}


def table_in_doc():
    """{name: (kind, rank, nest, sleep)} from the table in docs/locking.md
    (rows `| rank | `name` | kind | nest | sleep | ...`)."""
    with open(LOCKING_MD) as f:
        text = f.read()
    rows = re.findall(r"(?m)^\| (\d+) \| `([^`]+)` \| (spinlock|sleeplock) \| (\w+) \| (yes|no) \|",
                      text)
    return {name: (kind, int(rank), nest, sleep) for rank, name, kind, nest, sleep in rows}


@test("lock_table_doc", groups=GROUPS, timeout=30)
def lock_table_doc(t):
    """docs/locking.md shows exactly the lock table of kernel/sync/lockrank.h"""
    header, doc = table_in_header(), table_in_doc()
    t.check(len(header) >= 10, "found only %d lock classes in %s" % (len(header), LOCKRANK_H))
    for name in sorted(set(header) | set(doc)):
        t.check_equal(doc.get(name), header.get(name),
                      "class '%s' (kind, rank, nest, held across sleep) in docs/locking.md "
                      "vs kernel/sync/lockrank.h" % name)


@test("lock_table_complete", groups=GROUPS, timeout=30)
def lock_table_complete(t):
    """every spinlock_init/sleeplock_init in the kernel names a class of the lock table"""
    header = table_in_header()
    inits = []
    for path in glob.glob(os.path.join(ROOT, "kernel", "**", "*.c"), recursive=True):
        with open(path) as f:
            for m in re.finditer(r'\b(spinlock_init|sleeplock_init)\([^;{]*?"([^"]*)"\)', f.read()):
                inits.append((os.path.relpath(path, ROOT), m.group(1), m.group(2)))
    t.check(len(inits) >= 10, "found only %d lock inits in kernel/" % len(inits))
    for path, func, name in inits:
        if path == "kernel/sync/selftest.c":
            continue
        t.check(name in header, "%s: %s(..., \"%s\"): no such class in kernel/sync/lockrank.h"
                % (path, func, name))
        want = "sleeplock" if func == "sleeplock_init" else "spinlock"
        t.check_equal(header[name][0], want, "%s: kind of class '%s'" % (path, name))
    used = {name for _, _, name in inits}
    unused = sorted(set(header) - used)
    t.check(not unused, "classes in the lock table that no lock uses: %s" % unused)
