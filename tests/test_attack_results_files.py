"""Attack: OUT/results edited by hand between runs (a renamed backup, a broken file, a stale copy).

A result counts only at its own name. Before, a renamed copy was reused in place of the missing
file (its feedback page never came back) and a broken results file stayed broken on every run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder.grading.batch import GradeOptions, grade_paths

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "submissions" / "logistic_regression"
OPTIONS = GradeOptions(workers=1)  # two notebooks: one warm worker costs less than two


def test_a_result_counts_only_at_its_own_name(releases, tmp_path):
    assignment, _ = releases("logistic_regression")
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(EXAMPLES / "correct_course_style.ipynb", folder / "alice.ipynb")
    shutil.copy(EXAMPLES / "loss_no_clamp.ipynb", folder / "bob.ipynb")
    out = tmp_path / "out"
    first = {grade.file: grade.scores for grade in grade_paths([folder], assignment, out, options=OPTIONS).grades}
    results = out / "results"
    (results / "alice.ipynb.json").rename(results / "backup_alice.json")
    (out / "feedback" / "alice.ipynb.html").unlink()
    shutil.copy(results / "bob.ipynb.json", results / "bob_copy.json")
    (results / "bob.ipynb.json").write_text("{broken", encoding="utf-8")
    stale = json.loads((results / "backup_alice.json").read_text(encoding="utf-8"))
    stale["extra_data"]["kit"]["scores"] = dict.fromkeys(stale["extra_data"]["kit"]["scores"], 0.0)
    (results / "zz_stale.json").write_text(json.dumps(stale), encoding="utf-8")

    report = grade_paths([folder], assignment, out, options=OPTIONS)

    assert (report.graded, report.reused) == (2, 0)
    assert {grade.file: grade.scores for grade in report.grades} == first
    assert (
        json.loads((results / "bob.ipynb.json").read_text(encoding="utf-8"))["extra_data"]["kit"]["file"] == "bob.ipynb"
    )
    assert (results / "alice.ipynb.json").is_file() and (out / "feedback" / "alice.ipynb.html").is_file()
    rows = (out / "final_grades.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[0] for row in rows[2:]] == ["alice.ipynb", "bob.ipynb"]
    assert rows[2].split(",")[5] == "10.0", "the stale copy's zeros must not reach the gradebook"
