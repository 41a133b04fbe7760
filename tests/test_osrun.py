"""Tests of scripts/osrun and rivet.osrun(): exit statuses, exact output,
timeouts, panics, the disk image left alone, usage errors.

All but the usage tests need init, the shell and fs.img (group needs_fs):
they are skipped while fs.img does not exist."""

import hashlib
import os
import shutil
import tempfile

import rivet
from testlib import NEEDS_FS, test

FS = [NEEDS_FS, "osrun"]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_status(t, n):
    res = t.osrun_script(["--", "exit %d" % n], timeout=60)
    t.check_equal(res.status, n, "osrun exit status of 'exit %d'" % n)
    t.check_equal(res.stdout, "", "stdout of 'exit %d'" % n)


@test("osrun_exit0", groups=FS, timeout=90)
def osrun_exit0(t):
    """osrun -- exit 0 -> status 0"""
    check_status(t, 0)


@test("osrun_exit1", groups=FS, timeout=90)
def osrun_exit1(t):
    """osrun -- exit 1 -> status 1"""
    check_status(t, 1)


@test("osrun_exit42", groups=FS, timeout=90)
def osrun_exit42(t):
    """osrun -- exit 42 -> status 42"""
    check_status(t, 42)


@test("osrun_exit255", groups=FS, timeout=90)
def osrun_exit255(t):
    """osrun -- exit 255 -> status 255"""
    check_status(t, 255)


@test("osrun_echo", groups=FS, timeout=90)
def osrun_echo(t):
    """osrun -- echo hi: words after -- are joined; output exact"""
    res = t.osrun_script(["--", "echo", "hi"], timeout=60)
    t.check_equal(res.status, 0, "exit status")
    t.check_equal(res.stdout, "hi\n", "stdout")


@test("osrun_quotes_pipe", groups=FS, timeout=90)
def osrun_quotes_pipe(t):
    """quotes, doubled spaces and a quoted | survive; a pipe works"""
    res = t.osrun_script(["--", "echo \"a  b\" 'c|d' | cat"], timeout=60)
    t.check_equal(res.status, 0, "exit status")
    t.check_equal(res.stdout, "a  b c|d\n", "stdout")


@test("osrun_verbose", groups=FS, timeout=90)
def osrun_verbose(t):
    """-v: boot messages on stderr, stdout still exactly the output"""
    res = t.osrun_script(["-v", "--", "echo", "quiet"], timeout=60)
    t.check_equal(res.status, 0, "exit status")
    t.check_equal(res.stdout, "quiet\n", "stdout")
    t.check(rivet.BANNER.search(res.stderr), "no kernel banner on stderr with -v")
    plain = t.osrun_script(["--", "echo", "quiet"], timeout=60)
    t.check(not rivet.BANNER.search(plain.stderr), "boot messages on stderr without -v")


@test("osrun_timeout", groups=FS, timeout=90)
def osrun_timeout(t):
    """a hanging command with --timeout 5 (longer on a busy host) -> status 124"""
    # the boot must fit in the timeout, or osrun rightly reports a boot failure (126)
    limit = "%d" % t.scaled(5)
    res = t.osrun_script(["--timeout", limit, "--", "pause 1000"], timeout=40)
    t.check_equal(res.status, rivet.EXIT_TIMEOUT, "exit status")
    t.check("timeout" in res.stderr, "stderr does not name the timeout: %r" % res.stderr[-200:])
    t.check(res.seconds < t.scaled(30), "took %.1fs for a %ss timeout, want under %.0fs"
            % (res.seconds, limit, t.scaled(30)))


@test("osrun_panic", groups=FS, timeout=90)
def osrun_panic(t):
    """kernel panic during the command (selftest=fault_late) -> status 125"""
    res = t.osrun_script(["--timeout", "30", "--", "pause 1000"],
                         env={"RIVET_BOOTARGS": "selftest=fault_late"}, timeout=60)
    t.check_equal(res.status, rivet.EXIT_PANIC, "exit status")
    t.check("panic" in res.stderr, "stderr does not name the panic: %r" % res.stderr[-200:])


@test("osrun_image_unchanged", groups=FS, timeout=90)
def osrun_image_unchanged(t):
    """fs.img's sha256 is the same after a command that writes files"""
    img = rivet.default_image()
    before = sha256(img)
    res = t.osrun_script(["--", "echo scribble > osrun_junk; cat osrun_junk"], timeout=60)
    t.check_equal(res.stdout, "scribble\n", "stdout")
    t.check_equal(sha256(img), before, "sha256 of fs.img")


@test("osrun_image_persist", groups=FS, timeout=120)
def osrun_image_persist(t):
    """--image FILE is used as is: a file written in one run is there in the next"""
    d = tempfile.mkdtemp(prefix="rivet-test-")
    try:
        img = os.path.join(d, "disk.img")
        shutil.copyfile(rivet.default_image(), img)
        res = t.osrun_script(["--image", img, "--", "echo %s > keep" % t.token], timeout=60)
        t.check_equal(res.status, 0, "exit status of the writing run")
        res = t.osrun_script(["--image", img, "--", "cat keep"], timeout=60)
        t.check_equal(res.stdout, t.token + "\n", "file content in the second run")
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test("osrun_api", groups=FS, timeout=90)
def osrun_api(t):
    """rivet.osrun(): status, stdout, console and reason"""
    res = t.osrun("echo %s | cat; exit 7" % t.token, timeout=60)
    t.check_equal(res.reason, "ok", "reason")
    t.check_equal(res.status, 7, "status")
    t.check_equal(res.stdout, t.token + "\n", "stdout")
    t.check(rivet.BANNER.search(res.console), "no banner in .console")
    t.check(res.marker not in res.stdout, "marker leaked into .stdout")


@test("osrun_icount", groups=FS, timeout=90)
def osrun_icount(t):
    """--icount on 3 harts: the command runs and its output is exact"""
    # Not 2 harts: QEMU 7.2's icount round-robin can starve one of exactly
    # two vCPUs while the other spins on a lock (see tests/README.md).
    res = t.osrun_script(["--icount", "--cpus", "3", "--timeout", "30", "--",
                          "echo %s" % t.token], timeout=60)
    t.check_equal((res.status, res.stdout), (0, t.token + "\n"), "(status, stdout)")


@test("osrun_usage", groups=["osrun"], timeout=60)
def osrun_usage(t):
    """usage errors (no command, unknown option, missing image, bad value) -> 2"""
    cases = [([], "no command"),
             (["--"], "no command after --"),
             (["--frobnicate", "--", "echo"], "unknown option"),
             (["--image", "/nonexistent/rivet.img", "--", "echo"], "missing --image file"),
             (["--timeout", "soon", "--", "echo"], "bad --timeout"),
             (["--cpus"], "--cpus without a value")]
    for args, what in cases:
        res = t.osrun_script(args, timeout=20)
        t.check(res.status == rivet.EXIT_USAGE,
                "%s: exit status %s, want %d" % (what, res.status, rivet.EXIT_USAGE))
        t.check("usage:" in res.stderr, "%s: no usage message on stderr" % what)
        t.check_equal(res.stdout, "", "%s: stdout" % what)
    res = t.osrun_script(["--help"], timeout=20)
    t.check_equal(res.status, 0, "--help exit status")
    for word in ("124", "125", "126"):
        t.check(word in res.stdout, "--help does not document exit status %s" % word)
