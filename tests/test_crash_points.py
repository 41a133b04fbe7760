"""Crash tests at chosen moments, the same on every run.

The random kills of test_crash.py may or may not land in the few
microseconds where the log's ordering matters. Here the kernel itself cuts
the power (boot argument fs.crash=EVENT:N, kernel/fs/crash.c) at

  write:N    right after the N-th disk write request completes;
  logged:N   in the N-th commit, after its blocks reached the log area and
             before the header that commits them;
  commit:N   in the N-th commit, right after that header (the commit
             record) reached the disk, before anything is installed;

while `crashwork` runs (user/crashwork.c: it writes files cw0, cw1, ...,
printing "syncing NAME SIZE SUM" before each fsync and "synced ..." after).
With fs.commit_ms set to an hour, only fsync commits, so the N-th commit
is the N-th fsync's. After the cut: fsck must find the image consistent,
a reboot runs `crashwork sum` and

  - every file whose fsync returned holds exactly its synced content (or,
    if it was being unlinked since, is gone);
  - at commit:N the file being fsync'd holds its new content too: its
    commit record is on disk, so recovery must install it (a recovery that
    skips the install loses it; a log that writes the record before the
    logged blocks installs garbage);
  - at logged:N the log must not be replayable (no commit record yet).

Also here: fsync_busy, the test that fsync really commits: a child keeps
writing another file, cw0 is written and fsync'd, and QEMU is killed the
moment "synced cw0" appears. Nothing else commits (fs.commit_ms), so cw0 is
on disk after the kill only if fsync put it there.

RIVET_CRASH_POINTS=long runs every write:N up to WRITE_POINTS_LONG.
"""

import os
import re
import shutil
import tempfile
import threading

import rivet
import test_fs_host as fstools
from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "crash"]
LONG = os.environ.get("RIVET_CRASH_POINTS") == "long"

CRASH_POINT_STATUS = 77          # kernel/fs/crash.c
NO_INTERVAL = "fs.commit_ms=3600000"  # only fsync commits
RUN_TIMEOUT = 60.0
SUM_TIMEOUT = 40.0
WRITE_POINTS_QUICK = (2, 9, 30, 79)  # 79: after an fsync'd file was unlinked
WRITE_POINTS_LONG = 80

SYNC_LINE = re.compile(r"^(syncing|synced) (cw\d+) (\d+) ([0-9a-f]{8})$", re.M)
EVENT_LINE = re.compile(r"^(syncing|synced|unlinking) (cw\d+)(?: (\d+) ([0-9a-f]{8}))?$", re.M)
SUM_LINE = re.compile(r"^(cw\d+) (\d+) ([0-9a-f]{8})$", re.M)
SYNCED_CW0 = re.compile(r"^synced cw0 \d+ [0-9a-f]{8}", re.M)
MISSING_LINE = re.compile(r"^(cw\d+) missing$", re.M)
CRASH_LINE = re.compile(r"^fs: crash point (\S+) reached", re.M)
REPLAYABLE = re.compile(r"^log: (\d+) blocks pending", re.M)


def fresh_image(t, workdir):
    image = os.path.join(workdir, "fs.img")
    shutil.copyfile(rivet.default_image(), image)
    return image


def fsck_ok(t, image, when, *options):
    res = fstools.fsck(image, *options, t=t)
    if res.status != 0:
        t.fail("fsck %s: exit status %d (want 0): %s"
               % (when, res.status, "; ".join(fstools.fsck_lines(res)[-3:]) or res.stderr.strip()))
    return res


def sums_after_reboot(t, image, names):
    """{name: (size, sum) or None} as `crashwork sum` sees them after a reboot."""
    res = t.osrun("crashwork sum " + " ".join(names), image=image, copy_image=False,
                  timeout=SUM_TIMEOUT)
    t.check(res.reason == "ok" and res.status == 0,
            "crashwork sum after the crash: want status 0, got %s/%s %s"
            % (res.reason, res.status, res.message))
    found = {m.group(1): (int(m.group(2)), m.group(3)) for m in SUM_LINE.finditer(res.stdout)}
    found.update({m.group(1): None for m in MISSING_LINE.finditer(res.stdout)})
    return found, res


def describe(state):
    return "missing" if state is None else "%d bytes %s" % state


