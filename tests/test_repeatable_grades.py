"""Grading repeats exactly: one submission graded twice in one run, by two workers at once, gets the
same scores and the same words, numbers included (seeded cases, one thread, deterministic algorithms).

Each corpus's folder holds two copies of its first mistaken entry (``tests.corpus_runs``), the first
two jobs of the session's one run over the corpus: their messages quote the values they got
wrong, so a difference in the last digit of a training run would show.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.corpus import CORPORA
from tests.corpus_runs import TWICE, kit_run

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("corpus", list(CORPORA.values()), ids=lambda corpus: corpus.assignment)
def test_one_submission_graded_twice_gets_identical_results(corpus, shared, releases):
    results = Path(kit_run(shared, releases, corpus)["out"]) / "results"
    first, second = (json.loads((results / f"{copy}.ipynb.json").read_text(encoding="utf-8")) for copy in TWICE)
    assert [test for test in first["tests"] if test.get("score") is not None] != [], "no graded question"
    assert sum(test["score"] for test in first["tests"] if test.get("score") is not None) < sum(
        corpus.points.values()
    ), "not a mistaken entry"
    assert first["tests"] == second["tests"]
