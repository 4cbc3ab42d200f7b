"""Attack: a lone surrogate stops the class view, for good.

``STUDENT_NAME = "Eve \\ud800"`` typed in the identity cell (Jupyter saves it: it is six ASCII
characters), or a ``\\ud800`` in a written answer's markdown, used to make ``index.html`` raise
mid-write: similarity.html, written/ and the LMS exports were never written, a stray
``.index.html.<pid>.tmp`` stayed behind, the run exited 1, and so did a regrade of a neighbour into
that folder. final_grades.csv was written first and looked right, so a score check missed it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[1]
AUTOGRADER = str(Path(sys.executable).parent / "autograder")
CLASS_FILES = [
    "final_grades.csv",
    "students.csv",
    "summary.html",
    "index.html",
    "similarity.html",
    "written/why_clamp.html",
    "written/why_clamp.csv",
    "moodle.csv",
    "canvas.csv",
]


def _submissions(template: Path, folder: Path) -> None:
    notebook = nbformat.read(template, as_version=4)
    for cell in notebook.cells:
        if "STUDENT_NAME" in cell.source:
            cell.source = 'STUDENT_NAME = "Eve \\ud800"\nSTUDENT_ID = "2024001"\n'
    nbformat.write(notebook, folder / "a_identity.ipynb")
    notebook = nbformat.read(template, as_version=4)
    for cell, answer in zip(notebook.cells, notebook.cells[1:]):
        if cell.cell_type == "markdown" and "<!-- BEGIN QUESTION -->" in cell.source:
            answer.source = "A log of 0 is -inf \ud800 so clamp first"  # the answer cell after the prompt
    # nbformat writes text as UTF-8, which cannot hold the surrogate; json escapes it as \\ud800.
    (folder / "b_written.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    shutil.copy(
        PROJECT / "examples/submissions/logistic_regression/correct_course_style.ipynb", folder / "c_neighbour.ipynb"
    )


def _grade(root: Path, out: Path, *paths: Path, force: bool = False) -> subprocess.CompletedProcess:
    command = [
        AUTOGRADER,
        "--root",
        str(root),
        "grade",
        *map(str, paths),
        "-a",
        "logistic_regression",
        "-o",
        str(out),
        "--export",
        "moodle",
        "--export",
        "canvas",
    ]
    return subprocess.run(
        command + (["--force"] if force else []), capture_output=True, text=True, timeout=600, cwd=PROJECT
    )


@pytest.fixture(scope="module")
def graded(releases, tmp_path_factory):
    assignment, _ = releases("logistic_regression")
    folder = tmp_path_factory.mktemp("submissions")
    _submissions(assignment.student_dir / "logistic_regression.ipynb", folder)
    out = tmp_path_factory.mktemp("class") / "out"
    return assignment.root, folder, out, _grade(assignment.root, out, folder)


def _assert_whole(out: Path) -> None:
    for name in CLASS_FILES:
        assert (out / name).is_file(), name
    assert not list(out.rglob("*.tmp")), "a temporary file was left behind"
    assert "Eve \\ud800" in (out / "index.html").read_text(encoding="utf-8")
    assert "-inf \\ud800 so clamp" in (out / "written/why_clamp.html").read_text(encoding="utf-8")


def test_the_surrogates_reach_every_class_file_and_the_run_succeeds(graded):
    _, _, out, run = graded
    assert run.returncode == 0, run.stderr[-2000:]
    _assert_whole(out)
    with open(out / "final_grades.csv", encoding="utf-8") as handle:
        gradebook = handle.read()
    assert "c_neighbour.ipynb,2.0,2.0,2.0,4.0,10.0" in gradebook
    # The sandbox saves the notebook as UTF-8 first: it gets the answer with the surrogate escaped.
    assert "b_written.ipynb,0.0,0.0,0.0,0.0,0.0,0.0,Completed" in gradebook


def test_a_regrade_of_a_neighbour_into_that_folder_succeeds(graded):
    root, folder, out, _ = graded
    run = _grade(root, out, folder / "c_neighbour.ipynb", force=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "graded 1, reused 0" in run.stdout
    _assert_whole(out)


def test_a_folder_an_older_run_left_broken_heals_on_the_next_run(graded):
    root, folder, out, _ = graded
    for name in ("index.html", "similarity.html", "written/why_clamp.html", "moodle.csv", "canvas.csv"):
        (out / name).unlink()
    killed = subprocess.Popen(["true"])  # stands for the older run's grader, ended mid-write
    killed.wait()
    (out / f".index.html.{killed.pid}.tmp").write_text("<!DOCTYPE html><p>half")
    run = _grade(root, out, folder / "c_neighbour.ipynb")  # unchanged: its result is reused, the class files rebuilt
    assert run.returncode == 0, run.stderr[-2000:]
    _assert_whole(out)


def test_a_class_file_that_cannot_be_written_is_named_and_the_others_are_written(graded, monkeypatch):
    from click.testing import CliRunner

    from autograder.cli import main
    from autograder.grading.records import class_outputs

    root, _, out, _ = graded
    for name in ("index.html", "similarity.html", "moodle.csv"):
        (out / name).unlink()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(class_outputs, "similarity_page", broken)
    result = CliRunner().invoke(main, ["--root", str(root), "merge", "-a", "logistic_regression", "-o", str(out)])

    assert result.exit_code == 1, result.output
    assert f"NOT WRITTEN      {out / 'similarity.html'}: OSError: [Errno 28] No space left on device" in result.output
    assert "1 class file(s) could not be written (similarity.html" in result.output
    assert (out / "index.html").is_file() and (out / "moodle.csv").is_file()
    assert not (out / "similarity.html").exists()
    assert not list(out.rglob("*.tmp"))

    monkeypatch.undo()
    assert (
        CliRunner().invoke(main, ["--root", str(root), "merge", "-a", "logistic_regression", "-o", str(out)]).exit_code
        == 0
    )
    _assert_whole(out)  # and the next run heals it
