"""Attack: an export zip whose ``identity.json`` says it was exported in year 1.

``about._export_identity`` keeps ``exported_at`` once ``datetime.fromisoformat`` accepts it; the
class view then reads it with ``late.parse_time``, whose ``_aware`` calls ``astimezone()`` on a
naive time. For "0001-01-01T00:00:00" that raises ValueError ("year 0 is out of range") outside any
per-file boundary: ``grade_paths`` dies after the results are written, the index, gradebook by
student, summary, similarity page and exports are not rebuilt, and since the class view is rebuilt
from every result in OUT, every later run or ``merge`` into that OUT dies the same way.
"""

from __future__ import annotations

import json
import zipfile

import nbformat
import pytest

from autograder.grading.batch import GradeOptions, grade_paths

pytestmark = pytest.mark.slow


def test_an_exported_at_out_of_range_does_not_stop_the_class_view(releases, tmp_path):
    assignment, _ = releases("logistic_regression")
    blank = nbformat.read(assignment.student_dir / "logistic_regression.ipynb", as_version=4)
    folder = tmp_path / "submissions"
    folder.mkdir()
    with zipfile.ZipFile(folder / "year_one.zip", "w") as archive:
        archive.writestr("logistic_regression.ipynb", nbformat.writes(blank))
        archive.writestr(
            "identity.json", json.dumps({"name": "x", "student_id": "1", "exported_at": "0001-01-01T00:00:00"})
        )
    out = tmp_path / "out"

    grade_paths([folder], assignment, out, options=GradeOptions(workers=1, timeout=60))  # ValueError today

    assert (out / "students.csv").is_file()
    assert (out / "index.html").is_file()
