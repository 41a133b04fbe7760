"""The lazy lab's tests: program pages and heap pages come from the
page-fault handler, on first touch.

lazy_exec     exectest_big (192 KiB of data, 2 MiB of bss) touches one data
              byte and reports its resident pages: at most 8 (text, that
              one data page, the stack), where eager loading maps 560
lazy_heap     user/lazytest: sbrk(10 MiB) maps nothing but promises it all;
              one touched page is one more resident page; shrinking gives
              pages and promise back
lazy_sum      exectest sum: every data page comes from the right file
              offset, bss (also the part of a page past the file's bytes)
              reads zero
lazy_faults   exectest faults: writing text or rodata, executing data or
              stack, reading 0, the guard gap, the kernel or past the break
              kill only the process (status -1)
lazy_untouched  exectest untouched: write() from and read() into pages the
              program never touched (the kernel's copyin/copyout fault
              them in)
lazy_fork     exectest forkcopy: fork copies data, heap and stack
"""

import re

from testlib import NEEDS_FS, test

GROUPS = [NEEDS_FS, "lab_lazy"]
TOUCH1_MAX_RESIDENT = 8


@test("lazy_exec", groups=GROUPS, timeout=90)
def lazy_exec(t):
    """exectest_big touch1: one byte touched in a 192 KiB data segment, at most 8 pages resident"""
    res = t.osrun("exectest_big touch1", timeout=60)
    t.check_equal(res.reason, "ok", "osrun's outcome (%s)" % res.message)
    t.check_equal(res.status, 0, "exectest_big touch1 exit status (output %r)" % res.stdout[-200:])
    m = re.search(r"^resident (\d+)$", res.stdout, re.M)
    t.check(m, "exectest_big printed no 'resident N' line, want one: %r" % res.stdout[-200:])
    resident = int(m.group(1))
    t.check(1 <= resident <= TOUCH1_MAX_RESIDENT,
            "%d pages resident after touching one byte, want 1 to %d (loading must be lazy)"
            % (resident, TOUCH1_MAX_RESIDENT))


@test("lazy_heap", groups=GROUPS, timeout=90)
def lazy_heap(t):
    """lazytest: sbrk(10 MiB) maps nothing, promises all; each touch maps one page"""
    t.run_guest_test("lazytest", timeout=60)


def register(name, subtest, doc):
    def run(t):
        t.run_guest_test("exectest", subtest, timeout=90)
    run.__doc__ = "exectest %s: %s" % (subtest, doc)
    test(name, groups=GROUPS, timeout=120)(run)


register("lazy_sum", "sum", "every data page from the right file offset; bss reads zero")
register("lazy_faults", "faults", "bad accesses (text written, data executed, 0, past the break) kill only the process")
register("lazy_untouched", "untouched", "write() from and read() into never-touched pages")
register("lazy_fork", "forkcopy", "fork copies data, heap and stack")
