"""Tests of the shell (user/sh.c): pipelines, redirections, background
jobs, lists, ( ) groups, $?, quoting, scripts, syntax errors, command not
found, and the interactive console (prompt, line editing, Ctrl-D).

Most checks run through osrun (init runs ``sh -c LINE``, and LINE may
itself start more shells); the interactive ones type at the console
shell. The console carries standard output and standard error both, so
error messages appear in the output in the order they were written."""

import re
import time

from oscheck import check_script_does_not_wait_for_job, expect, lines, run, shell_boot
from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "shell"]

def script(name, *script_lines):
    """A command line that writes ``script_lines`` into file ``name`` with
    echo (each line single-quoted, so it must not contain a ')."""
    for ln in script_lines:
        assert "'" not in ln, ln
    first = "echo '%s' > %s" % (script_lines[0], name)
    rest = ["echo '%s' >> %s" % (ln, name) for ln in script_lines[1:]]
    return "; ".join([first] + rest)


# -------------------------------------------------------------- pipes
@test("shell_pipelines", groups=GROUPS, timeout=40)
def shell_pipelines(t):
    """3- and 10-stage pipelines, big data through them; status is the last stage's"""
    ten = " | ".join(["echo ten stages"] + ["cat"] * 8 + ["wc"])
    expect(t, "echo a b c | cat | wc; %s" % ten, lines("1 3 6", "1 2 11"))
    # more than a pipe buffer's worth through 10 stages arrives unchanged
    big = " | ".join(["cat README.md"] + ["cat"] * 8 + ["wc"])
    res = run(t, "%s; wc < README.md" % big)
    out = res.stdout.splitlines()
    t.check(len(out) == 2 and re.fullmatch(r"\d+ \d+ \d+", out[0]), "output %r" % res.stdout)
    t.check_equal(out[0], out[1], "counts through 10 stages vs wc < README.md")
    # a pipeline's status is its last stage's
    expect(t, "true | false; echo $?; false | true; echo $?; (exit 3) | (exit 4); echo $?;"
              " echo x | grep y; echo $?",
           lines("1", "0", "4", "1"))
    # a stage that ends early does not hang the pipeline (the writer may
    # or may not find the pipe closed, depending on who runs first)
    res = run(t, "cat README.md | true; echo st=$?; nosuchprog | wc")
    out = res.stdout
    if out.startswith("cat: write error: broken pipe\n"):
        out = out[len("cat: write error: broken pipe\n"):]
    t.check_equal(out, lines("st=0", "sh: nosuchprog: no such file or directory", "0 0 0"),
                  "output of an early-ending pipeline")


@test("shell_pipeline_long", groups=GROUPS, timeout=40)
def shell_pipeline_long(t):
    """a 40-stage pipeline (more stages than a process has fds), twice in a row"""
    forty = " | ".join(["echo forty"] + ["cat"] * 38 + ["wc"])
    # (written to a script once, since osrun's command line is limited)
    expect(t, "echo '%s' > p.sh; sh p.sh; sh p.sh" % forty, lines("1 1 6", "1 1 6"))


# ---------------------------------------------------------- redirects
@test("shell_redirects", groups=GROUPS, timeout=40)
def shell_redirects(t):
    """<, >, >> (create, truncate, append), combined, failing redirections"""
    expect(t, "echo one > f; echo two >> f; cat < f; echo 3 > f; cat f;"
              " echo four >> new; cat new; < f cat; cat<f>g; echo 5>>g; cat g;"
              " wc < f > h; cat h; (echo g1; echo g2) > k; cat k",
           lines("one", "two", "3", "four", "3", "3", "5", "1 1 2",
                 "g1", "g2"))
    # a redirection that fails: message naming the file, status 1, the
    # command does not run
    expect(t, "cat < nosuch; echo st=$?; echo ran > /nodir/x; echo st=$?;"
              " mkdir d; echo ran > d; echo st=$?; ls /nodir",
           lines("sh: nosuch: no such file or directory", "st=1",
                 "sh: /nodir/x: no such file or directory", "st=1",
                 "sh: d: is a directory", "st=1",
                 "ls: /nodir: no such file or directory"), 1)
    # > inside a pipeline takes the stage's output away from the pipe
    expect(t, "echo side > s | wc; cat s", lines("0 0 0", "side"))


