"""What release checks in a lesson an instructor grows from `autograder new`: the solution passes its own
public tests, and the zip installs every package the notebook and its cases import."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import main


def _new(root: Path, name: str) -> Path:
    """``autograder new NAME`` under ``root``; returns the assignment's folder."""
    result = CliRunner().invoke(main, ["--root", str(root), "new", name])
    assert result.exit_code == 0, result.output
    return root / "assignments" / name


def _edit_cell(notebook: Path, start: str, change) -> None:
    """Replace the source of the one cell that starts with ``start`` with ``change(source)``."""
    book = nbformat.read(notebook, as_version=4)
    [cell] = [cell for cell in book.cells if cell.source.startswith(start)]
    cell.source = change(cell.source)
    nbformat.write(book, notebook)


@pytest.mark.slow
def test_a_release_whose_solution_fails_its_own_public_test_fails(tmp_path):
    folder = _new(tmp_path, "quiz")
    # A public check that rejects the solution's value: at 0 points it cost no score, and release was green.
    _edit_cell(
        folder / "quiz.ipynb",
        "def test_standardize_small",
        lambda source: (
            source + '\n    assert out.sum() > 1, "公开检查拒绝了参考解 / a public check that rejects the solution"'
        ),
    )
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "release", "quiz", "--no-mutation"])
    assert result.exit_code == 1, result.output
    assert "the solution fails its own public tests" in result.output
    assert "a public check that rejects the solution" in result.output, "Otter's report names the failing check"


# Imports the zip would not install ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "source", "missing"),
    [
        (["torch==2.13.0", "numpy"], "import torch\nimport matplotlib.pyplot as plt", ["matplotlib"]),
        (["torch==2.13.0", "numpy", "matplotlib"], "import torch\nimport matplotlib.pyplot as plt", []),
        (["numpy"], "from sklearn.datasets import load_digits\nimport yaml", ["sklearn", "yaml"]),
        (
            ["scikit-learn", "PyYAML"],
            "from sklearn.datasets import load_digits\nimport yaml",
            [],
        ),  # import names differ from the packages'
        (["scikit-learn"], "import scipy.linalg", []),  # scikit-learn installs SciPy
        (
            ["numpy"],
            "import json, os\nfrom collections import Counter\nimport diagnoses",
            [],
        ),  # the standard library and the lesson's own module
        (["--extra-index-url https://download.pytorch.org/whl/cpu", "torch==2.13.0+cpu"], "import torch.nn as nn", []),
    ],
)
def test_an_import_no_requirement_installs_is_named(listed, source, missing):
    from autograder.release.requirements import unlisted_imports

    assert unlisted_imports(listed, [source], local=["diagnoses"]) == missing


def test_new_lists_every_package_its_notebook_and_cases_import(tmp_path):
    import yaml

    from autograder.release.requirements import unlisted_imports

    folder = _new(tmp_path, "quiz")
    listed = yaml.safe_load((folder / "assignment.yml").read_text(encoding="utf-8"))["requirements"]
    code = [
        cell.source for cell in nbformat.read(folder / "quiz.ipynb", as_version=4).cells if cell.cell_type == "code"
    ]
    assert "torch==2.13.0" in listed
    assert unlisted_imports(listed, [*code, (folder / "cases.py").read_text(encoding="utf-8")]) == []


@pytest.mark.slow
def test_release_warns_of_an_import_the_requirements_miss(tmp_path):
    import zipfile

    folder = _new(tmp_path, "quiz")
    _edit_cell(folder / "quiz.ipynb", "import torch", lambda source: source + "\nimport matplotlib.pyplot as plt")
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "release", "quiz", "--no-otter-check", "--no-mutation"])
    assert result.exit_code == 0, result.output
    assert "warning: the notebook or its cases import matplotlib, which" in result.output
    assert "list the package under `requirements:`" in result.output
    with zipfile.ZipFile(tmp_path / "dist" / "quiz-autograder.zip") as archive:
        assert "matplotlib" not in archive.read("environment.yml").decode(), "the warning is about a real gap"


# Autograded and written points ----------------------------------------------------------------------


def _table(written: dict) -> list[str]:
    from types import SimpleNamespace

    from autograder.release.pipeline import ReleaseReport
    from autograder.release.summary import release_table

    root = Path("/course")
    assignment = SimpleNamespace(
        name="lesson",
        root=root,
        student_dir=root / "student_template/lesson",
        solution_dir=root / "solutions/lesson",
        zip_path=root / "dist/lesson-autograder.zip",
        student_zip_path=root / "dist/lesson-student.zip",
    )
    points = {"sigmoid": 2.0, "train": 8.0}
    report = ReleaseReport(assignment, points, dict(points), {"sigmoid": 0.0, "train": 0.0}, written=written)
    return release_table(report).splitlines()


def _row(lines: list[str], first: str) -> list[str]:
    return next(line for line in lines if line.startswith(first + " ")).split()


def test_the_release_table_counts_written_questions_apart_and_in_the_total():
    lines = _table({"why_clamp": 1.0})
    assert _row(lines, "why_clamp")[:3] == ["why_clamp", "1", "written"]
    assert _row(lines, "autograded")[:4] == ["autograded", "10", "10", "0"]
    assert _row(lines, "written")[:2] == ["written", "1"]
    assert _row(lines, "total") == ["total", "11"], "the total the feedback pages and students.csv count"
    assert (
        "10 points autograded (final_grades.csv is Otter's gradebook of these alone) + 1 written, marked by TAs in "
        "OUT/written/ = 11" in "\n".join(lines)
    )


def test_a_lesson_without_written_questions_keeps_one_total_row():
    lines = _table({})
    assert _row(lines, "total") == ["total", "10", "10", "0"]
    assert not any(line.startswith(("autograded ", "written ")) for line in lines)


def test_the_old_spelling_of_no_otter_check_still_works_and_says_what_to_write(tmp_path):
    folder = _new(tmp_path, "quiz")
    cases = (folder / "cases.py").read_text(encoding="utf-8")
    (folder / "cases.py").write_text(cases[: cases.index("CASES = [")] + "CASES = []\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "release", "quiz", "--no-validate", "--no-mutation"])
    assert result.exit_code == 1, "the release ran past the deprecated flag to its own check"
    assert "--no-validate is deprecated" in result.output and "write --no-otter-check" in result.output
    assert "question standardize has no hidden case" in result.output.replace("\n", " ")


def test_a_question_without_a_hidden_case_is_refused_before_anything_runs(tmp_path):
    folder = _new(tmp_path, "quiz")
    cases = (folder / "cases.py").read_text(encoding="utf-8")
    (folder / "cases.py").write_text(cases[: cases.index("CASES = [")] + "CASES = []\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "release", "quiz", "--no-otter-check", "--no-mutation"])
    assert result.exit_code == 1
    assert (
        "cases.py: question standardize has no hidden case, and its public tests carry 0 points, so every submission "
        "(the solution too) would earn 0 of 2" in result.output.replace("\n", " ")
    )
