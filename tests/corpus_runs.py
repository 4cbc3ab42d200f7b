"""Each assignment's honest corpus, written as notebooks and graded by the kit once a session.

Under xdist the first worker that asks writes and grades; the others read (``Shared``, conftest).
The folder holds every entry, the corpus's combined-mistake notebooks and two more copies of its
first mistaken entry, so the parity, fairness and repeatability tests share one grading run.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.grading.batch import GradeOptions, grade_paths

# The copies graded twice sort before every entry, so they are the run's first two jobs and go to its
# two idle workers: two sandboxes forked from two separately spawned workers.
TWICE = ("0_twice_first", "0_twice_second")


def first_mistake(corpus):
    """The corpus's first entry that loses points: its messages quote the values it got wrong."""
    return next(entry for entry in corpus.entries if not corpus.is_correct(entry))


def notebook_names(corpus) -> list[str]:
    """The names (without ``.ipynb``) of every notebook in the corpus's folder."""
    return [entry.name for entry in corpus.entries + corpus.combined_mistakes()] + list(TWICE)


def corpus_folder(shared, releases, corpus) -> Path:
    """The folder of the corpus's notebooks, written once a session."""

    def write(scratch: Path) -> str:
        assignment, _ = releases(corpus.assignment)
        template = assignment.student_dir / f"{corpus.assignment}.ipynb"
        folder = scratch / "corpus"
        corpus.write(folder, template)
        for combined in corpus.combined_mistakes():
            nbformat.write(corpus.build(combined, template), folder / f"{combined.name}.ipynb")
        for copy in TWICE:
            (folder / f"{copy}.ipynb").write_bytes((folder / f"{first_mistake(corpus).name}.ipynb").read_bytes())
        return str(folder)

    return Path(shared.get(f"corpus-notebooks-{corpus.assignment}", write, as_json=True))


def kit_run(shared, releases, corpus) -> dict:
    """``{"out": OUT folder, "grades": name → {status, scores}}`` of ``autograder grade`` over the corpus's folder."""

    def compute(scratch: Path) -> dict:
        assignment, _ = releases(corpus.assignment)
        out = scratch / "out"
        report = grade_paths(
            [corpus_folder(shared, releases, corpus)], assignment, out, options=GradeOptions(workers=2)
        )
        grades = {Path(grade.file).stem: {"status": grade.status, "scores": grade.scores} for grade in report.grades}
        return {"out": str(out), "grades": grades}

    return shared.get(f"corpus-kit-{corpus.assignment}", compute, as_json=True)


def kit_grades(shared, releases, corpus) -> dict[str, dict]:
    return kit_run(shared, releases, corpus)["grades"]
