"""Grading repeats exactly: one submission graded twice, in two sandboxes at once, gets the same
scores and the same words, numbers included (seeded cases, one thread, deterministic algorithms).

Each corpus's first mistaken entry is used: its messages quote the values it got wrong, so a
difference in the last digit of a training run would show.
"""
from __future__ import annotations

import json
import shutil

import pytest

from autograder.grading.batch import GradeOptions, grade_paths
from tests.corpus import CORPORA

pytestmark = pytest.mark.slow


def _first_mistake(corpus):
    return next(entry for entry in corpus.entries if not corpus.is_correct(entry))


@pytest.mark.parametrize("corpus", list(CORPORA.values()), ids=lambda corpus: corpus.assignment)
def test_one_submission_graded_twice_gets_identical_results(corpus, releases, tmp_path):
    assignment, _ = releases(corpus.assignment)
    entry = _first_mistake(corpus)
    [written] = corpus.write(tmp_path / "one", assignment.student_dir / f"{corpus.assignment}.ipynb", names=[entry.name])
    folder = tmp_path / "twice"
    folder.mkdir()
    for copy in ("first", "second"):
        shutil.copy(written, folder / f"{copy}.ipynb")
    grade_paths([folder], assignment, tmp_path / "out", options=GradeOptions(workers=2))
    first, second = (json.loads((tmp_path / "out" / "results" / f"{copy}.ipynb.json").read_text()) for copy in ("first", "second"))
    assert [test for test in first["tests"] if test.get("score") is not None] != [], "no graded question"
    assert first["tests"] == second["tests"]
