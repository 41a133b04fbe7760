"""The kernel's layering, checked from its #include lines (no QEMU).

Each folder under kernel/ is a subsystem. LAYERS lists them from the
bottom up; a file may include headers of its own folder, of any lower
layer, and the top-level ABI headers (kernel/*.h), never of a higher one.
So the include graph between subsystems has no cycles, and a driver can
never call up into the process code. README.md ("Where things are") gives the same
order.
"""

import os
import re
import shutil
import tempfile

from testlib import test

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
KERNEL = os.path.join(ROOT, "kernel")
LAYERS = ["arch", "lib", "sync", "mm", "dev", "proc", "fs", "exec", "trap", "sys"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"kernel/([a-z_]+)/[^"]+"', re.M)


def upward_includes(kernel=KERNEL):
    """(file, included folder) for every include of a higher layer."""
    bad = []
    for folder in sorted(os.listdir(kernel)):
        path = os.path.join(kernel, folder)
        if not os.path.isdir(path):
            continue
        if folder not in LAYERS:
            bad.append((folder + "/", "a folder missing from LAYERS"))
            continue
        rank = LAYERS.index(folder)
        for name in sorted(os.listdir(path)):
            if not name.endswith((".c", ".h", ".S")):
                continue
            with open(os.path.join(path, name)) as f:
                for target in INCLUDE.findall(f.read()):
                    if target not in LAYERS or LAYERS.index(target) > rank:
                        bad.append(("%s/%s" % (folder, name), target))
    return bad


@test("layers_no_upward_include", groups=["structure"], timeout=30)
def layers_no_upward_include(t):
    """no kernel file includes a header of a higher layer (LAYERS, bottom up)"""
    bad = upward_includes()
    t.check(not bad, "want no upward includes in order %s; found: %s" % (
        " < ".join(LAYERS), ", ".join("%s includes %s" % b for b in bad)))


@test("layers_checker_catches", groups=["structure"], timeout=30)
def layers_checker_catches(t):
    """the checker itself: a driver that includes proc.h is reported"""
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "kernel")
        shutil.copytree(KERNEL, copy, ignore=shutil.ignore_patterns("*.o", "*.d", "kernel*"))
        with open(os.path.join(copy, "dev", "zz_layer_probe.h"), "w") as f:
            f.write('#include "kernel/proc/proc.h"\n')
        bad = upward_includes(copy)
    t.check(("dev/zz_layer_probe.h", "proc") in bad,
            "want dev/zz_layer_probe.h including proc reported; got %s" % bad)
