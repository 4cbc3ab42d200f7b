"""A question's score: Otter's rule (points of the passed cases, or all or nothing), rounded to the
5 decimals Otter's results.json carries, so the gradebook shows what Gradescope shows."""

from __future__ import annotations

import pytest

from autograder.grading.judging.autograder_zip import Question
from autograder.grading.judging.grade import CaseOutcome
from autograder.grading.judging.judge import _question_score


def _outcomes(passed: list[bool], points: float) -> list[CaseOutcome]:
    return [CaseOutcome("q", f"case{index}", points, ok, "", True) for index, ok in enumerate(passed)]


@pytest.mark.parametrize(
    ("passed", "score"),
    [([True, False, False], 0.66667), ([True, True, False], 1.33333), ([True, True, True], 2.0), ([False] * 3, 0.0)],
)
def test_thirds_of_two_points_are_rounded_as_otter_reports_them(passed, score):
    assert _question_score(Question("q", 2.0), _outcomes(passed, 2.0 / 3.0)) == score


def test_all_or_nothing_gives_the_question_points_only_when_every_case_passes():
    question = Question("q", 2.0, all_or_nothing=True)
    assert _question_score(question, _outcomes([True, True, True], 2.0 / 3.0)) == 2.0
    assert _question_score(question, _outcomes([True, True, False], 2.0 / 3.0)) == 0.0
