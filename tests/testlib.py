"""Test registry and helpers shared by tests/run.py and tests/grade.py.

A test is a function taking one argument, the test context ``t``, in a
module tests/test_*.py, registered with the ``@test`` decorator::

    from testlib import test

    @test("boot_smp2", groups=["boot"], timeout=30)
    def boot_smp2(t):
        with t.boot(cpus=2) as r:
            m = r.expect(r"^Rivet kernel 0\\.1: (\\d+) harts", timeout=10)
            t.check(m.group(1) == "2", "banner says %s harts" % m.group(1))

A test passes when it returns, and fails when it raises (``t.fail()``,
``t.check()``, an ``assert``, a rivet timeout, ...).  Everything the test
booted is killed when it ends or when its own timeout runs out, and the
consoles of its boots make up its log.

Group ``needs_fs``: the test is skipped when fs.img does not exist.
"""

import atexit
import fnmatch
import glob
import importlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

import rivet  # noqa: E402

ROOT = rivet.ROOT
OSRUN = os.path.join(ROOT, "scripts", "osrun")
NEEDS_FS = "needs_fs"
DEFAULT_TEST_TIMEOUT = 60.0

REGISTRY = {}
"""Registered tests by name (``TestSpec``), in registration order."""

_running = set()   # contexts of tests still running (killed at exit)


@atexit.register
def _abort_all_at_exit():
    for ctx in list(_running):
        ctx.abort()


class TestFailure(AssertionError):
    """Raised by ``t.fail()`` / ``t.check()``: the test failed, with a reason."""


class TestSpec:
    """A registered test: name, func, groups, timeout, module, doc."""

    def __init__(self, name, func, groups, timeout):
        self.name = name
        self.func = func
        self.groups = tuple(groups)
        self.timeout = float(timeout)
        self.module = func.__module__
        self.doc = (func.__doc__ or "").strip().split("\n")[0]

    def __repr__(self):
        return "<test %s>" % self.name


def test(name=None, groups=(), timeout=DEFAULT_TEST_TIMEOUT):
    """Decorator registering ``func(t)`` as a test called ``name``
    (default: the function's name), with group tags and a timeout."""
    if callable(name):           # used bare: @test
        return test()(name)
    if isinstance(groups, str):
        groups = groups.split(",")

    def register(func):
        n = name or func.__name__
        old = REGISTRY.get(n)
        if old is not None and (old.module, old.func.__qualname__) != (
                func.__module__, func.__qualname__):
            raise ValueError("test %r registered twice (%s and %s)"
                             % (n, old.module, func.__module__))
        REGISTRY[n] = TestSpec(n, func, groups, timeout)
        return func
    return register


def load_tests(extra_modules=()):
    """Import every tests/test_*.py plus ``extra_modules`` (module names in
    tests/); return the registry."""
    names = sorted(os.path.basename(p)[:-3]
                   for p in glob.glob(os.path.join(TESTS_DIR, "test_*.py")))
    for mod in list(names) + [m for m in extra_modules if m not in names]:
        importlib.import_module(mod)
    return REGISTRY


STRESS_GROUP = "stress"
"""Long tests (minutes): run only when named, e.g. by `make stress`."""


def select(patterns):
    """Tests matching any of ``patterns`` (names, globs, comma lists, or
    ``group:NAME``), in registration order; if none given, all tests but
    those of the stress group.  Raises KeyError naming a pattern that
    matches nothing."""
    words = [w for p in patterns for w in p.split(",") if w.strip()]
    if not words:
        return [s for s in REGISTRY.values() if STRESS_GROUP not in s.groups]
    chosen = []
    for w in words:
        w = w.strip()
        if w.startswith("group:"):
            hits = [s for s in REGISTRY.values() if w[6:] in s.groups]
        else:
            hits = [s for s in REGISTRY.values() if fnmatch.fnmatchcase(s.name, w)]
        if not hits:
            raise KeyError(w)
        for s in hits:
            if s not in chosen:
                chosen.append(s)
    order = list(REGISTRY.values())
    return sorted(chosen, key=order.index)


_current = threading.local()


def current():
    """The context of the test running in this thread."""
    ctx = getattr(_current, "ctx", None)
    if ctx is None:
        raise RuntimeError("not inside a test")
    return ctx


class ScriptResult:
    """Result of ``t.osrun_script()``: status, stdout, stderr, seconds."""

    def __init__(self, status, stdout, stderr, seconds):
        self.status, self.stdout, self.stderr, self.seconds = status, stdout, stderr, seconds

    def __repr__(self):
        return "ScriptResult(status=%r, stdout=%r, stderr=%r)" % (
            self.status, self.stdout[:60], self.stderr[:120])


