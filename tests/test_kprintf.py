"""printf's formats, the same in the kernel (boot argument selftest=printf)
and in the user library (user/printftest.c): one formatter, kernel/lib/format.c."""

from testlib import NEEDS_FS, test

# Both print this format with the same arguments (kernel/main.c, user/printftest.c).
WANT = ("printf: [-0005] [   -5] [00042] [beef] [1099511627776] [str] [c] [42   ] [   7] [ab  ] "
        "[   xy] [-3] [-1099511627776]")


@test("kprintf_formats", groups=["boot"], timeout=40)
def kprintf_formats(t):
    """kernel printf: zero padding puts the sign first; widths, -, *, hex, 64-bit, strings, chars"""
    with t.boot(cpus=1, image=None, bootargs="selftest=printf") as r:
        line = r.expect(r"(?m)^printf: [^\r\n]*\r?\n", timeout=20)
        t.check_equal(line.group(0).strip(), WANT, "selftest=printf line")
        t.check_equal(r.wait_exit(timeout=10), 0, "exit status")


@test("uprintf_formats", groups=[NEEDS_FS, "boot"], timeout=60)
def uprintf_formats(t):
    """user printf: the same line as the kernel's for the same format and arguments"""
    res = t.osrun("printftest", timeout=40)
    lines = [ln.strip() for ln in res.stdout.splitlines() if ln.startswith("printf: ")]
    t.check_equal(lines, [WANT], "printftest's line")
