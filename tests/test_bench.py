"""Smoke tests of the benchmark harness (scripts/bench and user/bench).

These check that the harness works, never how fast Rivet is: one short
(--quick) run of a few benchmarks in the guest, whose own checks must pass
and whose bench.json must have the documented shape, plus a QEMU-free test
of the parser that turns bench's output lines into results."""

import importlib.machinery
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile

import rivet
from testlib import NEEDS_FS, test

BENCH = os.path.join(rivet.ROOT, "scripts", "bench")


def load_bench_module():
    """scripts/bench as a module (it has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("rivet_bench_script", BENCH)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@test("bench_parse", groups=["bench"], timeout=30)
def bench_parse(t):
    """scripts/bench parses BENCH/BENCHFAIL/BENCHEND lines (no QEMU)"""
    b = load_bench_module()
    text = ("noise before\n"
            "BENCH getpid 150000 57606300 384.04\n"
            "BENCH pipebw 2048 9529000 4652.83 104.94\n"
            "BENCH smallfile 100 5000000 50000.00 cpu=4000000 waits=700\n"
            "BENCHFAIL fread byte 8 read back differs\n"
            "BENCHEND fail 1\n")
    results, failures, end = b.parse_output(text)
    t.check_equal(sorted(results), ["getpid", "pipebw", "smallfile"], "parsed names")
    t.check_equal(results["getpid"]["iters"], 150000, "getpid iters")
    t.check(abs(results["getpid"]["per_op_ns"] - 57606300 / 150000) < 1e-6, "getpid per-op from total/iters")
    t.check_equal(results["pipebw"]["mib_s"], 104.94, "pipebw MiB/s")
    t.check_equal(results["smallfile"]["cpu_ns"], 4000000, "smallfile cpu")
    t.check_equal(results["smallfile"]["cpu_per_op_ns"], 40000.0, "smallfile cpu per op")
    t.check_equal(results["smallfile"]["waits_per_op"], 7.0, "smallfile waits per op")
    t.check_equal(failures, ["fread: byte 8 read back differs"], "failures")
    t.check_equal(end, ("fail", 1), "end line")
    _, _, end = b.parse_output("BENCH getpid 10 100 10.00\n")
    t.check(end is None, "a run without BENCHEND must not count as finished")
    met = b.verdicts({"getpid": {"per_op_ns": 401.0}, "pipebw": {"per_op_ns": 1, "mib_s": 8.0}})
    t.check_equal(met["getpid"]["met"], False, "getpid 401 ns against <= 400 ns")
    t.check_equal(met["pipebw"]["met"], True, "pipebw 8 MiB/s against >= 8 MiB/s")
    t.check(met["forkexit"]["met"] is None, "a benchmark without a result has no verdict")


def run_bench(t, args):
    """Run scripts/bench ARGS; returns (status, stdout, stderr)."""
    env = dict(os.environ, RIVET_NO_BUILD="1")
    p = subprocess.Popen([sys.executable, BENCH] + args, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         cwd=rivet.ROOT, start_new_session=True)
    try:
        out, err = p.communicate(timeout=max(5.0, t.remaining() - 5))
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        t.note("stdout:\n%s\nstderr:\n%s" % (out.decode(errors="replace"), err.decode(errors="replace")))
        t.fail("scripts/bench %s did not finish in time" % " ".join(args))
    out, err = out.decode(errors="replace"), err.decode(errors="replace")
    t.note("$ scripts/bench %s\nexit status %d\n--- stdout:\n%s--- stderr:\n%s"
           % (" ".join(args), p.returncode, out, err))
    return p.returncode, out, err


@test("bench_smoke", groups=[NEEDS_FS, "bench"], timeout=180)
def bench_smoke(t):
    """scripts/bench --quick on 1 hart: bench's checks pass, bench.json has its shape"""
    fd, path = tempfile.mkstemp(prefix="rivet-bench-", suffix=".json")
    os.close(fd)
    names = ["getpid", "forkexit", "exectiny", "pipebw", "smallfile", "ctxsw2"]
    try:
        status, out, _ = run_bench(t, ["--quick", "--cpus", "1", "--no-build", "--no-scale",
                                       "--only", ",".join(names), "--json", path])
        t.check_equal(status, 0, "scripts/bench exit status")
        with open(path) as f:
            report = json.load(f)
    finally:
        os.remove(path)

    for key in ("schema", "date", "git_commit", "settings", "host", "runs", "results",
                "targets", "derived", "failures", "passed", "wall_s"):
        t.check(key in report, "bench.json has no %r" % key)
    t.check_equal(report["schema"], "rivet-bench/1", "schema")
    t.check_equal(report["passed"], True, "passed")
    t.check_equal(report["failures"], [], "failures")
    settings = report["settings"]
    t.check_equal(settings["cpus"], 1, "settings.cpus")
    t.check_equal(settings["icount"], "shift=0,sleep=off", "settings.icount")
    t.check_equal(settings["quick"], True, "settings.quick")
    t.check_equal(len(report["runs"]), 1, "number of runs")
    run = report["runs"][0]
    t.check_equal(run["cpus"], 1, "runs[0].cpus")
    t.check(run["passed"], "runs[0] did not pass: %s" % run["failures"])
    t.check_equal(sorted(report["results"]), sorted(names), "benchmarks with results")
    for name, r in report["results"].items():
        for key in ("iters", "total_ns", "per_op_ns"):
            t.check(isinstance(r.get(key), (int, float)) and r[key] > 0,
                    "%s.%s is %r, want a positive number" % (name, key, r.get(key)))
        t.check(abs(r["per_op_ns"] - r["total_ns"] / r["iters"]) < 1e-6 * r["per_op_ns"] + 1e-9,
                "%s: per_op_ns is not total_ns/iters" % name)
    t.check(report["results"]["pipebw"].get("mib_s", 0) > 0, "pipebw has no throughput")
    t.check(report["results"]["smallfile"].get("cpu_ns", 0) > 0, "smallfile has no CPU time")
    for name in ("getpid", "forkexit", "exectiny", "pipebw", "smallfile"):
        v = report["targets"].get(name)
        t.check(v is not None and isinstance(v["met"], bool), "no verdict for %s" % name)
    t.check("getpid" in out and "verdict" in out, "no table on stdout")