class Context:
    """What a test function receives as ``t``.

    name, token (random hex, fresh per test), groups; ``remaining()``
    seconds of the test's time; ``boot()``, ``osrun()``, ``osrun_script()``,
    ``run_guest_test()`` start things that are killed when the test ends;
    ``note()`` adds to the log; ``fail()``/``check()`` fail the test.
    """

    def __init__(self, spec, deadline):
        self.spec = spec
        self.name = spec.name
        self.groups = spec.groups
        self.token = rivet.token()
        self.deadline = deadline
        self._lock = threading.Lock()
        self._rivets = []
        self._results = []       # (title, log text) in order
        self._procs = []
        self._notes = []
        self.aborted = False

    # ---------------------------------------------------------- time/log
    def remaining(self):
        """Seconds left before the test's timeout."""
        return max(0.1, self.deadline - time.monotonic())

    def _cap(self, timeout):
        left = self.remaining()
        return left if timeout is None else min(float(timeout), left)

    def note(self, text):
        """Add a line (or block) of text to this test's log."""
        with self._lock:
            self._notes.append(str(text))
            self._results.append(("note", str(text)))

    def fail(self, reason):
        """Fail the test now with ``reason``."""
        raise TestFailure(reason)

    def check(self, cond, reason):
        """Fail the test with ``reason`` unless ``cond``."""
        if not cond:
            raise TestFailure(reason)

    def check_equal(self, got, want, what="value"):
        """Fail unless ``got == want``; the reason shows both."""
        if got != want:
            raise TestFailure("%s: got %r, want %r" % (what, got, want))

    def _guard(self):
        if self.aborted:
            raise TestFailure("test aborted (timeout)")

    # ----------------------------------------------------------- running
    def boot(self, **kw):
        """Start a ``rivet.Rivet`` (same keywords) that dies with the test;
        use it in a ``with`` block.  Its lifetime is capped by the test's."""
        self._guard()
        kw["timeout"] = self._cap(kw.get("timeout"))
        r = rivet.Rivet(start=False, **kw)
        with self._lock:
            self._rivets.append(r)
            self._results.append(("boot", r))
        r.start()
        return r

    def osrun(self, cmdline, **kw):
        """``rivet.osrun()`` (same keywords) capped by the test's time."""
        self._guard()
        kw["timeout"] = self._cap(kw.get("timeout", rivet.DEFAULT_TIMEOUT))

        def hook(r):
            with self._lock:
                self._rivets.append(r)
            if self.aborted:
                r.kill()
        res = rivet.osrun(cmdline, rivet_hook=hook, **kw)
        with self._lock:
            self._results.append(("osrun %s" % cmdline, res.log))
        return res

    def osrun_script(self, args, env=None, timeout=None):
        """Run scripts/osrun with ``args`` (a list); returns ScriptResult.
        ``env`` entries are added to the environment."""
        self._guard()
        e = dict(os.environ)
        e["RIVET_NO_BUILD"] = "1"
        fd, log_file = tempfile.mkstemp(prefix="rivet-osrun-", suffix=".log")
        os.close(fd)
        e["RIVET_LOG"] = log_file
        e.update(env or {})
        argv = [sys.executable, OSRUN] + list(args)
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=e, start_new_session=True)
        with self._lock:
            self._procs.append(p)
        try:
            out, err = p.communicate(timeout=self._cap(timeout))
        except subprocess.TimeoutExpired:
            _kill_group(p)
            out, err = p.communicate()
            raise TestFailure("scripts/osrun %s did not finish in time" % shlex.join(args))
        finally:
            _kill_group(p)
            try:
                with open(log_file, encoding="utf-8", errors="replace") as f:
                    console_log = f.read()
                os.remove(log_file)
            except OSError:
                console_log = ""
        res = ScriptResult(p.returncode, out.decode("utf-8", "surrogateescape"),
                           err.decode("utf-8", "replace"), time.monotonic() - t0)
        with self._lock:
            self._results.append(("$ scripts/osrun %s" % shlex.join(args),
                                  "exit status %s\n--- stdout:\n%s--- stderr:\n%s%s"
                                  % (res.status, res.stdout, res.stderr,
                                     "--- console log:\n" + console_log if console_log else "")))
        return res

    def run_guest_test(self, prog, *args, **kw):
        """Run in-guest test program ``prog`` as ``PROG TOKEN ARGS...`` with
        osrun (keywords as for ``osrun()``) and require the verdict line
        ``PROG: PASS TOKEN``, no line containing ``FAIL``, status 0 and reason
        'ok'.  Returns the OsrunResult."""
        words = [prog, self.token] + [str(a) for a in args]
        cmd = " ".join(shlex.quote(w) for w in words)
        res = self.osrun(cmd, **kw)
        name = os.path.basename(prog)
        if res.reason != "ok":
            self.fail("%s: %s (%s)" % (name, res.reason, res.message))
        bad = [ln for ln in res.stdout.splitlines() if "FAIL" in ln]
        if bad:
            self.fail("%s: %s" % (name, bad[0].strip()[:200]))
        verdict = "%s: PASS %s" % (name, self.token)
        if verdict not in res.stdout.splitlines():
            self.fail("%s: no verdict line %r (exit status %d)" % (name, verdict, res.status))
        if res.status != 0:
            self.fail("%s: exit status %d" % (name, res.status))
        return res

    def abort(self):
        """Kill everything this test started (used on its timeout)."""
        self.aborted = True
        with self._lock:
            rivets, procs = list(self._rivets), list(self._procs)
        for p in procs:
            _kill_group(p)
        for r in rivets:
            try:
                r.kill()
            except Exception:
                pass

    def log_text(self):
        """The test's log: notes, then each boot's log, in order."""
        parts = []
        with self._lock:
            items = list(self._results)
        for title, item in items:
            if title == "note":
                parts.append(item.rstrip("\n") + "\n")
            elif title == "boot":
                parts.append("=== boot\n" + item.format_log())
            else:
                parts.append("=== %s\n%s" % (title, item if item.endswith("\n") else item + "\n"))
        return "".join(parts)


