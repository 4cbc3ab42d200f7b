"""Release: the committed generated folders are exactly what release writes, for every assignment."""

from __future__ import annotations

import filecmp
import re
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.assignment import Assignment
from autograder.release.source_notebook import SourceNotebook
from autograder.release.staging import runtime_files
from autograder.release.student_download import REQUIREMENTS_FILE
from autograder.release.summary import release_table
from tests.conftest import PROJECT
from tests.corpus import CORPORA

ASSIGNMENTS = [assignment.name for assignment in Assignment.all(PROJECT)]
DEMOS = [corpus for corpus in CORPORA.values() if corpus.demo]


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def _solution_lines(name: str) -> set[str]:
    """Lines only the solutions have: between `# BEGIN SOLUTION` and `# END SOLUTION` in the source
    notebook, and nowhere else in its code (given code and public tests may share a line)."""
    source = SourceNotebook.read(PROJECT / "assignments" / name / f"{name}.ipynb")
    blocks = re.compile(r"# BEGIN SOLUTION\n(.*?)# END SOLUTION", re.DOTALL)
    code = [cell.source for cell in source.notebook.cells if cell.cell_type == "code"]
    inside = {
        line.strip()
        for cell in code
        for block in blocks.findall(cell)
        for line in block.splitlines()
        if len(line.strip()) >= 12
    }
    outside = "\n".join(blocks.sub("", cell) for cell in code)
    return {line for line in inside if line not in outside}


def test_every_assignment_folder_is_released():
    assert {"logistic_regression", "nn_module", "kmeans", "digits_cnn"} <= set(ASSIGNMENTS)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_validates(name, releases):
    _, report = releases(name)
    assert report.solution_scores == report.points
    assert set(report.template_scores.values()) == {0.0}
    assert sum(report.points.values()) == 10, (
        f"{name}: the course's lessons are worth 10 points each; set the questions' points: in "
        f"assignments/{name}/{name}.ipynb to add up to 10"
    )


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_measures_how_many_mutants_the_hidden_cases_catch(name, releases):
    _, report = releases(name)
    assert [q.question for q in report.mutation.questions] == list(report.points)
    assert report.mutation.below(0.9) == []
    assert all(q.equivalent_caught == [] for q in report.mutation.questions), (
        "a case rejects a mutant the assignment calls correct"
    )
    table = release_table(report)
    for question in report.mutation.questions:
        row = next(line for line in table.splitlines() if line.startswith(question.question + " "))
        assert row.rstrip().endswith(
            f"{question.caught}/{question.total - len(question.equivalent)} ({question.score:.0%})"
        )


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_template_is_not_stale(name, releases):
    assignment, _ = releases(name)
    committed = PROJECT / "student_template" / name
    assert _files(committed) == _files(assignment.student_dir)
    for file in _files(committed):
        assert filecmp.cmp(committed / file, assignment.student_dir / file, shallow=False), (
            f"{file} is stale: run `autograder release {name}`"
        )


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_is_not_stale(name, releases):
    assignment, _ = releases(name)
    # Outputs carry timings, so compare what the instructor wrote: the cells.
    committed = nbformat.read(PROJECT / "solutions" / name / f"{name}.ipynb", as_version=4)
    fresh = nbformat.read(assignment.solution_dir / f"{name}.ipynb", as_version=4)
    assert [(c.cell_type, c.source) for c in committed.cells] == [(c.cell_type, c.source) for c in fresh.cells], (
        f"solutions/{name} is stale: run `autograder release {name}` and commit solutions/{name}"
    )
    assert any(
        o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
        for c in committed.cells
        for o in c.get("outputs", [])
    ), f"solutions/{name} should carry its plots: every lesson's notebook draws at least one (plt.show() in a cell)"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_template_has_no_solutions(name):
    template = nbformat.read(PROJECT / "student_template" / name / f"{name}.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in template.cells if cell.cell_type == "code")
    lines = _solution_lines(name)
    assert len(lines) >= 4, "found too few solution lines to look for"
    assert [line for line in lines if line in code] == []
    assert "BEGIN SOLUTION" not in code


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_student_folder_holds_no_copy_of_the_package(name):
    folder = PROJECT / "student_template" / name
    copies = sorted(path.relative_to(PROJECT).as_posix() for path in folder.rglob("autograder"))
    assert copies == [], f"{copies}: run `autograder release {name}` (student folders use the installed package)"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_hidden_tests_stay_out_of_the_student_download(name, releases):
    assignment, _ = releases(name)
    with zipfile.ZipFile(assignment.student_zip_path) as download:
        files = {member.removeprefix(f"{name}/"): download.read(member) for member in download.namelist()}
    runtime = {file for file in files if file.startswith("autograder/")}
    # The kit's runtime reaches students as the package's own, unchanged source, and only its authoring part.
    assert runtime == set(runtime_files()) and all(files[file] == (PROJECT / file).read_bytes() for file in runtime)
    assert set(files) - runtime - {REQUIREMENTS_FILE} == _files(assignment.student_dir)
    text = b"".join(files[file] for file in set(files) - runtime).decode(errors="replace")
    assert "grade_case" not in text and "hidden: true" not in text.lower()


@pytest.mark.parametrize("corpus", DEMOS, ids=lambda corpus: corpus.assignment)
def test_example_submissions_are_not_stale(corpus, tmp_path):
    name = corpus.assignment
    template = PROJECT / "student_template" / name / f"{name}.ipynb"
    committed = PROJECT / "examples" / "submissions" / name
    assert sorted(p.stem for p in committed.glob("*.ipynb")) == sorted(corpus.demo)
    for path in corpus.write(tmp_path, template, names=corpus.demo):
        assert path.read_bytes() == (committed / path.name).read_bytes(), (
            f"{path.name} is stale: regenerate examples/submissions/{name} with `python -m tests.corpus.<its corpus "
            "module>`"
        )
