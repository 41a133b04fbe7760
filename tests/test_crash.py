"""Crash tests: cut the power while the file system is busy, then check
that the log brings it back consistent and that fsync() kept its promise.

Each trial (one registered test, crash_trial_NN):
  1. copies fs.img and checks the copy with mkfs/fsck --strict-log;
  2. boots Rivet on the copy running `crashwork` (user/crashwork.c), which
     writes, fsyncs, rewrites and unlinks files cw0, cw1, ... forever and
     reports each step on the console (its order is fixed: see schedule());
  3. kills QEMU at a random moment, 1 to 6 s after the first "synced" line;
  4. runs mkfs/fsck on the image: it must be consistent, possibly with a
     committed log still to replay (the kernel replays it at mount);
  5. boots again on the same image running `crashwork sum` on the files the
     console reported, and checks each one: a synced file has exactly its
     synced size and checksum; an unlinked one is gone or still has its last
     synced content; one being rewritten exists; the file being created at
     the kill may be in any state. The steps due just after the last line
     that reached the console count as "maybe begun";
  6. runs fsck --strict-log: after the clean poweroff the log must be empty.

Environment: RIVET_CRASH_TRIALS (default 10) sets the number of trials;
RIVET_CRASH_SEED fixes the random kill moments (a trial's log names the
seed it used, to replay a failure).
"""

import itertools
import os
import random
import re
import shutil
import tempfile
import threading

import rivet
import test_fs_host as fstools
from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "crash"]
TRIALS = int(os.environ.get("RIVET_CRASH_TRIALS", "10"))
BASE_SEED = int(os.environ.get("RIVET_CRASH_SEED") or random.randrange(1 << 30))

KILL_DELAY_RANGE = (1.0, 6.0)  # seconds after the first "synced" line
FIRST_SYNC_WAIT = 20.0         # boot plus the first fsync
SUM_RUN_TIMEOUT = 30.0         # boot, recovery and `crashwork sum`
TRIAL_TIMEOUT = 120            # generous: a trial normally takes ~15 s
UNLINKED_TO_CHECK = 3          # recently unlinked files also checked

# crashwork's schedule: keep these in step with user/crashwork.c.
KEEP_FILES = 5
REWRITE_EVERY = 3
REWRITE_DISTANCE = 2

# Console output is not instantaneous: when QEMU dies, the guest may have
# begun the operations of the next few lines without their lines having
# reached us. Those operations count as "maybe happened".
LOOKAHEAD = 3

EVENT = re.compile(r"^(synced|rewriting|unlinking|unlinked) (cw\d+)"
                   r"(?: (\d+) ([0-9a-f]{8}))?$")
SUM_LINE = re.compile(r"^(cw\d+) (\d+) ([0-9a-f]{8})$")
MISSING_LINE = re.compile(r"^(cw\d+) missing$")
SUMMARY_LINE = re.compile(r"^fsck: \d+ problems? found$")

# What may be on disk for a file after the crash.
SYNCED_STATE = "synced"          # exactly its last synced content
REWRITING_STATE = "rewriting"    # exists, content unknown
UNLINKED_STATE = "unlinked"      # gone, or its last synced content
CREATING_STATE = "creating"      # may never have reached the disk: anything goes


class FileRecord:
    def __init__(self):
        self.state = None
        self.synced = None   # (size, checksum) of the last "synced" line


def file_name(round_number):
    return "cw%d" % round_number


def file_number(name):
    return int(name[len("cw"):])


def schedule():
    """crashwork's console events, (kind, file name), in order, forever."""
    round_number = 0
    while True:
        yield ("synced", file_name(round_number))
        if (round_number % REWRITE_EVERY == REWRITE_EVERY - 1
                and round_number >= REWRITE_DISTANCE):
            yield ("rewriting", file_name(round_number - REWRITE_DISTANCE))
            yield ("synced", file_name(round_number - REWRITE_DISTANCE))
        if round_number >= KEEP_FILES:
            yield ("unlinking", file_name(round_number - KEEP_FILES))
            yield ("unlinked", file_name(round_number - KEEP_FILES))
        round_number += 1


def complete_lines(text):
    """Lines that were printed in full (a line cut by the kill is dropped)."""
    return text.split("\n")[:-1]


def follow_workload(lines):
    """What the console says about each file: ({name: FileRecord}, error).

    error is None, or why the lines do not follow crashwork's schedule."""
    files = {}
    expected = schedule()
    for line in lines:
        m = EVENT.match(line)
        if not m:
            continue
        kind, name = m.group(1), m.group(2)
        want = next(expected)
        if (kind, name) != want:
            return files, "crashwork printed %r where '%s %s' was due" % ((line,) + want)
        rec = files.setdefault(name, FileRecord())
        if kind == "synced":
            rec.state = SYNCED_STATE
            rec.synced = (int(m.group(3)), m.group(4))
        elif kind == "rewriting":
            rec.state = REWRITING_STATE
        else:
            rec.state = UNLINKED_STATE
    for kind, name in itertools.islice(expected, LOOKAHEAD):
        rec = files.setdefault(name, FileRecord())
        if kind in ("unlinking", "unlinked"):
            rec.state = UNLINKED_STATE
        elif kind == "rewriting":
            rec.state = REWRITING_STATE
        elif rec.state is None:
            rec.state = CREATING_STATE
    return files, None


def files_to_check(files):
    """Every file the console told about, but only the last few unlinked ones."""
    unlinked = sorted((n for n, r in files.items() if r.state == UNLINKED_STATE),
                      key=file_number)[-UNLINKED_TO_CHECK:]
    others = [n for n, r in files.items() if r.state != UNLINKED_STATE]
    return sorted(others + unlinked, key=file_number)


