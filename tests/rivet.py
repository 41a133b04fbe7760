"""Boot the Rivet kernel under QEMU and talk to its console.

This module is the one place that knows how Rivet is booted.  Everything
else (scripts/osrun, tests/run.py, tests/grade.py, lab graders) goes
through it.  Python 3 standard library only.

Two levels of API:

* ``Rivet`` -- a context manager around one QEMU process.  It captures the
  serial console (in memory; ``save_log()`` writes it to a file) and lets
  you ``expect()`` regular expressions, ``send()`` keystrokes, ``run()``
  shell command lines at the ``$ `` prompt, ``wait_exit()`` for QEMU's exit
  status and ``kill()`` it::

      with Rivet(cpus=2, bootargs="selftest=tick") as r:
          r.expect(r"^hart 0: tick 10$", timeout=10)
          assert r.wait_exit(timeout=10) == 0

* ``osrun(cmdline)`` -- boot in script mode (init runs ``sh -c CMDLINE``
  and powers off with its exit status) and return an ``OsrunResult`` with
  ``.status``, ``.stdout``, ``.console`` and ``.reason``::

      res = osrun("echo hi | wc")
      assert res.reason == "ok" and res.status == 0

Every wait has a timeout, and QEMU is always killed when a ``Rivet`` is
closed, when the interpreter exits, or when its lifetime timeout expires.

Environment overrides: ``CPUS`` (default hart count, 1..8; `make` sets it),
``RIVET_QEMU`` (QEMU binary), ``OPENSBI`` (firmware
passed to ``-bios``), ``RIVET_KERNEL`` (kernel ELF), ``RIVET_IMAGE``
(default disk image), ``RIVET_ECHO=1`` (copy every console to stderr).
"""

import atexit
import codecs
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""Repository root (the directory holding kernel/ and tests/)."""

OPENSBI_FW = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
def _env_cpus():
    v = os.environ.get("CPUS", "")
    return int(v) if v.isdigit() and 1 <= int(v) <= 8 else 3


DEFAULT_CPUS = _env_cpus()
"""Default hart count: env CPUS (as `make test CPUS=N` sets it), else 3."""
DEFAULT_MEM = "128M"
DEFAULT_TIMEOUT = 60.0

PANIC_EXIT_STATUS = 101
"""QEMU exit status of every kernel panic."""

# Exit statuses of osrun (scripts/osrun and OsrunResult.status).
EXIT_USAGE = 2
EXIT_TIMEOUT = 124
EXIT_PANIC = 125
EXIT_BOOT_FAILURE = 126

PROMPT = "$ "
PANIC_LINE = re.compile(r"(?m)^panic: ")
BANNER = re.compile(
    r"(?m)^Rivet kernel 0\.1: (\d+) harts, (\d+) MiB RAM, boot hart (\d+)$")


MAX_TIME_SCALE = 20.0
"""Longest stretch of time_scale(): beyond it a host is too busy to test on."""


def time_scale(environ=os.environ):
    """How many times longer than on an idle host things take now: the
    factor by which the harness stretches its timeouts.

    Measured, not guessed: the number of runnable tasks per host CPU, the
    larger of the 1-minute load average and the tasks runnable right now
    (both from /proc/loadavg; the reading process itself not counted).
    With R runnable tasks on N CPUs each gets N/R of a CPU, so a QEMU
    takes about R/N times as long. At least 1 (timeouts are set for an idle
    host) and at most MAX_TIME_SCALE. ``RIVET_TIME_SCALE`` overrides it.
    """
    env = environ.get("RIVET_TIME_SCALE")
    if env:
        return max(1.0, float(env))
    cpus = os.cpu_count() or 1
    try:
        with open("/proc/loadavg") as f:
            fields = f.read().split()
        load = max(float(fields[0]), int(fields[3].split("/")[0]) - 1)
    except (OSError, ValueError, IndexError):
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1.0, min(MAX_TIME_SCALE, load / cpus))


def kernel_path():
    """Path of the kernel ELF (``RIVET_KERNEL`` or ROOT/kernel/kernel)."""
    return os.environ.get("RIVET_KERNEL") or os.path.join(ROOT, "kernel", "kernel")


def kernel_make_target():
    """The kernel as a make target: kernel_path() relative to ROOT
    (kernel/kernel, or build/debug/kernel/kernel for the debug kernel)."""
    return os.path.relpath(kernel_path(), ROOT)


def default_image():
    """Path of the default disk image (``RIVET_IMAGE`` or ROOT/fs.img)."""
    return os.environ.get("RIVET_IMAGE") or os.path.join(ROOT, "fs.img")


def qemu_binary():
    """QEMU executable (``RIVET_QEMU`` or qemu-system-riscv64)."""
    return os.environ.get("RIVET_QEMU") or "qemu-system-riscv64"


def firmware():
    """Value for ``-bios``: ``OPENSBI``, else Debian's fw_dynamic.bin, else 'default'."""
    env = os.environ.get("OPENSBI")
    if env:
        return env
    return OPENSBI_FW if os.path.exists(OPENSBI_FW) else "default"


