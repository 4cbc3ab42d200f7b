"""Reading the CSV files a TA hands the grader (a roster, a times file): rows of text, or an error
that names the file, the line and the fix. Such files often come from an LMS and carry students'
own text (names, online-text answers), so no cell may stop the run with a traceback."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from autograder import KitError


class CsvFileError(KitError, ValueError):
    """A CSV file cannot be read."""


def read_rows(path: Path, *, what: str) -> list[list[str]]:
    """Every row of ``path`` (UTF-8, with or without a byte-order mark); ``what`` names the file in errors.

    Raises:
        CsvFileError: unreadable, not UTF-8, or not CSV.
    """
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CsvFileError(f"{path}: cannot read the {what} ({error}); save it as UTF-8 CSV") from error
    reader = csv.reader(io.StringIO(text))
    # An LMS's worksheet may hold a student's long online-text answer: no cell is longer than the file.
    default = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        return list(reader)
    except csv.Error as error:
        raise CsvFileError(
            f"{path}, line {reader.line_num}: cannot read the {what} ({error}); save it as UTF-8 CSV"
        ) from error
    finally:
        csv.field_size_limit(default)
