"""Release: the committed generated folders are exactly what release writes."""
from __future__ import annotations

import filecmp
from pathlib import Path

import nbformat

from autograder.release.summary import release_table
from tests.conftest import ASSIGNMENT, PROJECT
from tests.corpus.honest import DEMO_NAMES, write_corpus


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_release_validates(released):
    _, report = released
    assert report.solution_scores == report.points
    assert set(report.template_scores.values()) == {0.0}
    assert sum(report.points.values()) == 10


def test_release_measures_how_many_mutants_the_hidden_cases_catch(released):
    _, report = released
    assert [q.question for q in report.mutation.questions] == list(report.points)
    assert report.mutation.below(0.9) == []
    table = release_table(report)
    for question in report.mutation.questions:
        row = next(line for line in table.splitlines() if line.startswith(question.question + " "))
        assert row.rstrip().endswith(f"{question.caught}/{question.total - len(question.equivalent)} ({question.score:.0%})")


def test_student_template_is_not_stale(assignment):
    committed = PROJECT / "student_template" / ASSIGNMENT
    assert _files(committed) == _files(assignment.student_dir)
    for name in _files(committed):
        assert filecmp.cmp(committed / name, assignment.student_dir / name, shallow=False), f"{name} is stale: run `autograder release {ASSIGNMENT}`"


def test_solution_is_not_stale(assignment):
    # Outputs carry timings, so compare what the instructor wrote: the cells.
    committed = nbformat.read(PROJECT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    fresh = nbformat.read(assignment.solution_dir / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert [(c.cell_type, c.source) for c in committed.cells] == [(c.cell_type, c.source) for c in fresh.cells]
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {}) for c in committed.cells for o in c.get("outputs", [])), "the solution should carry its plots"


def test_student_template_has_no_solutions(student_template):
    text = student_template.read_text()
    for leak in ("torch.exp(-x)", "w.grad.zero_()", "clamp(min=1e-12)", "BEGIN SOLUTION"):
        assert leak not in text


def test_hidden_tests_stay_out_of_the_student_folder(assignment):
    text = "".join((assignment.student_dir / name).read_text(errors="replace") for name in _files(assignment.student_dir))
    assert "grade_case" not in text and "hidden: true" not in text.lower()


def test_example_submissions_are_not_stale(tmp_path):
    template = PROJECT / "student_template" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    committed = PROJECT / "examples" / "submissions" / ASSIGNMENT
    assert sorted(p.stem for p in committed.glob("*.ipynb")) == sorted(DEMO_NAMES)
    for path in write_corpus(tmp_path, template, names=DEMO_NAMES):
        assert path.read_bytes() == (committed / path.name).read_bytes(), f"{path.name} is stale: run `python -m tests.corpus.honest examples/submissions/{ASSIGNMENT}`"
