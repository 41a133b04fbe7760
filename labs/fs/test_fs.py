"""The fs lab's tests: large files through the doubly-indirect block, and
fsync under the write-back log's group commit.

fs_bigfile      fstest big: a 32 MiB file (far past NDIRECT + NINDIRECT
                blocks) written and read back byte for byte
fs_maxfile      fstest efbig: the last byte of a MAXFILE-block file can be
                written, one more byte fails with EFBIG, the hole reads 0
fs_truncate     both of those on a copy of fs.img, then mkfs/fsck on it:
                clean (no block marked in use that no file uses) and the
                free-block count back where it was
fs_fsync        crashwork writes and fsyncs cw0 with the flusher off (only
                fsync commits); QEMU is killed at its 'synced' line; after a
                reboot cw0 must hold exactly what was synced
fs_fsync_busy   the same while another process keeps writing, so the log's
                transaction is never idle (tests/test_crash_points.py)
fs_crash        one crash trial of tests/test_crash.py, with the flusher
                off: power cut at a random moment of crashwork; fsck,
                recovery, synced files
"""

import os
import shutil
import tempfile

import rivet
import test_crash
import test_crash_points as crashpoints
import test_fs_host as fstools
from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "lab_fs"]
FSTEST_TIMEOUT = 240       # 32 MiB through the log on a busy host
TEST_DIR_BLOCKS = 2        # what fstest's own directories may leave behind


@test("fs_bigfile", groups=GROUPS, timeout=300)
def fs_bigfile(t):
    """fstest big: a 32 MiB file written and read back exactly"""
    t.run_guest_test("fstest", "big", timeout=FSTEST_TIMEOUT)


@test("fs_maxfile", groups=GROUPS, timeout=120)
def fs_maxfile(t):
    """fstest efbig: a file of exactly MAXFILE blocks; one byte more fails with EFBIG"""
    t.run_guest_test("fstest", "efbig", timeout=90)


def free_blocks(image):
    fs = fstools.FsImage(image)
    return sum(1 for b in range(fs.datastart, fs.size) if not fs.bit(b))


@test("fs_truncate", groups=GROUPS, timeout=360)
def fs_truncate(t):
    """after a MAXFILE-sized sparse file and a 32 MiB file are removed: fsck clean, free blocks back"""
    workdir = tempfile.mkdtemp(prefix="rivet-fslab-")
    try:
        image = crashpoints.fresh_image(t, workdir)
        before = free_blocks(image)
        cmd = "fstest %s efbig; fstest %s big" % (t.token, t.token)
        res = t.osrun(cmd, image=image, copy_image=False, timeout=FSTEST_TIMEOUT + 60)
        t.check_equal(res.reason, "ok", "osrun's outcome (%s)" % res.message)
        verdicts = res.stdout.splitlines().count("fstest: PASS %s" % t.token)
        t.check_equal(verdicts, 2, "fstest PASS lines of `%s` (output %r)" % (cmd, res.stdout[-300:]))
        crashpoints.fsck_ok(t, image, "after the big files were removed")
        after = free_blocks(image)
        t.check(before - after <= TEST_DIR_BLOCKS,
                "free blocks: %d before, %d after removing the files; want at most %d fewer"
                % (before, after, TEST_DIR_BLOCKS))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@test("fs_fsync", groups=GROUPS, timeout=150)
def fs_fsync(t):
    """write + fsync, QEMU killed as fsync returns (no other commit): the file is on disk"""
    crashpoints.kill_after_fsync(t, "crashwork", "with nothing else running")


@test("fs_fsync_busy", groups=GROUPS, timeout=150)
def fs_fsync_busy(t):
    """fsync while another process writes all the time; QEMU killed as fsync returns: on disk"""
    crashpoints.kill_after_fsync(t, "crashwork busyfsync", "while another process wrote")


@test("fs_crash", groups=GROUPS, timeout=test_crash.TRIAL_TIMEOUT)
def fs_crash(t):
    """power cut at a random moment of crashwork: fsck clean, recovery, synced files intact"""
    # With the commit interval an hour, only fsync (and a full log)
    # commits: the flusher cannot rescue an fsync that did not commit.
    test_crash.run_trial(t, 0, bootargs=crashpoints.NO_INTERVAL)
