"""Written answers: what students wrote for an assignment's manual questions, for a TA to mark.

Otter's student notebook frames each manual question with locked markdown cells that start
``<!-- BEGIN QUESTION -->`` and ``<!-- END QUESTION -->``; the student's answer is in the cells
between (the prompt cell excepted). Manual questions come in the order the source notebook gives
them. For each question the TA gets one page with every counted submission's answer, in a shuffled
order under anonymous labels, and a marks sheet in the same order that names no one (label, points,
comment). One key file, kept apart from the sheets, says which submission and student each label
is. A label, once given, stays with its submission, so a sheet being filled in while a regrade adds
answers still means the same people. ``autograder merge`` reads the sheets back through the key.
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
PLACEHOLDERS = (
    "_Type your answer here, replacing this text._",
    "_在这里写下你的回答（替换这行字）· Type your answer here, replacing this text._",
)
MAX_ANSWER_CHARS = 10_000
SHEET_HEADER = ["label", "points", "comment"]
KEY_HEADER = ["question", "label", "file", "student_id", "name", "on_sheet"]


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
    return {
        question: (answers[index] if index < len(answers) else "")[:MAX_ANSWER_CHARS]
        for index, question in enumerate(questions)
    }


@dataclass(frozen=True)
class Answer:
    label: str  # anonymous, stable: A01, A02, ...
    file: str
    student_id: str
    name: str
    text: str


def ordered(
    question: str, answers: dict[str, tuple[str, str, str]], key: dict[str, "Answer"] | None = None
) -> list[Answer]:
    """Every submission's answer (file → (student id, name, text)) under its label, in label order.

    A file keeps the label the ``key`` (label → the answer it stood for, as ``read_key`` gives it)
    gave it; the others are shuffled in an order that stays the same for the same files and
    question, and labelled after the highest label the key ever gave (A01, A02, ...), so no label
    is given twice.
    """
    key = key or {}
    cells = {spreadsheet_cell(file): file for file in answers}
    known = {cells[entry.file]: label for label, entry in key.items() if entry.file in cells}
    fresh = sorted(file for file in answers if file not in known)
    seed = int(hashlib.sha256(question.encode("utf-8")).hexdigest()[:16], 16)
    random.Random(seed).shuffle(fresh)
    start = max((_number(label) for label in key), default=0)
    labels = {**known, **{file: f"A{number:02d}" for number, file in enumerate(fresh, start + 1)}}
    return sorted(
        (Answer(labels[file], file, *answers[file]) for file in answers), key=lambda answer: _number(answer.label)
    )


def retired(answers: list[Answer], key: dict[str, "Answer"]) -> list[Answer]:
    """The key's labels no answer on the sheet holds any more (a superseded file's): kept in the key, never given "
    "again."""
    held = {answer.label for answer in answers}
    return [entry for label, entry in key.items() if label not in held]


def _number(label: str) -> int:
    digits = "".join(character for character in label if character.isdigit())
    return int(digits) if digits else 0


def marks_sheet(answers: list[Answer], entered: dict[str, "Mark"] | None = None) -> str:
    """The sheet a TA fills in: label, points, comment, one row per answer in the page's order, with
    the marks already ``entered`` (file → mark) kept. It names no one: the key says who each label is."""
    entered = entered or {}
    rows = [SHEET_HEADER]
    for answer in answers:
        mark = entered.get(answer.file)
        rows.append(
            [answer.label, *((f"{mark.points:g}", mark.comment) if mark else ("", ""))]
        )  # the comment is the TA's own text
    return _csv(rows)


def answer_key(answers: dict[str, list[Answer]], retired: dict[str, list[Answer]] | None = None) -> str:
    """The key: question, label, the submission and student each label stands for, and whether it is
    on the sheet (a retired label stays, so it is never given to another submission)."""
    rows = [KEY_HEADER]
    for question, listed in answers.items():
        on_sheet = [(answer, "yes") for answer in listed] + [
            (answer, "no") for answer in (retired or {}).get(question, [])
        ]
        rows.extend(
            [
                question,
                answer.label,
                *(spreadsheet_cell(cell) for cell in (answer.file, answer.student_id, answer.name)),
                shown,
            ]
            for answer, shown in on_sheet
        )
    return _csv(rows)


def read_key(path: Path) -> dict[str, dict[str, Answer]]:
    """Question → label → the answer it stands for (file, student as the key shows them; no text), from
    a key ``answer_key`` wrote; {} when there is none.

    Raises:
        WrittenMarksError: not the layout ``answer_key`` writes.
    """
    if not Path(path).is_file():
        return {}
    rows = _rows(path)
    if rows and not set(KEY_HEADER) <= set(rows[0]):
        raise WrittenMarksError(f"{path}: the columns must stay {', '.join(KEY_HEADER)}")
    key: dict[str, dict[str, Answer]] = {}
    for row in rows:
        key.setdefault(row["question"], {})[row["label"]] = Answer(
            row["label"], row["file"], row["student_id"], row["name"], ""
        )
    return key


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return "\ufeff" + buffer.getvalue()


def _rows(path: Path) -> list[dict]:
    try:
        return list(csv.DictReader(io.StringIO(Path(path).read_bytes().decode("utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise WrittenMarksError(f"{path}: cannot read it ({error}); keep it a UTF-8 CSV") from error


@dataclass(frozen=True)
class Mark:
    points: float
    comment: str


def read_marks(path: Path, *, possible: float, key: dict[str, Answer] | None = None) -> dict[str, Mark]:
    """File (as a CSV cell shows it) → the mark a TA wrote in the sheet ``path``; rows without points
    are not marked yet. ``key``: the question's labels (see ``read_key``). A sheet written before
    sheets were anonymous names its files itself, in a ``file`` column, and is read by it.

    Raises:
        WrittenMarksError: not a marks sheet, a marked label the key does not hold, or points outside 0..possible.
    """
    rows = _rows(path)
    by_file = bool(rows) and "file" in rows[0]
    if rows and not ({"file", "points"} <= set(rows[0]) or set(SHEET_HEADER) <= set(rows[0])):
        raise WrittenMarksError(f"{path}: the columns must stay {', '.join(SHEET_HEADER)}")
    key = key or {}
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
        label = (row.get("label") or "").strip()
        if not by_file and label not in key:
            raise WrittenMarksError(
                f"{path}, line {number}: label {label!r} is in no key; the marks sheets must stay beside the key "
                "file they were written with (written_key.csv), or be marked again from a fresh sheet"
            )
        marks[row["file"] if by_file else key[label].file] = Mark(value, (row.get("comment") or "").strip())
    return marks
