"""An assignment is a folder: the package names none, `new` starts one, the guide's example and the
first release's format both release, and a mistake in an instructor's files names the file and the fix."""

from __future__ import annotations

import inspect
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner

from autograder.assignment import Assignment
from autograder.authoring import Cases, Clusters, DecisionRegions, FittedLine, LinearBoundary, LossCurve
from autograder.cli import main
from autograder.definitions import definitions
from autograder.release import release
from autograder.release.source_notebook import SourceNotebook
from tests.conftest import PROJECT

PACKAGE = PROJECT / "autograder"
DOCS = PROJECT / "docs"
EXAMPLE = DOCS / "example" / "linear_regression"
FIRST_FORMAT = PROJECT / "tests" / "fixtures" / "first_format"
# The kit's own vocabulary: a declared case kind, or a keyword of a declaration (`predict=` of
# Cases.accuracy and DecisionRegions), may share a word with a lesson's function.
_DECLARATIONS = [getattr(Cases, name) for name in dir(Cases) if not name.startswith("_")] + [
    Clusters,
    DecisionRegions,
    FittedLine,
    LinearBoundary,
    LossCurve,
]
KIT_WORDS = {name for name in dir(Cases) if not name.startswith("_")} | {
    parameter
    for declaration in _DECLARATIONS
    for parameter in inspect.signature(declaration).parameters
    if parameter != "self"
}


def _shipped_definitions() -> dict[str, str]:
    """Every top-level def and class of every shipped assignment's solution → its assignment."""
    found = {}
    for assignment in Assignment.all(PROJECT):
        source = SourceNotebook.read(assignment.source_notebook)
        code = [cell.source for cell in source.notebook.cells if cell.cell_type == "code"]
        for name in definitions(code):
            found[name] = assignment.name
        found[assignment.name] = assignment.name
    return found


def test_the_package_names_no_shipped_assignment():
    names = {name: owner for name, owner in _shipped_definitions().items() if name not in KIT_WORDS}
    assert len(names) >= 5, "found too few definitions to look for"
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b")
    hits = [
        f"{path.relative_to(PROJECT)}:{number}: {names[match.group(1)]}.{match.group(1)}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for match in [pattern.search(line)]
        if match
    ]
    assert hits == []


def test_new_refuses_a_bad_name_and_an_existing_folder(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(main, ["--root", str(tmp_path), "new", "My Lesson"])
    assert bad.exit_code == 1 and "lowercase letters, digits and _" in bad.output
    assert runner.invoke(main, ["--root", str(tmp_path), "new", "quiz1"]).exit_code == 0
    again = runner.invoke(main, ["--root", str(tmp_path), "new", "quiz1"])
    assert again.exit_code == 1 and "already exists" in again.output


@pytest.mark.slow
def test_new_then_release_is_green(tmp_path):
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "new", "quiz1", "--title", "测验 · Quiz"])
    assert result.exit_code == 0, result.output
    report = release(Assignment.find("quiz1", tmp_path))
    assert report.solution_scores == report.points == {"standardize": 2.0}
    assert report.template_scores == {"standardize": 0.0}
    assert report.mutation.below() == []


@pytest.fixture(scope="module")
def example_release(tmp_path_factory):
    root = tmp_path_factory.mktemp("guide")
    shutil.copytree(EXAMPLE, root / "assignments" / EXAMPLE.name)
    assignment = Assignment.find(EXAMPLE.name, root)
    return assignment, release(assignment)


@pytest.mark.slow
def test_the_guides_example_releases_with_full_marks_and_every_mutant_accounted_for(example_release):
    """The example keeps its data beside the notebook, made by its own make_data.py: that layout still releases."""
    assignment, report = example_release
    assert report.solution_scores == report.points
    assert set(report.template_scores.values()) == {0.0}
    assert report.generated == ["points.csv"], "make_data.py wrote the missing data file"
    assert [q.score for q in report.mutation.questions] == [1.0] * len(report.points)
    assert all(q.equivalent_caught == [] for q in report.mutation.questions)
    with zipfile.ZipFile(assignment.zip_path) as archive:
        names = archive.namelist()
        pip = yaml.safe_load(archive.read("environment.yml"))["dependencies"][-1]["pip"]
    assert "files/points.csv" in names and "files/autograder/authoring/declare.py" in names
    assert {"torch==2.13.0+cpu", "numpy", "matplotlib"} <= set(pip)
    assert (assignment.student_dir / "points.csv").is_file() and (assignment.solution_dir / "points.csv").is_file()


def _quoted_blocks() -> list[tuple[str, str]]:
    """(file, code) of every code block in the guide that quotes a file of the example, of a shipped assignment or of a
    data set."""
    text = (DOCS / "authoring.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:python|yaml)\n# ((?:docs/example|assignments|data)/\S+)\n(.*?)```", text, re.DOTALL)
    return [(file, code) for file, code in blocks]


@pytest.mark.parametrize(("file", "code"), _quoted_blocks(), ids=lambda value: str(value)[:40])
def test_the_guide_quotes_its_example_as_it_is(file, code):
    assert code.strip() in (PROJECT / file).read_text(encoding="utf-8")


def test_the_guide_quotes_every_file_of_its_example():
    assert {Path(file).name for file, _ in _quoted_blocks() if file.startswith("docs/example/")} == {
        "cases.py",
        "make_data.py",
        "assignment.yml",
    }


@pytest.fixture(scope="module")
def first_format_release(tmp_path_factory):
    root = tmp_path_factory.mktemp("first-format")
    shutil.copytree(FIRST_FORMAT / "assignments", root / "assignments")
    shutil.copytree(FIRST_FORMAT / "data", root / "data")
    assignment = Assignment.find("logistic_regression", root)
    return assignment, release(assignment, mutation=False)


