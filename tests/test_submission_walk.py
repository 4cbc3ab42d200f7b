"""A submission's path from intake to its gradebook row passes each module once, in order.

The path is the benchmark's (``benchmarks/submission_walk.py``): a stop is a call from one module into
another that carries the submission or something made from it. A file is hashed and named with the
whole class before any grading, and read into its sandbox job (``intake.sandbox_job``) only when a
worker is free; a feedback page is drawn as its submission is judged, and given the student's
standing (``pages.standing``) once the class's rows are known.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

import pytest

from autograder.grading.batch import GradeOptions, grade_paths

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "submissions" / "logistic_regression" / "correct_course_style.ipynb"
PACKAGE = "autograder.grading."
# The stages in the order a submission meets them (the sandbox sees only its job, so it is no stop here).
ORDER = [
    "intake.received",
    "intake.submissions",
    "intake.submission_keys",
    "batch",
    "intake.sandbox_job",
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
    "pages.standing",
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
def test_no_module_is_entered_twice(stops):
    assert len(set(stops)) == len(stops), [module for module in stops if stops.count(module) > 1]
