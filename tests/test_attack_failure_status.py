"""Attack: a grading status written by the student process.

The student process holds the sandbox's result pipe, and a run that fails has its status quoted on
the row, the student's feedback page and the TA's index. So:

- phase two's ``train``, holding the reference functions, wrote their sources to the result pipe
  as a setup failure (``S`` and the text) and exited: the whole of ``sigmoid`` and ``binary_loss``
  was the status on the student's feedback page;
- it raised a ``BaseException``, which nothing in the probing catches: the traceback's last line
  (160 characters of the sources) was the status;
- phase one wrote a 300 KB setup failure: a 300 KB cell in final_grades.csv, students.csv and the
  index, from every such file.

A status now quotes nothing the student process chose once it has committed its answers, and at
most 160 characters before that.
"""

from __future__ import annotations

import csv
import json
import unicodedata

import nbformat
import pytest

from autograder.grading.batch import GradeOptions, grade_paths
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.verdict import FAILED_AFTER_COMMIT, QUOTED_CHARS
from tests.corpus.hostile import Context, notebook

pytestmark = pytest.mark.slow

# The result pipe is the student process's only write-only pipe but the request pipe, opened before it.
RESULT_PIPE = """
def _result_pipe():
    import os, fcntl
    for fd in range(3, 64):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:") and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                return fd
        except OSError:
            pass
"""  # noqa: E501

# In phase two the probe's frames hold the revealed sources (run_and_probe's ``sources``).
TRAIN_THAT_LEAKS = (
    RESULT_PIPE
    + """
def _revealed():
    import sys
    frame = sys._getframe()
    while frame is not None:
        if isinstance(frame.f_locals.get("sources"), dict):
            return frame.f_locals["sources"]
        frame = frame.f_back


def train(x, y, w, b, lr, epochs):
    import os
    if getattr(getattr(sigmoid, "__code__", None), "co_filename", "") == "<reference solution>":
        sources = " | ".join(line.strip() for name in ("sigmoid", "binary_loss") for line in _revealed()[name].splitlines()[1:])
        @@LEAK@@
    return []
"""  # noqa: E501
)

ATTACKS = {
    "setup_message_after_commit": {
        "train": TRAIN_THAT_LEAKS.replace("@@LEAK@@", 'os.write(_result_pipe(), b"S" + sources.encode()); os._exit(0)')
    },
    "base_exception_after_commit": {
        "train": TRAIN_THAT_LEAKS.replace("@@LEAK@@", 'raise type("L", (BaseException,), {})(sources)')
    },
}
HUGE_SETUP_MESSAGE = (
    RESULT_PIPE
    + """
import os
os.write(_result_pipe(), b"S" + b"Y" * 300_000)
os._exit(0)
"""
)


def _flat(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKC", text).casefold() if char.isalnum())


@pytest.fixture(scope="module")
def graded(releases, tmp_path_factory) -> dict:
    assignment, _ = releases("logistic_regression")
    folder = tmp_path_factory.mktemp("failure-status")
    submissions, out = folder / "submissions", folder / "out"
    submissions.mkdir()
    template = assignment.student_dir / "logistic_regression.ipynb"
    context = Context(template, folder / "none", submissions, out, assignment.root, "unused", 9, "unused")
    for name, answers in ATTACKS.items():
        nbformat.write(notebook(context, answers=answers), submissions / f"{name}.ipynb")
    nbformat.write(notebook(context, last=[HUGE_SETUP_MESSAGE]), submissions / "huge_setup_message.ipynb")
    grade_paths([submissions], assignment, out, options=GradeOptions(workers=2, timeout=60))
    sources = json.loads(AutograderZip.read(assignment.zip_path).read_member("files/references.json"))[
        "reference_functions"
    ]
    limit = csv.field_size_limit(1 << 30)  # without the defence a status cell is over csv's default limit of 128 KiB
    try:
        with open(out / "final_grades.csv", newline="", encoding="utf-8") as handle:
            rows = {row["file"]: row for row in csv.DictReader(handle) if row["file"] != "points-per-question"}
    finally:
        csv.field_size_limit(limit)
    return {
        "rows": rows,
        "reference_lines": {
            _flat(line) for source in sources.values() for line in source.splitlines()[1:] if len(_flat(line)) >= 10
        },
        "texts": {
            path.name: path.read_text(encoding="utf-8")
            for path in [*out.rglob("*.html"), *out.rglob("*.json"), *out.rglob("*.csv")]
        },
    }


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_failure_after_the_commit_quotes_nothing_the_notebook_chose(graded, attack):
    assert graded["rows"][f"{attack}.ipynb"]["grading_status"] == f"crash: {FAILED_AFTER_COMMIT}"


def test_no_reference_line_reaches_any_output(graded):
    leaked = {
        name: sorted(line for line in graded["reference_lines"] if line in _flat(text))
        for name, text in graded["texts"].items()
    }
    assert {name: lines for name, lines in leaked.items() if lines} == {}


def test_a_forged_failure_before_the_commit_is_quoted_short(graded):
    status = graded["rows"]["huge_setup_message.ipynb"]["grading_status"]
    assert status == "crash: " + "Y" * QUOTED_CHARS
    assert max(len(text) for text in graded["texts"].values()) < 100_000