def parse_sums(stdout):
    """{name: (size, checksum)} or {name: None} for 'missing'."""
    sums = {}
    for line in stdout.splitlines():
        m = SUM_LINE.match(line)
        if m:
            sums[m.group(1)] = (int(m.group(2)), m.group(3))
            continue
        m = MISSING_LINE.match(line)
        if m:
            sums[m.group(1)] = None
    return sums


def verify_file(name, rec, found):
    """None if what `crashwork sum` found is allowed, else the complaint."""
    if rec.state == SYNCED_STATE and found != rec.synced:
        return "%s was synced as %s but after recovery is %s" % (
            name, "%d bytes %s" % rec.synced, "missing" if found is None
            else "%d bytes %s" % found)
    if rec.state == REWRITING_STATE and found is None:
        return "%s was being rewritten (so it existed) but is missing" % name
    if rec.state == UNLINKED_STATE and found is not None and found != rec.synced:
        return "%s was unlinked but is back with different content (%d bytes %s)" % (
            (name,) + found)
    return None


class CrashRun:
    """Boot on the image running crashwork and kill QEMU at a random moment
    after its first "synced" line."""

    def __init__(self, t, image, delay, bootargs=""):
        self.t = t
        self.image = image
        self.delay = delay
        self.bootargs = bootargs
        self.output = ""
        self.rivet = None
        self.timer = None
        self.killed_at_random = threading.Event()

    def _hook(self, r):
        self.rivet = r

    def _kill(self):
        self.killed_at_random.set()
        self.rivet.kill()

    def _on_output(self, text):
        self.output += text
        if self.timer is None and re.search(r"(?m)^synced ", self.output):
            self.timer = threading.Timer(self.delay, self._kill)
            self.timer.daemon = True
            self.timer.start()

    def run(self):
        # boot and the first fsync take longer on a busy host; the kill delay does not
        lifetime = self.t.scaled(FIRST_SYNC_WAIT) + self.delay
        res = rivet.osrun("crashwork", image=self.image, copy_image=False,
                          timeout=lifetime, bootargs=self.bootargs,
                          on_output=self._on_output, rivet_hook=self._hook)
        if self.timer is not None:
            self.timer.cancel()
        self.t.note("=== osrun crashwork (killed at random: %s)\n%s"
                    % (self.killed_at_random.is_set(), res.log))
        return res


def check_fs_img(t):
    base = rivet.default_image()
    try:
        fstools.FsImage(base).lookup("crashwork")
    except AssertionError:
        t.fail("fs.img has no /crashwork: the Makefile must put user/_crashwork in fs.img")
    return base


def fsck_must_pass(t, image, when, *options):
    res = fstools.fsck(image, *options, t=t)
    if res.status != 0:
        problems = [ln for ln in fstools.fsck_lines(res) if not SUMMARY_LINE.match(ln)]
        t.fail("fsck %s: exit status %d: %s" % (when, res.status,
                                                "; ".join(problems[:3]) or res.stderr.strip()))
    return res


def run_trial(t, trial, bootargs=""):
    """One trial; ``bootargs`` are extra boot arguments for the crashed run."""
    seed = BASE_SEED + trial
    delay = random.Random(seed).uniform(*KILL_DELAY_RANGE)
    t.note("trial %d: seed %d (RIVET_CRASH_SEED=%d replays it), kill %.2fs after "
           "the first synced line" % (trial, seed, BASE_SEED, delay))
    base = check_fs_img(t)
    workdir = tempfile.mkdtemp(prefix="rivet-crash-")
    try:
        image = os.path.join(workdir, "fs.img")
        shutil.copyfile(base, image)
        fsck_must_pass(t, image, "of the fresh copy of fs.img", "--strict-log")

        run = CrashRun(t, image, delay, bootargs)
        res = run.run()
        lines = complete_lines(run.output)
        bad = [ln for ln in lines if ln.startswith("crashwork:")]
        t.check(not bad, "crashwork failed: %s" % (bad[:1],))
        t.check(any(ln.startswith("synced ") for ln in lines),
                "crashwork printed no 'synced' line (%s: %s)" % (res.reason, res.message))
        t.check(run.killed_at_random.is_set(),
                "QEMU ended before the kill (%s: %s)" % (res.reason, res.message))

        after_crash = fsck_must_pass(t, image, "right after the crash")
        t.note("fsck after the crash: %s" % fstools.fsck_lines(after_crash)[-1:])

        files, error = follow_workload(lines)
        t.check(error is None, error)
        names = files_to_check(files)
        sum_run = t.osrun("crashwork sum " + " ".join(names), image=image,
                          copy_image=False, timeout=SUM_RUN_TIMEOUT)
        t.check(sum_run.reason == "ok" and sum_run.status == 0,
                "crashwork sum after recovery: %s, status %s %s"
                % (sum_run.reason, sum_run.status, sum_run.message))
        sums = parse_sums(sum_run.stdout)
        for name in names:
            t.check(name in sums, "crashwork sum printed nothing for %s" % name)
            complaint = verify_file(name, files[name], sums[name])
            t.check(complaint is None, complaint)

        fsck_must_pass(t, image, "after recovery and a clean poweroff", "--strict-log")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _register_trial(trial):
    name = "crash_trial_%02d" % trial

    def body(t):
        run_trial(t, trial)
    body.__name__ = name
    body.__doc__ = "kill QEMU during crashwork (trial %d); fsck, recovery, synced data" % trial
    test(name, groups=GROUPS, timeout=TRIAL_TIMEOUT)(body)


# LAB fs: crash-trials
for _trial in range(TRIALS):
    _register_trial(_trial)
# END LAB fs
