"""Gradebooks people import: the student-keyed CSV, and Canvas's and Moodle's import formats.

Every file is UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens names intact, and
every cell a submission could influence is made inert for spreadsheets.
"""
from __future__ import annotations

import csv
import io
import re

from autograder.grading.class_book import UNKNOWN, StudentRow
from autograder.grading.late import shown_time
from autograder.grading.text import spreadsheet_cell

BOM = "\ufeff"


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return BOM + buffer.getvalue()


def students_csv(rows: list[StudentRow], *, questions: list[str], written: list[str], possible: float, pages: dict[str, str]) -> str:
    """The gradebook by student: identity, every question, raw score, late penalty, total, the submission
    and due times lateness was judged on (in the course's zone), status, page."""
    header = ["student_id", "name", "section", "file", *questions, *written, "raw_score", "late_penalty", "total", "percent", "late", "submitted", "due",
              "status", "note", "other_files", "feedback_page"]
    lines = [header]
    for row in rows:
        lines.append([
            row.student_id, row.name, row.section, row.file,
            *(row.scores.get(q, 0.0) for q in questions), *(row.written.get(q, "") for q in written),
            row.raw, row.penalty, row.total, round(row.total / possible, 4) if possible else 0, row.late.reason,
            *(shown_time(when) if when else "" for when in (row.late.submitted, row.late.due)), row.status, row.note,
            " ".join(row.others), pages.get(row.file, ""),
        ])
    return _csv(lines)


def canvas_csv(rows: list[StudentRow], *, title: str, possible: float) -> str:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, one assignment column
    (``title``; see ``canvas_column``), and a Points Possible row."""
    column = title
    lines = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column], ["Points Possible", "", "", "", "", possible]]
    for row in _importable(rows):
        if row.lms_id or row.student_id:
            lines.append([row.name, row.lms_id, row.student_id, row.login, row.section, row.total])
    return _csv(lines)


def moodle_csv(rows: list[StudentRow], *, title: str) -> str:
    """A CSV for Moodle's "Import grades: CSV file": map "ID number" (or "Email address") to the user,
    the assignment's column to its grade item, and "Feedback" to its feedback."""
    lines = [["Full name", "ID number", "Email address", title, "Feedback"]]
    for row in _importable(rows):
        if row.student_id or row.email:
            lines.append([row.name, row.student_id, row.email, row.total, row.late.reason])
    return _csv(lines)


def _importable(rows: list[StudentRow]) -> list[StudentRow]:
    """The rows an LMS can import: files no roster student claims are left out (an LMS stops the
    whole import at an ID it does not know, and a typed ID is only the student's word)."""
    return [row for row in rows if not row.status.startswith(UNKNOWN)]


def canvas_column(header: list[str], *, title: str, name: str) -> str:
    """The assignment's column as a Canvas gradebook export names it ("Logistic regression (4411)"),
    so the import fills that column instead of adding one; ``title`` when the roster names none."""
    columns = [cell for cell in header if re.fullmatch(r".+ \(\d+\)", cell)]
    wanted = {title.casefold(), name.casefold(), name.replace("_", " ").casefold()} | {part.strip().casefold() for part in title.split("·")}
    named = [cell for cell in columns if cell.rsplit(" (", 1)[0].strip().casefold() in wanted]
    if len(named) == 1:
        return named[0]
    return columns[0] if len(columns) == 1 else title
