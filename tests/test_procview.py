"""Seeing the process abstraction: the state-change record (staterec),
procrun's homework tables, scripts/timeline's picture and top.

The procrun tests run on one hart under -icount, where guest time counts
instructions, so the kernel's schedule (and procrun's table) is the same
on every run. Each checks the table against the simulator's answer where
Rivet should agree with it, and against the raw record (procrun -o), read
here independently of procrun's own code.
"""

import os
import re
import shutil
import struct
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zlib

import rivet
from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "procview"]
TIMEOUT = 240               # a boot or two on a busy 2-core host
MS = 1000000                # ns
TICK_NS = 10 * MS           # the kernel's clock tick
RECORD_RE = re.compile(r"trace: t=(\d+) hart=(\d+) pid=(\d+) (\w+) -> (\w+) why=(\w+)(?: wait=(\S+))?")
LABEL_RE = re.compile(r"^# label pid=(\d+) name=P(\d+)$", re.M)
ROW_RE = re.compile(r"^\s*(\d+)(\*?)\s+(.*)$")
CELLS = {"RUN:cpu", "RUN:io", "RUN:io_done", "READY", "BLOCKED", "WAITING", "SUSPENDED", "DONE"}
SEPARATOR = "=====record====="


def run_procrun(t, args, bootargs=""):
    """Run procrun ARGS -o /rec on one hart under icount; returns
    (table rows, stats dict, record changes, {process index: pid}, stdout)."""
    res = t.osrun("procrun %s -o /rec; echo %s; cat /rec" % (args, SEPARATOR),
                  cpus=1, icount=True, bootargs=bootargs, timeout=150)
    t.check_equal(res.reason, "ok", "osrun outcome (%s)" % res.message)
    t.check(SEPARATOR in res.stdout, "no record after procrun's output:\n" + res.stdout[-2000:])
    out, record = res.stdout.split(SEPARATOR, 1)
    rows = parse_table(t, out)
    stats = dict((k, int(v)) for k, v in re.findall(r"^Stats: (Total Time|CPU Busy|IO Busy)\s+(\d+)", out, re.M))
    changes = [dict(t=int(m[0]), hart=int(m[1]), pid=int(m[2]), old=m[3], new=m[4], why=m[5], wait=m[6])
               for m in RECORD_RE.findall(record)]
    pids = {int(i): int(p) for p, i in LABEL_RE.findall(record)}
    t.check(changes, "the record has no state changes:\n" + record[:2000])
    t.check("# dropped" not in record, "the record overflowed:\n" + record[:500])
    for pid in pids.values():
        last = [(c["old"], c["new"], c["why"]) for c in changes if c["pid"] == pid][-1:]
        t.check_equal(last, [("zombie", "unused", "reaped")],
                      "pid %d's last change in the record (the reaping is recorded under the child's pid)" % pid)
    return rows, stats, changes, pids, out


def parse_table(t, out):
    """The table's rows as (time, io_finished, [cell per process], cpu, ios)."""
    lines = out.splitlines()
    start = [i for i, ln in enumerate(lines) if ln.lstrip().startswith("Time")]
    t.check(start, "no table header in procrun's output:\n" + out)
    rows = []
    for ln in lines[start[0] + 1:]:
        m = ROW_RE.match(ln)
        if not m or not ln.strip():
            break
        words = m.group(3).split()
        cells = [w for w in words if w in CELLS]
        rows.append((int(m.group(1)), m.group(2) == "*", cells, ln))
    return rows


def cpu_and_ios(line, nprocs):
    """The CPU and IOs columns of a table line: procrun prints the time in
    6 columns, each process's cell in 15, the CPU in 7, then the IOs."""
    cells_end = 6 + 15 * nprocs
    cpu = line[cells_end:cells_end + 7].strip()
    ios = line[cells_end + 7:].strip()
    return (1 if cpu == "1" else 0), (int(ios) if ios else 0)


def intervals(changes, pid):
    """[(start, end, state, why_entered, wait)] of one pid, from the record."""
    own = [c for c in changes if c["pid"] == pid]
    return [(a["t"], b["t"], a["new"], a["why"], a["wait"]) for a, b in zip(own, own[1:])]


