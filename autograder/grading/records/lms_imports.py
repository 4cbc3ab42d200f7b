"""Files an LMS imports as they are: Canvas's gradebook CSV and a CSV for Moodle's "Import grades".

What each LMS does with such a file (read in their importers: Canvas's ``GradebookImporter``,
Moodle's ``gradeimport_csv_load_data`` and ``grade_import_commit``) decides what is written:

- Canvas matches a row's student by its ``ID``, else ``SIS User ID``, else ``SIS Login ID`` (else by an
  exact name), and an assignment column by the id in ``Title (ID)``; a column without one becomes a
  new assignment. A blank or ``-`` score is no score: it clears one already there.
- Moodle maps each row to a user by one column the TA picks (here ``ID number``). A row whose ID
  number is blank is given to the user of the row before it, and one whose user does not exist stops
  the whole import. An empty grade cell clears the grade; an empty feedback cell erases the feedback
  already there, so every row carries feedback.

Rows no roster student claims, and rows the LMS could not place, are left out and listed. A shard's
run leaves out the students it has no file of (another shard may): only ``merge`` writes the class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from autograder import KitError
from autograder.grading.judging.grade import COMPLETED
from autograder.grading.records.class_book import MISSING, UNKNOWN, StudentRow
from autograder.grading.records.exports import csv_text

ZERO = "zero"  # the other choice of ``ClassSettings.missing_grade``: "blank"
CANVAS_COLUMN = re.compile(r"^(.*)\s\((\d+)\)$")  # Canvas's Assignment.title_and_id


class LmsImportError(KitError, ValueError):
    """A setting for an LMS import file that cannot be used."""


@dataclass(frozen=True)
class LmsImport:
    """One LMS import file, the rows it leaves out (each saying why), and what the TA should know."""

    text: str
    left_out: tuple[str, ...] = ()
    note: str = ""


def canvas_import(
    rows: list[StudentRow], *, column: str, possible: float, missing_grade: str = ZERO, shard: bool = False
) -> LmsImport:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, the assignment's
    ``column`` and a Points Possible row."""
    lines = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
        ["Points Possible", "", "", "", "", possible],
    ]
    kept, left_out, note = _placed(
        rows,
        shard=shard,
        key=lambda row: row.lms_id or row.student_id or row.login,
        unplaced="no Canvas ID, SIS user ID or login to match it to a student",
    )
    lines += [
        [row.name, row.lms_id, row.student_id, row.login, row.section, _grade(row, missing_grade)] for row in kept
    ]
    if not CANVAS_COLUMN.match(column):
        note = "; ".join(
            filter(
                None,
                [
                    note,
                    f"the column {column!r} names no Canvas assignment ID, so Canvas adds a new assignment; to fill "
                    "one "
                    'already there, pass --canvas-column "Title (ID)" or set canvas_id in assignment.yml',
                ],
            )
        )
    return LmsImport(csv_text(lines), left_out, note)


def moodle_import(
    rows: list[StudentRow], *, title: str, feedback: Mapping[str, str], missing_grade: str = ZERO, shard: bool = False
) -> LmsImport:
    """A CSV for Moodle's "Import grades: CSV file": map "ID number" to the user (or "Email address",
    written only when every row has one), the assignment's column to its grade item, and "Feedback" to
    its feedback. ``feedback``: file → what the TA and the grader have to say (see ``moodle_feedback``)."""
    kept, left_out, note = _placed(
        rows,
        shard=shard,
        key=lambda row: row.student_id,
        unplaced="no ID number: Moodle would give its grade to the row above it",
    )
    with_email = all(row.email for row in kept)
    lines = [["Full name", "ID number", *(["Email address"] if with_email else []), title, "Feedback"]]
    for row in kept:
        said = feedback.get(row.file, "") if row.file else "未提交 · no submission"
        lines.append(
            [
                row.name,
                row.student_id,
                *([row.email] if with_email else []),
                _grade(row, missing_grade),
                said or "自动评分 · autograded",
            ]
        )
    return LmsImport(csv_text(lines), left_out, note)


