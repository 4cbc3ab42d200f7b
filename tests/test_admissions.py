"""The generated data set: deterministic and shaped like the course's."""
from __future__ import annotations

import pytest

from autograder.admissions import format_rows, generate_rows, write_data_file
from tests.conftest import PROJECT


def test_same_seed_same_file():
    assert format_rows(generate_rows(seed=7)) == format_rows(generate_rows(seed=7))


def test_other_seed_other_file():
    assert format_rows(generate_rows(seed=7)) != format_rows(generate_rows(seed=8))


def test_shape_of_the_course_data():
    rows = generate_rows()
    assert len(rows) == 100
    assert all(30 <= e1 <= 100 and 30 <= e2 <= 100 and a in (0, 1) for e1, e2, a in rows)
    assert sum(a for *_, a in rows) == 60


def test_bundled_file_is_the_generated_one():
    assert (PROJECT / "data" / "data.txt").read_text() == format_rows(generate_rows())


def test_existing_file_is_kept(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("1,2,0\n")
    assert write_data_file(path) is False
    assert path.read_text() == "1,2,0\n"
    assert write_data_file(path, overwrite=True) is True
    assert len(path.read_text().splitlines()) == 100


@pytest.mark.parametrize("line", format_rows(generate_rows()).splitlines()[:5])
def test_course_line_format(line):
    exam1, exam2, admitted = line.split(",")
    float(exam1), float(exam2)
    assert admitted in ("0", "1")
