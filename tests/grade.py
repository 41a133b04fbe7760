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

Rubric format: one test per line, `POINTS  TEST-NAME  [note]`; `#` starts a
comment; `use MODULE` loads extra tests from tests/MODULE.py.
"""

import argparse
import concurrent.futures
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import testlib  # noqa: E402

DEFAULT_RUBRIC = os.path.join(testlib.TESTS_DIR, "rubric.txt")
DEFAULT_RESULTS = os.path.join(testlib.ROOT, "results.json")
LOG_DIR = os.path.join(testlib.TESTS_DIR, "logs")
OUTPUT_LIMIT = 4096   # bytes of `output` per test in results.json


class RubricError(Exception):
    pass


def parse_rubric(path):
    """Return (modules, items): items is a list of (points, name, note)."""
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
            items.append((points, name, " ".join(words[2:])))
    if not items:
        raise RubricError("%s: no tests" % path)
    return modules, items


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
    args = ap.parse_args(argv)
    args.rubric = (args.rubric or args.rubric_file or os.environ.get("RUBRIC")
                   or DEFAULT_RUBRIC)
    signal.signal(signal.SIGTERM, _on_signal)

    try:
        modules, items = parse_rubric(args.rubric)
        testlib.load_tests(modules)
        missing = [n for _, n, _ in items if n not in testlib.REGISTRY]
        if missing:
            raise RubricError("%s: no test named %s (see tests/run.py --list)"
                              % (args.rubric, ", ".join(missing)))
    except (OSError, RubricError, ImportError) as e:
        print("grade.py: %s" % e, file=sys.stderr)
        return 2

    t0 = time.monotonic()
    if not args.no_build and not testlib.build():
        print("grade.py: build failed (make -s kernel/kernel); every test fails",
              file=sys.stderr)
    os.environ["RIVET_NO_BUILD"] = "1"

    points = {n: p for p, n, _ in items}
    outcomes = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
    try:
        futs = {pool.submit(testlib.run_test, testlib.REGISTRY[n]): n for _, n, _ in items}
        for fut in concurrent.futures.as_completed(futs):
            o = fut.result()
            outcomes[o.name] = o
            if o.status == "pass":
                print("%s: OK (%.1fs)" % (o.name, o.seconds), flush=True)
            else:
                print("%s: FAIL (%s) (%.1fs)" % (o.name, o.reason, o.seconds), flush=True)
                if o.log:
                    os.makedirs(args.logs, exist_ok=True)
                    with open(os.path.join(args.logs, o.name + ".log"), "w",
                              encoding="utf-8", errors="backslashreplace") as f:
                        f.write(o.log)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        print("\ninterrupted", file=sys.stderr)
        return 130
    pool.shutdown()

    total = sum(points.values())
    earned = sum(points[n] for n, o in outcomes.items() if o.status == "pass")
    tests = []
    for p, n, note in items:
        o = outcomes[n]
        ok = o.status == "pass"
        header = ("passed in %.1fs\n" % o.seconds) if ok else \
                 ("FAILED: %s (%.1fs)\n" % (o.reason, o.seconds))
        entry = {"name": n,
                 "score": p if ok else 0,
                 "max_score": p,
                 "status": "passed" if ok else "failed",
                 "output": tail_bytes(header, o.log),
                 "visibility": "visible"}
        tests.append(entry)
    results = {"score": earned, "execution_time": round(time.monotonic() - t0, 3),
               "tests": tests}
    d = os.path.dirname(os.path.abspath(args.results))
    os.makedirs(d, exist_ok=True)
    with open(args.results, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    print("Score: %s/%s" % (fmt(earned), fmt(total)))
    return 0 if earned >= total else 1


if __name__ == "__main__":
    sys.exit(main())
