"""The kit's grader gives every honest submission the scores plain ``otter run`` gives it.

Both graders see the same notebooks (the honest corpus, built from the released
student template) and the same autograder zip. ``otter run`` takes seconds per
notebook, so each grader runs over the whole corpus once per module and the
assertions are parametrized per corpus entry.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.grading.batch import GradeOptions, grade_paths
from autograder.grading.judging import COMPLETED, Grade
from autograder.release.otter_run import otter_scores_many
from tests.corpus.honest import SUBMISSIONS, Submission, write_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, student_template) -> dict[str, Path]:
    """Entry name → its notebook, every entry of the honest corpus."""
    folder = tmp_path_factory.mktemp("honest-corpus")
    paths = write_corpus(folder, student_template)
    return {entry.name: path for entry, path in zip(SUBMISSIONS, paths)}


@pytest.fixture(scope="module")
def kit_grades(corpus, assignment, tmp_path_factory) -> dict[str, Grade]:
    out = tmp_path_factory.mktemp("kit-out")
    folder = next(iter(corpus.values())).parent
    report = grade_paths([folder], assignment, out, options=GradeOptions(workers=2))
    return {Path(grade.file).stem: grade for grade in report.grades}


@pytest.fixture(scope="module")
def otter_scores(corpus, assignment) -> dict[str, dict[str, float]]:
    names = list(corpus)
    scores = otter_scores_many(assignment.zip_path, [corpus[name] for name in names], workers=2)
    return dict(zip(names, scores))


def test_every_entry_was_graded_once(corpus, kit_grades):
    assert sorted(kit_grades) == sorted(corpus)


@pytest.mark.parametrize("entry", SUBMISSIONS, ids=lambda entry: entry.name)
def test_kit_gives_the_fair_scores(entry: Submission, kit_grades):
    grade = kit_grades[entry.name]
    assert grade.status == COMPLETED
    assert grade.scores == pytest.approx(dict(entry.expected), abs=1e-9), entry.description


@pytest.mark.parametrize("entry", SUBMISSIONS, ids=lambda entry: entry.name)
def test_kit_scores_equal_plain_otter_run(entry: Submission, kit_grades, otter_scores):
    assert kit_grades[entry.name].scores == pytest.approx(otter_scores[entry.name], abs=1e-9), entry.description
