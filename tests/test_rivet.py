"""QEMU-free tests of rivet.py's own logic: how osrun() splits the console
into command output and markers, whatever the chunks QEMU delivers, and
how expect() treats a line that has not finished arriving."""

import time

import rivet
from testlib import test


class _ScriptedRivet:
    """Stands in for rivet.Rivet: delivers a console in given chunks."""

    def __init__(self, chunks):
        self.chunks, self.i, self.text = chunks, 0, ""
        self.timed_out, self.exit_status = False, 0

    def start(self):
        pass

    def wait_for_output(self, length, timeout):
        if self.i < len(self.chunks):
            self.text += self.chunks[self.i]
            self.i += 1
        return self.text, self.i >= len(self.chunks)

    def wait_exit(self, timeout=None):
        return 0

    def kill(self):
        pass

    close = kill
    console = property(lambda self: self.text)

    def format_log(self):
        return self.text


def _osrun_scripted(make_console, split):
    """osrun() on a console built by make_console(marker), cut by split(text)."""
    def factory(**kw):
        marker = kw["bootargs"][1].split("=", 1)[1]
        return _ScriptedRivet(split(make_console(marker)))
    streamed = []
    res = rivet.osrun("x", image="/dev/null", on_output=streamed.append,
                      rivet_factory=factory)
    return res, "".join(streamed)


@test("rivet_marker_split", groups=["harness"], timeout=60)
def rivet_marker_split(t):
    """osrun(): exact stdout and status for every chunk boundary"""
    outputs = ["", "x\n", "two\nlines", "a\n\n", "RIVET-\n end 3\n", "ends in $ "]
    for out in outputs:
        for status in (0, 7, 42, 255):
            def console(m):
                return "boot\n%s begin\n%s\n%s end %d\npoweroff: status %d\n" % (
                    m, out, m, status, status)
            n = len(console("RIVET-" + "0" * 16))
            for cut in range(n):
                res, streamed = _osrun_scripted(console, lambda s: [s[:cut], s[cut:]])
                t.check(res.reason == "ok" and res.status == status,
                        "out=%r status=%d cut=%d: %r" % (out, status, cut, res))
                t.check(res.stdout == out and streamed == out,
                        "out=%r cut=%d: stdout %r, streamed %r" % (out, cut, res.stdout, streamed))
        res, streamed = _osrun_scripted(
            lambda m: "boot\n%s begin\n%s\n%s end 5\n" % (m, out, m), list)
        t.check((res.status, res.stdout, streamed) == (5, out, out),
                "one char at a time, out=%r: %r %r" % (out, res, streamed))


@test("rivet_panic_split", groups=["harness"], timeout=60)
def rivet_panic_split(t):
    """osrun(): a panic line ends the output, status 125"""
    def console(m):
        return "boot\n%s begin\nbefore\npanic: boom\nscause=0xd\n" % m
    for cut in range(len(console("RIVET-" + "0" * 16))):
        res, streamed = _osrun_scripted(console, lambda s: [s[:cut], s[cut:]])
        t.check((res.reason, res.status) == ("panic", rivet.EXIT_PANIC), "cut=%d: %r" % (cut, res))
        t.check(res.stdout == "before\n" and streamed == "before\n",
                "cut=%d: stdout %r, streamed %r" % (cut, res.stdout, streamed))


@test("rivet_time_scale", groups=["harness"], timeout=30)
def rivet_time_scale(t):
    """time_scale(): 1 to MAX_TIME_SCALE from the host's load; RIVET_TIME_SCALE overrides"""
    scale = rivet.time_scale()
    t.check(1.0 <= scale <= rivet.MAX_TIME_SCALE,
            "time_scale() = %r, want 1 to %g" % (scale, rivet.MAX_TIME_SCALE))
    t.check_equal(rivet.time_scale({"RIVET_TIME_SCALE": "2.5"}), 2.5,
                  "time_scale() with RIVET_TIME_SCALE=2.5")
    t.check_equal(rivet.time_scale({"RIVET_TIME_SCALE": "0.1"}), 1.0,
                  "time_scale() with RIVET_TIME_SCALE=0.1")
    # a Rivet's waits are stretched by its time_scale
    r = rivet.Rivet(start=False, time_scale=3.0, timeout=100)
    r._deadline = None
    left = r._limit(2) - time.monotonic()
    t.check(5.5 < left <= 6.0, "a 2 s wait with time_scale 3 lasts %.2f s, want 6" % left)


def _arrive(r, text):
    """Append text to r's console as the reader thread would."""
    with r._cond:
        r._text += text
        r._cond.notify_all()


@test("rivet_line_end", groups=["harness"], timeout=30)
def rivet_line_end(t):
    """expect(): '$' waits for the line's end to arrive, not the end of the output so far"""
    r = rivet.Rivet(start=False, time_scale=1.0, timeout=100)
    r._deadline = None
    _arrive(r, "fstest: PASS e")
    try:
        m = r.expect(r"^fstest: (PASS \S+)$", timeout=0.3)
        t.fail("matched %r before its line ended" % m.group(1))
    except rivet.ExpectTimeout:
        pass
    _arrive(r, "526f\r\n")
    m = r.expect(r"^fstest: (PASS \S+?)\r?$", timeout=1)
    t.check_equal(m.group(1), "PASS e526f", "the match once the line ended")
    _arrive(r, "$ ")
    r.expect(r"\$ ", timeout=1)  # a prompt needs no line end
    _arrive(r, "\nlast words")
    try:
        r.expect_all([r"^last words$"], timeout=0.3)
        t.fail("expect_all matched a line that had not ended")
    except rivet.ExpectTimeout:
        pass
    with r._cond:
        r._eof = True  # QEMU exited: the output's end is a line end
    t.check(r.expect(r"^last words$", timeout=1) is not None, "the last line once QEMU exited")
