"""Attack: read the TA's environment variables from inside the sandbox.

The sandbox hides the TA's files behind an allow-listed root, but the student process inherits
the grader's whole environment (only HOME is changed): API tokens for the LMS, cloud credentials,
whatever the TA's shell exports. The notebook raises the value in an exception, and the grader
prints that cell error on the student's own feedback page (and in the results file).

Clearing ``os.environ`` in the student process is not enough: it is a fork of a worker started
with the TA's environment, and that environment block is still on its stack.
"""

from __future__ import annotations

import nbformat
import pytest

from autograder.grading.batch import GradeOptions, grade_paths

pytestmark = pytest.mark.slow

TOKEN = "canvas-token-7f3a9c1e55d04b2b"
# os.environ is a copy: the block the process started with stays on its stack (a fork of a worker
# spawned with the TA's environment), readable with ctypes whatever os.environ was cleared to.
ATTACK = r"""
import ctypes, os, re
found = [f"{k}={v}" for k, v in os.environ.items() if "TOKEN" in k]
for line in open("/proc/self/maps"):
    if line.rstrip().endswith("[stack]"):
        start, end = (int(x, 16) for x in line.split()[0].split("-"))
        found += [m.decode(errors="replace") for m in re.findall(rb"[A-Z_]*TOKEN[A-Z_]*=[^\x00]*", ctypes.string_at(start, end - start))]
raise RuntimeError("|".join(sorted(set(found))))
"""  # noqa: E501


def test_the_sandbox_does_not_see_the_graders_environment(releases, tmp_path, monkeypatch):
    assignment, _ = releases("logistic_regression")
    monkeypatch.setenv("CANVAS_API_TOKEN", TOKEN)  # as a TA's shell might export it
    notebook = nbformat.read(assignment.student_dir / "logistic_regression.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(ATTACK))
    folder = tmp_path / "submissions"
    folder.mkdir()
    nbformat.write(notebook, folder / "env.ipynb")
    out = tmp_path / "out"

    grade_paths([folder], assignment, out, options=GradeOptions(workers=1, timeout=60))

    feedback = (out / "feedback" / "env.ipynb.html").read_text(encoding="utf-8")
    results = (out / "results" / "env.ipynb.json").read_text(encoding="utf-8")
    assert "CANVAS_API_TOKEN" in results or "RuntimeError" in results, "the attack cell did not run"
    assert TOKEN not in feedback, "the TA's token is on the student's feedback page"
    assert TOKEN not in results
