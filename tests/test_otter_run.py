"""Plain ``otter run`` as release validates with it: a kernel that did not start (two kernels raced
for a port, or a loaded machine kept one past otter run's 60 s) is tried once more, any other failure
is reported at once; and a run that gave a question no score is a problem, as is a solution short of
full marks or a template above 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.release import otter_run
from autograder.release.otter_run import KERNEL_START_FAILURES, OtterResult, OtterRunFailed, otter_scores

SCORES = {"sigmoid": 2.0}
RESULT = OtterResult(SCORES)


def _runs_that(outcomes: list, monkeypatch) -> list:
    """Make ``otter run`` give ``outcomes`` in turn; return the list of calls made."""
    calls = []

    def fake(zip_path, notebook, *, timeout, threads):
        calls.append(notebook)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(otter_run, "_otter_run", fake)
    return calls


@pytest.mark.parametrize("sign", KERNEL_START_FAILURES)
def test_a_kernel_that_did_not_start_is_tried_once_more(monkeypatch, sign):
    calls = _runs_that(
        [OtterRunFailed(f"otter run on a.ipynb failed (exit 1): RuntimeError: {sign} 60 seconds"), RESULT],
        monkeypatch,
    )
    assert otter_scores(Path("zip"), Path("a.ipynb")) == SCORES
    assert len(calls) == 2


def test_a_kernel_that_dies_at_start_twice_is_reported(monkeypatch):
    died = OtterRunFailed(f"otter run on a.ipynb failed (exit 1): RuntimeError: {KERNEL_START_FAILURES[0]}")
    calls = _runs_that([died, died, RESULT], monkeypatch)
    with pytest.raises(OtterRunFailed, match=KERNEL_START_FAILURES[0]):
        otter_scores(Path("zip"), Path("a.ipynb"))
    assert len(calls) == 2


def test_any_other_failure_is_reported_at_once(monkeypatch):
    calls = _runs_that([OtterRunFailed("otter run on a.ipynb failed (exit 1): KeyError: 'x'"), RESULT], monkeypatch)
    with pytest.raises(OtterRunFailed, match="KeyError"):
        otter_scores(Path("zip"), Path("a.ipynb"))
    assert len(calls) == 1


# What release's validation makes of the scores ------------------------------------------------------

POINTS = {"sigmoid": 2.0, "train": 4.0}


def _report(solution, template):
    from autograder.release.pipeline import ReleaseReport

    return ReleaseReport(assignment=None, points=POINTS, solution_scores=solution, template_scores=template)


def test_validation_that_did_not_run_finds_nothing():
    assert _report(None, None).problems == []


def test_an_otter_run_that_graded_no_question_is_a_problem():
    # otter run writes a results file with no question in it when it fails before grading, and exits 0
    problems = _report({}, {}).problems
    assert "otter run gave the solution no score on sigmoid" in problems
    assert "otter run gave the blank template no score on train" in problems


def test_a_solution_short_of_full_marks_and_a_template_above_zero_are_problems():
    problems = _report({"sigmoid": 2.0, "train": 3.5}, {"sigmoid": 0.5, "train": 0.0}).problems
    assert problems == ["the blank template earns 0.5 on sigmoid", "the solution earns 3.5 of 4.0 on train"]


# Public tests: 0 points each, so only Otter's "Public Tests" entry says one failed -------------------

FAILED_PUBLIC = {
    "tests": [
        {
            "name": "Public Tests",
            "visibility": "visible",
            "status": "failed",
            "output": "sgd_step results:\n    sgd_step - 1 result:\n        ❌ Test case failed\n        sgd_step "
            "returned None: is a `return` missing?\n\n    sgd_step - 2 result:\n        ✅ Test case passed",
        },
        {"name": "sgd_step", "score": 2.0, "max_score": 2.0, "visibility": "after_published", "output": "..."},
    ],
}


def test_a_failed_public_test_is_read_from_otters_report_though_the_scores_are_full():
    result = OtterResult.from_results(FAILED_PUBLIC)
    assert result.scores == {"sgd_step": 2.0}
    assert (
        result.public_failures
        == "sgd_step results: | sgd_step - 1 result: | sgd_step returned None: is a `return` missing? | sgd_step - 2 "
        "result:"
    )


def test_public_tests_that_all_passed_report_nothing():
    passed = {"tests": [{**FAILED_PUBLIC["tests"][0], "status": "passed"}, FAILED_PUBLIC["tests"][1]]}
    assert OtterResult.from_results(passed).public_failures is None


def test_a_solution_that_fails_its_own_public_test_is_a_problem_at_full_marks():
    report = _report({"sigmoid": 2.0, "train": 4.0}, {"sigmoid": 0.0, "train": 0.0})
    report.solution_public_failures = "sigmoid results: | sigmoid - 1 result: | sigmoid(1000) is nan"
    assert report.problems == [
        "the solution fails its own public tests, so every correct submission would see a red check (sigmoid results: "
        "| sigmoid - 1 result: | sigmoid(1000) is nan); fix the test or the solution"
    ]
