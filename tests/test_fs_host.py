"""Host-side tests of the file-system tools mkfs/mkfs and mkfs/fsck.

No QEMU: each test builds the tools from source (once per run, into a
temporary directory, with the same warning flags as the Makefile), makes
small images, damages copies of them on purpose, and checks what fsck says.

This module also holds the helpers the crash tests (tests/test_crash.py)
use: building the tools, running fsck, and ``FsImage``, an independent
Python reader and editor of the on-disk format of kernel/fs.h.
"""

import atexit
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading

import rivet
from testlib import test

GROUP = ["fs_host"]

# --- the on-disk format (kernel/fs.h, kernel/stat.h) -------------------
BSIZE = 1024
ROOTINO = 1
FSMAGIC = 0x52495654
NDIRECT = 11
NINDIRECT = BSIZE // 4
INDIRECT_SLOT = NDIRECT
DINDIRECT_SLOT = NDIRECT + 1
DIRSIZ = 14
T_DIR, T_FILE, T_DEVICE = 1, 2, 3
SUPERBLOCK_BNO = 1

SUPERBLOCK = struct.Struct("<9I")       # magic size nblocks ninodes nlog logstart inodestart bmapstart datastart
DINODE = struct.Struct("<4hI%dI" % (NDIRECT + 2))  # type major minor nlink size addrs[]
DIRENT = struct.Struct("<H%ds" % DIRSIZ)
U32 = struct.Struct("<I")
IPB = BSIZE // DINODE.size
BPB = BSIZE * 8
DIRENTS_PER_BLOCK = BSIZE // DIRENT.size

DEFAULT_BLOCKS = 4096                    # images for these tests: 4 MiB
BIG_FILE_BYTES = 1024 * 1024             # needs the doubly-indirect block
MID_FILE_BYTES = 200 * 1024 + 77         # needs the singly-indirect block

# --- building and running the tools -------------------------------------
TOOL_SOURCES = {"mkfs": ["mkfs/mkfs.c", "mkfs/image.c"],
                "fsck": ["mkfs/fsck.c", "mkfs/image.c"]}
CFLAGS = ["-Wall", "-Werror", "-O2", "-I."]

_build_lock = threading.Lock()
_built = {}


def _cleanup_tools():
    d = _built.get("dir")
    if d:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup_tools)


class ToolBuildError(AssertionError):
    pass


def tools():
    """Paths {'mkfs': ..., 'fsck': ...} of tools freshly built from source.

    Built once per test run into a private directory, so tests never race
    with `make` or use a stale binary."""
    with _build_lock:
        if "mkfs" in _built:
            return _built
        d = tempfile.mkdtemp(prefix="rivet-fstools-")
        _built["dir"] = d
        for name, sources in TOOL_SOURCES.items():
            out = os.path.join(d, name)
            cmd = ["gcc"] + CFLAGS + ["-o", out] + sources
            p = subprocess.run(cmd, cwd=rivet.ROOT, capture_output=True, text=True)
            if p.returncode != 0:
                raise ToolBuildError("%s failed:\n%s" % (" ".join(cmd), p.stderr))
            _built[name] = out
        return _built


class ToolResult:
    def __init__(self, argv, proc):
        self.argv = argv
        self.status = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def lines(self):
        return self.stdout.splitlines()

    def describe(self):
        return "$ %s\nexit status %d\n--- stdout:\n%s--- stderr:\n%s" % (
            " ".join(self.argv), self.status, self.stdout, self.stderr)


def run_tool(name, *args, timeout=60):
    argv = [tools()[name]] + [str(a) for a in args]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return ToolResult(argv, proc)


def mkfs(image, blocks, files, t=None):
    res = run_tool("mkfs", image, blocks, *files)
    if t is not None:
        t.note(res.describe())
    return res


def fsck(image, *options, t=None):
    res = run_tool("fsck", *(list(options) + [image]))
    if t is not None:
        t.note(res.describe())
    return res


# --- an independent reader/editor of images -------------------------------
class Inode:
    """One struct dinode, decoded."""

    def __init__(self, raw):
        fields = DINODE.unpack(raw)
        self.type, self.major, self.minor, self.nlink, self.size = fields[:5]
        self.addrs = list(fields[5:])

    def pack(self):
        return DINODE.pack(self.type, self.major, self.minor, self.nlink, self.size,
                           *self.addrs)


