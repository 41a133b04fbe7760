"""File-system limits that need a small disk: running out of inodes, and
reusing every block of a full disk (new blocks must read as zeroes)."""

import os
import subprocess
import tempfile

import rivet
from testlib import test

SMALL_IMAGE_BLOCKS = 1000  # mkfs gives it its minimum of inodes (a few hundred)
PROGRAMS = ["user/_init", "user/_sh", "user/_fstest"]


def make_small_image(t, tmp, blocks):
    """mkfs a disk of `blocks` blocks holding PROGRAMS in directory tmp; its path."""
    image = os.path.join(tmp, "small.img")
    made = subprocess.run(["mkfs/mkfs", image, str(blocks)] + PROGRAMS,
                          cwd=rivet.ROOT, capture_output=True, text=True)
    t.check(made.returncode == 0, "mkfs exit status %d, want 0: %s" % (made.returncode, made.stderr.strip()))
    return image


def check_fsck_clean(t, image, after):
    """fsck must find image clean once `after` (what ran on it) is done."""
    fsck = subprocess.run(["mkfs/fsck", image], cwd=rivet.ROOT, capture_output=True, text=True)
    t.check(fsck.returncode == 0, "fsck after %s: exit status %d, want 0: %s"
            % (after, fsck.returncode, fsck.stdout[-600:]))


@test("fs_out_of_inodes", groups=["needs_fs", "fs"], timeout=120)
def fs_out_of_inodes(t):
    """open(O_CREATE) and mkdir fail with ENOSPC when no inode is left; fsck stays clean"""
    with tempfile.TemporaryDirectory(prefix="rivet-inodes-") as tmp:
        image = make_small_image(t, tmp, SMALL_IMAGE_BLOCKS)
        res = t.osrun("fstest %s inodes" % t.token, image=image, copy_image=False, timeout=90)
        t.check("fstest: PASS %s" % t.token in res.stdout,
                "fstest inodes: no PASS line, want one; output %r" % res.stdout[-600:])
        t.check_equal(res.status, 0, "fstest exit status")
        check_fsck_clean(t, image, "running out of inodes")


# LAB fs: zeroed-test
# Big enough for the sparse and partly written files of fstest zeroed
# (about 300 blocks with their indirect blocks), small enough to fill fast.
ZEROED_IMAGE_BLOCKS = 3000


@test("fs_new_blocks_zeroed", groups=["needs_fs", "fs"], timeout=120)
def fs_new_blocks_zeroed(t):
    """after the disk was filled with non-zero data and emptied, new files read 0 where not written"""
    with tempfile.TemporaryDirectory(prefix="rivet-zeroed-") as tmp:
        image = make_small_image(t, tmp, ZEROED_IMAGE_BLOCKS)
        t.run_guest_test("fstest", "zeroed", image=image, copy_image=False, timeout=90)
        check_fsck_clean(t, image, "fstest zeroed")
# END LAB fs