# --------------------------------------------------------- background
@test("shell_background", groups=GROUPS, timeout=40)
def shell_background(t):
    """cmd & : [PID] printed, the shell goes on at once while the job runs (sh -c and a script); $? is 0"""
    # (pause 1 gives the job time to start its pause 5, which must outlive it)
    res = run(t, "pause 5 & echo started; pause 1; ps")
    out = res.stdout.splitlines()
    t.check(len(out) >= 3 and re.fullmatch(r"\[\d+\]", out[0]) and out[1] == "started",
            "want [PID] then started: %r" % res.stdout)
    job = int(out[0][1:-1])
    # the job is still running while the shell has gone on
    t.check(re.search(r"^ *\d+ +%d +(blocked|ready|running) .* pause$" % job,
                      res.stdout, re.M),
            "no pause child of job %d in ps output: %r" % (job, res.stdout))
    # $? right after '&' is 0, whatever the job will return
    res = run(t, "pause 5 & false & echo st=$?")
    t.check(re.fullmatch(r"\[\d+\]\n\[\d+\]\nst=0\n", res.stdout),
            "two jobs started, then st=0: %r" % res.stdout)
    # LAB procapi: shell-wnohang
    # A script's lines after 'pause 20 &' run at once, while the job waits.
    check_script_does_not_wait_for_job(t, "pause")
    # END LAB procapi
    # (the job's own output is checked at the console, in shell_interactive,
    # where the machine keeps running after the command line is done)


# -------------------------------------------------------------- lists
@test("shell_lists", groups=GROUPS, timeout=40)
def shell_lists(t):
    """; lists run every command in order, failures included; trailing ; allowed"""
    expect(t, "echo a; echo b; false; echo c; nosuch; echo d;", lines(
        "a", "b", "c", "sh: nosuch: no such file or directory", "d"))
    expect(t, "echo a;echo b ;echo c", lines("a", "b", "c"))
    # the status of a list is its last command's
    expect(t, "true; false", "", 1)
    expect(t, "false; true", "", 0)


# ------------------------------------------------------------- groups
@test("shell_groups", groups=GROUPS, timeout=40)
def shell_groups(t):
    """( ) runs in a subshell: cd and exit inside do not affect the outer shell"""
    expect(t, "mkdir d; echo inner > d/f; echo outer > f; (cd d; cat f); cat f;"
              " (cd d); cat f; (exit 5); echo st=$?; echo still here;"
              " (echo a; (echo b; echo c) | wc); ((echo x)) ; (echo p; echo q) | cat | wc;"
              " cd d; cat f",
           lines("inner", "outer", "outer", "st=5", "still here",
                 "a", "2 2 4", "x", "2 2 4", "inner"))


# ------------------------------------------------------------- status
@test("shell_status", groups=GROUPS, timeout=40)
def shell_status(t):
    """$? after success, failure, exit N in a subshell, not found, syntax error"""
    expect(t, "true; echo $?; false; echo $?; (exit 7); echo $?; (exit 300); echo $?;"
              " nosuch; echo $?; grep x nosuch; echo \"s=$?\" 's=$?' x$?y;"
              " sh -c 'echo a |'; echo $?; sh -c 'exit 9'; echo $?",
           lines("0", "1", "7", "44",
                 "sh: nosuch: no such file or directory", "127",
                 "grep: nosuch: no such file or directory", "s=2 s=$? x2y",
                 "sh: syntax error: missing command after '|'", "2",
                 "9"))
    # the shell's own exit status: exit N, or the last command's
    expect(t, "echo bye; exit 42; echo not reached", lines("bye"), 42)
    expect(t, "grep x nosuch", lines("grep: nosuch: no such file or directory"), 2)
    expect(t, "exit abc", lines("sh: exit: abc: numeric argument required"), 2)


