"""Written answers: what students wrote for an assignment's manual questions, for a TA to mark.

Otter's student notebook frames each manual question with locked markdown cells that start
``<!-- BEGIN QUESTION -->`` and ``<!-- END QUESTION -->``; the student's answer is in the cells
between (the prompt cell excepted). Manual questions come in the order the source notebook gives
them. For each question the TA gets one page with every answer, in a stable shuffled order under
anonymous labels, and a CSV in the same order to write points and comments in; ``autograder merge``
reads those CSVs back.
"""
from __future__ import annotations

import csv
import hashlib
import io
import random
from dataclasses import dataclass
from pathlib import Path

from autograder import KitError
from autograder.grading.text import spreadsheet_cell

BEGIN, END = "<!-- BEGIN QUESTION -->", "<!-- END QUESTION -->"
PLACEHOLDERS = ("_Type your answer here, replacing this text._", "_在这里写下你的回答（替换这行字）· Type your answer here, replacing this text._")
MAX_ANSWER_CHARS = 10_000
CSV_HEADER = ["label", "file", "student_id", "name", "points", "comment"]


class WrittenMarksError(KitError, ValueError):
    """A marks CSV a TA filled in cannot be read back."""


def written_answers(notebook, questions: list[str]) -> dict[str, str]:
    """Question → the answer text the notebook holds ("" for none), for ``questions`` in order."""
    answers: list[str] = []
    current: list[str] | None = None
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = source if isinstance(source, str) else ""
        if cell.get("cell_type") == "markdown" and source.lstrip().startswith(END):
            if current is not None:
                answers.append("\n\n".join(current))
            current = None
        elif cell.get("cell_type") == "markdown" and source.lstrip().startswith(BEGIN):
            current = []
        elif current is not None and source.strip() and source.strip() not in PLACEHOLDERS:
            current.append(source.strip())
    return {question: (answers[index] if index < len(answers) else "")[:MAX_ANSWER_CHARS] for index, question in enumerate(questions)}


@dataclass(frozen=True)
class Answer:
    label: str        # anonymous, stable: A01, A02, ...
    file: str
    student_id: str
    name: str
    text: str


def ordered(question: str, answers: dict[str, tuple[str, str, str]]) -> list[Answer]:
    """Every submission's answer (file → (student id, name, text)) in a shuffled order that stays the same
    for the same files and question, labelled A01, A02, ... in that order."""
    files = sorted(answers)
    seed = int(hashlib.sha256(question.encode("utf-8")).hexdigest()[:16], 16)
    random.Random(seed).shuffle(files)
    return [Answer(f"A{index:02d}", file, *answers[file]) for index, file in enumerate(files, 1)]


def marks_template(answers: list[Answer], entered: dict[str, "Mark"] | None = None) -> str:
    """The CSV a TA fills in: one row per answer, in the page's order, with the marks already
    ``entered`` (file → mark) kept and the others empty."""
    entered = entered or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for answer in answers:
        mark = entered.get(answer.file)
        points, comment = (f"{mark.points:g}", mark.comment) if mark else ("", "")
        writer.writerow([answer.label, spreadsheet_cell(answer.file), spreadsheet_cell(answer.student_id), spreadsheet_cell(answer.name), points, comment])  # the comment is the TA's own text
    return "\ufeff" + buffer.getvalue()


@dataclass(frozen=True)
class Mark:
    points: float
    comment: str


def read_marks(path: Path, *, possible: float) -> dict[str, Mark]:
    """File → the mark a TA wrote in ``path`` (rows without points are not marked yet).

    Raises:
        WrittenMarksError: not the layout marks_template writes, or points outside 0..possible.
    """
    try:
        rows = list(csv.DictReader(io.StringIO(Path(path).read_bytes().decode("utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise WrittenMarksError(f"{path}: cannot read the marks ({error}); keep it a UTF-8 CSV") from error
    if rows and not {"file", "points"} <= set(rows[0]):
        raise WrittenMarksError(f"{path}: the columns must stay {', '.join(CSV_HEADER)}")
    marks = {}
    for number, row in enumerate(rows, start=2):
        points = (row.get("points") or "").strip()
        if not points:
            continue
        try:
            value = float(points)
        except ValueError as error:
            raise WrittenMarksError(f"{path}, line {number}: points {points!r} is not a number") from error
        if not 0 <= value <= possible:
            raise WrittenMarksError(f"{path}, line {number}: points {value:g} is outside 0..{possible:g}")
        marks[row["file"]] = Mark(value, (row.get("comment") or "").strip())
    return marks
