"""xv6 compatibility: the five programs of xv6's util lab (sleep,
pingpong, primes, find, xargs), written exactly as for xv6-riscv, build
and run on Rivet unchanged.

The sources are tests/compat/NAME.c. They include kernel/types.h,
kernel/stat.h, kernel/fcntl.h, kernel/fs.h, kernel/param.h and user/user.h
and use exit(0), wait(0), fprintf(2, ...), struct dirent/DIRSIZ, struct
stat/T_DIR and MAXARG, as xv6 programs do.

The first test that needs them copies the build tree (kernel/ headers,
user/, mkfs/, scripts/, Makefile, README.md; built objects are kept so only
the new programs compile) to a temporary directory, puts the labs there as
user/NAME.c (the lab's sleep replaces Rivet's own sleep, as in an xv6 lab
tree), and builds the disk image the xv6 way:

    make fs.img UPROGS="$U/_cat $U/_echo ... $U/_sleep $U/_pingpong ..."

listing every default program (Makefile: each user/*.c) and the labs.
The tests then boot Rivet's kernel on that image and check the outputs as
xv6's grade-lab-util does. (Rivet's own solutions of that lab, graded by
labs/util/test_util.py, are labs/util/solution/*.c; these xv6-style copies
stay in tests/compat/ so that this test runs in every lab's handout, which
has no labs/util/.)"""

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import threading

import rivet
from oscheck import FIND_CMDLINE, check_find_output
from testlib import NEEDS_FS, ROOT, test

GROUPS = [NEEDS_FS, "compat"]
LABS = ["sleep", "pingpong", "primes", "find", "xargs"]
COMPAT_DIR = os.path.join(ROOT, "tests", "compat")
OSRUN_TIMEOUT = 20
BUILD_TIMEOUT = 120
MAX_CMDLINE = 480   # osrun's command line must fit the kernel's boot arguments

_lock = threading.Lock()
_build = {}   # "image", "programs" once built; "error" if the build failed


def _copy_tree(tmp):
    """Copy what `make fs.img` needs into tmp, keeping modification times
    (so built objects stay up to date)."""
    ignore_kernel = shutil.ignore_patterns("*.o", "kernel", "kernel.asm")
    shutil.copytree(os.path.join(ROOT, "kernel"), os.path.join(tmp, "kernel"),
                    ignore=ignore_kernel)
    shutil.copytree(os.path.join(ROOT, "user"), os.path.join(tmp, "user"))
    shutil.copytree(os.path.join(ROOT, "mkfs"), os.path.join(tmp, "mkfs"))
    shutil.copytree(os.path.join(ROOT, "scripts"), os.path.join(tmp, "scripts"))
    for f in ("Makefile", "README.md"):
        shutil.copy2(os.path.join(ROOT, f), os.path.join(tmp, f))


def _do_build(t):
    tmp = tempfile.mkdtemp(prefix="rivet-compat-")
    atexit.register(shutil.rmtree, tmp, True)
    _copy_tree(tmp)
    user = os.path.join(tmp, "user")
    for name in LABS:
        # a lab program replaces any program of the same name
        for stale in ("%s.c" % name, "%s.o" % name, "%s.d" % name, "_%s" % name):
            p = os.path.join(user, stale)
            if os.path.exists(p):
                os.remove(p)
    defaults = sorted(f[:-2] for f in os.listdir(user) if f.endswith(".c"))
    for name in LABS:
        # copyfile, not copy2: a new mtime, so make builds it
        shutil.copyfile(os.path.join(COMPAT_DIR, name + ".c"), os.path.join(user, name + ".c"))
    uprogs = " ".join("$U/_%s" % n for n in defaults + LABS)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    argv = ["make", "-s", "fs.img", "UPROGS=" + uprogs]
    t.note("build in %s: make -s fs.img UPROGS=\"%s\"" % (tmp, uprogs))
    try:
        p = subprocess.run(argv, cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=min(BUILD_TIMEOUT, t.remaining()))
    except subprocess.TimeoutExpired:
        return dict(error="make fs.img UPROGS=... did not finish in time")
    out = p.stdout.decode("utf-8", "replace")
    t.note("make output:\n" + out)
    if p.returncode != 0:
        tail = [ln for ln in out.splitlines() if ln.strip()][-3:]
        return dict(error="make fs.img UPROGS=... failed (status %d): %s"
                    % (p.returncode, " | ".join(tail)))
    for name in LABS:
        if not os.path.exists(os.path.join(user, "_" + name)):
            return dict(error="the build made no user/_%s" % name)
    return dict(image=os.path.join(tmp, "fs.img"), programs=defaults + LABS)


def lab_image(t):
    """Path of the disk image with the lab programs (built once per run)."""
    with _lock:
        if not _build:
            _build.update(_do_build(t))
    if "error" in _build:
        t.fail(_build["error"])
    return _build["image"]


