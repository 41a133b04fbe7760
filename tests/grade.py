#!/usr/bin/env python3
"""Rivet grader (behind `make grade`).

usage: python3 tests/grade.py [RUBRIC | --rubric FILE] [--results FILE] [-j N] [--no-build]

Reads a rubric (default tests/rubric.txt, or env RUBRIC), runs the tests
it names, prints one line per test as it finishes:

    boot_smp1: OK (1.2s)
    tick_smp4: FAIL (timeout after 15s waiting for ...) (15.3s)

then `Score: T/P`, and writes Gradescope results (default results.json in
the repository root, or env RESULTS).  Exit status 0 when every point was
earned, 1 otherwise, 2 on a bad rubric.

Rubric format: one test per line, `POINTS  TEST-NAME  [VISIBILITY]  [note]`;
VISIBILITY is visible (the default), hidden or after_published (Gradescope's
words: when the student sees the test); `#` starts a comment; `use MODULE`
loads extra tests from tests/MODULE.py.  A rubric outside tests/ (a lab's,
labs/<lab>/rubric.txt) also loads the test_*.py modules of its own folder.

The grader builds first (make: the kernel and fs.img).  When the build fails
no test runs: every test scores 0 and results.json carries the compiler's
messages, so nothing stale is ever graded.  Each test's output in
results.json is its own: the firmware banner and the kernel's boot lines
are left out (the whole console is in the failure log).
"""

import argparse
import concurrent.futures
import glob
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import testlib  # noqa: E402

DEFAULT_RUBRIC = os.path.join(testlib.TESTS_DIR, "rubric.txt")
DEFAULT_RESULTS = os.path.join(testlib.ROOT, "results.json")
LOG_DIR = os.path.join(testlib.TESTS_DIR, "logs")
OUTPUT_LIMIT = 4096   # bytes of `output` per test in results.json
VISIBILITIES = ("visible", "hidden", "after_published")
DEFAULT_VISIBILITY = "visible"


class RubricError(Exception):
    pass


def parse_rubric(path):
    """Return (modules, items): items is a list of (points, name, visibility, note)."""
    modules, items, seen = [], [], set()
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            words = line.split()
            where = "%s:%d" % (path, lineno)
            if words[0] == "use":
                if len(words) < 2:
                    raise RubricError("%s: 'use' needs a module name" % where)
                modules += [m for w in words[1:] for m in w.split(",") if m]
                continue
            try:
                points = float(words[0])
            except ValueError:
                raise RubricError("%s: want 'POINTS TEST-NAME', got %r" % (where, line))
            if points < 0 or len(words) < 2:
                raise RubricError("%s: want 'POINTS TEST-NAME', got %r" % (where, line))
            if points.is_integer():
                points = int(points)
            name = words[1]
            if name in seen:
                raise RubricError("%s: test %s listed twice" % (where, name))
            seen.add(name)
            rest = words[2:]
            visibility = DEFAULT_VISIBILITY
            if rest and rest[0] in VISIBILITIES:
                visibility = rest.pop(0)
            items.append((points, name, visibility, " ".join(rest)))
    if not items:
        raise RubricError("%s: no tests" % path)
    return modules, items


