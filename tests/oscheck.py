"""Helpers shared by the user-land and shell tests: run a command line in
a fresh Rivet with osrun and check its exact output, or boot to the
interactive shell. Also the checks that Rivet's own tests and a lab's
grader both make (this file ships in every lab handout)."""

import os
import re
import shutil
import subprocess
import tempfile

import rivet
from testlib import ROOT

OSRUN_TIMEOUT = 15
# osrun hex-encodes the command line into the kernel's boot arguments,
# which keep 8 KiB (kernel/dev/dev.h, BOOTARGS_MAX) including the marker.
MAX_CMDLINE = 4000


def run(t, cmdline, timeout=OSRUN_TIMEOUT):
    """osrun ``cmdline``; fail unless the command finished (reason ok)."""
    if len(cmdline) > MAX_CMDLINE:
        t.fail("test bug: command line of %d bytes is too long for osrun" % len(cmdline))
    res = t.osrun(cmdline, timeout=timeout)
    if res.reason != "ok":
        t.fail("%r: %s (%s); output so far: %r"
               % (cmdline[:60], res.reason, res.message, res.stdout[-300:]))
    return res


def expect(t, cmdline, want_stdout, want_status=0, timeout=OSRUN_TIMEOUT):
    """osrun ``cmdline`` and require exactly ``want_stdout`` and status."""
    res = run(t, cmdline, timeout)
    t.check_equal(res.stdout, want_stdout, "output of %r" % cmdline[:60])
    t.check_equal(res.status, want_status, "exit status of %r" % cmdline[:60])
    return res


def lines(*ls):
    return "".join(line + "\n" for line in ls)


def shell_boot(t, timeout=55):
    """Boot to the interactive shell, check that every hart announced
    itself, then type an empty line so that the cursor sits just after a
    fresh prompt."""
    r = t.boot(image=rivet.default_image(), timeout=timeout)
    r.wait_prompt(timeout=15)
    r.cursor = 0
    r.expect_all([r"^hart %d: scheduler running$" % i for i in range(r.cpus)], timeout=10)
    r.wait_quiet(0.3, timeout=5)
    mark = len(r.console)
    r.send("\n")
    r.cursor = mark
    r.wait_prompt(timeout=10)
    return r


# ------------------------------------------------- shared with lab graders

FIRST_FDS_IMAGE_BLOCKS = 1000


def check_first_fds(t):
    """Boot a disk whose /init is user/xt_fds (no shell, no osrun: only the
    kernel's exec): the first process must have the console as fds 0, 1
    and 2, reading 0 and writing 1 and 2."""
    with tempfile.TemporaryDirectory(prefix="rivet-firstfds-") as tmp:
        init = os.path.join(tmp, "init")
        shutil.copyfile(os.path.join(ROOT, "user", "_xt_fds"), init)
        image = os.path.join(tmp, "fds.img")
        made = subprocess.run(["mkfs/mkfs", image, str(FIRST_FDS_IMAGE_BLOCKS), init],
                              cwd=ROOT, capture_output=True, text=True)
        t.check(made.returncode == 0, "mkfs failed: %s" % made.stderr.strip())
        with t.boot(image=image, timeout=40) as r:
            try:
                m = r.expect(r"^fds( \S+){3}\r?\n", timeout=20)
            except rivet.QemuExited:
                # xt_fds reports on fd 1: with no fd 1 it can only exit.
                t.fail("xt_fds, the first process, printed no 'fds' line and QEMU exited "
                       "(status %s): want fds 0, 1 and 2 open on the console" % r.exit_status)
            t.check_equal(m.group(0).rstrip(), "fds console console console",
                          "descriptors of the first process")
            r.send(t.token + "\n")
            r.expect(r"^stdin: %s\r?$" % t.token, timeout=10)
            t.check_equal(r.wait_exit(timeout=10), 0, "QEMU exit status (xt_fds as pid 1)")


# find: b at several depths, a directory b2 (not a match), a 14-character
# (DIRSIZ-long) name, a name nowhere, and a start that is not "."; the
# sections of output are separated by "--" lines.
FIND_CMDLINE = ("echo > b; mkdir a; echo > a/b; mkdir a/aa; echo > a/aa/b; mkdir a/aa/b2;"
                " mkdir c; echo > c/bb; echo > a/aa/abcdefghijklmn; "
                "find . b; echo --; find a b; echo --; find . abcdefghijklmn;"
                " echo --; find . nosuch; echo st=$?; find c bb")


def check_find_output(t, stdout):
    """Check what FIND_CMDLINE printed (the order of find's lines is free)."""
    parts = stdout.split("--\n")
    t.check_equal(len(parts), 4, "sections of find's output (%r)" % stdout)
    t.check_equal(sorted(parts[0].splitlines()), ["./a/aa/b", "./a/b", "./b"], "find . b")
    t.check_equal(sorted(parts[1].splitlines()), ["a/aa/b", "a/b"], "find a b")
    t.check_equal(parts[2], "./a/aa/abcdefghijklmn\n", "find of a 14-character (DIRSIZ) name")
    t.check_equal(parts[3], "st=0\nc/bb\n", "find . nosuch; find c bb")


def check_script_does_not_wait_for_job(t, prog):
    """A shell reading lines (a script, or the console) collects finished
    jobs before each line with waitpid(-1, WNOHANG): that must not wait for
    a job still running. `prog N` (sleep or pause) waits N ticks; the lines
    after 'prog 20 &' must run at once, while the job waits (a WNOHANG that
    blocked would hold them for 20 s, past osrun's timeout)."""
    script = "%s 20 &, %s 1, ps, echo after" % (prog, prog)
    res = t.osrun("echo '{0} 20 &' > bg.sh; echo '{0} 1' >> bg.sh; echo ps >> bg.sh;"
                  " echo 'echo after' >> bg.sh; sh bg.sh".format(prog), timeout=OSRUN_TIMEOUT)
    t.check(res.reason == "ok", "sh bg.sh (%s): want it done in under %d s while the job"
            " waits, got %s (%s); output %r"
            % (script, OSRUN_TIMEOUT, res.reason, res.message, res.stdout[-300:]))
    m = re.match(r"\[(\d+)\]\n", res.stdout)
    t.check(m is not None, "sh bg.sh: want [PID] first, got %r" % res.stdout)
    t.check(re.search(r"^ *\d+ +%s +(blocked|ready|running) .* %s$" % (m.group(1), prog),
                      res.stdout, re.M),
            "sh bg.sh: want the job's %s alive in ps, got %r" % (prog, res.stdout))
    t.check(res.stdout.endswith("\nafter\n"), "sh bg.sh: want 'after' last, got %r" % res.stdout)