# ------------------------------------------------------------ quoting
@test("shell_quoting", groups=GROUPS, timeout=40)
def shell_quoting(t):
    """'...' and "..." keep spaces and | ; < > & ( ) #; quotes join words; \\ escapes"""
    expect(t, "echo 'a  b' \"c   d\"; echo 'x|y;z<w>v&u(t)s#r' \"1|2;3<4>5&6(7)8\";"
              " echo a\"b c\"d'e f'g; echo \"q\\\"q\" 'it\"s' \"back\\\\slash\";"
              " echo \\| \\; \\> x\\ y; echo '' | wc; echo a#b # a comment",
           lines("a  b c   d", "x|y;z<w>v&u(t)s#r 1|2;3<4>5&6(7)8",
                 "ab cde fg", "q\"q it\"s back\\slash",
                 "| ; > x y", "1 0 1", "a#b"))
    # a quoted operator is an ordinary argument: nothing is piped or redirected
    expect(t, "echo '>' f '|' wc; ls f", lines(
        "> f | wc", "ls: f: no such file or directory"), 1)
    expect(t, "echo 'open", lines("sh: syntax error: unterminated quote"), 2)


# ------------------------------------------------------------- script
@test("shell_script", groups=GROUPS, timeout=40)
def shell_script(t):
    """sh FILE runs it line by line: comments, blank lines, a bad line, exit N"""
    make = script("s.sh", "# a comment line", "echo one", "", "   ",
                  "echo two | wc", "echo three | (", "echo four; false",
                  "echo st=$?", "exit 4", "echo not reached")
    expect(t, make + "; sh s.sh; echo st=$?",
           lines("one", "1 1 4", "sh: syntax error: missing ')'",
                 "four", "st=1", "st=4"))
    # the same script read from standard input, and via a pipe
    expect(t, make + "; sh < s.sh; echo st=$?; cat s.sh | sh | wc",
           lines("one", "1 1 4", "sh: syntax error: missing ')'",
                 "four", "st=1", "st=4",
                 "sh: syntax error: missing ')'", "4 6 20"))
    # without exit the status is the last line's; missing script: 127
    make2 = script("t.sh", "mkdir sub", "cd sub", "echo in sub > here", "cat /sub/here",
                   "false")
    expect(t, make2 + "; sh t.sh; echo st=$?; cat sub/here; sh nosuch.sh; echo st=$?",
           lines("in sub", "st=1", "in sub",
                 "sh: nosuch.sh: no such file or directory", "st=127"))


# ------------------------------------------------------- syntax errors
SYNTAX_CASES = [
    ("echo a |", "missing command after '|'"),
    ("| echo a", "unexpected '|'"),
    ("echo >", "missing file name after '>'"),
    ("cat <", "missing file name after '<'"),
    ("echo >>", "missing file name after '>>'"),
    ("(echo a", "missing ')'"),
    ("echo a)", "unexpected ')'"),
    ("()", "missing command inside ( )"),
    (";", "unexpected ';'"),
    ("echo a; ; echo b", "unexpected ';'"),
    ("echo a && echo b", "unexpected '&'"),
    ("echo \\\"abc", "unterminated quote"),
]


@test("shell_syntax_errors", groups=GROUPS, timeout=40)
def shell_syntax_errors(t):
    """a line that does not parse: one 'sh: syntax error' line, status 2, nothing of it runs"""
    cmd = "; ".join("sh -c \"echo ran; %s\"; echo st=$?" % c for c, _ in SYNTAX_CASES)
    want = "".join("sh: syntax error: %s\nst=2\n" % m for _, m in SYNTAX_CASES)
    expect(t, cmd, want)
    # in a script the following lines still run
    make = script("e.sh", "echo before", "echo x | | cat", "echo after $?",
                  "(echo unclosed", "echo end")
    expect(t, make + "; sh e.sh; echo st=$?",
           lines("before", "sh: syntax error: missing command after '|'", "after 2",
                 "sh: syntax error: missing ')'", "end", "st=0"))


# ---------------------------------------------------------- not found
@test("shell_not_found", groups=GROUPS, timeout=40)
def shell_not_found(t):
    """unknown command / path: 'sh: NAME: ...' and status 127; the shell goes on"""
    res = run(t, "nosuchcmd; echo st=$?; /bin/nosuch; echo st=$?;"
                 " nosuchcmd a b | cat; echo st=$?; mkdir d; d; echo st=$?")
    out = res.stdout.splitlines()
    t.check_equal(out[:6], ["sh: nosuchcmd: no such file or directory", "st=127",
                            "sh: /bin/nosuch: no such file or directory", "st=127",
                            "sh: nosuchcmd: no such file or directory", "st=0"],
                  "not-found output")
    # running a directory fails too, with a message naming it
    t.check_equal(len(out), 8, "lines (%r)" % res.stdout)
    t.check(out[6].startswith("sh: d: "), "running a directory: %r" % out[6])
    t.check_equal(out[7], "st=127", "status of running a directory")
    expect(t, "nosuchcmd", lines("sh: nosuchcmd: no such file or directory"), 127)


