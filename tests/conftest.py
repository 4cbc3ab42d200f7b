"""Work the whole session shares: one release per assignment, one grading of each corpus.

Under xdist the first worker that needs a result computes it and leaves it in
the session's shared folder; the others wait on a file lock and read it. So a
release, an ``otter run`` of a corpus or a grading run happens once per
session, whichever worker asks first.
"""

from __future__ import annotations

import os

# Two xdist workers share two cores: one OpenMP/MKL thread per process (torch's, here and in every
# ``otter run`` a test starts). Oversubscribed torch threads spin: four nn_module ``otter run``s at
# once took 242 s with torch's default threads and 36 s with one. The kit's sandboxes set one
# thread themselves, whatever this says.
for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import json
import pickle
import shutil
from pathlib import Path
from typing import Callable

import pytest
from filelock import FileLock

from autograder.assignment import Assignment
from autograder.release import ReleaseReport, release

PROJECT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "logistic_regression"


def pytest_addoption(parser):
    parser.addoption(
        "--every-entry",
        action="store_true",
        help="compare plain otter run with the kit on every corpus entry, not only the combined-mistake notebooks "
        "(make parity)",
    )


class Shared:
    """Results computed once per session and shared by every xdist worker."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def get(self, key: str, compute: Callable[[Path], object], *, as_json: bool = False):
        """``compute(scratch)``'s value for ``key``, computed by the first worker that asks."""
        record = self.folder / f"{key}.{'json' if as_json else 'pickle'}"
        with FileLock(str(self.folder / f"{key}.lock")):
            if not record.is_file():
                scratch = self.folder / key
                shutil.rmtree(scratch, ignore_errors=True)  # what a failed attempt left: start clean, fail the same way
                scratch.mkdir()
                value = compute(scratch)
                record.write_text(json.dumps(value)) if as_json else record.write_bytes(pickle.dumps(value))
            return json.loads(record.read_text()) if as_json else pickle.loads(record.read_bytes())


@pytest.fixture(scope="session")
def shared(request, tmp_path_factory) -> Shared:
    base = tmp_path_factory.getbasetemp()
    return Shared((base.parent if hasattr(request.config, "workerinput") else base) / "shared")


def release_into(root: Path, name: str) -> tuple[Assignment, ReleaseReport]:
    """Release ``name`` from a copy of its folder (and committed solution, which release reuses when unchanged)."""
    shutil.copytree(PROJECT / "assignments" / name, root / "assignments" / name)
    if (PROJECT / "data").is_dir():  # the course's shared data sets, which assignment.yml names under data:
        shutil.copytree(PROJECT / "data", root / "data")
    if (PROJECT / "solutions" / name).is_dir():
        shutil.copytree(PROJECT / "solutions" / name, root / "solutions" / name)
    assignment = Assignment.find(name, root)
    return assignment, release(assignment, otter_check=True)


@pytest.fixture(scope="session")
def releases(shared) -> Callable[[str], tuple[Assignment, ReleaseReport]]:
    """``releases(name)``: the session's release of assignment ``name`` (validated with otter run)."""
    return lambda name: shared.get(f"release-{name}", lambda scratch: release_into(scratch, name))


@pytest.fixture(scope="session")
def released(releases) -> tuple[Assignment, ReleaseReport]:
    return releases(ASSIGNMENT)


@pytest.fixture(scope="session")
def assignment(released) -> Assignment:
    return released[0]


@pytest.fixture(scope="session")
def student_template(assignment) -> Path:
    return assignment.student_dir / f"{ASSIGNMENT}.ipynb"