def crash_at(t, point):
    """Run crashwork until the kernel cuts the power at `point`; check the
    disk. Returns (fsck result right after the crash, the syncing file)."""
    workdir = tempfile.mkdtemp(prefix="rivet-crashpoint-")
    try:
        image = fresh_image(t, workdir)
        res = t.osrun("crashwork", image=image, copy_image=False, timeout=RUN_TIMEOUT,
                      bootargs="fs.crash=%s %s" % (point, NO_INTERVAL))
        m = CRASH_LINE.search(res.console)
        t.check(m is not None and m.group(1) == point,
                "want the line 'fs: crash point %s reached', got %r (%s: %s)"
                % (point, m.group(0) if m else None, res.reason, res.message))
        t.check_equal(res.qemu_status, CRASH_POINT_STATUS, "QEMU exit status at the crash point")
        t.check("crashwork:" not in res.stdout, "crashwork failed: %r" % res.stdout[-300:])

        synced, syncing, unlinked = {}, None, set()
        for m in EVENT_LINE.finditer(res.stdout):
            kind, name = m.group(1), m.group(2)
            if kind == "unlinking":
                unlinked.add(name)  # from now on it may be gone
                continue
            state = (int(m.group(3)), m.group(4))
            if kind == "synced":
                synced[name] = state
                syncing = None
            else:
                syncing = (name, state)

        after = fsck_ok(t, image, "right after the crash at %s" % point)
        names = sorted(set(synced) | ({syncing[0]} if syncing else set()),
                       key=lambda n: int(n[2:]))
        found = {}
        if names:
            found, boot = sums_after_reboot(t, image, names)
        for name, state in synced.items():
            allowed = [state]
            if syncing and syncing[0] == name:
                allowed.append(syncing[1])  # being rewritten: old or new content
            if name in unlinked:
                allowed.append(None)        # unlinked after its fsync: may be gone
            t.check(found.get(name, "absent") in allowed,
                    "%s: fsync returned for %s; after the crash at %s it is %s"
                    % (name, describe(state), point, describe(found.get(name))))
        fsck_ok(t, image, "after recovery and a clean poweroff", "--strict-log")
        return after, syncing, found
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def commit_point(t, n):
    after, syncing, found = crash_at(t, "commit:%d" % n)
    # (crash_at allowed a file being rewritten to hold its old content;
    # here its new content is required)
    t.check(REPLAYABLE.search(after.stdout) is not None,
            "right after the crash at commit:%d fsck must see a committed log to replay; "
            "it said %r" % (n, fstools.fsck_lines(after)[-1:]))
    t.check(syncing is not None, "no 'syncing' line before the crash at commit:%d" % n)
    name, state = syncing
    t.check(found.get(name) == state,
            "%s: its commit record was on disk (crash at commit:%d), so recovery must "
            "install it: want %s, got %s" % (name, n, describe(state), describe(found.get(name))))


def kill_after_fsync(t, command, while_what):
    """Run command (a crashwork mode) with only fsync committing, kill QEMU
    at its first 'synced cw0' line, and check that cw0 is on disk as synced
    (also used by the fs lab's tests, labs/fs/test_fs.py)."""
    workdir = tempfile.mkdtemp(prefix="rivet-fsync-")
    try:
        image = fresh_image(t, workdir)
        seen = {"out": "", "rivet": None}
        synced = threading.Event()

        def on_output(text):
            seen["out"] += text
            # the whole line (its 8-digit sum), not just its start: output
            # arrives in pieces
            if SYNCED_CW0.search(seen["out"]) and not synced.is_set():
                synced.set()
                seen["rivet"].kill()

        res = rivet.osrun(command, image=image, copy_image=False,
                          timeout=RUN_TIMEOUT, bootargs=NO_INTERVAL, on_output=on_output,
                          rivet_hook=lambda r: seen.__setitem__("rivet", r))
        t.note("=== osrun %s\n%s" % (command, res.log))
        t.check(synced.is_set(), "%s printed no 'synced cw0' line (%s: %s) %r"
                % (command, res.reason, res.message, seen["out"][-300:]))
        m = SYNC_LINE.search(seen["out"], seen["out"].index("synced cw0"))
        state = (int(m.group(3)), m.group(4))
        fsck_ok(t, image, "after the kill")
        found, _ = sums_after_reboot(t, image, ["cw0"])
        t.check(found.get("cw0") == state,
                "cw0: fsync returned for %s %s; after the kill it is %s"
                % (describe(state), while_what, describe(found.get("cw0"))))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# LAB fs: crashpoint-tests
@test("crashpoint_commit_1", groups=GROUPS, timeout=150)
def crashpoint_commit_1(t):
    """power cut right after the 1st commit record: recovery installs the whole commit"""
    commit_point(t, 1)


@test("crashpoint_commit_4", groups=GROUPS, timeout=150)
def crashpoint_commit_4(t):
    """power cut right after the 4th commit record (log slots hold older blocks)"""
    commit_point(t, 4)


@test("crashpoint_logged_3", groups=GROUPS, timeout=150)
def crashpoint_logged_3(t):
    """power cut with the 3rd commit's blocks in the log but no header: nothing to replay"""
    after, syncing, found = crash_at(t, "logged:3")
    t.check(REPLAYABLE.search(after.stdout) is None,
            "before the commit record the log must not be replayable; fsck said %r"
            % fstools.fsck_lines(after)[-1:])
    name, state = syncing
    t.check(found.get(name) != state,
            "%s: its commit never reached the disk (crash at logged:3), yet it holds the "
            "content being synced (%s)" % (name, describe(state)))


@test("crashpoint_writes", groups=GROUPS, timeout=400 if not LONG else 4000)
def crashpoint_writes(t):
    """power cut after the N-th disk write, several N: fsck clean, synced files intact"""
    points = range(1, WRITE_POINTS_LONG + 1) if LONG else WRITE_POINTS_QUICK
    for n in points:
        t.note("=== write:%d" % n)
        crash_at(t, "write:%d" % n)


@test("fsync_busy", groups=GROUPS, timeout=150)
def fsync_busy(t):
    """fsync while another process writes; QEMU killed as fsync returns: the file is on disk"""
    kill_after_fsync(t, "crashwork busyfsync", "while another process wrote")
# END LAB fs
