"""Tests of the lab kit (scripts/labkit, labs/README.md).

The kit's own tests work on a tiny fixture lab, `fix`, added to a copy of
this tree in a temporary directory, so that they do not depend on the real
labs' contents:

    user/false.c   region `fix: status` around `return 1;`, whose starter
                   (labs/fix/starter/status.c) returns 0
    user/true.c    a region of a second lab, `other` (kept in fix's handout)
    user/hello.c   a whole-file starter; its solution is labs/fix/hello_sol.c
    kernel/main.c  in the manifest too: the first file make compiles, so a
                   submission that breaks it fails to build at once
    labs/fix/test_fix.py   fix_false (6 points, hidden: `false` exits 1, so
                   the handout fails it) and fix_true (4 points, passes)

labs_quick is the quick form of `make labcheck` over the real labs: the
static checks, then every handout cut and built (reusing this tree's
objects, so only what the cut changed is compiled).

In a handout (a .lab file at the root) there is no reference to cut from,
and none of these tests is registered.
"""

import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

from testlib import ROOT, test

LABKIT = os.path.join(ROOT, "scripts", "labkit")


def load_labkit():
    """scripts/labkit as a module (its file name has no .py)."""
    loader = importlib.machinery.SourceFileLoader("labkit", LABKIT)
    spec = importlib.util.spec_from_loader("labkit", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
GIT = ["git", "-c", "user.name=labkit-test", "-c", "user.email=labkit-test@localhost"]
FIX_POINTS = 10          # 6 (fix_false) + 4 (fix_true)
HANDOUT_SCORE = 4        # the handout's false exits 0: only fix_true passes

FIX_FILES = {
    "labs/fix/lab.conf":
        "title   Fixture lab of tests/test_labs.py\n"
        "submit  user/false.c\n"
        "submit  kernel/main.c\n"
        "submit  user/hello.c  hello_sol.c\n"
        "starter user/hello.c  starter/hello.c\n"
        "remove  tests/test_fp.py\n"
        "timeout 600\n",
    "labs/fix/starter/status.c": "  return 0; // TODO(lab fix): exit with status 1\n",
    "labs/fix/starter/hello.c": "int main(void) { return 0; }\n",
    "labs/fix/hello_sol.c": "int main(void) { return 3; }\n",
    "labs/fix/rubric.txt": "6  fix_false  hidden  false exits 1\n4  fix_true   true exits 0\n",
    "labs/fix/test_fix.py":
        "from testlib import test, NEEDS_FS\n\n\n"
        "@test('fix_false', groups=[NEEDS_FS, 'lab_fix'], timeout=60)\n"
        "def fix_false(t):\n"
        "    res = t.osrun('false; echo status $?', timeout=30)\n"
        "    t.check_equal(res.stdout, 'status 1\\n', 'output of false; echo status $?')\n\n\n"
        "@test('fix_true', groups=[NEEDS_FS, 'lab_fix'], timeout=60)\n"
        "def fix_true(t):\n"
        "    res = t.osrun('true; echo status $?', timeout=30)\n"
        "    t.check_equal(res.stdout, 'status 0\\n', 'output of true; echo status $?')\n",
    "labs/other/lab.conf": "title   A second fixture lab\n",
    "labs/other/rubric.txt": "1 fix_true\n",
}
ALWAYS_PASS_TEST = (
    "from testlib import test\n\n\n"
    "@test('fix_false')\ndef fix_false(t):\n    pass\n\n\n"
    "@test('fix_true')\ndef fix_true(t):\n    pass\n")


def in_handout():
    return os.path.exists(os.path.join(ROOT, ".lab"))


def sh(t, argv, cwd=None, env=None, timeout=None):
    """Run argv; its output goes to the test's log.  Returns CompletedProcess."""
    e = dict(os.environ)
    for k in ("RIVET_KERNEL", "RIVET_IMAGE", "RIVET_NO_BUILD", "MAKEFLAGS", "MAKELEVEL"):
        e.pop(k, None)
    e.update(env or {})
    p = subprocess.run(argv, cwd=cwd, env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True,
                       timeout=t.remaining() if timeout is None else timeout)
    t.note("$ %s\nexit %d\n--- stdout:\n%s--- stderr:\n%s"
           % (" ".join(argv), p.returncode, p.stdout[-6000:], p.stderr[-6000:]))
    return p


def labkit(t, root, *args, **kw):
    return sh(t, [sys.executable, os.path.join(root, "scripts", "labkit")] + list(args),
              cwd=root, **kw)


def edit(root, path, old, new):
    full = os.path.join(root, path)
    with open(full, encoding="utf-8") as f:
        text = f.read()
    if old not in text:
        raise AssertionError("fixture: %r not in %s" % (old, path))
    with open(full, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))


