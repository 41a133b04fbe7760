#!/usr/bin/env python3
"""Rivet test runner (behind `make test`).

usage: python3 tests/run.py [options] [NAME|GLOB|group:G[,...] ...]

Runs the tests registered in tests/test_*.py (all, or those named), two at
a time, printing one line per test as it finishes:

    PASS name (1.2s)
    FAIL name (3.4s): reason
        log: tests/logs/name.log
    SKIP name (no fs.img)

and ends with the line `N passed, M failed`.  Exit status 1 when a test
failed, 2 on a usage error (e.g. a name that matches no test).

In a lab's handout (a file .lab at the root names the lab) the lab's own
tests, labs/LAB/test_*.py, are loaded too.
"""

import argparse
import concurrent.futures
import glob
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import testlib  # noqa: E402

LOG_DIR = os.path.join(testlib.TESTS_DIR, "logs")


def handout_lab_modules():
    """In a handout, the names of its lab's test modules (their folder is put
    on sys.path); elsewhere none."""
    try:
        with open(os.path.join(testlib.ROOT, ".lab"), encoding="utf-8") as f:
            lab = f.read().strip()
    except OSError:
        return []
    folder = os.path.join(testlib.ROOT, "labs", lab)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return [os.path.basename(p)[:-3] for p in sorted(glob.glob(os.path.join(folder, "test_*.py")))]


def _on_signal(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="tests/run.py", description="Run Rivet tests.",
        epilog="Patterns: test names, shell globs (boot_*), comma lists, group:NAME.")
    ap.add_argument("patterns", nargs="*", help="tests to run (default: all)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="tests run at once (default 2)")
    ap.add_argument("-l", "--list", action="store_true", help="list tests and exit")
    ap.add_argument("--no-build", action="store_true", help="do not run make first")
    ap.add_argument("--module", action="append", default=[],
                    help="also load tests from tests/MODULE.py")
    ap.add_argument("--logs", default=LOG_DIR, help="where failure logs go (default tests/logs)")
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")

    signal.signal(signal.SIGTERM, _on_signal)
    testlib.load_tests(args.module + handout_lab_modules())
    try:
        specs = testlib.select(args.patterns)
    except KeyError as e:
        print("run.py: no test matches %s (see --list)" % e, file=sys.stderr)
        return 2
    if args.list:
        for s in specs:
            groups = " [%s]" % ",".join(s.groups) if s.groups else ""
            print("%-28s %s%s" % (s.name, s.doc, groups))
        return 0

    if not args.no_build:
        if not testlib.build():
            print("run.py: build failed (make -s kernel/kernel)", file=sys.stderr)
            print("0 passed, 1 failed")
            return 1
    os.environ["RIVET_NO_BUILD"] = "1"   # osrun children must not run make again

    passed = failed = skipped = 0
    t0 = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
    try:
        futures = [pool.submit(testlib.run_test, s) for s in specs]
        for fut in concurrent.futures.as_completed(futures):
            o = fut.result()
            log_path = os.path.join(args.logs, o.name + ".log")
            if o.status == "skip":
                skipped += 1
                print("SKIP %s (%s)" % (o.name, o.reason), flush=True)
                continue
            if o.status == "pass":
                passed += 1
                print("PASS %s (%.1fs)" % (o.name, o.seconds), flush=True)
                if os.path.exists(log_path):
                    os.remove(log_path)   # stale log of an earlier failure
                continue
            failed += 1
            print("FAIL %s (%.1fs): %s" % (o.name, o.seconds, o.reason), flush=True)
            os.makedirs(args.logs, exist_ok=True)
            with open(log_path, "w", encoding="utf-8", errors="backslashreplace") as f:
                f.write(o.log)
            print("    log: %s" % os.path.relpath(log_path), flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        pool.shutdown(wait=False, cancel_futures=True)
        # rivet's atexit hook kills the QEMUs still running
        return 130
    pool.shutdown()
    if skipped:
        print("%d skipped (%.0fs)" % (skipped, time.monotonic() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
