"""``final_grades.csv`` in exactly the layout of Otter Grade's.

First row ``points-per-question``; columns ``file``, the questions sorted by
name, ``total_points_earned``, ``percent_correct`` (a 0-1 ratio rounded to 4
digits, as Otter's) and ``grading_status``; one row per file, sorted by file.
File names and statuses come from submissions: control characters are shown
escaped and a cell that would start a formula is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io

from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.grade import Grade
from autograder.grading.text import spreadsheet_cell

POINTS_ROW = "points-per-question"


def percent(total: float, possible: float) -> float:
    return round(total / possible, 4) if possible else 0


def gradebook_csv(grades: list[Grade], autograder: AutograderZip) -> str:
    questions = sorted(autograder.questions)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", *questions, "total_points_earned", "percent_correct", "grading_status"])
    possible = autograder.possible
    # Otter's percent column is float (pandas), so its points row reads 1.0, not 1.
    writer.writerow(
        [POINTS_ROW, *(float(autograder.questions[q].points) for q in questions), float(possible), 1.0, "--"]
    )
    for grade in sorted(grades, key=lambda g: g.file):
        scores = [float(grade.scores.get(q, 0.0)) for q in questions]
        writer.writerow(
            [
                spreadsheet_cell(grade.file),
                *scores,
                float(sum(scores)),
                percent(sum(scores), possible),
                spreadsheet_cell(grade.status),
            ]
        )
    return buffer.getvalue()