def write(root, path, text):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write(text)


def read(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read()


class Fixture:
    """A copy of this tree (its tracked files, as they are now) in a temporary
    directory, with the fixture labs added and committed to a git repository
    of its own.  `with Fixture(t) as fx:` removes it afterwards."""

    def __init__(self, t):
        self.t = t
        self.tmp = tempfile.mkdtemp(prefix="rivet-labkit-")
        self.root = os.path.join(self.tmp, "ref")
        kit = load_labkit()
        for n in kit.tree_files(ROOT):
            if not n.startswith("labs/"):
                self.copy_without_markers(kit, n)
        edit(self.root, "user/false.c", "  return 1;\n",
             "  // LAB fix: status\n  return 1;\n  // END LAB fix\n")
        edit(self.root, "user/true.c", "  return 0;\n",
             "  /* LAB other: status */\n  return 0;\n  /* END LAB other */\n")
        for path, text in FIX_FILES.items():
            write(self.root, path, text)
        self.commit()

    def copy_without_markers(self, kit, path):
        """Copy one file of this tree; drop the real labs' marker lines (their
        labs are not in the fixture), keeping their code."""
        src, dst = os.path.join(ROOT, path), os.path.join(self.root, path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
        lines = kit.read_text(src)
        if lines and any(kit.marker_of(ln) for ln in lines):
            with open(dst, "w", encoding="utf-8") as f:
                f.write("".join(ln for ln in lines if not kit.marker_of(ln)))

    def commit(self):
        subprocess.run(GIT + ["init", "-q"], cwd=self.root, check=True)
        subprocess.run(GIT + ["add", "-A"], cwd=self.root, check=True)
        subprocess.run(GIT + ["commit", "-q", "-m", "fixture"], cwd=self.root, check=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.tmp, ignore_errors=True)


def check_error(t, fx, want, what):
    """`labkit check` on the fixture must fail with an error matching want."""
    p = labkit(t, fx.root, "check")
    t.check(p.returncode == 1, "%s: labkit check exit status %d, want 1" % (what, p.returncode))
    t.check(re.search(want, p.stderr, re.M),
            "%s: labkit check said %r, want a line matching %r" % (what, p.stderr.strip(), want))


def score_line(t, p, want):
    lines = p.stdout.splitlines()
    t.check(lines and lines[-1] == want, "last line of the grader %r, want %r"
            % (lines[-1] if lines else "", want))


def load_results(t, path):
    t.check(os.path.exists(path), "no results.json at %s" % path)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


if not in_handout():

    @test("labkit_check_errors", groups=["labs"], timeout=120)
    def labkit_check_errors(t):
        """labkit check: unbalanced, nested, misnamed markers, orphan starter, leaked solution"""
        with Fixture(t) as fx:
            p = labkit(t, fx.root, "check")
            t.check_equal(p.returncode, 0, "labkit check status on the good fixture")
            good = read(fx.root, "user/false.c")

            edit(fx.root, "user/false.c", "  // END LAB fix\n", "")
            check_error(t, fx, r"^labkit check: user/false\.c:8: region fix:status never ends",
                        "unbalanced marker")
            write(fx.root, "user/false.c", good)
            edit(fx.root, "user/false.c", "  return 1;\n", "  // LAB fix: inner\n  return 1;\n")
            check_error(t, fx, r"^labkit check: user/false\.c:9: region fix:inner begins inside",
                        "nested marker")
            write(fx.root, "user/false.c", good)
            edit(fx.root, "user/false.c", "END LAB fix", "END LAB other")
            check_error(t, fx, r"^labkit check: user/false\.c:10: END LAB other closes region fix",
                        "mismatched end")
            write(fx.root, "user/false.c", good)
            edit(fx.root, "user/false.c", "LAB fix: status\n  return 1;\n  // END LAB fix",
                 "LAB nolab: status\n  return 1;\n  // END LAB nolab")
            check_error(t, fx, r"^labkit check: user/false\.c:8: region nolab:status names lab "
                        r"nolab, which has no labs/nolab/lab\.conf", "lab without lab.conf")
            write(fx.root, "user/false.c", good)

            write(fx.root, "labs/fix/starter/stray.c", "  return 2;\n")
            subprocess.run(GIT + ["add", "-A"], cwd=fx.root, check=True)
            check_error(t, fx, r"^labkit check: labs/fix/starter/stray\.c: orphan starter file",
                        "orphan starter")
            os.remove(os.path.join(fx.root, "labs/fix/starter/stray.c"))

            write(fx.root, "labs/fix/starter/status.c", "  return 1; // TODO(lab fix)\n")
            check_error(t, fx, r"^labkit check: user/false\.c:8: the starter "
                        r"labs/fix/starter/status\.c holds every line of the solution",
                        "solution in the starter")
            write(fx.root, "labs/fix/starter/status.c", FIX_FILES["labs/fix/starter/status.c"])

            edit(fx.root, "labs/fix/lab.conf", "remove  tests/test_fp.py",
                 "remove  tests/no_such_file.py")
            check_error(t, fx, r"^labkit check: labs/fix/lab\.conf: remove tests/no_such_file\.py: "
                        r"not a file of the tree", "lab.conf path that does not exist")

    @test("labkit_cut", groups=["labs"], timeout=120)
    def labkit_cut(t):
        """labkit cut: starters in, other labs' code kept, no marker or solution left"""
        with Fixture(t) as fx:
            dest = fx.path("handout")
            p = labkit(t, fx.root, "cut", "fix", dest)
            t.check_equal(p.returncode, 0, "labkit cut exit status")
            false_c = read(dest, "user/false.c")
            t.check("  return 0; // TODO(lab fix): exit with status 1\n" in false_c,
                    "user/false.c of the handout lacks the starter: %r" % false_c)
            t.check("return 1;" not in false_c, "user/false.c of the handout has the solution")
            true_c = read(dest, "user/true.c")
            t.check("  return 0;\n}" in true_c and "LAB" not in true_c,
                    "user/true.c: want lab other's code kept and its markers gone, got %r" % true_c)
            t.check_equal(read(dest, "user/hello.c"), FIX_FILES["labs/fix/starter/hello.c"],
                          "the handout's user/hello.c (whole-file starter)")
            t.check_equal(read(dest, ".lab"), "fix\n", ".lab")
            for gone in ("tests/test_fp.py", "labs/other/lab.conf", "labs/fix/hello_sol.c",
                         "labs/README.md"):
                t.check(not os.path.exists(os.path.join(dest, gone)),
                        "%s is in the handout, want it left out" % gone)
            t.check(os.access(os.path.join(dest, "scripts", "osrun"), os.X_OK),
                    "scripts/osrun lost its executable bit")
            markers = []
            for dirpath, _, names in os.walk(dest):
                for n in names:
                    full = os.path.join(dirpath, n)
                    rel = os.path.relpath(full, dest)
                    if rel.startswith("labs/") or rel == "scripts/labkit":
                        continue
                    with open(full, "rb") as f:
                        for i, line in enumerate(f, 1):
                            if re.match(rb"^\s*(//|#|/\*)\s*(END )?LAB [a-z]", line):
                                markers.append("%s:%d" % (rel, i))
            t.check(not markers, "marker lines left in the handout at %s" % ", ".join(markers))
            p = sh(t, [sys.executable, "tests/run.py", "--list", "fix_*"], cwd=dest)
            listed = sorted(line.split()[0] for line in p.stdout.splitlines() if line.strip())
            t.check_equal(listed, ["fix_false", "fix_true"],
                          "tests the handout's run.py lists for fix_* (.lab loads the lab's tests)")

    @test("labkit_grade_no_compile", groups=["labs"], timeout=300)
    def labkit_grade_no_compile(t):
        """labkit grade: a submission that does not compile scores 0, compiler message in results.json"""
        with Fixture(t) as fx:
            sub = fx.path("submission")
            write(sub, "kernel/main.c", read(fx.root, "kernel/main.c") + "\nthis is not C;\n")
            results = fx.path("results.json")
            p = labkit(t, fx.root, "grade", "fix", "--submission", sub, "--results", results,
                       "--logs", fx.path("logs"))
            score_line(t, p, "Score: 0/%d" % FIX_POINTS)
            t.check(p.returncode != 0, "grader exit status 0 for a failed build")
            data = load_results(t, results)
            t.check_equal(data["score"], 0, "results.json score")
            want = re.compile(r"kernel/main\.c:\d+:\d+: error:")
            t.check(want.search(data.get("output", "")),
                    "results.json output %r lacks the compiler's error" % data.get("output", "")[-300:])
            for x in data["tests"]:
                t.check(x["score"] == 0 and want.search(x["output"]),
                        "test %s: score %s, output %r; want 0 and the compiler's error"
                        % (x["name"], x["score"], x["output"][-200:]))

    @test("labkit_gradescope", groups=["labs"], timeout=900)
    def labkit_gradescope(t):
        """run_autograder on a simulated Gradescope tree: the reference gets full marks; the
        handout's files, with a test edited to pass and a stale fs.img/kernel, score the same as
        the handout"""
        with Fixture(t) as fx:
            zip_path = fx.path("autograder.zip")
            p = labkit(t, fx.root, "gradescope", "fix", zip_path)
            t.check_equal(p.returncode, 0, "labkit gradescope exit status")
            handout = fx.path("handout")
            labkit(t, fx.root, "cut", "fix", handout)

            # (a) the reference's solution files, uploaded flat (file names only)
            ag = fx.path("ag-reference")
            unpack_autograder(t, zip_path, ag)
            for name, src in (("false.c", "user/false.c"), ("main.c", "kernel/main.c"),
                              ("hello.c", "labs/fix/hello_sol.c")):
                write(ag, "submission/" + name, read(fx.root, src))
            p = sh(t, [os.path.join(ag, "run_autograder")], env={"AUTOGRADER_ROOT": ag})
            score_line(t, p, "Score: %d/%d" % (FIX_POINTS, FIX_POINTS))
            data = load_results(t, os.path.join(ag, "results", "results.json"))
            t.check_equal(data["score"], FIX_POINTS, "results.json score of the reference")
            vis = {x["name"]: x["visibility"] for x in data["tests"]}
            t.check_equal(vis, {"fix_false": "hidden", "fix_true": "visible"},
                          "visibility in results.json")
            for x in data["tests"]:
                for noise in ("OpenSBI", "Boot HART", "Rivet kernel 0", "scheduler running"):
                    t.check(noise not in x["output"], "output of %s has %r (boot noise): %r"
                            % (x["name"], noise, x["output"][:300]))
                t.check("status " in x["output"], "output of %s lacks the test's own output: %r"
                        % (x["name"], x["output"][:300]))

            # (b) the handout as submitted: its test edited to always pass, its rubric
            # inflated, and a kernel and fs.img built from a tree whose `false` is solved
            ag = fx.path("ag-handout")
            unpack_autograder(t, zip_path, ag)
            sub = os.path.join(ag, "submission")
            shutil.copytree(handout, sub, dirs_exist_ok=True)
            write(sub, "labs/fix/test_fix.py", ALWAYS_PASS_TEST)
            write(sub, "labs/fix/rubric.txt", "100 fix_false\n100 fix_true\n")
            for built in ("fs.img", "kernel/kernel"):
                if os.path.exists(os.path.join(ROOT, built)):
                    shutil.copy2(os.path.join(ROOT, built), os.path.join(sub, built))
            p = sh(t, [os.path.join(ag, "run_autograder")], env={"AUTOGRADER_ROOT": ag})
            score_line(t, p, "Score: %d/%d" % (HANDOUT_SCORE, FIX_POINTS))
            data = load_results(t, os.path.join(ag, "results", "results.json"))
            t.check_equal(data["score"], HANDOUT_SCORE, "results.json score of the handout")
            status = {x["name"]: x["status"] for x in data["tests"]}
            t.check_equal(status, {"fix_false": "failed", "fix_true": "passed"}, "test statuses")

    @test("labs_quick", groups=["labs"], timeout=600)
    def labs_quick(t):
        """the real labs: labkit check, every handout cut and built (quick form of make labcheck)"""
        p = labkit(t, ROOT, "check")
        t.check_equal(p.returncode, 0, "labkit check exit status (stderr: %s)" % p.stderr.strip())
        labs_dir = os.path.join(ROOT, "labs")
        labs = sorted(n for n in os.listdir(labs_dir)
                      if os.path.isfile(os.path.join(labs_dir, n, "lab.conf"))) \
            if os.path.isdir(labs_dir) else []
        if not labs:
            t.note("no labs in labs/: nothing to cut")
            return
        tmp = tempfile.mkdtemp(prefix="rivet-labs-quick-")
        try:
            broken = []
            for lab in labs:
                dest = os.path.join(tmp, lab)
                p = labkit(t, ROOT, "cut", "--reuse-build", lab, dest)
                t.check_equal(p.returncode, 0, "labkit cut %s exit status" % lab)
                p = sh(t, ["make", "-s", "kernel/kernel"] + user_programs(dest), cwd=dest)
                if p.returncode != 0:
                    broken.append(lab)
                shutil.rmtree(dest, ignore_errors=True)
            t.check(not broken, "handouts that do not build: %s, want none" % ", ".join(broken))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def unpack_autograder(t, zip_path, root):
    """Gradescope's layout: the zip in ROOT/source, run_autograder at ROOT."""
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(os.path.join(root, "source"))
        for info in z.infolist():   # extractall drops the modes
            mode = info.external_attr >> 16
            if mode:
                os.chmod(os.path.join(root, "source", info.filename), mode & 0o777)
    shutil.copy2(os.path.join(root, "source", "run_autograder"), os.path.join(root, "run_autograder"))
    os.makedirs(os.path.join(root, "submission"), exist_ok=True)


def user_programs(tree):
    return sorted("user/_" + n[:-2] for n in os.listdir(os.path.join(tree, "user"))
                  if n.endswith(".c"))
