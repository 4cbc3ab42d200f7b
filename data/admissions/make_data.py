"""Deterministic stand-in for the course's admissions data set.

The course reads ``data.txt``: one student a line, ``exam1,exam2,admitted``.
Its own file is not redistributable here, so the kit generates a file of the
same shape: 100 students, scores in [30, 100], 60% admitted, separable by a
line to about 90%. An instructor may replace ``data.txt`` in this folder with
the course's file; every reference is recomputed from whatever file is present.
Its datasheet is README.md beside this file.

``autograder make-data admissions`` (and release, when the file is missing)
calls ``make_data``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

DEFAULT_SEED = 20170
STUDENTS = 100
ADMITTED_SHARE = 0.6
SCORE_RANGE = (30.0, 100.0)
# Spread of the "interview" noise added to the exam sum before ranking; 9
# points leaves roughly one student in ten on the wrong side of the best line.
NOISE_POINTS = 9.0


def generate_rows(*, seed: int = DEFAULT_SEED, students: int = STUDENTS) -> list[tuple[float, float, int]]:
    """Return ``students`` rows ``(exam1, exam2, admitted)``, the same for the same seed."""
    rng = np.random.default_rng(seed)
    low, high = SCORE_RANGE
    exams = rng.uniform(low, high, size=(students, 2))
    merit = exams.sum(axis=1) + rng.normal(0.0, NOISE_POINTS, size=students)
    admitted_count = round(students * ADMITTED_SHARE)
    admitted = np.zeros(students, dtype=int)
    admitted[np.argsort(-merit)[:admitted_count]] = 1
    return [(float(e1), float(e2), int(a)) for (e1, e2), a in zip(exams, admitted)]


def format_rows(rows: list[tuple[float, float, int]]) -> str:
    """Render rows in the course's format: ``exam1,exam2,admitted`` a line."""
    return "".join(f"{e1!r},{e2!r},{a}\n" for e1, e2, a in rows)


def make_data(folder: Path) -> list[Path]:
    """Write ``data.txt`` (the generated data set) into ``folder``; return its path."""
    path = Path(folder) / "data.txt"
    path.write_text(format_rows(generate_rows()), encoding="utf-8")
    return [path]