def moodle_feedback(
    row: StudentRow,
    *,
    autograded_possible: float,
    manual: Mapping[str, float],
    comments: Mapping[str, Mapping[str, str]],
) -> str:
    """A short, never empty, feedback for Moodle: the autograded score (or why there is none), each
    written mark with the TA's comment, and what lateness cost. ``comments``: question → file → comment."""
    if row.status != COMPLETED and not row.status.startswith(UNKNOWN):
        parts = [f"未能评分 · not graded: {row.status[:120]}"]
    else:
        parts = [
            f"自动评分 {sum(row.scores.values()):g}/{autograded_possible:g} · autograded "
            f"{sum(row.scores.values()):g}/{autograded_possible:g}"
        ]
    for question, points in manual.items():
        if question in row.written:
            comment = " ".join(comments.get(question, {}).get(row.file, "").split())
            parts.append(f"{question} {row.written[question]:g}/{points:g}" + (f": {comment}" if comment else ""))
    if row.late.reason:
        parts.append(row.late.reason)
    return " | ".join(parts)


def lms_import(
    system: str,
    rows: list[StudentRow],
    *,
    settings,
    header: list[str],
    title: str,
    name: str,
    canvas_id: str,
    autograded_possible: float,
    manual: Mapping[str, float],
    comments: Mapping[str, Mapping[str, str]],
    shard: bool,
) -> LmsImport:
    """The import file for ``system`` ("canvas" or "moodle") under the class's ``settings`` (``ClassSettings``:
    the column the TA chose, blank or 0 for missing rows); ``header``: the roster's, as written."""
    if system == "canvas":
        column = canvas_column(header, title=title, name=name, chosen=settings.canvas_column, canvas_id=canvas_id)
        return canvas_import(
            rows,
            column=column,
            possible=autograded_possible + sum(manual.values()),
            missing_grade=settings.missing_grade,
            shard=shard,
        )
    feedback = {
        row.file: moodle_feedback(row, autograded_possible=autograded_possible, manual=manual, comments=comments)
        for row in rows
        if row.file
    }
    return moodle_import(rows, title=title, feedback=feedback, missing_grade=settings.missing_grade, shard=shard)


def canvas_id_of(config: dict, *, where: str) -> str:
    """The Canvas assignment ID an assignment.yml declares (``canvas_id: 4411``), or "".

    Raises:
        LmsImportError: it is not a whole number.
    """
    value = config.get("canvas_id")
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise LmsImportError(
            f"{where}: canvas_id {value!r} is not a Canvas assignment ID; write the number in the assignment's Canvas "
            "address (…/assignments/4411)"
        )
    return str(value).strip()


def canvas_column(header: list[str], *, title: str, name: str, chosen: str = "", canvas_id: str = "") -> str:
    """The assignment's column: the one the TA chose (--canvas-column), else ``title (canvas_id)`` from
    assignment.yml, else the column a Canvas gradebook export used as roster names for it ("Logistic
    regression (4411)"), else ``title`` (which Canvas makes a new assignment)."""
    if chosen:
        return chosen
    if canvas_id:
        return f"{title} ({canvas_id})"
    columns = [cell for cell in header if CANVAS_COLUMN.match(cell)]
    wanted = {title.casefold(), name.casefold(), name.replace("_", " ").casefold()} | {
        part.strip().casefold() for part in title.split("·")
    }
    named = [cell for cell in columns if CANVAS_COLUMN.match(cell).group(1).strip().casefold() in wanted]
    if len(named) == 1:
        return named[0]
    return columns[0] if len(columns) == 1 else title


def _placed(
    rows: list[StudentRow], *, shard: bool, key, unplaced: str
) -> tuple[list[StudentRow], tuple[str, ...], str]:
    """The rows an LMS can place, the others each with why, and a note for a shard's missing students."""
    kept, left_out, elsewhere = [], [], 0
    for row in rows:
        who = f"{row.student_id or '-'} {row.name} ({row.file or 'no file'})"
        if row.status.startswith(UNKNOWN):
            left_out.append(
                f"{who}: no roster student claims it, and an LMS stops at, or misfiles, an ID it does not know"
            )
        elif shard and row.status == MISSING:
            elsewhere += 1
        elif not key(row):
            left_out.append(f"{who}: {unplaced}")
        else:
            kept.append(row)
    note = (
        (
            f"this shard has no file of {elsewhere} roster students, so they are left out (another shard may grade "
            "them); "
            "`autograder merge` writes the class's import files"
        )
        if elsewhere
        else ""
    )
    return kept, tuple(left_out), note


def _grade(row: StudentRow, missing_grade: str):
    """The row's final score; for a student with no submission or a file that could not be graded, 0 or
    a blank as the TA chose (a blank clears a grade already in the LMS)."""
    if row.status == MISSING or row.status != COMPLETED and not row.status.startswith(UNKNOWN):
        return 0.0 if missing_grade == ZERO else ""
    return row.total