# -------------------------------------------------------- interactive
def typed(t, r, keys, timeout=10):
    """Type ``keys`` (ending in a newline) and return what the console
    printed up to the next prompt, the echo of the keys included."""
    start = r.cursor
    r.send(keys)
    m = r.expect(r"(?m)^\$ ", timeout=timeout)
    return r.console[start:m.start()]


@test("shell_interactive", groups=GROUPS, timeout=60)
def shell_interactive(t):
    """console shell: prompt, commands, typo, Ctrl-U, backspace, & , Ctrl-D restarts sh"""
    with shell_boot(t) as r:
        t.check_equal(r.run("echo hello", timeout=10), "hello\n", "echo hello")
        t.check_equal(r.run("echo a b | wc", timeout=10), "1 2 4\n", "a pipeline")
        t.check_equal(r.run("ecoh typo", timeout=10),
                      "sh: ecoh: no such file or directory\n", "a typo")
        t.check_equal(r.run("echo $?", timeout=10), "127\n", "$? after the typo")
        # Ctrl-U kills the line typed so far
        out = typed(t, r, "echo bad\x15echo good\n")
        t.check(out.endswith("echo good\ngood\n"), "Ctrl-U: %r" % out)
        t.check("bad\n" not in out, "Ctrl-U: the killed line ran: %r" % out)
        # backspace (DEL and ^H) erases the last character
        for key in ("\x7f", "\x08"):
            out = typed(t, r, "echo abx%sc\n" % key)
            t.check(out.endswith("\nabc\n"), "backspace %r: %r" % (key, out))
        # backspace at the start of a line erases nothing before the prompt
        out = typed(t, r, "\x7f\x7fecho ok\n")
        t.check(out.endswith("\nok\n"), "backspace on an empty line: %r" % out)
        # LAB procapi: interactive-job
        # a background job: [PID] at once, the prompt comes back while it runs
        # (a shell that waited for the job would miss run()'s 10 s timeout)
        out = r.run("pause 30 & echo started", timeout=10)
        t.check(re.fullmatch(r"\[\d+\]\nstarted\n", out), "pause 30 & echo started: %r" % out)
        job = int(out[1:out.index("]")])
        deadline = time.monotonic() + t.scaled(5)
        while True:
            ps = r.run("ps", timeout=10)
            if re.search(r"^ *\d+ +%d +\w+ .* pause$" % job, ps, re.M):
                break
            t.check(time.monotonic() < deadline, "background pause not in ps: %r" % ps)
            time.sleep(0.2)
        # END LAB procapi
        # background jobs' output shows up on the console
        start = r.cursor
        r.send("echo a b | wc & (echo bg1; echo bg2) | cat &\n")
        # (a job may print right after the next prompt, on its line)
        r.expect_all([r"(?m)(?:^|\$ )%s$" % w for w in ("1 2 4", "bg1", "bg2")],
                     timeout=10)
        r.cursor = start
        t.check_equal(len(re.findall(r"(?m)^\[\d+\]$", r.console[start:])), 2,
                      "[PID] lines of two jobs")
        r.wait_quiet(0.3, timeout=5)
        mark = len(r.console)
        r.send("\n")
        r.cursor = mark
        r.wait_prompt(timeout=10)
        # Ctrl-D at an empty prompt ends the shell; init starts a new one
        start = r.cursor
        r.send("\x04")
        # (init's message follows the old prompt, on its line)
        r.expect(r"init: restarting sh\n", timeout=10)
        r.wait_prompt(timeout=10)
        t.check_equal(r.console[start:].count("init: restarting sh"), 1, "restarts")
        t.check_equal(r.run("echo back", timeout=10), "back\n", "the new shell works")
