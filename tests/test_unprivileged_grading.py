"""``autograder grade`` run by an ordinary user, as most TAs run it (CI runs as root: the test drops to a plain uid).

Both modes a non-root user can get grade honest submissions to exactly the
scores root gives, and the run says at start which mode is in force.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.sandbox.interpreter_access import interpreter_problem
from tests.corpus.honest import build_notebook, submission
from tests.unprivileged import TEST_UID, as_user, deny_search, give_tree, needs_root

pytestmark = [pytest.mark.slow, needs_root]
SUBMISSIONS = {"correct_course_style": 10.0, "loss_no_clamp": 9.5}


@pytest.mark.parametrize(
    "mode, said",
    [
        ("rootless", "sandbox: rootless isolation"),
        ("reduced", "sandbox: REDUCED MODE (AUTOGRADER_SANDBOX=reduced is set)"),
    ],
)
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
            ran = CliRunner().invoke(
                main,
                [
                    "--root",
                    str(folder / "project"),
                    "grade",
                    str(folder / "submissions"),
                    "-a",
                    assignment.name,
                    "-o",
                    str(folder / "out"),
                    "--timeout",
                    "60",
                ],
            )
            return {"exit_code": ran.exit_code, "output": ran.output}

        outcome = as_user(grade, timeout=600)
        assert outcome.result is not None, outcome.problem
        assert outcome.result["exit_code"] == 0, outcome.result["output"]
        assert said in outcome.result["output"]
        with open(folder / "out" / "final_grades.csv", newline="", encoding="utf-8") as handle:
            rows = {row["file"]: row for row in csv.DictReader(handle)}
        assert {
            name: (float(rows[f"{name}.ipynb"]["total_points_earned"]), rows[f"{name}.ipynb"]["grading_status"])
            for name in SUBMISSIONS
        } == {name: (total, "Completed") for name, total in SUBMISSIONS.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_python_the_ta_cannot_run_is_named_with_the_permission_it_lacks(assignment, student_template):
    """An administrator's install whose interpreter sits in a folder the TA cannot enter: grade once ended
    with "exit code 255 (its error is printed above)" and nothing printed; it now says which folder and why."""
    folder = Path(tempfile.mkdtemp(prefix="ta-locked-", dir="/tmp"))
    closed = Path(os.path.realpath(sys.executable)).parent
    try:
        shutil.copytree(assignment.root, folder / "project", ignore=shutil.ignore_patterns(".venv"))
        (folder / "submissions").mkdir()
        nbformat.write(
            build_notebook(submission("correct_course_style"), student_template), folder / "submissions" / "one.ipynb"
        )
        give_tree(folder)

        def grade() -> dict:
            ran = CliRunner().invoke(
                main,
                [
                    "--root",
                    str(folder / "project"),
                    "grade",
                    str(folder / "submissions"),
                    "-a",
                    assignment.name,
                    "-o",
                    str(folder / "out"),
                ],
            )
            return {"exit_code": ran.exit_code, "output": ran.output}

        outcome = as_user(grade, prepare=lambda: deny_search(closed), timeout=300)
        assert outcome.result is not None, outcome.problem
        assert outcome.result["exit_code"] == 1
        said = " ".join(outcome.result["output"].split())  # the terminal's line breaks
        assert (
            f"{closed} (mode drwx------, owner root, uid 0) gives this user (uid {TEST_UID}) no search (x) permission, "
            f"so it cannot run {sys.executable}" in said
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _locked(tmp_path: Path) -> dict[str, Path]:
    """An interpreter in a folder only root enters, one not executable, an installation only root reads, and a usable
    one."""
    layout = {
        "closed folder": tmp_path / "closed" / "bin" / "python",
        "not executable": tmp_path / "open" / "python-noexec",
        "usable": tmp_path / "open" / "python",
    }
    for path in layout.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
    layout["closed folder"].chmod(0o755)
    layout["usable"].chmod(0o755)
    layout["not executable"].chmod(0o644)
    (tmp_path / "closed").chmod(0o700)
    layout["unreadable installation"] = tmp_path / "install"
    layout["unreadable installation"].mkdir(mode=0o700)
    os.chmod(tmp_path, 0o755)
    return layout


@pytest.mark.parametrize(
    "case, expected",
    [
        (
            "closed folder",
            "{root}/closed (mode drwx------, owner root, uid 0) gives this user (uid {uid}) no search (x) permission, "
            "so it cannot run {root}/closed/bin/python.",
        ),
        (
            "not executable",
            "{root}/open/python-noexec (mode -rw-r--r--, owner root, uid 0) gives this user (uid {uid}) no execute (x) "
            "permission, so it cannot run {root}/open/python-noexec.",
        ),
        (
            "unreadable installation",
            "{root}/install (mode drwx------, owner root, uid 0) gives this user (uid {uid}) no read and search (r-x) "
            "permission, so it cannot read {root}/install.",
        ),
        ("usable", None),
    ],
)
def test_what_stops_an_ordinary_user_from_running_the_workers_python(case, expected):
    root = Path(tempfile.mkdtemp(prefix="interpreter-", dir="/tmp"))
    try:
        layout = _locked(root)
        executable, installations = (
            (layout["usable"], (str(layout[case]),)) if case == "unreadable installation" else (layout[case], ())
        )
        outcome = as_user(lambda: {"problem": interpreter_problem(str(executable), installations)}, timeout=60)
        problem = outcome.result["problem"]
        if expected is None:
            assert problem is None
        else:
            assert problem.startswith(expected.format(root=root, uid=TEST_UID)), problem
    finally:
        shutil.rmtree(root, ignore_errors=True)
