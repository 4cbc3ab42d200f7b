"""Every assignment's honest corpus: the kit's grader gives each entry its fair scores, and the same
scores plain ``otter run`` gives it with the same autograder zip.

Each corpus is graded once per session by each grader (shared by xdist workers, see conftest); the
assertions are parametrized per entry, so a failure names the assignment, the entry and its mistake.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.grading.batch import GradeOptions, grade_paths
from autograder.grading.judging import COMPLETED
from autograder.release.otter_run import otter_scores_many
from tests.corpus import CORPORA

pytestmark = pytest.mark.slow
ENTRIES = [(corpus, entry) for corpus in CORPORA.values() for entry in corpus.entries]


def _ids(value) -> str:
    return getattr(value, "name", None) or getattr(value, "assignment", "")


def corpus_notebooks(corpus, releases, folder: Path) -> dict[str, Path]:
    assignment, _ = releases(corpus.assignment)
    template = assignment.student_dir / f"{corpus.assignment}.ipynb"
    return {path.stem: path for path in corpus.write(folder / "corpus", template)}


def kit_grades(shared, releases, corpus) -> dict[str, dict]:
    """Entry name → {status, scores} from ``autograder grade`` over the whole corpus, once a session."""

    def compute(scratch: Path) -> dict:
        notebooks = corpus_notebooks(corpus, releases, scratch)
        assignment, _ = releases(corpus.assignment)
        report = grade_paths([scratch / "corpus"], assignment, scratch / "out", options=GradeOptions(workers=2))
        return {Path(grade.file).stem: {"status": grade.status, "scores": grade.scores} for grade in report.grades if Path(grade.file).stem in notebooks}

    return shared.get(f"corpus-kit-{corpus.assignment}", compute, as_json=True)


def otter_grades(shared, releases, corpus) -> dict[str, dict]:
    """Entry name → question scores from plain ``otter run``, once a session."""

    def compute(scratch: Path) -> dict:
        notebooks = corpus_notebooks(corpus, releases, scratch)
        assignment, _ = releases(corpus.assignment)
        names = list(notebooks)
        return dict(zip(names, otter_scores_many(assignment.zip_path, [notebooks[name] for name in names], workers=2)))

    return shared.get(f"corpus-otter-{corpus.assignment}", compute, as_json=True)


@pytest.mark.parametrize("corpus", list(CORPORA.values()), ids=_ids)
def test_every_entry_was_graded_once(corpus, shared, releases):
    assert sorted(kit_grades(shared, releases, corpus)) == sorted(entry.name for entry in corpus.entries)


@pytest.mark.parametrize(("corpus", "entry"), ENTRIES, ids=_ids)
def test_kit_gives_the_fair_scores(corpus, entry, shared, releases):
    grade = kit_grades(shared, releases, corpus)[entry.name]
    assert grade["status"] == COMPLETED
    assert grade["scores"] == pytest.approx(dict(entry.expected), abs=1e-9), entry.description


@pytest.mark.parametrize(("corpus", "entry"), ENTRIES, ids=_ids)
def test_kit_scores_equal_plain_otter_run(corpus, entry, shared, releases):
    kit = kit_grades(shared, releases, corpus)[entry.name]["scores"]
    assert kit == pytest.approx(otter_grades(shared, releases, corpus)[entry.name], abs=1e-9), entry.description