def gate_opened(changes, pid):
    """When procrun let the process start: its wakeup from the gate (a pipe)."""
    own = [c for c in changes if c["pid"] == pid]
    for a, b in zip(own, own[1:]):
        if a["new"] == "blocked" and a["wait"] == "pipe" and b["why"] == "woken":
            return b["t"]
    raise AssertionError("record: pid %d never left its gate" % pid)


def time_in(changes, pid, state, wait=None):
    return sum(e - s for s, e, st, _, w in intervals(changes, pid) if st == state and (wait is None or w == wait))


@test("procrun_cpu_only", groups=GROUPS, timeout=TIMEOUT)
def procrun_cpu_only(t):
    """procrun -l 5:100,5:100 -u 1 (units shorter than the quantum): the simulator's table, row for row"""
    rows, stats, changes, pids, out = run_procrun(t, "-l 5:100,5:100 -u 1 -c -p")
    want = [["RUN:cpu", "READY"]] * 5 + [["DONE", "RUN:cpu"]] * 5
    got = [cells for _, _, cells, _ in rows]
    t.check_equal(got, want, "table rows (process 0, process 1)\n" + out)
    for _, _, _, line in rows:
        t.check_equal(cpu_and_ios(line, 2), (1, 0), "CPU and IOs columns of %r" % line)
    t.check_equal(stats, {"Total Time": 10, "CPU Busy": 10, "IO Busy": 0}, "totals")
    t.check("CPU Busy 10 (100.00%)" in out, "CPU busy percentage missing:\n" + out)
    # Against the record: P0 ran its 5 units (5 ms) in one go while P1 waited READY.
    p0, p1 = pids[0], pids[1]
    runs0 = [(s, e) for s, e, st, _, _ in intervals(changes, p0) if st == "running" and e - s > MS // 2]
    t.check_equal(len(runs0), 1, "stretches of more than half a unit that process 0 ran (record)")
    s0, e0 = runs0[0]
    t.check(abs((e0 - s0) - 5 * MS) < MS, "process 0 ran %d ns, expected 5 units of 1 ms" % (e0 - s0))
    ready1 = [(s, e) for s, e, st, _, _ in intervals(changes, p1) if st == "ready" and s <= s0 and e >= e0]
    t.check(ready1, "record: process 1 was not READY all the while process 0 ran (%d..%d)" % (s0, e0))
    t.check(time_in(changes, p1, "running") >= 4 * MS, "record: process 1 ran less than 4 units")


@test("procrun_io_overlap", groups=GROUPS, timeout=TIMEOUT)
def procrun_io_overlap(t):
    """procrun -l 1:0,4:100 -L 5: the I/O process is BLOCKED while the CPU process runs; totals count the overlap"""
    rows, stats, changes, pids, out = run_procrun(t, "-l 1:0,4:100 -L 5 -c -p")
    cells = [c for _, _, c, _ in rows]
    t.check_equal(cells[0], ["RUN:io", "READY"], "first row (process 0 issues its I/O)\n" + out)
    t.check_equal([c[0] for c in cells[-1:]], ["RUN:io_done"], "last row's process 0\n" + out)
    t.check(rows[-1][1], "the last row (I/O finished) is not marked '*'\n" + out)
    cpu_rows = [c for c in cells if c[1] == "RUN:cpu"]
    t.check_equal(len(cpu_rows), 4, "rows where process 1 runs\n" + out)
    t.check(all(c[0] == "BLOCKED" for c in cpu_rows), "process 0 is not BLOCKED in every row process 1 runs\n" + out)
    both = sum(1 for _, _, _, ln in rows if cpu_and_ios(ln, 2) == (1, 1))
    t.check_equal(both, 4, "rows with the CPU busy and an I/O in flight\n" + out)
    cpu_busy = sum(cpu_and_ios(ln, 2)[0] for _, _, _, ln in rows)
    io_busy = sum(1 for _, _, _, ln in rows if cpu_and_ios(ln, 2)[1])
    t.check_equal(stats, {"Total Time": len(rows), "CPU Busy": cpu_busy, "IO Busy": io_busy}, "totals")
    t.check_equal(cpu_busy, 6, "CPU busy rows (io, 4 cpu, io_done)")
    t.check(cpu_busy + io_busy > len(rows), "the totals do not count the overlap: %s" % stats)
    # Against the record: one wait on the clock of about 5 units (it ends at
    # a clock tick: up to one tick late), during which process 1 ran.
    p0, p1 = pids[0], pids[1]
    waits = [(s, e) for s, e, st, _, w in intervals(changes, p0) if st == "blocked" and w == "tick"]
    t.check_equal(len(waits), 1, "process 0's waits on the clock in the record")
    ws, we = waits[0]
    t.check(5 * TICK_NS <= we - ws <= 6 * TICK_NS + MS, "I/O wait of %d ns, expected 50-60 ms" % (we - ws))
    run1 = [(s, e) for s, e, st, _, _ in intervals(changes, p1) if st == "running" and s >= gate_opened(changes, p1)]
    t.check(run1 and all(ws <= s and e <= we for s, e in run1),
            "record: process 1 ran outside process 0's I/O wait %s" % run1)
    blocked_rows = sum(1 for c in cells if c[0] == "BLOCKED")
    t.check(abs(blocked_rows * TICK_NS - (we - ws)) <= TICK_NS // 2 + MS,
            "%d BLOCKED rows for a %d ns wait" % (blocked_rows, we - ws))


def check_alternation(t):
    """procrun -l 3:100,3:100 with quantum=5 (units of 10 ms, twice the
    quantum): the two processes alternate each quantum, each is preempted,
    and no run lasts longer than a tick. Also labs/sched's grader."""
    rows, _, changes, pids, out = run_procrun(t, "-l 3:100,3:100 -c -p", bootargs="quantum=5")
    cells = [c for _, _, c, _ in rows]
    want = [["RUN:cpu", "READY"], ["READY", "RUN:cpu"]] * 3
    t.check_equal(cells, want, "table rows\n" + out)
    for p in (pids[0], pids[1]):
        preempted = sum(1 for c in changes if c["pid"] == p and c["why"] == "preempted")
        t.check(preempted >= 2, "record: pid %d preempted %d times, want at least 2" % (p, preempted))
        runs = [e - s for s, e, st, _, _ in intervals(changes, p) if st == "running"]
        t.check(all(r <= TICK_NS + MS for r in runs),
                "record: pid %d ran longer than a tick (%d ns): %s" % (p, TICK_NS + MS, runs))


# LAB sched: alternate-test
@test("procrun_alternate", groups=GROUPS, timeout=TIMEOUT)
def procrun_alternate(t):
    """procrun -l 3:100,3:100 with units (10 ms) longer than the quantum (5 ms): the processes alternate each quantum"""
    check_alternation(t)
# END LAB sched


@test("procrun_repeatable", groups=GROUPS, timeout=TIMEOUT)
def procrun_repeatable(t):
    """procrun -l 2:50,2:100 -L 2 -s 3 -c -p under ICOUNT=1 on one hart prints the same twice"""
    outs = []
    for _ in range(2):
        res = t.osrun("procrun -l 2:50,2:100 -L 2 -s 3 -c -p", cpus=1, icount=True, timeout=100)
        t.check_equal(res.reason, "ok", "osrun outcome")
        outs.append(res.stdout)
    t.check("Stats: Total Time" in outs[0], "no totals:\n" + outs[0])
    t.check_equal(outs[1], outs[0], "second run's output")


@test("procrun_errors", groups=GROUPS, timeout=TIMEOUT)
def procrun_errors(t):
    """procrun rejects bad options with a message and status 1"""
    res = t.osrun("procrun -l 5:200; echo s=$?; procrun; echo s=$?; procrun -l 1:100 -S SWITCH_ON_END; echo s=$?",
                  cpus=1, timeout=60)
    t.check_equal(res.stdout.count("s=1"), 3, "failing exit statuses:\n" + res.stdout)
    t.check("bad -l entry" in res.stdout and "usage: procrun" in res.stdout and "round robin" in res.stdout,
            "error messages:\n" + res.stdout)


@test("staterec_overflow", groups=GROUPS, timeout=TIMEOUT)
def staterec_overflow(t):
    """the record survives 10^5 state changes: overflow counted exactly, no gap when drained (3 harts)"""
    t.run_guest_test("staterectest", timeout=150)


# --- the timeline picture ---------------------------------------------------

def record_intervals(text):
    """pid -> [(start, end, state)] and hart -> [(start, end, pid)], from a record."""
    changes = [(int(m[0]), int(m[1]), int(m[2]), m[4]) for m in RECORD_RE.findall(text)]
    end = max(c[0] for c in changes)
    procs, harts, last = {}, {}, {}
    for tm, hart, pid, new in changes:
        if pid == 0:
            continue
        if pid in last:
            s, st, h = last[pid]
            procs.setdefault(pid, []).append((s, tm, st))
            if st == "running":
                harts.setdefault(h, []).append((s, tm, pid))
        last[pid] = (tm, new, hart)
    for pid, (s, st, h) in last.items():
        procs.setdefault(pid, []).append((s, end, st))
        if st == "running":
            harts.setdefault(h, []).append((s, end, pid))
    procs = {p: [iv for iv in ivs if iv[2] != "unused"] for p, ivs in procs.items()}
    return {p: ivs for p, ivs in procs.items() if ivs}, harts


def svg_rects(lane, t0, ns_per_px, plot_x):
    """The lane's rectangles as (start, end, fill, data) in ns, from their geometry."""
    out = []
    for r in lane.iter("{http://www.w3.org/2000/svg}rect"):
        x, w = float(r.get("x")), float(r.get("width"))
        out.append((t0 + (x - plot_x) * ns_per_px, t0 + (x + w - plot_x) * ns_per_px, r.get("fill"), r))
    return out


@test("timeline_svg", groups=GROUPS, timeout=TIMEOUT)
def timeline_svg(t):
    """make timeline: the SVG parses, has a lane per process and per hart, intervals match the record within a tick"""
    tmp = tempfile.mkdtemp(prefix="rivet-timeline-")
    try:
        svg_path = os.path.join(tmp, "t.svg")
        p = subprocess.run(["make", "-s", "timeline", "CPUS=3", "TIMELINE=" + svg_path,
                            "CMD=procrun -l 3:100,3:50"], cwd=rivet.ROOT, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=t.remaining() - 5)
        t.check_equal(p.returncode, 0, "make timeline's status; output:\n" + p.stdout.decode(errors="replace"))
        with open(os.path.join(tmp, "t.rec")) as f:
            procs, harts = record_intervals(f.read())
        root = ET.parse(svg_path).getroot()
        t.check(os.path.getsize(os.path.join(tmp, "t.html")) > os.path.getsize(svg_path), "no HTML page")
        t0, ns_per_px = int(root.get("data-t0-ns")), float(root.get("data-ns-per-px"))
        plot_x = float(root.get("data-plot-x"))
        lanes = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "lane"]
        plane = {int(g.get("data-pid")): g for g in lanes if g.get("data-kind") == "process"}
        hlane = {int(g.get("data-hart")): g for g in lanes if g.get("data-kind") == "hart"}
        t.check_equal(sorted(plane), sorted(procs), "process lanes (pids in the record)")
        t.check_equal(sorted(hlane), sorted(harts), "hart lanes (harts that ran a process in the record)")
        t.check(len(procs) >= 3, "expected procrun and its two processes, got pids %s" % sorted(procs))
        colour = {}
        for pid, ivs in procs.items():
            rects = svg_rects(plane[pid], t0, ns_per_px, plot_x)
            t.check_equal(len(rects), len(ivs), "intervals drawn for pid %d" % pid)
            for (s, e, st), (rs, re_, fill, r) in zip(ivs, rects):
                t.check(abs(rs - s) <= TICK_NS and abs(re_ - e) <= TICK_NS,
                        "pid %d %s: record %d..%d, drawn %d..%d" % (pid, st, s, e, rs, re_))
                t.check_equal(r.get("data-state"), st, "state of pid %d's interval at %d" % (pid, s))
                t.check_equal(colour.setdefault(st, fill), fill, "colour of state %s" % st)
        t.check_equal(len(set(colour.values())), len(colour), "distinct colours for states %s" % colour)
        for hart, ivs in harts.items():
            rects = svg_rects(hlane[hart], t0, ns_per_px, plot_x)
            got = sorted((int(r.get("data-pid")), rs, re_) for rs, re_, _, r in rects)
            want = sorted((pid, s, e) for s, e, pid in ivs)
            t.check_equal(len(got), len(want), "running intervals on hart %d" % hart)
            for (gp, gs, ge), (wp, ws, we) in zip(got, want):
                t.check(gp == wp and abs(gs - ws) <= TICK_NS and abs(ge - we) <= TICK_NS,
                        "hart %d: record pid %d %d..%d, drawn pid %d %d..%d" % (hart, wp, ws, we, gp, gs, ge))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def png_colours(path):
    """The set of RGB colours in an 8-bit RGB or RGBA PNG (stdlib only)."""
    with open(path, "rb") as f:
        data = f.read()
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 4 if ctype == 6 else 3
    raw, stride, prev, colours = zlib.decompress(idat), width * bpp, bytearray(width * bpp), set()
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp):
            colours.add(bytes(line[x:x + 3]).hex())
        prev = line
    return colours


