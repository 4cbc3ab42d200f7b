"""The admissions data set (data/admissions/, the logistic-regression lesson's): deterministic and shaped like the
course's."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import PROJECT

_spec = importlib.util.spec_from_file_location("admissions_make_data", PROJECT / "data" / "admissions" / "make_data.py")
admissions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(admissions)


def test_same_seed_same_file():
    assert admissions.format_rows(admissions.generate_rows(seed=7)) == admissions.format_rows(
        admissions.generate_rows(seed=7)
    )


def test_other_seed_other_file():
    assert admissions.format_rows(admissions.generate_rows(seed=7)) != admissions.format_rows(
        admissions.generate_rows(seed=8)
    )


def test_shape_of_the_course_data():
    rows = admissions.generate_rows()
    assert len(rows) == 100
    assert all(30 <= e1 <= 100 and 30 <= e2 <= 100 and a in (0, 1) for e1, e2, a in rows)
    assert sum(a for *_, a in rows) == 60


@pytest.mark.parametrize("line", admissions.format_rows(admissions.generate_rows()).splitlines()[:5])
def test_course_line_format(line):
    exam1, exam2, admitted = line.split(",")
    float(exam1), float(exam2)
    assert admitted in ("0", "1")