def _mem_arg(mem):
    """Normalise a memory size: 128 -> '128M'; '512M', '1G' pass through."""
    if isinstance(mem, int):
        return "%dM" % mem
    mem = str(mem).strip()
    if not re.fullmatch(r"\d+[MG]?", mem, re.I):
        raise ValueError("bad memory size %r (want e.g. 128M or 1G)" % mem)
    return mem


def mem_mib(mem):
    """Memory size in MiB of a QEMU ``-m`` value ('128M' -> 128, '1G' -> 1024)."""
    mem = _mem_arg(mem)
    if mem[-1] in "gG":
        return int(mem[:-1]) * 1024
    if mem[-1] in "mM":
        return int(mem[:-1])
    return int(mem)  # QEMU reads a bare number as MiB


def _bootargs_str(bootargs):
    if bootargs is None:
        return ""
    if isinstance(bootargs, str):
        return bootargs.strip()
    return " ".join(str(a) for a in bootargs if str(a))


def qemu_command(cpus=DEFAULT_CPUS, mem=DEFAULT_MEM, image=None, bootargs="",
                 icount=False, no_reboot=True, kernel=None, bios=None,
                 qemu=None, extra=()):
    """Return the QEMU argv (a list) that boots Rivet.

    ``image`` is a raw disk image attached as the virtio block device, or
    None for no disk.  ``bootargs`` is a string or a list of words passed
    with ``-append``.  ``icount`` (or env ``ICOUNT=1``) adds
    ``-icount shift=0,sleep=off`` for deterministic guest time.  ``extra`` is appended verbatim.
    """
    cmd = [qemu or qemu_binary(),
           "-machine", "virt",
           "-bios", bios or firmware(),
           "-kernel", kernel or kernel_path(),
           "-m", _mem_arg(mem),
           "-smp", str(int(cpus)),
           "-display", "none", "-serial", "stdio", "-monitor", "none",
           "-global", "virtio-mmio.force-legacy=false"]
    if image is not None:
        cmd += ["-drive", "file=%s,if=none,format=raw,id=x0" % image.replace(",", ",,"),
                "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"]
    args = _bootargs_str(bootargs)
    icount = icount or os.environ.get("ICOUNT") == "1"  # `make test ICOUNT=1`
    if icount:
        # the kernel's "icount" boot argument: poll closely during disk waits
        args = ("icount " + args).strip()
    if args:
        cmd += ["-append", args]
    if icount:
        cmd += ["-icount", "shift=0,sleep=off"]
    if no_reboot:
        cmd += ["-no-reboot"]
    cmd += list(extra)
    return cmd


# ------------------------------------------------------------ backtraces
_TOOL_PREFIXES = ("riscv64-unknown-elf-", "riscv64-linux-gnu-", "riscv64-elf-", "riscv64-none-elf-")
BACKTRACE_LINE = re.compile(r"^backtrace:\r?$")
BACKTRACE_ADDRESS = re.compile(r"^  (0x[0-9a-f]+)\r?$")


def _addr2line():
    if os.environ.get("ADDR2LINE"):
        return os.environ["ADDR2LINE"]
    for prefix in _TOOL_PREFIXES:
        path = shutil.which(prefix + "addr2line")
        if path:
            return path
    return None


