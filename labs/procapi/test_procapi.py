"""Lab procapi: waitpid with WNOHANG, suspend and resume, and what procinfo
and ps report about them.

Most checks run in the guest: proctest's subtests (user/proctest.c) that use
this lab's system calls; each test requires proctest's verdict line. The
others drive the shell and ps (user/sh.c, user/ps.c).
"""

import re
import time

from oscheck import check_script_does_not_wait_for_job, shell_boot
from testlib import NEEDS_FS, test
from test_user import bg_sleep_pid, parse_ps, ps_row

GROUPS = [NEEDS_FS, "lab_procapi"]
TIMEOUT = 120   # a boot plus a subtest of a few seconds, on a busy host


def guest(name, subtest, doc, **osrun_kw):
    def run(t):
        t.run_guest_test("proctest", subtest, **osrun_kw)
    run.__doc__ = doc
    test(name, groups=GROUPS, timeout=TIMEOUT)(run)


guest("procapi_wnohang", "wnohang",
      "waitpid WNOHANG returns 0 at once while the child sleeps (100 calls within a tick of"
      " guest time), then the pid and status once it has exited", icount=True)
guest("procapi_waitpid", "waitpid",
      "waitpid: a given pid (not an exited sibling), WNOHANG on a live child and on a zombie,"
      " ECHILD for init, ourselves, an unknown pid, no children")
guest("procapi_suspend", "suspend",
      "suspend stops a spinning and a sleeping child (no output while suspended, procinfo"
      " says SUSPENDED), resume lets it go on")
guest("procapi_kill", "kill",
      "kill ends a suspended child and a suspended sleeper too")
guest("procapi_badpids", "badpids",
      "suspend/resume of init: EPERM; of unknown pids: ESRCH; of a zombie: ESRCH")
guest("procapi_getprocs", "getprocs",
      "the process table report shows a suspended child SUSPENDED, others READY/RUNNING,"
      " BLOCKED, ZOMBIE, with the right ppid")


@test("procapi_ps", groups=GROUPS, timeout=90)
def procapi_ps(t):
    """suspend PID -> ps says suspended; twice is harmless; resume PID -> it sleeps again; no such pid -> message"""
    with shell_boot(t) as r:
        pid, _ = bg_sleep_pid(t, r)
        for rounds in (1, 2):
            cmd = "; ".join(["suspend %d" % pid] * rounds) + "; echo st=$?"
            t.check_equal(r.run(cmd, timeout=10), "st=0\n", cmd)
            row = ps_row(t, r, pid)
            t.check(row is not None and row["state"] == "suspended",
                    "after %r, ps shows %r, want state suspended" % (cmd, row))
            t.check_equal(r.run("resume %d; echo st=$?" % pid, timeout=10), "st=0\n",
                          "resume %d" % pid)
            row = ps_row(t, r, pid)
            t.check(row is not None and row["state"] in ("blocked", "ready", "running"),
                    "after resume, ps shows %r, want blocked, ready or running" % row)
        for prog in ("suspend", "resume"):
            t.check_equal(r.run("%s 99999; echo st=$?" % prog, timeout=10),
                          "%s: 99999: no such process\nst=1\n" % prog, "%s of no process" % prog)
        t.check_equal(r.run("suspend %d; kill %d; echo st=$?" % (pid, pid), timeout=10),
                      "st=0\n", "suspend + kill")
        deadline = time.monotonic() + t.scaled(10)
        while ps_row(t, r, pid) is not None:
            t.check(time.monotonic() < deadline,
                    "suspended pid %d still in ps 10 s after kill" % pid)
            time.sleep(0.2)


@test("procapi_shell_jobs", groups=GROUPS, timeout=60)
def procapi_shell_jobs(t):
    """sh collects finished background jobs with waitpid(-1, WNOHANG) before each line: a running job must not hold the script"""
    check_script_does_not_wait_for_job(t, "sleep")


def bg_job_child(t, r, cmd, name):
    """Start `cmd &` at the interactive shell; the ps row of the job's child called name."""
    out = r.run(cmd + " &", timeout=10)
    m = re.fullmatch(r"\[(\d+)\]\n", out)
    t.check(m is not None, "%s & printed %r, want [PID]" % (cmd, out))
    deadline = time.monotonic() + t.scaled(10)
    while True:
        rows = parse_ps(t, r.run("ps", timeout=10))
        kids = [x for x in rows if x["ppid"] == int(m.group(1)) and x["name"] == name]
        if kids:
            return kids[0]
        t.check(time.monotonic() < deadline, "no %s child of job %s in ps: %r"
                % (name, m.group(1), rows))
        time.sleep(0.2)


@test("procapi_frozen", groups=GROUPS, timeout=120)
def procapi_frozen(t):
    """a suspended spinner gets no CPU: its TIME in ps stays put for 2 s, state suspended; after resume it grows again"""
    with shell_boot(t) as r:
        spin = bg_job_child(t, r, "spin 100000", "spin")
        pid = spin["pid"]
        t.check_equal(r.run("suspend %d; echo st=$?" % pid, timeout=10), "st=0\n", "suspend")
        # a spinner running on another hart stops at its next tick: let
        # that tick pass before the first reading
        time.sleep(0.2)
        before = ps_row(t, r, pid)
        time.sleep(2)
        after = ps_row(t, r, pid)
        t.check(before is not None and after is not None, "spinner gone from ps: %r %r"
                % (before, after))
        t.check_equal((after["state"], after["time"]), ("suspended", before["time"]),
                      "spinner's (state, TIME) 2 s after suspend")
        t.check(after["size"] > 0 and after["rss"] > 0 and after["faults"] > 0,
                "procinfo of the spinner: SIZE, RSS and FAULTS must not be 0: %r" % after)
        t.check_equal(r.run("resume %d; echo st=$?" % pid, timeout=10), "st=0\n", "resume")
        deadline = time.monotonic() + t.scaled(10)
        while True:
            row = ps_row(t, r, pid)
            if row and row["state"] != "suspended" and float(row["time"]) > float(before["time"]):
                break
            t.check(time.monotonic() < deadline, "10 s after resume the spinner shows %r,"
                    " want it running with TIME above %s" % (row, before["time"]))
            time.sleep(0.2)
        r.run("kill %d" % pid, timeout=10)


@test("procapi_top", groups=GROUPS, timeout=90)
def procapi_top(t):
    """top -n 2 (user/top.c looks for its key reader with waitpid WNOHANG between frames): two frames, then it ends"""
    res = t.osrun("top -n 2", timeout=60)
    t.check_equal(res.reason, "ok", "top -n 2's outcome (%s); output %r" % (res.message, res.stdout[-300:]))
    t.check_equal(res.stdout.count("top: "), 2, "frames printed in %r" % res.stdout[-600:])
