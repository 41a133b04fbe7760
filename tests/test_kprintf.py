"""The kernel's printf, seen on the console (boot argument selftest=printf)."""

from testlib import test


@test("kprintf_formats", groups=["boot"], timeout=40)
def kprintf_formats(t):
    """zero padding puts the sign first; widths, hex, 64-bit, strings, chars"""
    want = "printf: [-0005] [   -5] [00042] [beef] [1099511627776] [str] [c]"
    with t.boot(cpus=1, image=None, bootargs="selftest=printf") as r:
        line = r.expect(r"(?m)^printf: [^\r\n]*\r?\n", timeout=20)
        t.check_equal(line.group(0).strip(), want, "selftest=printf line")
        t.check_equal(r.wait_exit(timeout=10), 0, "exit status")
