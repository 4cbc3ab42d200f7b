"""Every assignment's honest corpus: the kit's grader gives each entry its fair scores, and plain
``otter run`` gives the same scores with the same autograder zip.

The kit grades each whole corpus once per session (``tests.corpus_runs``, shared by xdist workers). Plain
``otter run`` costs 15-20 core-seconds a notebook, so ``make test`` runs it on the corpus's
combined notebooks (``Corpus.combined_mistakes``), 17 instead of 60: each carries mistakes in
several questions; together they give every question every score the corpus gives it, and put
each mistaken question beside full marks on every other question. ``make parity``
(``pytest --every-entry``) runs ``otter run`` on every entry as well. Each run is a test of its
own, so xdist spreads them over the workers; a failure names the assignment and the notebook.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.grading.judging.grade import COMPLETED
from autograder.release.otter_run import otter_scores
from tests.corpus import CORPORA
from tests.corpus.blanks import _separating_sets
from tests.corpus_runs import corpus_folder, kit_grades, kit_run, notebook_names

pytestmark = pytest.mark.slow
ENTRIES = [(corpus, entry) for corpus in CORPORA.values() for entry in corpus.entries]
COMBINED = [(corpus, entry) for corpus in CORPORA.values() for entry in corpus.combined_mistakes()]


def _ids(value) -> str:
    return getattr(value, "name", None) or getattr(value, "assignment", "")


@pytest.mark.parametrize("corpus", list(CORPORA.values()), ids=_ids)
def test_every_entry_was_graded_once(corpus, shared, releases):
    assert sorted(kit_grades(shared, releases, corpus)) == sorted(notebook_names(corpus))


@pytest.mark.parametrize(("corpus", "entry"), ENTRIES + COMBINED, ids=_ids)
def test_kit_gives_the_fair_scores(corpus, entry, shared, releases):
    grade = kit_grades(shared, releases, corpus)[entry.name]
    assert grade["status"] == COMPLETED
    assert grade["scores"] == pytest.approx(dict(entry.expected), abs=1e-9), entry.description


@pytest.mark.parametrize(("corpus", "entry"), [(c, e) for c, e in ENTRIES if e.says], ids=_ids)
def test_the_hidden_feedback_names_the_mistake(corpus, entry, shared, releases):
    results = Path(kit_run(shared, releases, corpus)["out"]) / "results" / f"{entry.name}.ipynb.json"
    outputs = [test.get("output", "") for test in json.loads(results.read_text(encoding="utf-8"))["tests"]]
    assert any(entry.says in output for output in outputs), f"{entry.description}: {outputs}"


def _scores_shown(entries) -> set[tuple[str, float]]:
    return {(question, score) for entry in entries for question, score in entry.expected.items()}


@pytest.mark.parametrize("corpus", list(CORPORA.values()), ids=_ids)
def test_the_combined_notebooks_show_every_score_the_entries_get(corpus):
    combined = corpus.combined_mistakes()
    assert _scores_shown(combined) == _scores_shown(corpus.entries)
    assert len(combined) < len([e for e in corpus.entries if not corpus.is_correct(e)]), "combining saved no otter run"


@pytest.mark.parametrize("corpus", list(CORPORA.values()), ids=_ids)
def test_each_mistake_sits_beside_full_marks_on_every_other_question(corpus):
    """A hidden test that used another question's answer instead of the reference's would show."""
    combined = corpus.combined_mistakes()
    mistaken = {q for entry in combined for q, score in entry.expected.items() if score < corpus.points[q]}
    for wrong in mistaken:
        for other in set(corpus.points) - {wrong}:
            assert any(
                e.expected[wrong] < corpus.points[wrong] and e.expected[other] == corpus.points[other] for e in combined
            ), (wrong, other)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(1, 5), min_size=1))
def test_the_mistake_sets_separate_every_pair_of_questions(needs):
    carriers = _separating_sets(needs)
    notebooks = set().union(*carriers.values())
    assert all(len(carriers[question]) >= count for question, count in needs.items())
    for first, second in ((a, b) for a in needs for b in needs if a != b):
        assert carriers[first] - carriers[second], (first, second, carriers)
    assert all(carriers[question] != notebooks for question in needs) or len(needs) == 1, (
        "a question with full marks nowhere"
    )


def pytest_generate_tests(metafunc):
    if metafunc.function.__name__ == "test_kit_scores_equal_plain_otter_run":
        chosen = ENTRIES + COMBINED if metafunc.config.getoption("every_entry") else COMBINED
        metafunc.parametrize(("corpus", "entry"), chosen, ids=_ids)


def test_kit_scores_equal_plain_otter_run(corpus, entry, shared, releases):
    assignment, _ = releases(corpus.assignment)
    plain = otter_scores(assignment.zip_path, corpus_folder(shared, releases, corpus) / f"{entry.name}.ipynb")
    assert kit_grades(shared, releases, corpus)[entry.name]["scores"] == pytest.approx(plain, abs=1e-9), (
        entry.description
    )
