"""One release shared by the whole session, built in a temporary project copy."""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from filelock import FileLock

from autograder.assignment import Assignment
from autograder.release import ReleaseReport, release

PROJECT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "logistic_regression"


@pytest.fixture(scope="session")
def released(request, tmp_path_factory) -> tuple[Assignment, ReleaseReport]:
    """Release the assignment from a copy of assignments/ and solutions/ (validated with otter run).

    Under xdist the first worker releases and the others load its report.
    """
    if not hasattr(request.config, "workerinput"):
        return _release_into(tmp_path_factory.mktemp("project"))
    shared = tmp_path_factory.getbasetemp().parent
    with FileLock(str(shared / "release.lock")):
        record = shared / "release.pickle"
        if not record.is_file():
            record.write_bytes(pickle.dumps(_release_into(shared / "project")))
        return pickle.loads(record.read_bytes())


def _release_into(root: Path) -> tuple[Assignment, ReleaseReport]:
    shutil.copytree(PROJECT / "assignments", root / "assignments")
    # The committed solutions let release skip re-executing an unchanged solution.
    shutil.copytree(PROJECT / "solutions", root / "solutions")
    assignment = Assignment.find(ASSIGNMENT, root)
    return assignment, release(assignment, validate=True)


@pytest.fixture(scope="session")
def assignment(released) -> Assignment:
    return released[0]


@pytest.fixture(scope="session")
def student_template(assignment) -> Path:
    return assignment.student_dir / f"{ASSIGNMENT}.ipynb"