@pytest.mark.slow
def test_a_first_format_folder_releases_unchanged(first_format_release):
    assignment, report = first_format_release
    assert report.solution_scores == report.points and sum(report.points.values()) == 10
    assert set(report.template_scores.values()) == {0.0}
    assert (
        (FIRST_FORMAT / "assignments" / "logistic_regression" / "cases.py")
        .read_text()
        .startswith('"""Hidden test cases')
    )
    with zipfile.ZipFile(assignment.zip_path) as archive:
        names = archive.namelist()
        test = archive.read("tests/train.py").decode()
    assert "files/autograder/authoring/otter.py" in names and "files/data.txt" in names
    assert "files/autograder/plain.py" not in names, "the old module list is replaced by the runtime"
    assert test.count("from autograder.hidden import grade_case") == 4, "its own hidden cells are kept"


# Mistakes in an instructor's files ------------------------------------------------------------------


def _project(tmp_path: Path) -> Assignment:
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root / "assignments" / EXAMPLE.name)
    return Assignment.find(EXAMPLE.name, root)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _edit_notebook(path: Path, old: str, new: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    hits = [cell for cell in notebook.cells if old in cell.source]
    assert hits
    for cell in hits:
        cell.source = cell.source.replace(old, new)
    nbformat.write(notebook, path)


MISTAKES = [
    (
        "cases.py",
        'data("x_train"), data("y_train"),\n                   tensor(normal(0, 1, (1,))',
        'data("x_trian"), data("y_train"),\n                   tensor(normal(0, 1, (1,))',
        r"cases\.py, case train/course_curve: making its inputs raised LookupError: data\('x_trian'\): the solution "
        r"notebook defines no variable 'x_trian'",
    ),
    (
        "cases.py",
        'cases.output("mse_loss", "small"',
        'cases.output("mse_los", "small"',
        r"case mse_los/small: it calls 'mse_los', which the solution notebook never defines",
    ),
    (
        "cases.py",
        'ISOLATION = ("linear_model", "mse_loss")',
        'ISOLATION = ("linear_model", "mse")',
        r"swap in 'mse', but the solution notebook defines no top-level def or class 'mse'",
    ),
    ("cases.py", "CASES = [", "CASES = [\n    1 / 0,", r"cases\.py, line \d+: importing it raised ZeroDivisionError"),
    ("cases.py", '"mse_loss", "gradient"', '"mse_loss", "small"', r"two cases share the names \['mse_loss/small'\]"),
    (
        "cases.py",
        "uniform(-2, 2, (5, 1)), uniform(-2, 2, (5, 1)))",
        "uniform(-2, 2, (5, 1)), uniform(-2, 2, (5, 1)), points=3)",
        r"question mse_loss is worth 2 points, but its cases' points add up to 3",
    ),
    (
        "notebook",
        "files:\n    - points.csv",
        "files:\n    - point.csv",
        r"lists 'point\.csv' under files:, but there is no .*point\.csv \(make_data\.py ran and did not write it\)",
    ),
    (
        "notebook",
        'np.loadtxt("points.csv"',
        'np.loadtxt("other.csv"',
        r"the solution fails in cell \d+: FileNotFoundError: .*add other\.csv to .* and list it under `files:`",
    ),
    (
        "notebook",
        "name: linear_regression\n",
        "name: linear\n",
        r"names it 'linear', but its folder is 'linear_regression'",
    ),
    (
        "notebook",
        "# END QUESTION",
        "# END QUESTIONS",
        r"question linear_model has no END QUESTION cell|BEGIN QUESTION inside question",
    ),
    ("assignment.yml", "order: 1", "order: first", r"assignment\.yml: order must be a whole number"),
]


@pytest.mark.parametrize(("where", "old", "new", "message"), MISTAKES, ids=[m[3][:40] for m in MISTAKES])
def test_a_mistake_in_the_instructors_files_names_the_file_and_the_fix(tmp_path, where, old, new, message):
    assignment = _project(tmp_path)
    if where == "notebook":
        _edit_notebook(assignment.source_notebook, old, new)
    else:
        _edit(assignment.source_dir / where, old, new)
    result = CliRunner().invoke(
        main, ["--root", str(assignment.root), "release", assignment.name, "--no-otter-check", "--no-mutation"]
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert re.search(message, result.output.replace("\n", " ")), result.output


def test_the_readme_lists_the_course_in_teaching_order():
    from autograder.course import course_markdown

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- assignments:start", 1)[1].split("-->", 1)[1].split("<!-- assignments:end -->", 1)[0]
    stale = (
        "README.md's list of the course is stale: run `.venv/bin/autograder course --markdown` and paste its "
        "output between the `<!-- assignments:start ... -->` and `<!-- assignments:end -->` lines "
        "(docs/authoring.md, 'Adding the lesson to the course')"
    )
    assert block.strip() == course_markdown(PROJECT), stale
    assert len(Assignment.all(PROJECT)) == block.count("\n| ") - 1, stale


def test_every_assignment_has_an_honest_corpus():
    from tests.corpus import CORPORA

    missing = [assignment.name for assignment in Assignment.all(PROJECT) if assignment.name not in CORPORA]
    assert missing == [], (
        f"make test grades no submission of {', '.join(missing)}: write tests/corpus/<name>.py defining CORPUS = "
        "Corpus(...) "
        "(see tests/corpus/kmeans.py) and add it to CORPORA in tests/corpus/__init__.py (docs/authoring.md, 'Adding "
        "the lesson to the course')"
    )
