"""A times file that listed a student twice with different times was read without a word:
the last row's submitted time wins, while a due time from an earlier row stays. Here the first row says
2026-12-05 (late even within the 3-day extension it gives) and a second 2026-12-01 (on time); the
gradebook silently counts the student on time with the first row's extension. Such a duplicate is
now refused, as a cell that is not a time is, naming the lines."""

from __future__ import annotations

import pytest

from autograder.grading.records.times_file import TimesFileError, read_times


def test_a_student_listed_twice_with_different_times_is_refused(tmp_path):
    times = tmp_path / "times.csv"
    times.write_text(
        "student_id,submitted,due\n"
        "2026003,2026-12-05T10:00:00+08:00,2026-12-04T23:59:00+08:00\n"
        "2026003,2026-12-01T10:00:00+08:00,\n",
        encoding="utf-8",
    )
    with pytest.raises(TimesFileError, match="2026003"):
        read_times(str(times))


def test_a_student_listed_with_two_files_is_found_by_each_file(tmp_path):
    """Two rows of one student with different times are not a clash when each names its own file: the
    files place them, and only the student number, which could mean either, is left out."""
    times = tmp_path / "times.csv"
    times.write_text(
        "file,student_id,submitted\n"
        "first.ipynb,2026003,2026-12-01T10:00:00+08:00\n"
        "second.ipynb,2026003,2026-12-02T10:00:00+08:00\n",
        encoding="utf-8",
    )
    read = read_times(str(times))
    assert read.submitted_at("second.ipynb").day == 2 and read.submitted_at("first.ipynb").day == 1
    assert read.submitted_at("2026003") is None


def test_a_row_repeated_with_the_same_time_is_no_clash(tmp_path):
    times = tmp_path / "times.csv"
    times.write_text(
        "student_id,submitted\n2026003,2026-12-01T10:00:00+08:00\n2026003,2026-12-01T10:00:00+08:00\n",
        encoding="utf-8",
    )
    assert read_times(str(times)).submitted_at("2026003").hour == 10
