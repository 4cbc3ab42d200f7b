"""Bugs a TA found using `autograder grade` / `autograder merge` on a class laid out as a Moodle download.

One small class (two Moodle download folders, each holding ``lr.ipynb``) is graded once; every test
works on a copy of its output folder. Each test fails today because of the bug its docstring names.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner, Result

from autograder.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "submissions" / "logistic_regression"
WANGWU = "moodle/王五_1003_assignsubmission_file_/lr.ipynb"
ZHAOLIU = "moodle/赵六_1004_assignsubmission_file_/lr.ipynb"
ROSTER = "学号,姓名,lms_id\n2023003,王五,1003\n2023004,赵六,1004\n"


def _notebook(source: str, target: Path, *, name: str, student_id: str) -> None:
    notebook = nbformat.read(EXAMPLES / source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and "STUDENT_ID = " in cell.source:
            cell.source = re.sub(r'STUDENT_NAME = ".*"', f'STUDENT_NAME = "{name}"', cell.source)
            cell.source = re.sub(r'STUDENT_ID = ".*"', f'STUDENT_ID = "{student_id}"', cell.source)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)


def _run(root: Path, *args) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *map(str, args)], catch_exceptions=False)


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def moodle_class(releases, shared):
    """(assignment, download folder, its parent, OUT) of one graded Moodle download, once a session."""
    assignment, _ = releases("logistic_regression")
    return shared.get("class-options-moodle", lambda base: _grade_moodle_download(assignment, base))


def _grade_moodle_download(assignment, base: Path):
    folder = base / "download"
    _notebook("train_rebinds_w.ipynb", folder / WANGWU, name="王五", student_id="2023003")
    _notebook("correct_course_style.ipynb", folder / ZHAOLIU, name="赵六", student_id="2023004")
    roster = base / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = base / "out"
    result = _run(assignment.root, "grade", folder, "-a", "logistic_regression", "-o", out, "--roster", roster)
    assert result.exit_code == 0, result.output
    return assignment, folder, base, out


@pytest.fixture
def out(moodle_class, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(moodle_class[3], copy)
    return copy


def test_regrading_one_file_of_an_lms_download_updates_its_row(moodle_class, out):
    """README: "grading one file into a class's folder updates its row and keeps all others".

    Regrading 王五's file by its path names it ``lr.ipynb`` (the folder that says whose it is is
    dropped), so it lands in a new ``results/lr.ipynb.json`` and a new gradebook row instead of
    updating ``moodle/王五_1003_.../lr.ipynb``; regrading 赵六's ``lr.ipynb`` next would overwrite it."""
    assignment, folder, _, _ = moodle_class
    result = _run(assignment.root, "grade", folder / WANGWU, "-a", "logistic_regression", "-o", out, "--force")
    assert result.exit_code == 0, result.output
    files = [row["file"] for row in _rows(out / "final_grades.csv")[1:]]
    assert sorted(files) == sorted([WANGWU, ZHAOLIU]), files
    assert len(list((out / "results").glob("*.json"))) == 2


def test_a_bad_times_file_is_refused_before_it_is_remembered(moodle_class, out):
    """A times CSV with a bad date is read only after every file is graded (and the saved settings
    are written): class.json keeps pointing at the bad file, so every later `grade` or `merge` into
    this folder fails with the same error, even without --times."""
    assignment, folder, _, _ = moodle_class
    bad = out.parent / "bad_times.csv"  # this test's own folder: the graded class is shared
    bad.write_text("student_id,submitted\n2023003,2026-13-45 25:00\n", encoding="utf-8")
    failed = _run(assignment.root, "grade", folder, "-a", "logistic_regression", "-o", out, "--times", bad)
    assert failed.exit_code != 0 and "bad_times.csv, line 2" in failed.output, failed.output
    assert "bad_times" not in (out / "class.json").read_text(encoding="utf-8"), (
        "a file that cannot be read is remembered"
    )
    again = _run(assignment.root, "grade", folder, "-a", "logistic_regression", "-o", out)
    assert again.exit_code == 0, again.output


def test_a_roster_that_is_not_csv_is_not_remembered(moodle_class, out):
    """`merge --roster class.xlsx` fails with a clear message, but class.json already records the
    workbook, so every later `merge`/`grade` into OUT fails until the TA edits class.json."""
    assignment, _, _, _ = moodle_class
    workbook = out.parent / "class.xlsx"
    workbook.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(32, 120)))
    failed = _run(assignment.root, "merge", "-a", "logistic_regression", "-o", out, "--roster", workbook)
    assert failed.exit_code != 0 and "class.xlsx" in failed.output, failed.output
    assert json.loads((out / "class.json").read_text(encoding="utf-8"))["roster"].endswith("roster.csv")
    again = _run(assignment.root, "merge", "-a", "logistic_regression", "-o", out)
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize(
    "option, value",
    [("--late-policy", "penalty=0.1,per=days"), ("--late-policy", "penatly=0.1"), ("--due", "Dec 1 2026")],
)
def test_a_late_policy_typo_names_the_option_not_assignment_yml(moodle_class, out, option, value):
    """A typo in --late-policy or --due is reported as a mistake in
    assignments/<name>/assignment.yml (which has no `late:` at all), sending the TA to the wrong file."""
    assignment, folder, _, _ = moodle_class
    args = ["--due", "2026-12-01T23:59:00+08:00"] if option != "--due" else []
    result = _run(assignment.root, "grade", folder, "-a", "logistic_regression", "-o", out, option, value, *args)
    assert result.exit_code != 0
    assert option in result.output and "assignment.yml" not in result.output, result.output
