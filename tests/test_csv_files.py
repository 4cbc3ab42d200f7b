"""A roster or a times file from an LMS carries students' own text; no cell of it stops the run.

Moodle's grading worksheet (a times file as it is) has an "Online text" column: a student's answer
of over 131,072 characters used to raise the csv module's ``field larger than field limit`` from
deep in the run, as a traceback.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.grading.records.csv_files import read_rows
from autograder.grading.records.roster import Roster, RosterError
from autograder.grading.records.times_file import TimesFileError, read_times

LONG = "很长的回答 · a long answer " * 20_000  # 480,000 characters


def test_a_long_online_text_in_moodles_worksheet_does_not_stop_the_times(tmp_path):
    path = tmp_path / "worksheet.csv"
    path.write_text(
        'Identifier,Full name,Last modified (submission),Online text\nParticipant 1006,Eve,"Monday, 7 December 2026, '
        f'9:05 AM","{LONG}"\n',
        encoding="utf-8",
    )
    assert list(read_times(str(path)).submitted) == ["Participant 1006"]
    assert csv.field_size_limit() == 131_072  # raised for that file only


def test_a_long_cell_in_a_roster_is_read(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(f"学号,姓名,notes\n2024001,周杰,{LONG}\n", encoding="utf-8")
    assert [student.name for student in Roster.read(path).students] == ["周杰"]


@pytest.mark.parametrize(
    "reader, error",
    [(lambda path: Roster.read(path), RosterError), (lambda path: read_times(str(path)), TimesFileError)],
)
def test_a_file_that_is_not_utf8_is_named_with_the_fix(tmp_path, reader, error):
    path = tmp_path / "export.csv"
    path.write_bytes("学号,姓名,submitted\n1,周杰,2026-12-01T10:00\n".encode("gbk"))
    with pytest.raises(error, match=r"export\.csv: cannot read the .*save it as UTF-8 CSV"):
        reader(path)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.text(st.characters(exclude_categories=("Cs",)), max_size=30), min_size=1, max_size=4),
        min_size=1,
        max_size=5,
    )
)
def test_any_rows_written_as_csv_read_back(tmp_path_factory, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "rows.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    assert read_rows(path, what="rows") == rows
