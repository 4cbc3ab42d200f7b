"""Attack: take over another student's row with a typed student number and a forged export time.

Where the LMS gives no name (a folder of notebooks or export zips collected by hand), a file's
student is the number its identity cell declares, and of two files claiming one student the one
with the later time counts; with no times file that time is ``exported_at`` from the zip's
``identity.json``, the student's own clock, freely edited. So a classmate submits a blank notebook
claiming the victim's number, exported "in 2099": it becomes the victim's counted submission
(0 points, in students.csv and the Canvas/Moodle exports), the victim's full marks move to "other
files", and nothing on the row says two files disputed it.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.grading.batch import GradeOptions, grade_paths
from autograder.grading.records.class_settings import ClassSettings

pytestmark = pytest.mark.slow

VICTIM, ATTACKER = "2024001", "2024002"


def _with_identity(notebook: nbformat.NotebookNode, name: str, student_id: str) -> nbformat.NotebookNode:
    for cell in notebook.cells:
        if cell.cell_type == "code" and "STUDENT_ID = " in cell.source:
            cell.source = cell.source.replace('STUDENT_NAME = ""', f'STUDENT_NAME = "{name}"').replace(
                'STUDENT_ID = ""', f'STUDENT_ID = "{student_id}"'
            )
    return notebook


def test_a_classmate_cannot_replace_the_submission_that_counts_for_a_student(releases, tmp_path):
    assignment, _ = releases("logistic_regression")
    folder = tmp_path / "submissions"
    folder.mkdir()
    solved = Path(__file__).parents[1] / "examples/submissions/logistic_regression/correct_course_style.ipynb"
    nbformat.write(_with_identity(nbformat.read(solved, as_version=4), "Victim", VICTIM), folder / "victim.ipynb")
    blank = _with_identity(
        nbformat.read(assignment.student_dir / "logistic_regression.ipynb", as_version=4), "Victim", VICTIM
    )
    with zipfile.ZipFile(folder / "attacker.zip", "w") as archive:
        archive.writestr("logistic_regression.ipynb", nbformat.writes(blank))
        archive.writestr(
            "identity.json",
            json.dumps({"name": "Victim", "student_id": VICTIM, "exported_at": "2099-01-01T00:00:00+08:00"}),
        )
    roster = tmp_path / "roster.csv"
    roster.write_text(f"student_id,name\n{VICTIM},Victim\n{ATTACKER},Attacker\n", encoding="utf-8")
    out = tmp_path / "out"

    grade_paths(
        [folder],
        assignment,
        out,
        options=GradeOptions(workers=1, timeout=60),
        settings=ClassSettings(roster=str(roster), exports=("canvas",)),
    )

    rows = {
        row["student_id"]: row
        for row in csv.DictReader(io.StringIO((out / "students.csv").read_text(encoding="utf-8-sig")))
    }
    victim = rows[VICTIM]
    assert float(victim["total"]) == 10.0 or victim["note"], (
        f"the victim's row counts {victim['file']} for {victim['total']} points, with no note"
    )


def test_a_folder_a_student_made_inside_their_moodle_folder_does_not_name_another_student(releases, tmp_path):
    """Moodle keeps the folders a student creates in their submission area. ``lms_name`` takes the
    innermost folder that looks like Moodle's, so a student's own subfolder named like a classmate's
    Moodle folder outranks the folder Moodle made (the authenticated one): the file counts as the
    classmate's, and, exported "in 2099", replaces the classmate's own submission."""
    assignment, _ = releases("logistic_regression")
    download = tmp_path / "moodle-download"
    victim = download / "Bob Victim_222_assignsubmission_file_"
    spoof = download / "Alice Attacker_111_assignsubmission_file_" / "Bob Victim_222_assignsubmission_file_"
    victim.mkdir(parents=True)
    spoof.mkdir(parents=True)
    solved = Path(__file__).parents[1] / "examples/submissions/logistic_regression/correct_course_style.ipynb"
    nbformat.write(nbformat.read(solved, as_version=4), victim / "logistic_regression.ipynb")
    blank = nbformat.read(assignment.student_dir / "logistic_regression.ipynb", as_version=4)
    with zipfile.ZipFile(spoof / "logistic_regression.zip", "w") as archive:
        archive.writestr("logistic_regression.ipynb", nbformat.writes(blank))
        archive.writestr(
            "identity.json", json.dumps({"name": "", "student_id": "", "exported_at": "2099-01-01T00:00:00+08:00"})
        )
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"student_id,name,participant id\n{VICTIM},Bob Victim,222\n{ATTACKER},Alice Attacker,111\n", encoding="utf-8"
    )
    out = tmp_path / "out"

    grade_paths(
        [download],
        assignment,
        out,
        options=GradeOptions(workers=1, timeout=60),
        settings=ClassSettings(roster=str(roster), exports=("moodle",)),
    )

    rows = {
        row["student_id"]: row
        for row in csv.DictReader(io.StringIO((out / "students.csv").read_text(encoding="utf-8-sig")))
    }
    assert not rows[VICTIM]["file"].startswith("Alice Attacker_111_"), (
        f"Alice's upload counts as Bob's: {rows[VICTIM]['file']} ({rows[VICTIM]['total']} points)"
    )
