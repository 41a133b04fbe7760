"""An idle Rivet must cost the host (almost) nothing: idle harts wait in
wfi instead of spinning. This is a resource check, not a timing test: it
reads how much CPU time the QEMU process consumed while the guest sat at
the shell prompt, which does not depend on how fast the host is."""

import os
import time

import rivet
from testlib import test

MEASURE_SECONDS = 5.0
# The issue asks for under 5% of one host core. QEMU still wakes TICK_HZ
# times a second per hart for the timer, which measures about 2% here.
MAX_CORE_FRACTION = 0.05


def cpu_seconds(pid):
    """User + system CPU time of a process, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return ticks / os.sysconf("SC_CLK_TCK")


@test("idle_host_cpu", groups=["boot", "needs_fs"], timeout=40)
def idle_host_cpu(t):
    with t.boot(cpus=3, image=rivet.default_image(), timeout=30) as r:
        r.wait_prompt(timeout=15)
        time.sleep(1.0)  # let boot-time work settle
        before = cpu_seconds(r.proc.pid)
        time.sleep(MEASURE_SECONDS)
        used = cpu_seconds(r.proc.pid) - before
        fraction = used / MEASURE_SECONDS
        t.note("idle QEMU used %.1f%% of one core" % (100 * fraction))
        t.check(fraction < MAX_CORE_FRACTION,
                "idle Rivet used %.1f%% of a host core (limit %.0f%%)"
                % (100 * fraction, 100 * MAX_CORE_FRACTION))