@test("timeline_browser", groups=GROUPS, timeout=TIMEOUT)
def timeline_browser(t):
    """a headless Chromium renders the timeline page with the state colours (skipped without chromium)"""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        t.note("chromium not installed: nothing to check")
        return
    tmp = tempfile.mkdtemp(prefix="rivet-browser-")
    try:
        rec = os.path.join(tmp, "r.rec")
        with open(rec, "w") as f:  # a small record, drawn without booting Rivet
            f.write("trace: t=0 hart=0 pid=4 ready -> running why=dispatched\n"
                    "trace: t=10000000 hart=0 pid=4 running -> blocked why=blocked wait=tick\n"
                    "trace: t=10000000 hart=0 pid=5 ready -> running why=dispatched\n"
                    "trace: t=20000000 hart=0 pid=5 running -> ready why=preempted\n"
                    "trace: t=30000000 hart=0 pid=4 blocked -> ready why=woken\n")
        p = subprocess.run([os.path.join(rivet.ROOT, "scripts", "timeline"), rec, "-o",
                            os.path.join(tmp, "r.svg")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        t.check_equal(p.returncode, 0, "scripts/timeline's status: " + p.stdout.decode(errors="replace"))
        png = os.path.join(tmp, "shot.png")
        p = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            "--user-data-dir=" + os.path.join(tmp, "profile"), "--screenshot=" + png,
                            "--window-size=1300,400", "file://" + os.path.join(tmp, "r.html")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=t.remaining() - 5)
        t.check(os.path.exists(png), "chromium made no screenshot (status %d): %s"
                % (p.returncode, p.stdout.decode(errors="replace")[-1000:]))
        colours = png_colours(png)
        for state, rgb in (("running", "2e7d32"), ("blocked", "c62828"), ("ready", "ffb300")):
            t.check(rgb in colours, "no %s colour #%s in the rendered page" % (state, rgb))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# LAB procapi: top-test
@test("top_frames", groups=GROUPS, timeout=TIMEOUT)
def top_frames(t):
    """top -n 2: two frames a second apart with PID STATE HART CPU% RSS FAULTS CSW; a spinner shows CPU%"""
    # two harts: the spinner keeps one, top runs on the other (no preemption needed)
    res = t.osrun("procrun -l 1:100 -u 4000 > /out & top -n 2", cpus=2, timeout=90)
    t.check_equal(res.reason, "ok", "osrun outcome")
    frames = res.stdout.split("top: ")[1:]
    t.check_equal(len(frames), 2, "frames printed:\n" + res.stdout)
    for f in frames:
        t.check(re.search(r"PID\s+STATE\s+HART\s+CPU%\s+RSS\s+FAULTS\s+CSW\s+NAME", f), "header:\n" + f)
        t.check(re.search(r"^\s+\d+ running\s+\d+\s+\d+%.* top$", f, re.M), "top itself running:\n" + f)
        t.check(re.search(r"^\s+1 blocked .* init$", f, re.M), "init blocked:\n" + f)
    busy = [int(m) for m in re.findall(r"^\s+\d+ \w+\s+\d+\s+(\d+)%.* procrun$", frames[1], re.M)]
    t.check(busy and max(busy) >= 50, "a spinning procrun process at >= 50%% CPU in frame 2: %s\n%s"
            % (busy, frames[1]))
# END LAB procapi
