"""What Canvas and Moodle do with a grade import CSV, column by column, as their importers do it.

Canvas: ``app/models/gradebook_importer.rb`` (``GradebookImporter``), with ``Assignment.title_and_id``.
Moodle: ``grade/import/csv/classes/load_data.php`` (``gradeimport_csv_load_data``) and
``grade/import/lib.php`` (``grade_import_commit``). Each function reads a file as that LMS would,
applies it to the grades and feedback the LMS already holds, and returns the result, or raises
``Refused`` where the LMS would stop the import; so a test can assert a file imports without edits
and erases nothing it should not.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field


class Refused(AssertionError):
    """The LMS would stop this import, or import it wrongly, for the reason given."""


@dataclass
class CanvasCourse:
    """A Canvas course as its importer sees it: students by Canvas user id, with SIS user id and login,
    assignments by id, and the scores already entered (user id → score)."""

    students: dict[str, tuple[str, str, str]]  # user id → (name, SIS user id, SIS login id)
    assignments: dict[str, str]  # assignment id → title
    scores: dict[str, str] = field(default_factory=dict)


def canvas_import(text: str, course: CanvasCourse) -> tuple[str, dict[str, str]]:
    """The id of the assignment ``text`` fills and the scores after the import (user id → score, "" for none).

    Raises:
        Refused: an invalid header row, a column that would become a new assignment, a row Canvas
            cannot place (it would add an unknown student), a score that is no number, a student twice.
    """
    rows = list(csv.reader(io.StringIO(text)))
    if len({len(row) for row in rows[:3]}) != 1:
        raise Refused("Canvas guesses the delimiter from the first lines having one number of fields")
    header = rows[0]
    # row_has_student_headers? / update_column_count / last_student_info_column
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        raise Refused(f"invalid header row: {header[:2]}")
    info = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        info += 1
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        info += 2
    if "Section" not in header[info - 1]:
        raise Refused(f"invalid header row: column {info} must be Section, is {header[info - 1]!r}")
    assignments = header[info:]
    if len(assignments) != 1:
        raise Refused(f"expected one assignment column, got {assignments}")
    match = re.fullmatch(r"(.*)\s\((\d+)\)", assignments[0])  # Assignment.title_and_id
    assignment = (
        match.group(2)
        if match and match.group(2) in course.assignments
        else next((id_ for id_, title in course.assignments.items() if title == assignments[0]), None)
    )
    if assignment is None:
        raise Refused(f"{assignments[0]!r} matches no assignment: Canvas would create a new one")
    scores, seen = dict(course.scores), set()
    for row in rows[1:]:
        if "Points Possible" in row[0] or all(
            re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", cell, re.I) for cell in row
        ):
            continue
        student = _canvas_student(row, course, sis=info >= 5)
        if student in seen:
            raise Refused(f"{row[0]} appears twice: the later row wins without a word")
        seen.add(student)
        score = row[info].strip()
        if score not in ("", "-", "EX") and not re.fullmatch(r"-?[0-9]+(?:[.,][0-9]+)?%?", score):
            raise Refused(f"{row[0]}: score {score!r} is no number")
        scores[student] = "" if score == "-" else score
    return assignment, scores


def _canvas_student(row: list[str], course: CanvasCourse, *, sis: bool) -> str:
    """process_student: by Canvas user id, then SIS user id, then SIS login id, then exact name."""
    if row[1].strip() in course.students:
        return row[1].strip()
    for column, index in ((1, 2), (2, 3)) if sis else ():
        found = [
            id_
            for id_, student in course.students.items()
            if row[index].strip() and student[column] == row[index].strip()
        ]
        if found:
            return found[0]
    found = [id_ for id_, student in course.students.items() if student[0] == row[0]]
    if found:
        return found[0]
    raise Refused(f"{row[:4]}: no such student; Canvas would list it as an unknown student")


@dataclass
class MoodleCourse:
    """A Moodle course as its grade import sees it: users by ID number, and each one's grade and feedback."""

    id_numbers: set[str]
    grades: dict[str, str] = field(default_factory=dict)  # ID number → grade ("" for none)
    feedback: dict[str, str] = field(default_factory=dict)  # ID number → feedback


def moodle_import(
    text: str, course: MoodleCourse, *, map_from: str, grade_column: str, feedback_column: str = "Feedback"
) -> MoodleCourse:
    """The course after importing ``text`` with the mapping a TA picks: users mapped from ``map_from``
    ("ID number"), ``grade_column`` to the grade item, ``feedback_column`` to its feedback.

    Raises:
        Refused: a user that does not exist, a blank user cell (Moodle gives the row to the user of
            the row above), a grade that is no number, or a row with a user twice.
    """
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    header = [cell.strip() for cell in rows[0]]  # trim_headers
    for column in (map_from, grade_column, feedback_column):
        if column not in header:
            raise Refused(f"no column {column!r} to map")
    after = MoodleCourse(set(course.id_numbers), dict(course.grades), dict(course.feedback))
    user, seen = None, set()
    for line in rows[1:]:
        if len(line) <= 1:
            continue
        values = {name: value.strip() for name, value in zip(header, line)}
        if values[map_from]:
            if values[map_from] not in course.id_numbers:
                raise Refused(
                    f"user mapping error: no user with ID number {values[map_from]!r}; the whole import stops"
                )
            user = values[map_from]
        elif user is None:
            raise Refused("a row without a user, before any user: the whole import stops")
        else:
            raise Refused(f"a row with a blank {map_from}: Moodle gives it to the user of the row above ({user})")
        if user in seen:
            raise Refused(f"{user} appears twice: the later row wins without a word")
        seen.add(user)
        grade = values[grade_column]
        if grade not in ("", "-") and not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", grade):
            raise Refused(f"{user}: grade {grade!r} is no number (badgrade); the whole import stops")
        after.grades[user] = "" if grade in ("", "-") else grade
        after.feedback[user] = values[feedback_column]  # '' is imported as '': it erases what was there
    return after
