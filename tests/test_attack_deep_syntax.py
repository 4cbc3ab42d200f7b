"""Attack: deeply nested Python source that the grader's own process parses.

The grader reads every submission's code cells with ``ast`` in its own process (the identity
cell, the graded definitions for similarity) and catches only SyntaxError and ValueError. Deep
nesting makes ``ast.parse`` raise RecursionError or MemoryError, and a deep-but-parseable
expression makes the similarity pass's recursive ``ast`` visitors raise RecursionError.

- An 80 kB cell anywhere in a notebook stops the whole run before any neighbour is graded.
- A graded definition of ~8 kB (one long sum) passes grading, then breaks the class outputs
  (similarity page, written pages, exports) of this run and of every later run into that OUT.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.grading.batch import GradeOptions, grade_paths

pytestmark = pytest.mark.slow

OPTIONS = GradeOptions(workers=1, timeout=60)


def _notebook(template: Path, *, answers: dict[str, str] | None = None, last: tuple[str, ...] = ()) -> str:
    notebook = nbformat.read(template, as_version=4)
    for cell in notebook.cells:
        for name, source in (answers or {}).items():
            if cell.cell_type == "code" and cell.source.lstrip().startswith(f"def {name}("):
                cell.source = source
    notebook.cells.extend(nbformat.v4.new_code_cell(source) for source in last)
    return nbformat.writes(notebook)


def test_a_deeply_nested_cell_does_not_stop_the_run(releases, tmp_path):
    assignment, _ = releases("logistic_regression")
    template = assignment.student_dir / "logistic_regression.ipynb"
    folder = tmp_path / "submissions"
    folder.mkdir()
    # Sorted first, so it is read before the neighbour; ast.parse raises RecursionError on it.
    deep = "x = 1" + " + 1" * 20_000
    with pytest.raises(RecursionError):  # from about 3,000 terms at Python's default recursion limit
        ast.parse(deep)
    (folder / "a_deep.ipynb").write_text(_notebook(template, last=(deep,)), encoding="utf-8")
    shutil.copy(
        Path(__file__).parents[1] / "examples/submissions/logistic_regression/correct_course_style.ipynb",
        folder / "b_neighbour.ipynb",
    )
    out = tmp_path / "out"

    report = grade_paths([folder], assignment, out, options=OPTIONS)  # raises RecursionError today

    grades = {grade.file: grade for grade in report.grades}
    assert grades["b_neighbour.ipynb"].total == report.possible
    assert "a_deep.ipynb" in grades
    assert (out / "final_grades.csv").is_file()


def test_a_deep_graded_definition_does_not_break_the_class_outputs(releases, tmp_path):
    assignment, _ = releases("logistic_regression")
    template = assignment.student_dir / "logistic_regression.ipynb"
    folder = tmp_path / "submissions"
    folder.mkdir()
    # Parses and compiles; similarity's recursive NodeTransformer / ast.unparse does not cope.
    deep = (
        "def accuracy(y_pred, y):\n    return ((y_pred >= 0.5).float() == y).float().mean().item()"
        + " + 0" * 1000
        + "\n"
    )
    (folder / "deep_def.ipynb").write_text(_notebook(template, answers={"accuracy": deep}), encoding="utf-8")
    out = tmp_path / "out"

    grade_paths([folder], assignment, out, options=OPTIONS)  # raises RecursionError in write_class_outputs today

    assert (out / "similarity.html").is_file()
