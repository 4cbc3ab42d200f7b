"""The written questions' class files: a page and a marks sheet per question, with every counted answer
under an anonymous label, and the key saying whose each label is; and the marks TAs entered there."""

from __future__ import annotations

from pathlib import Path

from autograder.grading.judging.grade import Grade
from autograder.grading.pages.ta_pages import written_page
from autograder.grading.records.class_book import StudentRow
from autograder.grading.records.outputs import ClassFileWrites, write_atomic, write_keeping_previous
from autograder.grading.records.written import Mark, answer_key, marks_sheet, ordered, read_key, read_marks, retired
from autograder.grading.text import spreadsheet_cell

WRITTEN = "written"
WRITTEN_KEY = (
    "written_key.csv"  # which submission each anonymous label stands for: kept apart from the sheets in written/
)


def read_all_marks(out: Path, manual: dict[str, float], files: list[str]) -> dict[str, dict[str, Mark]]:
    """Written question → file → the mark a TA entered in ``OUT/written/<question>.csv``, read through
    the key (``OUT/written_key.csv``).

    The key shows each file name as a spreadsheet-safe cell; it is matched back to ``files`` so.
    """
    marks = {}
    key = read_key(out / WRITTEN_KEY)
    for question, points in manual.items():
        sheet = out / WRITTEN / f"{question}.csv"
        if sheet.is_file():
            entered = read_marks(sheet, possible=points, key=key.get(question, {}))
            marks[question] = {
                file: entered[spreadsheet_cell(file)] for file in files if spreadsheet_cell(file) in entered
            }
    return marks


def write_written(
    writes: ClassFileWrites,
    out: Path,
    rows: list[StudentRow],
    grades: list[Grade],
    manual: dict[str, float],
    marks: dict[str, dict[str, Mark]],
    *,
    assignment: str,
) -> None:
    """One page per written question and its marks sheet, with the counted submissions' answers under
    anonymous labels, and the key saying whose each label is (the gradebook's identity, from ``rows``);
    marks a TA already entered are kept."""
    if not manual:
        return
    (out / WRITTEN).mkdir(exist_ok=True)
    by_file = {grade.file: grade for grade in grades}
    key = read_key(out / WRITTEN_KEY)
    answers, gone = {}, {}
    for question in manual:
        counted = {
            row.file: (row.student_id, row.name, by_file[row.file].written.get(question, ""))
            for row in rows
            if row.file in by_file
        }
        answers[question] = ordered(question, counted, key.get(question, {}))
        gone[question] = retired(answers[question], key.get(question, {}))
    # The key first: a sheet is never on disk with labels its key does not hold.
    writes.attempt(WRITTEN_KEY, lambda: write_keeping_previous(out / WRITTEN_KEY, answer_key(answers, gone)))
    if WRITTEN_KEY in writes.failed:
        return
    for question, points in manual.items():
        _write_question(
            writes, out, question, points, answers[question], marks.get(question, {}), assignment=assignment
        )


def _write_question(
    writes: ClassFileWrites,
    out: Path,
    question: str,
    points: float,
    answers: list,
    marks: dict[str, Mark],
    *,
    assignment: str,
) -> None:
    """One written question's page and marks sheet, each written on its own."""
    sheet = out / WRITTEN / f"{question}.csv"
    page = f"{WRITTEN}/{question}.html"
    sheet_name = f"{WRITTEN}/{sheet.name}"
    writes.attempt(
        page,
        lambda: write_atomic(
            out / page, written_page(question, answers, assignment=assignment, points=points, sheet=sheet_name)
        ),
    )
    writes.attempt(sheet_name, lambda: write_keeping_previous(sheet, marks_sheet(answers, marks)))
