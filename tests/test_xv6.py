"""xv6 compatibility beyond the util lab (issue 14): the xv6 API program,
the build a lab student expects, and the tools of a student's day.

* xv6_api: user/xv6api, built with xv6's user flags, checks every xv6
  header and user-library name, the SYS_ numbers, sbrk's promises and
  sysinfo's freemem (see its header comment).
* xv6_build: in a copy of the tree, `make` (no target) builds the image,
  a touched program or a changed UPROGS/FSFILES rebuilds it, README and
  FSFILES files are on it.
* xv6_reclaim: cached program pages are reclaimed when promises need them.
* xv6_text_cache: cached program pages never outlive a change of the file.
* xv6_make_run: `make run CMD='echo a b | wc'` runs the whole line in Rivet.
* xv6_install_deps: scripts/install-deps.sh --dry-run on each faked system.
* xv6_gdbport: scripts/gdbport skips a port someone holds.
* xv6_backtrace: a panic backtrace gets function names and lines.
"""

import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

import rivet
from testlib import NEEDS_FS, ROOT, test

GROUPS = [NEEDS_FS, "compat"]
MAKE_TIMEOUT = 150
RECLAIM_MEM = "16M"  # its kernel reserve (1/32) is far smaller than exectest_big's cached data


def _make(t, args, cwd=ROOT, timeout=MAKE_TIMEOUT):
    """Run make ARGS in cwd; returns (status, output)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    p = subprocess.run(["make"] + args, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=min(timeout, t.remaining()))
    out = p.stdout.decode("utf-8", "replace")
    t.note("make %s (in %s): status %d\n%s" % (" ".join(args), cwd, p.returncode, out[-2000:]))
    return p.returncode, out


def _copy_tree():
    """A copy of what `make` needs, keeping modification times so that
    built objects stay up to date; fs.img and .fs-contents are left out."""
    tmp = tempfile.mkdtemp(prefix="rivet-xv6-")
    atexit.register(shutil.rmtree, tmp, True)
    for d in ("kernel", "user", "mkfs", "scripts"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(tmp, d))
    for f in ("Makefile", "README.md"):
        shutil.copy2(os.path.join(ROOT, f), os.path.join(tmp, f))
    return tmp


def _rebuilds_image(t, tree, args=()):
    """Would `make ARGS` run mkfs? (make -n prints the recipes it would run.)"""
    status, out = _make(t, ["-n"] + list(args), cwd=tree)
    t.check_equal(status, 0, "status of make -n %s" % " ".join(args))
    return "mkfs/mkfs fs.img" in out


@test("xv6_api", groups=GROUPS, timeout=90)
def xv6_api(t):
    """user/xv6api (xv6's flags): headers, library, SYS_ numbers, sbrk promises, freemem balance"""
    t.run_guest_test("xv6api", timeout=60)


@test("xv6_reclaim", groups=GROUPS, timeout=120)
def xv6_reclaim(t):
    """with 32 MiB of RAM, cached program pages outnumber the kernel reserve: xv6api still gets every page"""
    # exectest_big reads its 192 KiB of data (shared pages, cached when it
    # exits); four copies of it (four files) leave 192 cached data pages,
    # more than the 128 pages of the kernel reserve
    res = t.osrun("exectest_big sum > s; exectest_big sum > s; cat exectest_big > b1; b1 sum > s;"
                  " cat exectest_big > b2; b2 sum > s; cat exectest_big > b3; b3 sum > s; xv6api "
                  + t.token, mem=RECLAIM_MEM, timeout=100)
    t.check_equal(res.reason, "ok", "osrun's outcome (%s)" % res.message)
    bad = [ln for ln in res.stdout.splitlines() if "FAIL" in ln]
    t.check_equal(bad, [], "FAIL lines")
    t.check("xv6api: PASS %s" % t.token in res.stdout.splitlines(),
            "no verdict line xv6api: PASS %s in %r (status %d)" % (t.token, res.stdout[-300:], res.status))


@test("xv6_text_cache", groups=GROUPS, timeout=60)
def xv6_text_cache(t):
    """a program file rewritten after it ran: the next run uses the new bytes, not cached pages"""
    res = t.osrun("cat echo > prog; prog hi; prog again; cat wc > prog; echo a b | prog;"
                  " cat echo > prog; prog back", timeout=40)
    t.check_equal(res.reason, "ok", "osrun's outcome (%s)" % res.message)
    t.check_equal(res.stdout, "hi\nagain\n1 2 4\nback\n", "output of prog as echo, as wc, as echo")


@test("xv6_build", groups=GROUPS, timeout=300)
def xv6_build(t):
    """make builds fs.img; touching a program or changing UPROGS/FSFILES rebuilds it; README, FSFILES"""
    tree = _copy_tree()
    t.check(_rebuilds_image(t, tree), "make (no target) without fs.img would not build fs.img")
    status, out = _make(t, ["-s"], cwd=tree)
    t.check_equal(status, 0, "status of make")
    t.check(os.path.exists(os.path.join(tree, "fs.img")), "make built no fs.img")
    t.check(not _rebuilds_image(t, tree), "fs.img is rebuilt although nothing changed")

    os.utime(os.path.join(tree, "user", "echo.c"))
    t.check(_rebuilds_image(t, tree), "touch user/echo.c; make would not rebuild fs.img")
    _make(t, ["-s"], cwd=tree)
    small = ["UPROGS=$U/_init $U/_sh $U/_cat $U/_wc"]
    t.check(_rebuilds_image(t, tree, small), "a new UPROGS would not rebuild fs.img")
    status, _ = _make(t, ["-s"] + small, cwd=tree)
    t.check_equal(status, 0, "status of make UPROGS=...")
    t.check(_rebuilds_image(t, tree), "going back to the default UPROGS would not rebuild fs.img")

    words = os.path.join(tree, "words.txt")
    with open(words, "w") as f:
        f.write("alpha beta\ngamma\n")
    status, _ = _make(t, ["-s", "FSFILES=words.txt"] + small, cwd=tree)
    t.check_equal(status, 0, "status of make FSFILES=words.txt")
    res = t.osrun("cat words.txt; cat README | wc; cat README.md | wc",
                  image=os.path.join(tree, "fs.img"), timeout=30)
    out = res.stdout.splitlines()
    t.check_equal(out[:2], ["alpha beta", "gamma"], "words.txt on the image (FSFILES)")
    t.check_equal(len(out), 4, "lines of output (%r)" % res.stdout)
    t.check_equal(out[2], out[3], "wc of README vs wc of README.md on the image")


# A program written as xv6 writes them: it begins with an #include, and
# prints a uint64 with %p, which Rivet's strict flags refuse (-Wformat).
FOREIGN_PROGRAM = """#include "kernel/types.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  uint64 where = 0x1000;
  printf("foreign %p\\n", where);
  exit(0);
}
"""


@test("xv6_replaces_rivet_program", groups=GROUPS, timeout=300)
def xv6_replaces_rivet_program(t):
    """a foreign file copied over a Rivet program (xv6's usertests.c over Rivet's) builds with xv6's flags"""
    tree = _copy_tree()
    with open(os.path.join(tree, "user", "usertests.c"), "w") as f:
        f.write(FOREIGN_PROGRAM)
    status, out = _make(t, ["-s"], cwd=tree)
    t.check_equal(status, 0, "status of make with a foreign user/usertests.c (see the note for errors)")
    res = t.osrun("usertests", image=os.path.join(tree, "fs.img"), timeout=30)
    t.check_equal(res.stdout, "foreign 0x0000000000001000\n", "output of the replaced usertests")


@test("xv6_make_run", groups=GROUPS, timeout=90)
def xv6_make_run(t):
    """make run CMD='echo a b | wc' runs the whole line in Rivet: prints 1 2 4"""
    status, out = _make(t, ["-s", "run", "CMD=echo a b | wc"], timeout=80)
    t.check_equal(status, 0, "status of make run")
    t.check_equal(out.strip().splitlines()[-1:], ["1 2 4"], "last line of make run's output")


FAKE_SYSTEMS = {
    # name: (uname, os-release text, /proc/version text, uid, expected commands)
    "debian": ("Linux", "ID=debian\n", "Linux version 6.1.0-13-amd64\n", "0", [
        "env DEBIAN_FRONTEND=noninteractive apt-get update",
        "env DEBIAN_FRONTEND=noninteractive apt-get install -y gcc-riscv64-unknown-elf"
        " binutils-riscv64-unknown-elf qemu-system-misc opensbi gdb-multiarch python3",
        "env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"]),
    "ubuntu-wsl": ("Linux", "ID=ubuntu\nID_LIKE=debian\n",
                   "Linux version 5.15.90.1-microsoft-standard-WSL2\n", "1000", [
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get update",
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y gcc-riscv64-unknown-elf"
        " binutils-riscv64-unknown-elf qemu-system-misc opensbi gdb-multiarch python3",
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"]),
    "fedora": ("Linux", "ID=fedora\n", "Linux version 6.5.6-300.fc39.x86_64\n", "1000", [
        "sudo dnf install -y gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu qemu-system-riscv"
        " gdb python3"]),
    "arch": ("Linux", "ID=arch\n", "Linux version 6.6.1-arch1-1\n", "1000", [
        "sudo pacman -S --needed --noconfirm riscv64-elf-gcc riscv64-elf-binutils riscv64-elf-gdb"
        " qemu-system-riscv qemu-system-riscv-firmware python"]),
    "macos": ("Darwin", "", "", "501", [
        "brew install riscv64-elf-gcc riscv64-elf-gdb qemu python3"]),
}


@test("xv6_install_deps", groups=["compat"], timeout=30)
def xv6_install_deps(t):
    """install-deps.sh --dry-run: exact commands on faked Debian, Ubuntu/WSL, Fedora, Arch, macOS"""
    tmp = tempfile.mkdtemp(prefix="rivet-deps-")
    atexit.register(shutil.rmtree, tmp, True)
    script = os.path.join(ROOT, "scripts", "install-deps.sh")

    def dry_run(uname, os_release, proc_version, uid):
        paths = []
        for name, text in (("os-release", os_release), ("version", proc_version)):
            paths.append(os.path.join(tmp, name))
            with open(paths[-1], "w") as f:
                f.write(text)
        env = dict(os.environ, RIVET_UNAME=uname, RIVET_OS_RELEASE=paths[0],
                   RIVET_PROC_VERSION=paths[1], RIVET_UID=uid)
        return subprocess.run(["sh", script, "--dry-run"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=20)

    for name, (uname, os_release, proc_version, uid, want) in sorted(FAKE_SYSTEMS.items()):
        p = dry_run(uname, os_release, proc_version, uid)
        t.check_equal(p.returncode, 0, "%s: exit status (stderr %r)" % (name, p.stderr))
        t.check_equal(p.stdout.splitlines(), ["would run: " + c for c in want], "%s: commands" % name)
        if "WSL" in proc_version:
            t.check("WSL" in p.stderr, "%s: WSL not mentioned (stderr %r)" % (name, p.stderr))
    p = dry_run("Linux", "ID=gentoo\n", "Linux version 6.6\n", "0")
    t.check_equal(p.returncode, 1, "unknown system: exit status")
    t.check_equal(p.stdout, "", "unknown system: commands")
    t.check("gcc-riscv64-unknown-elf" in p.stderr, "unknown system: no package list (%r)" % p.stderr)


@test("xv6_gdbport", groups=["compat"], timeout=30)
def xv6_gdbport(t):
    """scripts/gdbport: the base port when free, the next one while someone holds it"""
    script = os.path.join(ROOT, "scripts", "gdbport")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("", 0))
        base = s.getsockname()[1]
    out = subprocess.run([sys.executable, script, str(base)], stdout=subprocess.PIPE,
                         universal_newlines=True, timeout=20).stdout.strip()
    t.check_equal(out, str(base), "port picked while %d is free" % base)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("", base))
        held.listen(1)
        out = subprocess.run([sys.executable, script, str(base)], stdout=subprocess.PIPE,
                             universal_newlines=True, timeout=20).stdout.strip()
    t.check(out.isdigit() and int(out) != base, "port picked while %d is held: %r" % (base, out))


@test("xv6_backtrace", groups=["compat"], timeout=60)
def xv6_backtrace(t):
    """a panic backtrace names functions and file:line (rivet.symbolize, scripts/symbolize)"""
    nm = rivet._addr2line().replace("addr2line", "nm") if rivet._addr2line() else None
    t.check(nm is not None, "no addr2line from the RISC-V toolchain")
    symbols = subprocess.run([nm, rivet.kernel_path()], stdout=subprocess.PIPE,
                             universal_newlines=True, timeout=20).stdout
    m = re.search(r"^([0-9a-f]+) T sys_pause$", symbols, re.M)
    t.check(m is not None, "sys_pause not in the kernel's symbols")
    ret = "0x%x" % (int(m.group(1), 16) + 8)  # a return address inside sys_pause
    console = "panic: test\r\nbacktrace:\r\n  %s\r\n$ \r\n" % ret
    want = re.compile(r"^  %s  sys_pause at kernel/sys/sysproc\.c:\d+\r?$" % ret, re.M)
    t.check(want.search(rivet.symbolize(console)), "rivet.symbolize: %r" % rivet.symbolize(console))
    t.check(want.search(rivet.panic_report(console)),
            "rivet.panic_report: %r" % rivet.panic_report(console))
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "symbolize")],
                       input=console.encode(), stdout=subprocess.PIPE, timeout=30)
    out = p.stdout.decode("utf-8", "replace")
    t.check(want.search(out), "scripts/symbolize printed %r" % out)
    t.check(out.endswith("$ \r\n"), "scripts/symbolize lost the text after the backtrace: %r" % out)
