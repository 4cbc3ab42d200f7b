"""A grading run reads each input once: every submission is read from disk, hashed and parsed once,
every code cell is parsed once, and the autograder zip is opened once."""

from __future__ import annotations

import ast
import collections
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.grading import submission_grader
from autograder.grading.batch import GradeOptions, grade_paths
from autograder.grading.intake import submissions
from autograder.grading.intake.about import read_about

GRADED = ["sigmoid", "binary_loss", "train"]
CELLS = (
    'STUDENT_NAME = "张三"\nSTUDENT_ID = "2023001"\n',
    "def sigmoid(z):\n    return 1 / (1 + torch.exp(-z))\n",
    "def binary_loss(p, y):\n    return -(y * torch.log(p)\n",  # a syntax error: binary_loss is never defined
    "z = sigmoid(torch.zeros(3))\n",
    "%time warm = 1\ndef train(w):\n    return w\n",  # a magic line: parsed as IPython runs it
)


def _notebook(*cells: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    return notebook


def test_each_code_cell_is_parsed_once(monkeypatch):
    parsed = collections.Counter()
    real_parse = ast.parse

    def counting_parse(source, *args, **kwargs):
        parsed[source] += 1
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting_parse)
    notebook = _notebook(*CELLS)

    about = read_about(nbformat.writes(notebook).encode(), notebook, manual=[], graded=GRADED)

    assert about.identity == {"name": "张三", "student_id": "2023001"}
    assert "def sigmoid" in about.code and "def train" in about.code
    assert set(about.syntax_errors) == {"binary_loss"}
    assert all(parsed[cell] == 1 for cell in CELLS[:4]), parsed
    assert {text: count for text, count in parsed.items() if count > 1} == {}


# The audit hook stays for the process's life: it counts only while a test gives it a counter.
_opened: list[collections.Counter] = []


def _count_opens(event: str, args: tuple) -> None:
    if event == "open" and _opened and isinstance(args[0], (str, bytes, Path)):
        _opened[0][str(Path(args[0] if not isinstance(args[0], bytes) else args[0].decode()).resolve())] += 1


sys.addaudithook(_count_opens)


@pytest.mark.slow
def test_a_run_reads_each_submission_and_the_zip_once(releases, tmp_path, monkeypatch):
    assignment, _ = releases("logistic_regression")
    blank = assignment.student_dir / "logistic_regression.ipynb"
    folder = tmp_path / "submissions"
    for student in ("alice", "bob", "carol"):
        (folder / student).mkdir(parents=True)
        shutil.copy(blank, folder / student / "logistic_regression.ipynb")
    hashed, read = collections.Counter(), collections.Counter()
    real_digest, real_read = submissions.digest, submission_grader.read_submission

    def counting_digest(content, *salt):
        hashed[content] += 1
        return real_digest(content, *salt)

    def counting_read(file, content, **options):
        read[file] += 1
        return real_read(file, content, **options)

    monkeypatch.setattr(submissions, "digest", counting_digest)
    monkeypatch.setattr(submission_grader, "read_submission", counting_read)
    _opened.append(collections.Counter())
    try:
        report = grade_paths([folder], assignment, tmp_path / "out", options=GradeOptions(workers=1, timeout=60))
    finally:
        opened = _opened.pop()

    assert report.graded == 3
    files = sorted(str(path.resolve()) for path in folder.rglob("*.ipynb"))
    assert {file: opened[file] for file in files} == dict.fromkeys(files, 1)
    assert opened[str(assignment.zip_path.resolve())] == 1
    assert sum(hashed.values()) == 3
    assert read == collections.Counter(
        {f"{student}/logistic_regression.ipynb": 1 for student in ("alice", "bob", "carol")}
    )
    # Each feedback page (its written question's standing included) is written once, through one temporary
    # file, and never read back.
    feedback = (tmp_path / "out" / "feedback").resolve()
    pages = sorted(str(path.resolve()) for path in feedback.glob("*.html"))
    temporaries = sorted(name for name in opened if Path(name).parent == feedback and name.endswith(".tmp"))
    assert len(pages) == len(temporaries) == 3
    assert {name: opened[name] for name in pages + temporaries} == dict.fromkeys(pages, 0) | dict.fromkeys(
        temporaries, 1
    )


def test_a_file_past_the_runs_held_bytes_is_read_again_and_only_graded_unchanged(tmp_path):
    """A run keeps submission bytes only up to its budget, so a class of huge files cannot fill the
    grader's memory; a file past it is read again when its job is built, and not graded if it changed."""
    from autograder.grading.intake.received import HeldBytes, Received
    from autograder.grading.submission_grader import GradingContext

    notebook = nbformat.writes(_notebook(*CELLS)).encode()
    first, second = tmp_path / "first.ipynb", tmp_path / "second.ipynb"
    first.write_bytes(notebook)
    second.write_bytes(notebook)
    context = GradingContext(tmp_path, "logistic_regression", {}, GRADED)
    held = HeldBytes(len(notebook) + 10)

    kept, dropped = (
        Received.of(submissions.Submission(path.name, path), "zip", context.read, held) for path in (first, second)
    )

    assert kept.content == notebook and dropped.content is None
    assert dropped.digest == kept.digest
    identity = {"name": "张三", "student_id": "2023001"}
    assert dropped.reading.about.identity == kept.reading.about.identity == identity
    changed = Received.of(submissions.Submission(second.name, second), "zip", context.read, HeldBytes(0))
    second.write_bytes(notebook.replace(b"2023001", b"2023999"))
    assert changed.reading.notebook is None
    assert "changed on disk" in str(changed.reading.problem)