def _kill_group(p):
    if p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        pass


def run_guest_test(prog, *args, **kw):
    """``t.run_guest_test()`` for the test running in this thread."""
    return current().run_guest_test(prog, *args, **kw)


class Outcome:
    """Result of one test: name, status ('pass'|'fail'|'skip'), reason, seconds, log."""

    def __init__(self, name, status, reason, seconds, log):
        self.name, self.status, self.reason, self.seconds, self.log = \
            name, status, reason, seconds, log


def have_fs_image():
    return os.path.exists(rivet.default_image())


def run_test(spec):
    """Run one test with its timeout; return an Outcome (never raises)."""
    if NEEDS_FS in spec.groups and not have_fs_image():
        return Outcome(spec.name, "skip", "no fs.img", 0.0, "")
    t0 = time.monotonic()
    ctx = Context(spec, t0 + spec.timeout)
    box = {}

    def body():
        _current.ctx = ctx
        try:
            spec.func(ctx)
            box["status"] = "pass"
        except TestFailure as e:
            box["status"], box["reason"] = "fail", str(e) or "failed"
        except rivet.RivetError as e:
            box["status"], box["reason"] = "fail", str(e)
        except AssertionError as e:
            box["status"] = "fail"
            box["reason"] = "assertion failed: %s" % (str(e) or _assert_line(e))
            box["trace"] = traceback.format_exc()
        except BaseException as e:  # a bug in the test itself
            box["status"], box["reason"] = "fail", "%s: %s" % (type(e).__name__, e)
            box["trace"] = traceback.format_exc()
        finally:
            _current.ctx = None
            ctx.abort()

    th = threading.Thread(target=body, name="test-" + spec.name, daemon=True)
    _running.add(ctx)
    th.start()
    th.join(spec.timeout)
    if th.is_alive():
        ctx.abort()
        th.join(15)
        box = {"status": "fail", "reason": "test timed out after %gs" % spec.timeout}
    _running.discard(ctx)
    seconds = time.monotonic() - t0
    if (ctx.aborted and box.get("status") == "fail" and seconds >= spec.timeout
            and not box.get("reason", "").startswith("test timed out")):
        box["reason"] = "test timed out after %gs (%s)" % (spec.timeout, box.get("reason"))
    log = "# test %s: %s%s (%.1fs)\n" % (spec.name, box["status"].upper(),
                                         ": " + box["reason"] if box.get("reason") else "",
                                         seconds)
    log += ctx.log_text()
    if box.get("trace"):
        log += "=== traceback\n" + box["trace"]
    reason = (box.get("reason") or "").strip().split("\n")[0][:300]
    return Outcome(spec.name, box["status"], reason, seconds, log)


def _assert_line(e):
    tb = traceback.extract_tb(e.__traceback__)
    return (tb[-1].line or "assert") if tb else "assert"


def build(quiet=False):
    """Run make for kernel/kernel and fs.img (fs.img failing is tolerated).
    Returns True when kernel/kernel could be built.  Does nothing when there
    is no Makefile or RIVET_NO_BUILD=1."""
    if os.environ.get("RIVET_NO_BUILD") == "1":
        return True
    if not os.path.exists(os.path.join(ROOT, "Makefile")):
        return os.path.exists(rivet.kernel_path())
    out = None if not quiet else subprocess.DEVNULL
    kernel = rivet.kernel_make_target()   # RIVET_KERNEL: e.g. the debug kernel
    if subprocess.call(["make", "-s", kernel, "fs.img"], cwd=ROOT,
                       stdout=out, stderr=out) == 0:
        return True
    return subprocess.call(["make", "-s", kernel], cwd=ROOT,
                           stdout=out, stderr=out) == 0
