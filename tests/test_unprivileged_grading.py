"""``autograder grade`` run by an ordinary user, as most TAs run it (CI runs as root: the test drops to a plain uid).

Both modes a non-root user can get grade honest submissions to exactly the
scores root gives, and the run says at start which mode is in force.
"""
from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import main
from tests.corpus.honest import build_notebook, submission
from tests.unprivileged import as_user, give_tree, needs_root

pytestmark = [pytest.mark.slow, needs_root]
SUBMISSIONS = {"correct_course_style": 10.0, "loss_no_clamp": 9.5}


@pytest.mark.parametrize("mode, said", [("rootless", "sandbox: rootless isolation"), ("reduced", "sandbox: REDUCED MODE (AUTOGRADER_SANDBOX=reduced is set)")])
def test_an_ordinary_user_grades_honest_work_to_its_scores(assignment, student_template, mode, said):
    folder = Path(tempfile.mkdtemp(prefix=f"ta-{mode}-", dir="/tmp"))
    try:
        shutil.copytree(assignment.root, folder / "project", ignore=shutil.ignore_patterns(".venv"))
        for name in SUBMISSIONS:
            (folder / "submissions").mkdir(exist_ok=True)
            nbformat.write(build_notebook(submission(name), student_template), folder / "submissions" / f"{name}.ipynb")
        give_tree(folder)

        def grade() -> dict:
            if mode == "reduced":
                os.environ["AUTOGRADER_SANDBOX"] = "reduced"  # in this forked child only
            ran = CliRunner().invoke(main, ["--root", str(folder / "project"), "grade", str(folder / "submissions"), "-a", assignment.name, "-o", str(folder / "out"), "--timeout", "60"])
            return {"exit_code": ran.exit_code, "output": ran.output}

        outcome = as_user(grade, timeout=600)
        assert outcome.result is not None, outcome.problem
        assert outcome.result["exit_code"] == 0, outcome.result["output"]
        assert said in outcome.result["output"]
        with open(folder / "out" / "final_grades.csv", newline="", encoding="utf-8") as handle:
            rows = {row["file"]: row for row in csv.DictReader(handle)}
        assert {name: (float(rows[f"{name}.ipynb"]["total_points_earned"]), rows[f"{name}.ipynb"]["grading_status"]) for name in SUBMISSIONS} == {name: (total, "Completed") for name, total in SUBMISSIONS.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