def load_rubric_tests(rubric, modules):
    """Load tests/test_*.py, the rubric's `use` modules, and, for a rubric
    kept outside tests/ (labs/<lab>/rubric.txt), the test_*.py of its folder."""
    testlib.load_tests(modules)
    folder = os.path.dirname(os.path.abspath(rubric))
    if os.path.realpath(folder) == os.path.realpath(testlib.TESTS_DIR):
        return
    if folder not in sys.path:
        sys.path.insert(0, folder)
    for path in sorted(glob.glob(os.path.join(folder, "test_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])


def build():
    """Build the kernel and fs.img (make -s).  Returns (ok, make's output)."""
    target = testlib.rivet.kernel_make_target()
    p = subprocess.run(["make", "-s", target, "fs.img"], cwd=testlib.ROOT,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    return p.returncode == 0, p.stdout.decode("utf-8", "replace")


# Console lines that belong to every boot, not to a test, cut from each
# test's output in results.json: OpenSBI's banner (from `OpenSBI v` on: its
# logo, its `Key : value` table, blank lines), the kernel's boot lines and
# the QEMU command line.
BANNER_START = "OpenSBI v"
BANNER_LINE = re.compile(r"^([ |/\\_().'<>-]*|[A-Z][A-Za-z0-9 ]*: .*)$")
BOOT_LINE = re.compile(r"^(virtio_blk: .*|Rivet kernel \d.*|hart \d+: scheduler running"
                       r"|fs: mounted .*|# qemu: .*)$")


def strip_boot_noise(log):
    """A test's log without the firmware banner, boot lines and QEMU command."""
    out, in_banner = [], False
    for line in log.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if bare.startswith(BANNER_START):
            in_banner = True
            continue
        if in_banner and BANNER_LINE.match(bare):
            continue
        in_banner = False
        if not BOOT_LINE.match(bare):
            out.append(line)
    return "".join(out)


def fmt(x):
    return ("%d" % x) if float(x).is_integer() else ("%g" % x)


def tail_bytes(header, log, limit=OUTPUT_LIMIT):
    """header + the end of log, at most `limit` bytes of UTF-8."""
    head = header.encode("utf-8", "replace")[:limit]
    room = limit - len(head)
    body = log.encode("utf-8", "backslashreplace")
    if len(body) > room:
        cut = "...\n".encode()
        body = cut + body[len(body) - max(0, room - len(cut)):] if room > len(cut) else b""
    return (head + body).decode("utf-8", "ignore")


def _on_signal(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    ap = argparse.ArgumentParser(prog="tests/grade.py", description="Grade Rivet.")
    ap.add_argument("rubric_file", nargs="?", metavar="RUBRIC",
                    help="rubric file (same as --rubric)")
    ap.add_argument("--rubric", default=None,
                    help="rubric file (default: env RUBRIC, else tests/rubric.txt)")
    ap.add_argument("--results", default=os.environ.get("RESULTS") or DEFAULT_RESULTS,
                    help="Gradescope results.json to write (default: results.json "
                         "in the repository root, or env RESULTS)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--no-build", action="store_true", help="do not run make first")
    ap.add_argument("--logs", default=LOG_DIR, help="where failure logs go")
    ap.add_argument("--budget", type=float, default=None,
                    help="seconds for the whole run; tests unfinished then fail")
    args = ap.parse_args(argv)
    args.rubric = (args.rubric or args.rubric_file or os.environ.get("RUBRIC")
                   or DEFAULT_RUBRIC)
    signal.signal(signal.SIGTERM, _on_signal)

    try:
        modules, items = parse_rubric(args.rubric)
        load_rubric_tests(args.rubric, modules)
        missing = [n for _, n, _, _ in items if n not in testlib.REGISTRY]
        if missing:
            raise RubricError("%s: no test named %s (see tests/run.py --list)"
                              % (args.rubric, ", ".join(missing)))
    except (OSError, RubricError, ImportError) as e:
        print("grade.py: %s" % e, file=sys.stderr)
        return 2

    t0 = time.monotonic()
    if not args.no_build:
        print("grade.py: building the kernel and fs.img", flush=True)
        ok, make_output = build()
        if not ok:
            sys.stdout.write(make_output)
            print("grade.py: build failed (make -s %s fs.img); every test scores 0"
                  % testlib.rivet.kernel_make_target(), flush=True)
            failed = {n: testlib.Outcome(n, "fail", "the build failed", 0.0, make_output)
                      for _, n, _, _ in items}
            return report(args, items, failed, t0, "build failed:\n" + make_output)
    os.environ["RIVET_NO_BUILD"] = "1"

    try:
        outcomes = run_all(args, items)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    return report(args, items, outcomes, t0)


def run_all(args, items):
    """Run the rubric's tests; {name: Outcome}.  Tests still running when
    the budget (if any) runs out fail."""
    outcomes = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
    futs = {pool.submit(testlib.run_test, testlib.REGISTRY[n]): n for _, n, _, _ in items}
    try:
        for fut in concurrent.futures.as_completed(futs, timeout=args.budget):
            o = fut.result()
            outcomes[o.name] = o
            if o.status == "pass":
                print("%s: OK (%.1fs)" % (o.name, o.seconds), flush=True)
            else:
                print("%s: FAIL (%s) (%.1fs)" % (o.name, o.reason, o.seconds), flush=True)
                save_log(args.logs, o)
    except concurrent.futures.TimeoutError:
        for n in futs.values():
            if n not in outcomes:
                reason = "the grader's budget of %gs ran out before this test ended" % args.budget
                outcomes[n] = testlib.Outcome(n, "fail", reason, args.budget, "")
                print("%s: FAIL (%s)" % (n, reason), flush=True)
        testlib._abort_all_at_exit()   # kill their QEMUs now, not at exit
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=False, cancel_futures=True)
    return outcomes


def save_log(logs, o):
    if not o.log:
        return
    os.makedirs(logs, exist_ok=True)
    with open(os.path.join(logs, o.name + ".log"), "w",
              encoding="utf-8", errors="backslashreplace") as f:
        f.write(o.log)


def report(args, items, outcomes, t0, output=None):
    """Write results.json, print `Score: T/P` last; the exit status."""
    total = sum(p for p, _, _, _ in items)
    earned = sum(p for p, n, _, _ in items if outcomes[n].status == "pass")
    tests = []
    for p, n, visibility, note in items:
        o = outcomes[n]
        ok = o.status == "pass"
        header = ("passed in %.1fs\n" % o.seconds) if ok else \
                 ("FAILED: %s (%.1fs)\n" % (o.reason, o.seconds))
        tests.append({"name": n,
                      "score": p if ok else 0,
                      "max_score": p,
                      "status": "passed" if ok else "failed",
                      "output": tail_bytes(header, strip_boot_noise(o.log)),
                      "visibility": visibility})
    results = {"score": earned, "execution_time": round(time.monotonic() - t0, 3),
               "tests": tests}
    if output is not None:
        results["output"] = tail_bytes("", output)
    d = os.path.dirname(os.path.abspath(args.results))
    os.makedirs(d, exist_ok=True)
    with open(args.results, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    print("Score: %s/%s" % (fmt(earned), fmt(total)), flush=True)
    return 0 if earned >= total else 1


if __name__ == "__main__":
    sys.exit(main())