class FsImage:
    """A disk image in memory; edit it, then save() it."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = bytearray(f.read())
        (self.magic, self.size, self.nblocks, self.ninodes, self.nlog, self.logstart,
         self.inodestart, self.bmapstart, self.datastart) = SUPERBLOCK.unpack_from(
            self.data, SUPERBLOCK_BNO * BSIZE)

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.data)

    # blocks and 32-bit words
    def block(self, bno):
        return bytes(self.data[bno * BSIZE:(bno + 1) * BSIZE])

    def u32(self, offset):
        return U32.unpack_from(self.data, offset)[0]

    def set_u32(self, offset, value):
        U32.pack_into(self.data, offset, value)

    def block_entry(self, bno, index):
        return self.u32(bno * BSIZE + index * U32.size)

    # inodes
    def inode_offset(self, inum):
        return (self.inodestart + inum // IPB) * BSIZE + (inum % IPB) * DINODE.size

    def inode(self, inum):
        off = self.inode_offset(inum)
        return Inode(bytes(self.data[off:off + DINODE.size]))

    def put_inode(self, inum, ino):
        off = self.inode_offset(inum)
        self.data[off:off + DINODE.size] = ino.pack()

    def free_inum(self):
        for inum in range(ROOTINO + 1, self.ninodes):
            if self.inode(inum).type == 0:
                return inum
        raise AssertionError("no free inode in the image")

    # file contents
    def file_blocks(self, ino):
        """Disk block numbers of the file's data, in file order."""
        count = (ino.size + BSIZE - 1) // BSIZE
        blocks = ino.addrs[:NDIRECT]
        if count > NDIRECT:
            ind = ino.addrs[INDIRECT_SLOT]
            blocks += [self.block_entry(ind, i) for i in range(NINDIRECT)]
        if count > NDIRECT + NINDIRECT:
            dind = ino.addrs[DINDIRECT_SLOT]
            for i in range(NINDIRECT):
                table = self.block_entry(dind, i)
                if table:
                    blocks += [self.block_entry(table, j) for j in range(NINDIRECT)]
        return blocks[:count]

    def read_file(self, ino):
        data = b"".join(self.block(b) for b in self.file_blocks(ino))
        return data[:ino.size]

    # directories
    def dirents(self, inum):
        """[(offset in the image, inum, name)] of every entry, free ones too."""
        ino = self.inode(inum)
        out = []
        for k, bno in enumerate(self.file_blocks(ino)):
            for i in range(DIRENTS_PER_BLOCK):
                if k * BSIZE + i * DIRENT.size >= ino.size:
                    break
                off = bno * BSIZE + i * DIRENT.size
                e_inum, raw = DIRENT.unpack_from(self.data, off)
                out.append((off, e_inum, raw.rstrip(b"\0").decode("latin-1")))
        return out

    def lookup(self, name, dir_inum=ROOTINO):
        for _, inum, n in self.dirents(dir_inum):
            if inum != 0 and n == name:
                return inum
        raise AssertionError("no entry %r in directory %d" % (name, dir_inum))

    def put_dirent(self, offset, inum, name):
        DIRENT.pack_into(self.data, offset, inum, name.encode("latin-1"))

    def append_dirent(self, dir_inum, inum, name):
        """Add an entry at the end of a directory whose last block has room."""
        d = self.inode(dir_inum)
        end = d.size
        assert end % BSIZE != 0, "directory %d: its last block is full" % dir_inum
        bno = self.file_blocks(d)[end // BSIZE]
        self.put_dirent(bno * BSIZE + end % BSIZE, inum, name)
        d.size += DIRENT.size
        self.put_inode(dir_inum, d)

    def alloc_block(self):
        """A free data block, now marked in use and zeroed."""
        for bno in range(self.datastart, self.size):
            if not self.bit(bno):
                self.set_bit(bno, 1)
                self.data[bno * BSIZE:(bno + 1) * BSIZE] = bytes(BSIZE)
                return bno
        raise AssertionError("no free block in the image")

    def mkdir(self, name, parent=ROOTINO):
        """Make a subdirectory the way the kernel does: '.', '..', a name in
        the parent, nlink 1, and one more link on the parent for '..'."""
        inum = self.free_inum()
        bno = self.alloc_block()
        self.put_dirent(bno * BSIZE, inum, ".")
        self.put_dirent(bno * BSIZE + DIRENT.size, parent, "..")
        d = Inode(bytes(DINODE.size))
        d.type, d.nlink, d.size, d.addrs[0] = T_DIR, 1, 2 * DIRENT.size, bno
        self.put_inode(inum, d)
        self.append_dirent(parent, inum, name)
        p = self.inode(parent)
        p.nlink += 1
        self.put_inode(parent, p)
        return inum

    # bitmap
    def bit(self, bno):
        off = (self.bmapstart + bno // BPB) * BSIZE + (bno % BPB) // 8
        return (self.data[off] >> (bno % 8)) & 1

    def set_bit(self, bno, value):
        off = (self.bmapstart + bno // BPB) * BSIZE + (bno % BPB) // 8
        mask = 1 << (bno % 8)
        self.data[off] = (self.data[off] | mask) if value else (self.data[off] & ~mask)

    # log
    def log_header_offset(self):
        return self.logstart * BSIZE


def pattern_bytes(n, seed):
    """n bytes that differ from block to block (catches misplaced blocks)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += struct.pack("<II", seed, i) * (BSIZE // 8)
        i += 1
    return bytes(out[:n])


class Workdir:
    """A temporary directory with input files and images; removed on exit."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="rivet-fstest-")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
        return False

    def file(self, name, content):
        p = os.path.join(self.path, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(content)
        return p

    def join(self, name):
        return os.path.join(self.path, name)


def standard_inputs(w):
    """{rivet name: (host path, content)}: empty, small, singly- and
    doubly-indirect files, and names with a leading '_' and of DIRSIZ chars."""
    contents = {
        "_cat": pattern_bytes(5000, 1),
        "empty": b"",
        "_mid": pattern_bytes(MID_FILE_BYTES, 2),
        "big": pattern_bytes(BIG_FILE_BYTES, 3),
        "a" * DIRSIZ: b"exactly DIRSIZ characters\n",
        "_onebyte": b"x",
    }
    out = {}
    for host_name, content in contents.items():
        path = w.file("in/" + host_name, content)
        out[host_name[1:] if host_name.startswith("_") else host_name] = (path, content)
    return out


def make_standard_image(t, w, name="fs.img"):
    """mkfs an image of the standard inputs; returns (path, inputs)."""
    inputs = standard_inputs(w)
    img = w.join(name)
    res = mkfs(img, DEFAULT_BLOCKS, [p for p, _ in inputs.values()], t=t)
    t.check(res.status == 0, "mkfs failed (status %d): %s" % (res.status, res.stderr.strip()))
    return img, inputs


def fsck_lines(res):
    return [ln for ln in res.lines() if ln.startswith("fsck: ")]


def expect_clean(t, img, *options):
    res = fsck(img, *options, t=t)
    t.check(res.status == 0 and fsck_lines(res)[-1:] == ["fsck: clean"],
            "fsck of a good image: status %d, output %r" % (res.status, res.stdout[-300:]))


def expect_problem(t, img, regex, what):
    """fsck must exit 1 and print a 'fsck: ' line matching regex."""
    res = fsck(img, t=t)
    t.check(res.status == 1, "%s: fsck exit status %d, want 1; output %r"
            % (what, res.status, res.stdout[-300:]))
    t.check(any(re.search(regex, ln) for ln in fsck_lines(res)),
            "%s: no fsck line matching /%s/ in:\n%s" % (what, regex, res.stdout[-1500:]))
    stray = [ln for ln in res.lines() if not ln.startswith(("fsck: ", "log: "))]
    t.check(not stray, "%s: output line without the 'fsck: ' prefix: %r" % (what, stray[:1]))


def edited_copy(t, w, edit, name):
    """Build the standard image and require fsck to find it clean; apply
    edit(FsImage, inputs) to a copy and save it as `name`; its path."""
    img, inputs = make_standard_image(t, w)
    expect_clean(t, img)
    fs = FsImage(img)
    edit(fs, inputs)
    path = w.join(name)
    fs.save(path)
    return path


def corrupt(t, w, edit, regex, what):
    """Require fsck to report regex for the standard image after edit."""
    expect_problem(t, edited_copy(t, w, edit, "bad.img"), regex, what)


# --- tests: mkfs and a clean fsck ------------------------------------------
@test("fs_host_build", groups=GROUP, timeout=60)
def fs_host_build(t):
    """mkfs and fsck build with gcc -Wall -Werror -O2"""
    t.note("built: %s" % tools())


@test("fs_host_clean", groups=GROUP, timeout=60)
def fs_host_clean(t):
    """mkfs with small, indirect and doubly-indirect files; fsck says clean"""
    with Workdir() as w:
        img, _ = make_standard_image(t, w)
        t.check_equal(os.path.getsize(img), DEFAULT_BLOCKS * BSIZE, "image size in bytes")
        expect_clean(t, img)
        expect_clean(t, img, "--strict-log")
        res = mkfs(w.join("empty.img"), DEFAULT_BLOCKS, [], t=t)
        t.check_equal(res.status, 0, "mkfs status with no files")
        expect_clean(t, w.join("empty.img"))


@test("fs_host_contents", groups=GROUP, timeout=60)
def fs_host_contents(t):
    """an independent reader finds the superblock, root and every file's bytes"""
    with Workdir() as w:
        img, inputs = make_standard_image(t, w)
        fs = FsImage(img)
        t.check_equal(fs.magic, FSMAGIC, "magic")
        t.check_equal(fs.size, DEFAULT_BLOCKS, "superblock size")
        t.check_equal(fs.logstart, SUPERBLOCK_BNO + 1, "log start")
        t.check(fs.inodestart == fs.logstart + fs.nlog, "inodes do not follow the log")
        t.check(fs.ninodes >= 200, "only %d inodes" % fs.ninodes)
        t.check_equal(fs.datastart + fs.nblocks, fs.size, "data area end")
        t.check_equal(fs.u32(fs.log_header_offset()), 0, "log header n")
        root = fs.inode(ROOTINO)
        t.check_equal(root.type, T_DIR, "root type")
        entries = [(inum, name) for _, inum, name in fs.dirents(ROOTINO)]
        t.check_equal(entries[:2], [(ROOTINO, "."), (ROOTINO, "..")], "first root entries")
        t.check_equal(sorted(n for _, n in entries[2:]), sorted(inputs), "root names")
        for name, (_, content) in inputs.items():
            ino = fs.inode(fs.lookup(name))
            t.check_equal(ino.type, T_FILE, "type of %s" % name)
            t.check_equal(ino.nlink, 1, "nlink of %s" % name)
            t.check_equal(ino.size, len(content), "size of %s" % name)
            t.check(fs.read_file(ino) == content, "content of %s differs" % name)
        big = fs.inode(fs.lookup("big"))
        t.check(big.addrs[DINDIRECT_SLOT] != 0, "the 1 MB file has no doubly-indirect block")


@test("fs_host_deterministic", groups=GROUP, timeout=60)
def fs_host_deterministic(t):
    """the same inputs give byte-identical images"""
    with Workdir() as w:
        a, inputs = make_standard_image(t, w, "a.img")
        b = w.join("b.img")
        res = mkfs(b, DEFAULT_BLOCKS, [p for p, _ in inputs.values()], t=t)
        t.check_equal(res.status, 0, "second mkfs status")
        with open(a, "rb") as fa, open(b, "rb") as fb:
            t.check(fa.read() == fb.read(), "two runs of mkfs gave different images")


# --- tests: mkfs refuses what it cannot do ---------------------------------
def expect_refusal(t, w, blocks, files, regex, what):
    img = w.join("refused.img")
    res = mkfs(img, blocks, files, t=t)
    t.check_equal(res.status, 1, "%s: mkfs exit status" % what)
    t.check(re.search(regex, res.stderr), "%s: mkfs message %r does not match /%s/"
            % (what, res.stderr.strip(), regex))
    t.check(not os.path.exists(img), "%s: mkfs created the image anyway" % what)


@test("fs_host_mkfs_refuses", groups=GROUP, timeout=60)
def fs_host_mkfs_refuses(t):
    """mkfs refuses long and duplicate names, too small images, too big files"""
    with Workdir() as w:
        ok = w.file("ok", b"fine")
        long_name = w.file("in/_" + "b" * (DIRSIZ + 1), b"too long")
        expect_refusal(t, w, DEFAULT_BLOCKS, [ok, long_name],
                       r"longer than %d" % DIRSIZ, "15-character name")
        dup = w.file("other/_ok", b"same name")
        expect_refusal(t, w, DEFAULT_BLOCKS, [ok, dup], r"both be named 'ok'",
                       "duplicate name")
        expect_refusal(t, w, 100, [], r"too small", "tiny image")
        big = w.file("big", pattern_bytes(BIG_FILE_BYTES, 4))
        expect_refusal(t, w, 600, [big], r"need \d+ data blocks", "file larger than the disk")
        huge = w.join("huge")
        with open(huge, "wb") as f:
            f.truncate((NDIRECT + NINDIRECT + NINDIRECT * NINDIRECT + 1) * BSIZE)
        expect_refusal(t, w, DEFAULT_BLOCKS, [huge], r"larger than the largest file",
                       "file beyond MAXFILE")
        usage = run_tool("mkfs")
        t.check_equal(usage.status, 2, "mkfs without arguments: exit status")


@test("fs_host_fsck_usage", groups=GROUP, timeout=30)
def fs_host_fsck_usage(t):
    """fsck exits 2 without an image, with a bad option or an unreadable file"""
    t.check_equal(run_tool("fsck").status, 2, "fsck without arguments")
    t.check_equal(run_tool("fsck", "--frobnicate", "x").status, 2, "fsck with a bad option")
    t.check_equal(run_tool("fsck", "/nonexistent/fs.img").status, 2, "fsck of a missing file")


# --- tests: fsck finds damage made on purpose -------------------------------
def _bad_magic(fs, inputs):
    fs.set_u32(SUPERBLOCK_BNO * BSIZE, 0x12345678)


def _shared_block(fs, inputs):
    a = fs.inode(fs.lookup("cat"))
    b = fs.inode(fs.lookup("mid"))
    b.addrs[0] = a.addrs[0]
    fs.put_inode(fs.lookup("mid"), b)


def _used_block_marked_free(fs, inputs):
    fs.set_bit(fs.inode(fs.lookup("cat")).addrs[1], 0)


def _free_block_marked_used(fs, inputs):
    fs.set_bit(fs.size - 1, 1)


def _wrong_nlink(fs, inputs):
    inum = fs.lookup("cat")
    ino = fs.inode(inum)
    ino.nlink = 2
    fs.put_inode(inum, ino)


def _entry_names_free_inode(fs, inputs):
    fs.append_dirent(ROOTINO, fs.free_inum(), "ghost")


def _missing_dot(fs, inputs):
    off, _, _ = fs.dirents(ROOTINO)[0]
    fs.put_dirent(off, 0, "")


def _block_outside_data(fs, inputs):
    inum = fs.lookup("mid")
    ino = fs.inode(inum)
    ino.addrs[2] = fs.inodestart
    fs.put_inode(inum, ino)


def _block_beyond_disk(fs, inputs):
    inum = fs.lookup("big")
    ino = fs.inode(inum)
    ind = ino.addrs[INDIRECT_SLOT]
    fs.set_u32(ind * BSIZE + 5 * U32.size, fs.size + 1000)


def _unreachable_inode(fs, inputs):
    inum = fs.free_inum()
    ino = fs.inode(inum)
    ino.type, ino.nlink, ino.size = T_FILE, 1, 0
    fs.put_inode(inum, ino)


def _log_too_long(fs, inputs):
    fs.set_u32(fs.log_header_offset(), fs.nlog)


def _size_beyond_blocks(fs, inputs):
    inum = fs.lookup("onebyte")
    ino = fs.inode(inum)
    ino.size = 3 * BSIZE
    fs.put_inode(inum, ino)


def _bad_dotdot(fs, inputs):
    off, _, _ = fs.dirents(ROOTINO)[1]
    fs.put_dirent(off, fs.lookup("cat"), "..")


def _parent_nlink_misses_subdir(fs, inputs):
    fs.mkdir("sub")
    root = fs.inode(ROOTINO)
    root.nlink -= 1
    fs.put_inode(ROOTINO, root)


def _subdir_dotdot_elsewhere(fs, inputs):
    sub = fs.mkdir("sub")
    other = fs.mkdir("other")
    off, _, _ = fs.dirents(sub)[1]
    fs.put_dirent(off, other, "..")


def _directory_with_two_names(fs, inputs):
    sub = fs.mkdir("sub")
    other = fs.mkdir("other")
    fs.append_dirent(other, sub, "again")


CORRUPTIONS = [
    # (test suffix, edit, regex fsck must print, description)
    ("bad_magic", _bad_magic, r"superblock: bad magic", "bad superblock magic"),
    ("shared_block", _shared_block, r"block \d+ is used twice", "data block used twice"),
    ("used_marked_free", _used_block_marked_free,
     r"bitmap: block \d+ is marked free but inode \d+ uses it", "used block free in bitmap"),
    ("free_marked_used", _free_block_marked_used,
     r"bitmap: block \d+ is marked in use but no inode uses it", "free block used in bitmap"),
    ("wrong_nlink", _wrong_nlink, r"inode \d+: nlink is 2 but 1 directory entry names it",
     "nlink 2 for a file with one name"),
    ("entry_free_inode", _entry_names_free_inode, r"entry 'ghost' names free inode \d+",
     "directory entry naming a free inode"),
    ("missing_dot", _missing_dot, r"directory 1: first entry is not '\.'", "missing '.'"),
    ("block_in_metadata", _block_outside_data, r"block \d+ is outside the data area",
     "direct block number in the inode area"),
    ("block_beyond_disk", _block_beyond_disk, r"data block \d+ is outside the data area",
     "indirect entry past the end of the disk"),
    ("unreachable_inode", _unreachable_inode,
     r"inode \d+ \(file\) is allocated but not reachable", "allocated inode without a name"),
    ("log_too_long", _log_too_long, r"log: header says \d+ blocks", "log header n too large"),
    ("size_beyond_blocks", _size_beyond_blocks,
     r"size 3072 but the block holding its last byte \(block 2 of the file\) is not",
     "size larger than the allocated blocks"),
    ("bad_dotdot", _bad_dotdot, r"directory 1: '\.\.' names inode \d+ but its parent is 1",
     "root's '..' not naming the root"),
    ("parent_nlink", _parent_nlink_misses_subdir,
     r"inode 1: nlink is 1 but it has 1 name and 1 subdirectory",
     "a parent's nlink not counting its subdirectory's '..'"),
    ("subdir_dotdot", _subdir_dotdot_elsewhere,
     r"directory \d+: '\.\.' names inode \d+ but its parent is 1",
     "a subdirectory's '..' naming another directory"),
    ("dir_two_names", _directory_with_two_names,
     r"directory \d+ has more than one name: in directories 1 and \d+",
     "a directory with two names"),
]


def _register_corruption(suffix, edit, regex, what):
    def body(t):
        with Workdir() as w:
            corrupt(t, w, edit, regex, what)
    body.__doc__ = "fsck finds: %s" % what
    body.__name__ = "fs_host_corrupt_" + suffix
    test(body.__name__, groups=GROUP, timeout=60)(body)


for _case in CORRUPTIONS:
    _register_corruption(*_case)


def _punch_hole(fs, inputs):
    """Free a block in the middle of file mid, as lseek past a hole leaves it."""
    inum = fs.lookup("mid")
    ino = fs.inode(inum)
    fs.set_bit(ino.addrs[3], 0)
    ino.addrs[3] = 0
    fs.put_inode(inum, ino)


def _make_subdirs(fs, inputs):
    sub = fs.mkdir("sub")
    deeper = fs.mkdir("deeper", parent=sub)
    fs.mkdir("leaf", parent=deeper)
    fs.mkdir("sibling")


@test("fs_host_hole_ok", groups=GROUP, timeout=60)
def fs_host_hole_ok(t):
    """a file with a hole (lseek past the end, then write) is clean"""
    with Workdir() as w:
        expect_clean(t, edited_copy(t, w, _punch_hole, "holey.img"))


@test("fs_host_subdirs", groups=GROUP, timeout=60)
def fs_host_subdirs(t):
    """nested directories made as the kernel makes them are clean"""
    with Workdir() as w:
        expect_clean(t, edited_copy(t, w, _make_subdirs, "tree.img"))


@test("fs_host_mkfs_limits", groups=GROUP, timeout=60)
def fs_host_mkfs_limits(t):
    """inode count at least 200 and at most 65535; too large images refused"""
    with Workdir() as w:
        small = w.join("small.img")
        t.check_equal(mkfs(small, 300, [], t=t).status, 0, "mkfs of 300 blocks")
        t.check(FsImage(small).ninodes >= 200, "fewer than 200 inodes")
        expect_clean(t, small)
        large = w.join("large.img")
        t.check_equal(mkfs(large, 229376, [], t=t).status, 0, "mkfs of 229376 blocks")
        t.check(FsImage(large).ninodes <= 65535, "more than 65535 inodes")
        expect_clean(t, large)
        os.remove(large)
        expect_refusal(t, w, 229377, [], r"too large", "image larger than the kernel mounts")


# --- tests: the log --------------------------------------------------------
def _write_log(fs, entries):
    """Commit entries [(home block, content)] to the log of fs (not installed)."""
    hdr = fs.log_header_offset()
    fs.set_u32(hdr, len(entries))
    for i, (home, content) in enumerate(entries):
        fs.set_u32(hdr + U32.size * (1 + i), home)
        logged = fs.logstart + 1 + i
        fs.data[logged * BSIZE:(logged + 1) * BSIZE] = content


@test("fs_host_log_replay", groups=GROUP, timeout=60)
def fs_host_log_replay(t):
    """fsck replays a committed log before checking; --strict-log rejects it"""
    with Workdir() as w:
        img, _ = make_standard_image(t, w)
        fs = FsImage(img)
        # Damage the bitmap at home but log its good copy: only a replay
        # makes the image consistent again.
        bitmap_bno = fs.bmapstart
        good_bitmap = fs.block(bitmap_bno)
        _write_log(fs, [(bitmap_bno, good_bitmap)])
        fs.data[bitmap_bno * BSIZE:(bitmap_bno + 1) * BSIZE] = bytes(BSIZE)
        logged = w.join("logged.img")
        fs.save(logged)

        res = fsck(logged, t=t)
        t.check_equal(res.status, 0, "fsck status with a replayable log")
        t.check("log: 1 blocks pending (replayable)" in res.lines(),
                "no 'log: 1 blocks pending (replayable)' line in %r" % res.stdout)
        t.check_equal(fsck_lines(res)[-1:], ["fsck: clean (log replayable, 1 blocks)"],
                      "last fsck line")

        strict = fsck(logged, "--strict-log", t=t)
        t.check_equal(strict.status, 1, "fsck --strict-log status with a pending log")
        t.check(any("log: not empty" in ln for ln in fsck_lines(strict)),
                "--strict-log does not name the pending log")

        # A log entry aimed at the superblock is not replayable.
        fs.set_u32(fs.log_header_offset() + U32.size, SUPERBLOCK_BNO)
        fs.save(logged)
        expect_problem(t, logged, r"log: entry 0 sends a block to 1", "log entry for block 1")


def _kernel_param(name):
    """The value of #define name in kernel/param.h: the kernel's own number."""
    with open(os.path.join(rivet.ROOT, "kernel", "param.h")) as f:
        m = re.search(r"^#define %s (\d+)" % name, f.read(), re.M)
    return int(m.group(1))


@test("fs_host_log_size_rule", groups=GROUP, timeout=60)
def fs_host_log_size_rule(t):
    """fsck judges the log's size as the kernel mounts it: at least 1 + MAXOPBLOCKS blocks"""
    min_blocks = 1 + _kernel_param("MAXOPBLOCKS")  # kernel/fs/super.c: LOG_MIN_BLOCKS
    with Workdir() as w:
        img, _ = make_standard_image(t, w)
        fs = FsImage(img)
        nlog_offset = SUPERBLOCK_BNO * BSIZE + 4 * U32.size
        # The blocks between a shortened log and the inodes stay unused.
        fs.set_u32(nlog_offset, min_blocks)
        shortest = w.join("shortest.img")
        fs.save(shortest)
        expect_clean(t, shortest)
        # A header can list only the log's blocks after it.
        fs.set_u32(fs.log_header_offset(), min_blocks)
        fs.save(shortest)
        expect_problem(t, shortest, r"log: header says %d blocks are committed but the log "
                       r"holds at most %d" % (min_blocks, min_blocks - 1), "header n = nlog")
        fs.set_u32(fs.log_header_offset(), 0)
        fs.set_u32(nlog_offset, min_blocks - 1)
        short = w.join("short.img")
        fs.save(short)
        expect_problem(t, short, r"superblock: log of %d blocks; the kernel needs at least %d"
                       % (min_blocks - 1, min_blocks), "a log the kernel refuses to mount")
