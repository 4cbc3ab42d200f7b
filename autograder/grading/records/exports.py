"""The gradebook by student (``students.csv``), and the CSV every class file a person opens is written as.

Every file is UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens names intact, and
every cell a submission could influence is made inert for spreadsheets.
"""

from __future__ import annotations

import csv
import io

from autograder.grading.records.class_book import StudentRow
from autograder.grading.records.time_words import extension_text, shown_time
from autograder.grading.text import spreadsheet_cell

BOM = "\ufeff"


def csv_text(rows: list[list]) -> str:
    """``rows`` as a CSV an LMS and Excel read: UTF-8 with a byte-order mark, CRLF, every text cell inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return BOM + buffer.getvalue()


def students_csv(
    rows: list[StudentRow], *, questions: list[str], written: list[str], possible: float, pages: dict[str, str]
) -> str:
    """The gradebook by student: identity, every question, raw score, late penalty, total, the submission
    and due times lateness was judged on (in the course's zone; the due is the student's own, and
    ``extension`` says how far it moved from the class's), status, page."""
    header = [
        "student_id",
        "name",
        "section",
        "file",
        *questions,
        *written,
        "raw_score",
        "late_penalty",
        "total",
        "percent",
        "late",
        "submitted",
        "due",
        "extension",
        "status",
        "note",
        "other_files",
        "feedback_page",
    ]
    lines = [header]
    for row in rows:
        lines.append(
            [
                row.student_id,
                row.name,
                row.section,
                row.file,
                *(row.scores.get(q, 0.0) for q in questions),
                *(row.written.get(q, "") for q in written),
                row.raw,
                row.penalty,
                row.total,
                round(row.total / possible, 4) if possible else 0,
                row.late.reason,
                *(shown_time(when) if when else "" for when in (row.late.submitted, row.late.due)),
                extension_text(row.late.extension),
                row.status,
                row.note,
                " ".join(row.others),
                pages.get(row.file, ""),
            ]
        )
    return csv_text(lines)