def describe_addresses(addresses, kernel=None):
    """{address: "function at file:line"} for kernel return addresses (hex
    strings), from addr2line on the kernel ELF; {} if that is missing.  A
    return address follows its call, so address - 1 is looked up."""
    kernel = kernel or kernel_path()
    tool = _addr2line()
    if not addresses or tool is None or not os.path.exists(kernel):
        return {}
    calls = ["0x%x" % (int(a, 16) - 1) for a in addresses]
    try:
        out = subprocess.run([tool, "-f", "-p", "-e", kernel] + calls, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    lines = out.decode("utf-8", "replace").replace(ROOT + os.sep, "").splitlines()
    return {a: ln.strip() for a, ln in zip(addresses, lines)}


def symbolize(text, kernel=None):
    """``text`` with each address line of a panic backtrace ("  0x...") followed
    by the function and file:line of its call (scripts/symbolize, logs, osrun)."""
    lines = text.split("\n")
    wanted, in_trace = [], False
    for line in lines:
        m = BACKTRACE_ADDRESS.match(line)
        if in_trace and m:
            wanted.append(m.group(1))
        else:
            in_trace = bool(BACKTRACE_LINE.match(line))
    names = describe_addresses(wanted, kernel)
    out, in_trace = [], False
    for line in lines:
        m = BACKTRACE_ADDRESS.match(line)
        if in_trace and m and m.group(1) in names:
            line = "  %s  %s%s" % (m.group(1), names[m.group(1)], "\r" if line.endswith("\r") else "")
        elif not m:
            in_trace = bool(BACKTRACE_LINE.match(line))
        out.append(line)
    return "\n".join(out)


def panic_report(console, kernel=None):
    """The first panic line of ``console`` and its backtrace, symbolized; "" if none."""
    m = PANIC_LINE.search(console)
    if not m:
        return ""
    report = []
    for line in console[m.start():].replace("\r", "").split("\n"):
        if report and not (BACKTRACE_LINE.match(line) or BACKTRACE_ADDRESS.match(line)):
            break
        report.append(line)
    return symbolize("\n".join(report), kernel) + "\n"


class RivetError(Exception):
    """Base class of everything that can go wrong while talking to QEMU."""


class ExpectTimeout(RivetError):
    """A wait ran out of time."""


class QemuExited(RivetError):
    """QEMU exited (or its console closed) while we were waiting for output."""


class KernelPanic(RivetError):
    """A ``panic: `` line appeared on the console while waiting for something else."""


_live = weakref.WeakSet()


@atexit.register
def _kill_all_at_exit():
    for r in list(_live):
        try:
            r.kill()
        except Exception:
            pass


# Appended to the console output while searching it, so that a pattern's
# ``$`` cannot match at the end of what has arrived: the line may still be
# printing (``^PASS \\S+$`` must not match the first bytes of a token).
_NOT_YET_ARRIVED = "\x00"


def _search_arrived(rx, text, pos, complete=False):
    """rx.search(text, pos), but only matches made of output that has
    arrived and whose ``$`` stood before a real line end (or at the end of
    the output, once it is ``complete``: QEMU has exited)."""
    if complete:
        return rx.search(text, pos)
    m = rx.search(text + _NOT_YET_ARRIVED, pos)
    return m if m and m.end() <= len(text) else None


def _show(pattern):
    text = pattern.pattern if hasattr(pattern, "pattern") else str(pattern)
    return text if len(text) <= 80 else text[:77] + "..."


class Rivet:
    """One QEMU running Rivet; use it as a context manager.

    Parameters (all optional):
      cpus, mem     -- ``-smp`` and ``-m`` (default 3 and '128M').
      image         -- disk image path, or None for no disk (default).
      copy_image    -- boot on a temporary copy of ``image`` (default True);
                       False uses (and may modify) the file itself.
      bootargs      -- kernel command line, string or list of words.
      icount        -- deterministic guest time (``-icount shift=0,sleep=off``).
      timeout       -- lifetime in seconds: QEMU is killed after this long,
                       and no wait goes past it (default 60).
      stdin         -- True: console input through ``send()``/``run()``;
                       False: QEMU's stdin is /dev/null.
      log_path      -- if given, the log is written there on close.
      echo          -- a file (e.g. sys.stderr) that gets a live copy of the
                       console; defaults to stderr when RIVET_ECHO=1.
      no_reboot     -- pass ``-no-reboot`` (default True).
      start         -- boot right away (default True); else call ``start()``.
      time_scale    -- every wait's timeout (not the lifetime) is multiplied
                       by this (default 1; the test harness sets
                       ``time_scale()`` for a busy host).

    The console text is kept with ``\\r\\n`` turned into ``\\n`` and bytes
    that are not UTF-8 kept as surrogate escapes.  Patterns given to
    ``expect()`` as strings are compiled with ``re.MULTILINE``.
    """

    def __init__(self, cpus=DEFAULT_CPUS, mem=DEFAULT_MEM, image=None,
                 copy_image=True, bootargs="", icount=False,
                 timeout=DEFAULT_TIMEOUT, stdin=True, log_path=None, echo=None,
                 no_reboot=True, start=True, kernel=None, extra_qemu_args=(),
                 time_scale=1.0):
        self.cpus = int(cpus)
        self.mem = _mem_arg(mem)
        self.image = image
        self.copy_image = copy_image
        self.bootargs = _bootargs_str(bootargs)
        self.icount = icount
        self.timeout = float(timeout)
        self.use_stdin = stdin
        self.log_path = log_path
        if echo is None and os.environ.get("RIVET_ECHO") == "1":
            echo = sys.stderr
        self.echo = echo
        self.no_reboot = no_reboot
        self.kernel = kernel or kernel_path()
        self.extra_qemu_args = tuple(extra_qemu_args)
        self.time_scale = float(time_scale)
        self.command = None
        self.proc = None
        self.timed_out = False      # killed because the lifetime ran out
        self.killed = False         # killed by us (kill() or timeout)
        self.exit_status = None     # QEMU's exit status once it is gone
        self.stderr = ""            # what QEMU itself wrote on stderr
        self._text = ""             # console so far (normalised)
        self._pos = 0               # expect() cursor
        self._cond = threading.Condition()
        self._eof = False
        self._tmpdir = None
        self._threads = []
        self._started_at = None
        self._deadline = None
        self._prompt_seen = False
        self._closed = False
        if start:
            self.start()

    # ----------------------------------------------------------- lifecycle
    def start(self):
        """Boot QEMU (called by the constructor unless start=False)."""
        if self.proc is not None:
            raise RivetError("already started")
        if not os.path.exists(self.kernel):
            raise RivetError("kernel not found: %s (run make)" % self.kernel)
        disk = None
        if self.image is not None:
            if not os.path.exists(self.image):
                raise RivetError("disk image not found: %s" % self.image)
            if self.copy_image:
                self._tmpdir = tempfile.mkdtemp(prefix="rivet-")
                disk = os.path.join(self._tmpdir, "fs.img")
                shutil.copyfile(self.image, disk)
            else:
                disk = os.path.abspath(self.image)
        self.command = qemu_command(cpus=self.cpus, mem=self.mem, image=disk,
                                    bootargs=self.bootargs, icount=self.icount,
                                    no_reboot=self.no_reboot, kernel=self.kernel,
                                    extra=self.extra_qemu_args)
        self._started_at = time.monotonic()
        self._deadline = self._started_at + self.timeout
        try:
            self.proc = subprocess.Popen(
                self.command, bufsize=0,
                stdin=subprocess.PIPE if self.use_stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as e:
            self._cleanup_files()
            raise RivetError("cannot start %s: %s" % (self.command[0], e))
        _live.add(self)
        for target in (self._read_console, self._read_stderr, self._watchdog):
            t = threading.Thread(target=target, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Kill QEMU, delete the temporary image, write the log if log_path."""
        if self._closed:
            return
        self._closed = True
        self.kill()
        self._cleanup_files()
        if self.log_path:
            self.save_log(self.log_path)

    def kill(self):
        """Kill QEMU now (no-op if it has exited) and collect its output."""
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            self.killed = True
            try:
                p.kill()
            except OSError:
                pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout=5)
        if p.stdin:
            try:
                p.stdin.close()
            except OSError:
                pass
        self._set_exit(p.returncode)
        _live.discard(self)

    def _cleanup_files(self):
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def _set_exit(self, status):
        with self._cond:
            if status is not None and self.exit_status is None:
                self.exit_status = status
            self._cond.notify_all()

    # ------------------------------------------------------------- threads
    def _read_console(self):
        dec = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        held_cr = ""
        fd = self.proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            text = dec.decode(data, final=not data)
            text = held_cr + text
            held_cr = ""
            if data and text.endswith("\r"):
                held_cr, text = "\r", text[:-1]
            text = text.replace("\r\n", "\n")
            if text:
                if self.echo is not None:
                    try:
                        self.echo.write(text)
                        self.echo.flush()
                    except Exception:
                        pass
                with self._cond:
                    self._text += text
                    self._cond.notify_all()
            if not data:
                break
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _read_stderr(self):
        data = self.proc.stderr.read()
        with self._cond:
            self.stderr = data.decode("utf-8", "replace")
            self._cond.notify_all()

    def _watchdog(self):
        p = self.proc
        try:
            p.wait(timeout=max(0.0, self._deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.killed = True
            try:
                p.kill()
            except OSError:
                pass
            p.wait()
        self._set_exit(p.returncode)

    # ------------------------------------------------------------ console
    @property
    def console(self):
        """Everything QEMU printed on the serial console so far."""
        with self._cond:
            return self._text

    @property
    def cursor(self):
        """Index into ``console`` where the next ``expect()`` starts looking."""
        return self._pos

    @cursor.setter
    def cursor(self, pos):
        self._pos = max(0, min(int(pos), len(self._text)))

    def elapsed(self):
        """Seconds since QEMU was started."""
        return time.monotonic() - self._started_at if self._started_at else 0.0

    def alive(self):
        """True while QEMU runs."""
        return self.proc is not None and self.proc.poll() is None

    def _limit(self, timeout):
        now = time.monotonic()
        end = self._deadline if self._deadline else now + self.timeout
        if timeout is not None:
            end = min(end, now + float(timeout) * self.time_scale)
        return end

    def _wait_until(self, check, timeout, what, panic_ok=True):
        """Wait (holding the console lock) until check(text) is not None."""
        end = self._limit(timeout)
        with self._cond:
            while True:
                got = check(self._text)
                if got is not None:
                    return got
                if not panic_ok:
                    p = PANIC_LINE.search(self._text, self._pos)
                    if p:
                        line_end = self._text.find("\n", p.start())
                        line = self._text[p.start():line_end if line_end >= 0 else None]
                        # let the panic report finish so it ends up in the log
                        self._cond.wait_for(lambda: self._eof, timeout=3)
                        raise KernelPanic("kernel panic while waiting for %s: %s"
                                          % (what, line.strip()))
                if self._eof:
                    self._cond.wait_for(lambda: self.exit_status is not None, timeout=2)
                    raise QemuExited("QEMU exited (status %s) while waiting for %s"
                                     % (self.exit_status, what))
                left = end - time.monotonic()
                if left <= 0:
                    if self.timed_out or (self._deadline and time.monotonic() >= self._deadline):
                        raise ExpectTimeout("QEMU lifetime of %gs ran out while waiting for %s"
                                            % (self.timeout, what))
                    raise ExpectTimeout("timeout after %gs waiting for %s"
                                        % (float(timeout) * self.time_scale, what))
                self._cond.wait(min(left, 1.0))

    def expect(self, pattern, timeout=None, panic_ok=False):
        """Wait for ``pattern`` (regex string or compiled) after the cursor.

        Returns the ``re.Match`` and moves the cursor past it.  Raises
        ``ExpectTimeout`` after ``timeout`` seconds (default: the rest of the
        lifetime), ``QemuExited`` if QEMU exits first, and ``KernelPanic`` if
        a ``panic: `` line shows up first (unless ``panic_ok``).

        ``$`` matches only at a line end that has arrived, never at the end
        of the output so far: ``^PASS \\S+$`` waits for the whole line.
        """
        rx = re.compile(pattern, re.M) if isinstance(pattern, str) else pattern

        def check(text):
            m = _search_arrived(rx, text, self._pos, self._eof)
            if m:
                self._pos = m.end()
            return m
        return self._wait_until(check, timeout, "/%s/" % _show(rx), panic_ok)

    def expect_all(self, patterns, timeout=None, panic_ok=False):
        """Wait until every pattern has matched somewhere after the cursor,
        in any order.  Returns the list of matches; the cursor moves past the
        last of them."""
        rxs = [re.compile(p, re.M) if isinstance(p, str) else p for p in patterns]
        start = self._pos

        def check(text):
            ms = [_search_arrived(rx, text, start, self._eof) for rx in rxs]
            if all(ms):
                self._pos = max(m.end() for m in ms)
                return ms
            return None
        missing = lambda: [_show(rx) for rx in rxs if not _search_arrived(rx, self._text, start, self._eof)]
        try:
            return self._wait_until(check, timeout, "all of %d patterns" % len(rxs), panic_ok)
        except RivetError as e:
            raise type(e)("%s; still missing: %s" % (e, ", ".join(missing())))

    def wait_quiet(self, seconds=0.5, timeout=None):
        """Wait until the console has printed nothing for ``seconds``."""
        end = self._limit(timeout)
        with self._cond:
            while True:
                n = len(self._text)
                self._cond.wait(min(seconds, max(0.0, end - time.monotonic())))
                if len(self._text) == n or self._eof or time.monotonic() >= end:
                    return

    def send(self, text):
        """Type ``text`` on the console (write it to QEMU's stdin)."""
        if not self.use_stdin:
            raise RivetError("this Rivet was started with stdin=False")
        if self.proc is None or self.proc.poll() is not None:
            raise QemuExited("QEMU is not running (status %s)" % self.exit_status)
        try:
            self.proc.stdin.write(text.encode("utf-8", "surrogateescape"))
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            raise QemuExited("QEMU closed its stdin")

    def wait_prompt(self, timeout=None):
        """Wait for a shell prompt ``$ `` after the cursor (at the start of a
        line or at the very end of the console); move the cursor past it."""
        rx = re.compile(r"(?m)^\$ |\$ \Z")
        m = self.expect(rx, timeout)
        self._prompt_seen = True
        return m

    def run(self, cmdline, timeout=None):
        """Run one command line at the interactive shell and return its output.

        Waits for the first prompt if none was seen yet, types ``cmdline``
        and a newline, waits for the next prompt and returns what was printed
        in between, without the echoed command line and without the prompt.
        """
        if not self._prompt_seen:
            self.wait_prompt(timeout)
        start = self._pos
        self.send(cmdline + "\n")
        echo = cmdline + "\n"
        rx = re.compile(r"(?m)^\$ |\$ \Z")

        def check(text):
            body = text[start:]
            skip = len(echo) if body.startswith(echo) else 0
            if skip == 0 and len(body) < len(echo) and echo.startswith(body):
                return None  # echo still arriving
            m = rx.search(text, start + skip)
            if m:
                self._pos = m.end()
                return text[start + skip:m.start()]
            return None
        return self._wait_until(check, timeout, "the prompt after %r" % cmdline[:40],
                                panic_ok=False)

    def wait_exit(self, timeout=None):
        """Wait for QEMU to exit and return its exit status.

        Raises ``ExpectTimeout`` if it is still running after ``timeout``
        seconds (default: the rest of the lifetime).  The status is negative
        (-9) if QEMU was killed.  When the lifetime ran out QEMU is killed,
        so this returns -9 then (check ``timed_out``)."""
        now = time.monotonic()
        # not capped by the lifetime: the watchdog kills QEMU at its end
        end = now + float(timeout) * self.time_scale if timeout is not None else max(
            now, self._deadline or now) + 10
        with self._cond:
            while True:
                if self._eof and self.exit_status is not None:
                    return self.exit_status
                if self.proc is not None and self.proc.poll() is not None and self._eof:
                    self.exit_status = self.proc.returncode
                    return self.exit_status
                left = end - time.monotonic()
                if left <= 0:
                    raise ExpectTimeout("QEMU still running after %gs, want it to exit"
                                        % (end - now))
                self._cond.wait(min(left, 0.2))

    def wait_for_output(self, length, timeout):
        """Wait until the console is longer than ``length`` characters, QEMU's
        console closed or ``timeout`` passed.  Returns (console, eof)."""
        end = time.monotonic() + timeout
        with self._cond:
            while len(self._text) <= length and not self._eof:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return self._text, self._eof

    # ---------------------------------------------------------------- log
    def format_log(self):
        """The log: QEMU command, console, QEMU's stderr and exit status."""
        lines = ["# qemu: %s" % " ".join(self.command or ["(not started)"])]
        text = self.console
        if PANIC_LINE.search(text):
            text = symbolize(text)
        lines.append(text if text.endswith("\n") or not text else text + "\n")
        if self.stderr:
            lines.append("# qemu stderr:\n" + self.stderr.rstrip("\n"))
        if self.timed_out:
            status = "killed after the %gs timeout" % self.timeout
        elif self.killed:
            status = "killed"
        elif self.exit_status is None:
            status = "still running"
        else:
            status = str(self.exit_status)
        lines.append("# qemu exit status: %s (after %.1fs)" % (status, self.elapsed()))
        return "\n".join(lines) + "\n"

    def save_log(self, path):
        """Write ``format_log()`` to ``path``."""
        d = os.path.dirname(os.path.abspath(path))
        os.makedirs(d, exist_ok=True)
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(self.format_log())


# ------------------------------------------------------------------ osrun
class OsrunResult:
    """What ``osrun()`` returns.

    status  -- the command's exit status (0..255) when reason is 'ok';
               otherwise 124 (timeout), 125 (panic) or 126 (boot-failure).
    stdout  -- command output between the markers (``\\r\\n`` -> ``\\n``).
    console -- the whole console.
    reason  -- 'ok' | 'timeout' | 'panic' | 'boot-failure'.
    message -- one line explaining a reason other than 'ok'.
    qemu_status, seconds, log (the full Rivet log), marker.
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self):
        return "OsrunResult(status=%r, reason=%r, stdout=%r)" % (
            self.status, self.reason, self.stdout[:60])


def _held_back(text, needles):
    """Length of the longest suffix of text that is a proper prefix of a needle."""
    best = 0
    for n in needles:
        for k in range(min(len(n) - 1, len(text)), best, -1):
            if text.endswith(n[:k]):
                best = k
                break
    return best


def osrun(cmdline, cpus=DEFAULT_CPUS, mem=DEFAULT_MEM, timeout=DEFAULT_TIMEOUT,
          image=None, copy_image=True, icount=False, trace=False, bootargs="",
          log_path=None, on_output=None, on_console=None, rivet_hook=None,
          rivet_factory=None):
    """Boot Rivet, run ``sh -c CMDLINE`` as init's script, return OsrunResult.

    ``image`` defaults to fs.img in the repository (a temporary copy is used
    unless ``copy_image=False``).  ``timeout`` covers boot and command.
    ``trace`` adds boot argument ``trace=1``; ``bootargs`` are extra boot
    arguments.  ``on_output(text)`` receives command output as it arrives
    and ``on_console(text)`` the rest of the console (boot messages).
    ``rivet_hook(rivet)`` is called with the running ``Rivet`` (used by the
    test runner to kill it on a test timeout).  ``rivet_factory`` replaces
    the ``Rivet`` class (tests of osrun itself feed it scripted consoles).
    """
    if image is None:
        image = default_image()
    marker = "RIVET-" + secrets.token_hex(8)
    args = ["init.run=" + cmdline.encode("utf-8", "surrogateescape").hex(),
            "init.marker=" + marker]
    if trace:
        args.append("trace=1")
    extra = _bootargs_str(bootargs)
    if extra:
        args.append(extra)
    begin_rx = re.compile(r"(?m)^" + re.escape(marker) + r" begin\n")
    end_rx = re.compile(r"\n" + re.escape(marker) + r" end (\d+)(?=\D)")
    end_needle = "\n" + marker + " end "
    end_at_eof_rx = re.compile(re.escape(end_needle) + r"(\d+)\Z")
    end_partial_rx = re.compile(re.escape(end_needle) + r"\d*\Z")
    panic_needle = "\npanic: "

    t0 = time.monotonic()
    r = (rivet_factory or Rivet)(cpus=cpus, mem=mem, image=image, copy_image=copy_image,
              bootargs=args, icount=icount, timeout=timeout, stdin=False,
              log_path=log_path, start=False)
    res = dict(marker=marker, status=None, stdout="", reason=None, message="",
               qemu_status=None)
    try:
        try:
            r.start()
        except RivetError as e:
            res.update(status=EXIT_BOOT_FAILURE, reason="boot-failure", message="boot failure: %s" % e)
            return _finish(res, r, t0)
        if rivet_hook:
            rivet_hook(r)
        seen = 0            # console length already looked at
        shown_console = 0   # console chars already passed to on_console
        out_start = None    # index just after the begin marker line
        shown_out = 0       # output chars already passed to on_output
        scanned = 0         # console length already searched for markers
        output_final = False  # res["stdout"] is complete (end marker or panic seen)
        while True:
            text, eof = r.wait_for_output(seen, 0.5)
            seen = len(text)
            if out_start is None:
                m = begin_rx.search(text)
                if m:
                    out_start = m.end()
                    if on_console and m.start() > shown_console:
                        on_console(text[shown_console:m.start()])
                    shown_console = out_start
                else:
                    if on_console:
                        nl = text.rfind("\n")
                        if nl + 1 > shown_console:
                            on_console(text[shown_console:nl + 1])
                            shown_console = nl + 1
                    if PANIC_LINE.search(text):
                        res.update(reason="panic", status=EXIT_PANIC,
                                   message="kernel panic during boot")
                        break
            if out_start is not None:
                # look again only a little before what was already scanned
                lo = max(out_start - 1, scanned - len(end_needle) - 8)
                em = end_rx.search(text, lo)
                if em is None and eof:
                    # the console is complete: a status at its very end counts
                    em = end_at_eof_rx.search(text, lo)
                pm = PANIC_LINE.search(text, max(out_start, scanned - 8))
                stop = em.start() if em else len(text)
                if pm and pm.start() <= stop:
                    stop, em = pm.start(), None
                if em is None and pm is None:
                    tail = text[max(out_start - 1, len(text) - len(end_needle) - 1):]
                    stop = max(out_start, len(text) - _held_back(tail, [end_needle, panic_needle]))
                    # an end marker whose status digits are not terminated yet
                    part = end_partial_rx.search(text, lo)
                    if part:
                        stop = min(stop, part.start())
                if on_output and stop > out_start + shown_out:
                    on_output(text[out_start + shown_out:stop])
                    shown_out = stop - out_start
                scanned = len(text)
                if em or pm:
                    output_final = True
                if em:
                    res["stdout"] = text[out_start:stop]
                    res.update(reason="ok", status=int(em.group(1)) & 0xFF)
                    shown_console = em.end()
                    break
                if pm:
                    res["stdout"] = text[out_start:stop]
                    shown_console = stop
                    res.update(reason="panic", status=EXIT_PANIC,
                               message="kernel panic while running the command")
                    break
            if eof:
                try:
                    r.wait_exit(5)
                except RivetError:
                    r.kill()
                res["qemu_status"] = r.exit_status
                if r.timed_out:
                    break
                if r.exit_status == PANIC_EXIT_STATUS:
                    res.update(reason="panic", status=EXIT_PANIC,
                               message="kernel panic (QEMU exited with status %d)" % PANIC_EXIT_STATUS)
                elif out_start is None:
                    res.update(reason="boot-failure", status=EXIT_BOOT_FAILURE,
                               message="boot failure: QEMU exited (status %s) before the begin marker"
                               % r.exit_status)
                else:
                    res.update(reason="boot-failure", status=EXIT_BOOT_FAILURE,
                               message="boot failure: QEMU exited (status %s) before the end marker"
                               % r.exit_status)
                break
            if r.timed_out or time.monotonic() - t0 >= timeout:
                break
        if out_start is not None and not output_final:
            r.kill()    # no end marker will come: all after the begin marker is output
            full = r.console
            if on_output and len(full) > out_start + shown_out:
                on_output(full[out_start + shown_out:])
            res["stdout"] = full[out_start:]
            shown_console = len(full)
        if res["reason"] is None:   # ran out of time
            if out_start is None:
                res.update(reason="boot-failure", status=EXIT_BOOT_FAILURE,
                           message="boot failure: no begin marker within the %gs timeout" % timeout)
            else:
                res.update(reason="timeout", status=EXIT_TIMEOUT,
                           message="timeout: command still running after %gs" % timeout)
        elif res["reason"] in ("ok", "panic"):
            # let the kernel power off by itself; a panic report finishes first
            try:
                r.wait_exit(5)
            except RivetError:
                pass
        if on_console:
            text = r.console
            if len(text) > shown_console:
                on_console(text[shown_console:])
        return _finish(res, r, t0)
    finally:
        r.close()


def _finish(res, r, t0):
    r.kill()
    res["qemu_status"] = r.exit_status
    res["console"] = r.console
    res["seconds"] = time.monotonic() - t0
    res["log"] = r.format_log()
    return OsrunResult(**res)


def token():
    """A fresh random token (16 hex digits) for in-guest test programs."""
    return secrets.token_hex(8)