def run(t, cmdline, timeout=OSRUN_TIMEOUT):
    """osrun ``cmdline`` on the lab image; fail unless it finished."""
    if len(cmdline) > MAX_CMDLINE:
        t.fail("test bug: command line of %d bytes is too long for osrun" % len(cmdline))
    res = t.osrun(cmdline, image=lab_image(t), timeout=timeout)
    if res.reason != "ok":
        t.fail("%r: %s (%s); output so far: %r"
               % (cmdline[:60], res.reason, res.message, res.stdout[-300:]))
    return res


def lines(*ls):
    return "".join(line + "\n" for line in ls)


@test("compat_build", groups=GROUPS, timeout=150)
def compat_build(t):
    """the labs build with make fs.img UPROGS=...; / holds exactly those programs"""
    res = run(t, "ls /")
    names = set()
    for line in res.stdout.splitlines():
        m = re.fullmatch(r"(\S+) +(\d) \d+ \d+", line)
        t.check(m is not None, "ls / line %r, want NAME TYPE INUM SIZE" % line)
        names.add(m.group(1))
    want = {".", "..", "README.md", "README"} | set(_build["programs"])
    t.check_equal(sorted(names - want), [], "files in / that UPROGS did not list")
    t.check_equal(sorted(want - names), [], "UPROGS programs missing from /")


@test("compat_sleep", groups=GROUPS, timeout=150)
def compat_sleep(t):
    """lab sleep: no argument -> message, status 1; 'sleep 10' returns 0; 100 ticks >= 1 s"""
    res = run(t, "sleep; echo st=$?; sleep 10; echo st=$?", timeout=12)
    t.check_equal(res.stdout, lines("Usage: sleep ticks", "st=1", "st=0"), "output")
    res = run(t, "sleep 100; echo done", timeout=12)
    t.check_equal(res.stdout, "done\n", "output of sleep 100")
    t.check(res.seconds >= 1.0, "sleep 100 (ticks of 10 ms) returned after %.2fs, boot included; want >= 1 s"
            % res.seconds)


@test("compat_pingpong", groups=GROUPS, timeout=150)
def compat_pingpong(t):
    """lab pingpong: '<child pid>: received ping' then '<parent pid>: received pong'"""
    res = run(t, "pingpong; echo st=$?")
    m = re.fullmatch(r"(\d+): received ping\n(\d+): received pong\nst=0\n", res.stdout)
    t.check(m is not None, "pingpong output %r, want 'PID: received ping', 'PID: received pong'"
            % res.stdout)
    t.check(m.group(1) != m.group(2), "ping and pong from the same pid %s, want two pids" % m.group(1))
    # the parent forked the child, so it has the smaller pid here
    t.check(int(m.group(2)) < int(m.group(1)), "pong pid %s is not the parent of ping pid %s"
            % (m.group(2), m.group(1)))


@test("compat_primes", groups=GROUPS, timeout=150)
def compat_primes(t):
    """lab primes: 'prime N' for every prime up to 35, in order, nothing else"""
    primes = [n for n in range(2, 36) if all(n % d for d in range(2, n))]
    res = run(t, "primes; echo st=$?")
    t.check_equal(res.stdout, lines(*["prime %d" % p for p in primes] + ["st=0"]),
                  "primes output")
    # twice in a row: every process of the first run is gone
    res = run(t, "primes > o1; primes > o2; wc o1 o2")
    t.check_equal(res.stdout, lines("11 22 %d o1" % sum(len("prime %d\n" % p) for p in primes),
                                    "11 22 %d o2" % sum(len("prime %d\n" % p) for p in primes),
                                    "22 44 %d total" % (2 * sum(len("prime %d\n" % p)
                                                                for p in primes))),
                  "two runs of primes")


@test("compat_find", groups=GROUPS, timeout=150)
def compat_find(t):
    """lab find: every b under ., under a subdirectory, a 14-char name, no match"""
    check_find_output(t, run(t, FIND_CMDLINE).stdout)


@test("compat_xargs", groups=GROUPS, timeout=150)
def compat_xargs(t):
    """lab xargs: words of each line appended; -n 1; xv6's xargstest.sh gives 3 hellos"""
    res = run(t, "echo hello too | xargs echo bye; (echo 1; echo 2) | xargs -n 1 echo line;"
                 " (echo a b; echo; echo c) | xargs echo x")
    t.check_equal(res.stdout, lines("bye hello too", "line 1", "line 2", "x a b", "x", "x c"),
                  "xargs output")
    # xv6's user/xargstest.sh, run as grade-lab-util runs it: sh < xargstest.sh
    script = ["mkdir a", "echo hello > a/b", "mkdir c", "echo hello > c/b",
              "echo hello > b", "find . b | xargs grep hello"]
    make = "; ".join("echo '%s' %s xargstest.sh" % (ln, ">" if i == 0 else ">>")
                     for i, ln in enumerate(script))
    res = run(t, make + "; sh < xargstest.sh; echo st=$?")
    t.check_equal(res.stdout, lines("hello", "hello", "hello", "st=0"), "sh < xargstest.sh")
