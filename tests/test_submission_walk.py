"""A submission's path from intake to its gradebook row passes each module once, in order.

The path is the benchmark's (``benchmarks/submission_walk.py``): a stop is a call from one module into
another that carries the submission or something made from it. Two modules are entered twice, and
only these: ``Received`` is hashed and named with the whole class before any grading, then read into
its sandbox job only when a worker is free (reading every notebook first would hold the class's
notebooks in memory); a feedback page is drawn as its submission is judged, while the workers run,
then written once the class's rows give it the student's standing.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

import pytest

from autograder.grading.batch import GradeOptions, grade_paths
from autograder.grading.judging.grade import Grade

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "submissions" / "logistic_regression" / "correct_course_style.ipynb"
PACKAGE = "autograder.grading."
# The stages in the order a submission meets them (the sandbox sees only its job, so it is no stop here).
ORDER = [
    "intake.received",
    "intake.submissions",
    "intake.submission_keys",
    "batch",
    "intake.received",
    "judging.verdict",
    "intake.about",
    "records.submission_outputs",
    "records.results_file",
    "pages.feedback_page",
    "records.class_outputs",
    "records.class_book",
    "records.gradebook",
    "records.exports",
    "pages.class_summary",
    "pages.ta_pages",
    "records.written_outputs",
    "pages.feedback_page",
]


@functools.cache
def _benchmark():
    """The benchmark's module (the benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("submission_walk", ROOT / "benchmarks" / "submission_walk.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while they are made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stops(releases, tmp_path_factory) -> list[str]:
    """The modules of the stops of one notebook's grading, in order, without the package's prefix."""
    assignment, _ = releases("logistic_regression")
    out = tmp_path_factory.mktemp("walk") / "out"
    walk = _benchmark()
    found = walk.walked(lambda: grade_paths([EXAMPLE], assignment, out, options=GradeOptions(workers=1)))
    return [walk.module_of(stop).removeprefix(PACKAGE) for stop in found.stops]


@pytest.mark.slow
def test_the_walk_meets_each_stage_in_order(stops):
    assert stops == ORDER


@pytest.mark.slow
def test_only_the_two_known_modules_are_entered_twice(stops):
    again = sorted({module for module in stops if stops.count(module) > 1})
    assert again == ["intake.received", "pages.feedback_page"]
    assert all(stops.count(module) <= 2 for module in stops)


def test_a_property_of_the_grade_is_no_stop():
    walk = _benchmark()
    readers = walk.Walk()._readers
    assert Grade.total.fget.__code__ in readers
    assert walk.returns(["a", "b", "a", "a"]) == 2
