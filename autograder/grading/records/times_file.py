"""The times file a TA passes with ``--times``: when each submission came in, and the due time of a
student given an extension. Its only reader.

A CSV with a column naming the submission or its student (``file``, ``student_id``, ``学号``, ...)
and a time column (``submitted``, ``提交时间``, ...), a due column (``due``, ``截止时间``), or both::

    student_id,submitted,due
    2023005,2026-12-02T20:00:00+08:00,2026-12-03T23:59:00+08:00
    2023003,2026-12-01T20:00:00+08:00,

A row's ``due`` is that student's own due time (an extension): their cutoff moves by as much
(``LatePolicy.due_for``), and the gradebook shows that due and how far it moved. Left blank, the
class's due time holds. Moodle's grading worksheet works as it is; a time without a zone (Moodle
writes them so) is in the course's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from autograder import KitError
from autograder.grading.records.csv_files import CsvFileError, read_rows
from autograder.grading.records.late import parse_time

# Column names a times file may use; Moodle's grading worksheet calls its time "Last modified (submission)".
TIME_COLUMNS = ("submitted", "submitted_at", "time", "last modified (submission)", "提交时间")
DUE_COLUMNS = ("due", "due_at", "截止时间")
KEY_COLUMNS = ("file", "student_id", "id number", "学号", "identifier")


class TimesFileError(KitError, ValueError):
    """A times file that cannot be read."""


@dataclass(frozen=True)
class SubmissionTimes:
    """A times file as read: by file name, student number and Moodle participant ("Participant 1006"),
    when it was submitted and, for a student with an extension, their own due time."""

    submitted: dict[str, dt.datetime] = field(default_factory=dict)
    due: dict[str, dt.datetime] = field(default_factory=dict)

    def submitted_at(self, *keys: str) -> dt.datetime | None:
        """The time of the first of ``keys`` the file lists one for ("" keys are skipped)."""
        return next((self.submitted[key] for key in keys if key and key in self.submitted), None)

    def due_of(self, *keys: str) -> dt.datetime | None:
        """The own due time of the first of ``keys`` the file gives one for; None: the class's holds."""
        return next((self.due[key] for key in keys if key and key in self.due), None)


def read_times(path: str, *, zone: dt.tzinfo | None = None) -> SubmissionTimes:
    """The times file at ``path`` ("" for none); times without a zone are in ``zone``, the course's.

    Raises:
        TimesFileError: the file is unreadable, lacks the columns, or a cell is not a time (named by line).
    """
    if not path:
        return SubmissionTimes()
    try:
        rows = read_rows(Path(path), what="submission times")
    except CsvFileError as error:
        raise TimesFileError(str(error)) from error
    if not rows:
        return SubmissionTimes()
    header = [cell.strip().lower() for cell in rows[0]]
    keys = [header.index(name) for name in KEY_COLUMNS if name in header]
    columns = [_column(header, TIME_COLUMNS), _column(header, DUE_COLUMNS)]
    if not keys or columns == [None, None]:
        raise TimesFileError(
            f"{path}：需要一列指明提交或学生（{', '.join(KEY_COLUMNS)}），以及提交时间列（{', '.join(TIME_COLUMNS)}）"
            f"或该学生自己的截止时间列（{', '.join(DUE_COLUMNS)}） / {path}: needs a column naming the submission "
            f"or student ({', '.join(KEY_COLUMNS)}) and one with its time ({', '.join(TIME_COLUMNS)}) or with the "
            f"student's own due time ({', '.join(DUE_COLUMNS)})"
        )
    found: list[dict[str, dict[dt.datetime, int]]] = [{}, {}]  # submitted, due: key -> time -> first line
    lines: list[list[tuple[int, list[str]]]] = [[], []]  # each row's line and keys, per column
    for number, row in enumerate(rows[1:], start=2):
        for column, by_key, rows_of in zip(columns, found, lines):
            if column is None or column >= len(row):
                continue
            when = _time(row[column], where=f"{path}, line {number}, {rows[0][column].strip()}", zone=zone)
            named = [row[key].strip() for key in keys if key < len(row) and row[key].strip()]
            if when is not None:
                for key in named:
                    by_key.setdefault(key, {}).setdefault(when, number)
                rows_of.append((number, named))
    submitted, due = (_unambiguous(path, by_key, rows_of) for by_key, rows_of in zip(found, lines))
    return SubmissionTimes(submitted, due)


def _unambiguous(
    path: str, by_key: dict[str, dict[dt.datetime, int]], rows: list[tuple[int, list[str]]]
) -> dict[str, dt.datetime]:
    """Each key's one time. A key two rows give different times is left out (a student listed with two
    files is found by the files); a row that only such keys name cannot be placed, and is refused."""
    clashing = {key for key, times in by_key.items() if len(times) > 1}
    for number, named in rows:
        if named and all(key in clashing for key in named):
            others = sorted({line for key in named for line in by_key[key].values()} - {number})
            raise TimesFileError(
                f"{path}：第 {number} 行与第 {', '.join(map(str, others))} 行给 {named[0]} 不同的时间，请只留一行 / "
                f"{path}: line {number} gives {named[0]} another time than line {', '.join(map(str, others))}: "
                "keep one row for it"
            )
    return {key: next(iter(times)) for key, times in by_key.items() if key not in clashing}


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(name) for name in names if name in header), None)


def _time(cell: str, *, where: str, zone: dt.tzinfo | None) -> dt.datetime | None:
    try:
        return parse_time(cell, where=where, written_out=True, zone=zone)
    except KitError as error:
        raise TimesFileError(str(error)) from error