# LAB fs: bench-io
# (32 and 64 MiB files: the fs lab's handout has no doubly-indirect block)
IO_NAMES = ["io_w64k", "io_r64k", "io_w1k", "io_r1k", "io_writebig", "io_smallfile"]


@test("bench_io_smoke", groups=[NEEDS_FS, "bench"], timeout=300)
def bench_io_smoke(t):
    """scripts/bench --quick --only io: the wall-clock boot runs, checks pass, bench.json has io"""
    fd, path = tempfile.mkstemp(prefix="rivet-bench-", suffix=".json")
    os.close(fd)
    try:
        status, out, _ = run_bench(t, ["--quick", "--no-build", "--no-scale", "--only", "io",
                                       "--json", path])
        t.check_equal(status, 0, "scripts/bench exit status")
        with open(path) as f:
            report = json.load(f)
    finally:
        os.remove(path)
    t.check_equal(report["passed"], True, "passed")
    t.check_equal(report["runs"], [], "icount runs (want none with --only io)")
    io = report.get("io")
    t.check(io is not None, "bench.json has no 'io'")
    t.check_equal(sorted(io["results"]), sorted(IO_NAMES), "io benchmarks with results")
    for name, r in io["results"].items():
        t.check(isinstance(r.get("value"), (int, float)) and r["value"] > 0,
                "io %s value is %r, want a positive number" % (name, r.get("value")))
        if name != "io_smallfile":  # the file benchmarks report their CPU time
            cpu, wall = r.get("cpu_s"), r.get("wall_s")
            t.check(isinstance(cpu, (int, float)) and isinstance(wall, (int, float))
                    and 0 < cpu <= wall * 1.05 + 0.01,
                    "io %s: cpu_s %r, wall_s %r; want 0 < cpu <= wall" % (name, cpu, wall))
    t.check("HOST-DEPENDENT" in out and "io_w64k" in out, "no wall-clock table on stdout")
# END LAB fs
