"""One release shared by the whole session, built in a temporary project copy."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.assignment import Assignment
from autograder.release import ReleaseReport, release

PROJECT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "logistic_regression"


@pytest.fixture(scope="session")
def released(tmp_path_factory) -> tuple[Assignment, ReleaseReport]:
    """Release the assignment from a copy of assignments/ and data/ (validated with otter run)."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(PROJECT / "assignments", root / "assignments")
    shutil.copytree(PROJECT / "data", root / "data")
    assignment = Assignment.find(ASSIGNMENT, root)
    return assignment, release(assignment, validate=True)


@pytest.fixture(scope="session")
def assignment(released) -> Assignment:
    return released[0]


@pytest.fixture(scope="session")
def student_template(assignment) -> Path:
    return assignment.student_dir / f"{ASSIGNMENT}.ipynb"
