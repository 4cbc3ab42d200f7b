"""Every assignment's honest corpus: the kit's grader gives each entry its fair scores, and plain
``otter run`` gives the same scores with the same autograder zip.

The kit grades each whole corpus once per session (shared by xdist workers, see conftest). Plain
``otter run`` costs 15-20 core-seconds a notebook, so ``make test`` grades one entry per score
pattern: the first entry that loses the same points on the same questions as others (full marks
included) stands for them, so every score pattern the zip's hidden tests give a corpus is compared.
``make parity`` (``pytest --every-entry``) compares every entry. Each run is a test of its own, so
xdist spreads them over the workers. The assertions are parametrized per entry, so a failure names
the assignment, the entry and its mistake.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.grading.batch import GradeOptions, grade_paths
from autograder.grading.judging import COMPLETED
from autograder.release.otter_run import otter_scores
from tests.corpus import CORPORA

pytestmark = pytest.mark.slow
ENTRIES = [(corpus, entry) for corpus in CORPORA.values() for entry in corpus.entries]


def _score_pattern(entry) -> tuple:
    return tuple(sorted(entry.expected.items()))


def _one_per_score_pattern(corpus) -> list:
    patterns = {}
    for entry in corpus.entries:
        patterns.setdefault(_score_pattern(entry), entry)
    return list(patterns.values())


REPRESENTATIVES = [(corpus, entry) for corpus in CORPORA.values() for entry in _one_per_score_pattern(corpus)]


def _ids(value) -> str:
    return getattr(value, "name", None) or getattr(value, "assignment", "")


def corpus_folder(shared, releases, corpus) -> Path:
    """A folder holding every entry of ``corpus`` as a notebook, written once a session."""

    def write(scratch: Path) -> str:
        assignment, _ = releases(corpus.assignment)
        corpus.write(scratch / "corpus", assignment.student_dir / f"{corpus.assignment}.ipynb")
        return str(scratch / "corpus")

    return Path(shared.get(f"corpus-notebooks-{corpus.assignment}", write, as_json=True))


def kit_grades(shared, releases, corpus) -> dict[str, dict]:
    """Entry name → {status, scores} from ``autograder grade`` over the whole corpus, once a session."""

    def compute(scratch: Path) -> dict:
        assignment, _ = releases(corpus.assignment)
        report = grade_paths([corpus_folder(shared, releases, corpus)], assignment, scratch / "out", options=GradeOptions(workers=2))
        return {Path(grade.file).stem: {"status": grade.status, "scores": grade.scores} for grade in report.grades}

    return shared.get(f"corpus-kit-{corpus.assignment}", compute, as_json=True)


@pytest.mark.parametrize("corpus", list(CORPORA.values()), ids=_ids)
def test_every_entry_was_graded_once(corpus, shared, releases):
    assert sorted(kit_grades(shared, releases, corpus)) == sorted(entry.name for entry in corpus.entries)


@pytest.mark.parametrize(("corpus", "entry"), ENTRIES, ids=_ids)
def test_kit_gives_the_fair_scores(corpus, entry, shared, releases):
    grade = kit_grades(shared, releases, corpus)[entry.name]
    assert grade["status"] == COMPLETED
    assert grade["scores"] == pytest.approx(dict(entry.expected), abs=1e-9), entry.description


def test_each_score_pattern_has_one_representative():
    for corpus in CORPORA.values():
        chosen = [entry for each, entry in REPRESENTATIVES if each is corpus]
        patterns = {_score_pattern(entry) for entry in chosen}
        assert patterns == {_score_pattern(entry) for entry in corpus.entries}
        assert len(chosen) == len(patterns) >= 2, corpus.assignment


def pytest_generate_tests(metafunc):
    if metafunc.function.__name__ == "test_kit_scores_equal_plain_otter_run":
        chosen = ENTRIES if metafunc.config.getoption("every_entry") else REPRESENTATIVES
        metafunc.parametrize(("corpus", "entry"), chosen, ids=_ids)


def test_kit_scores_equal_plain_otter_run(corpus, entry, shared, releases):
    assignment, _ = releases(corpus.assignment)
    plain = otter_scores(assignment.zip_path, corpus_folder(shared, releases, corpus) / f"{entry.name}.ipynb")
    assert kit_grades(shared, releases, corpus)[entry.name]["scores"] == pytest.approx(plain, abs=1e-9), entry.description
