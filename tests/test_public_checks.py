"""Public checks teach: every honest submission's checks, run as its notebook runs them, fail on the
question the student got wrong and on no other, with a message in both languages and no test source.

Each corpus entry's notebook runs in a fresh IPython shell, in a copy of the released student folder
(data, public tests, the kit's runtime), as in the student's kernel; then ``grader.check(q)`` runs for
every question, as its check cell does. Entries run in forked children, two at a time, once a session.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.forking import run_forked
from autograder.sandbox.warm_process import warm_up
from tests.corpus import CORPORA

pytestmark = pytest.mark.slow
# Typical mistakes a public check does not catch, and why (the README lists them too).
UNCAUGHT: dict[tuple[str, str], str] = {}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _run_checks(folder: Path, notebook: nbformat.NotebookNode, questions: list[str]) -> dict:
    """Run ``notebook``'s cells in ``folder``, then each question's check; return what each said."""
    os.environ["MPLBACKEND"] = "Agg"
    from autograder.notebook_run import new_shell

    os.chdir(folder)
    sys.path.insert(0, str(folder))  # a kernel imports modules beside its notebook
    shell = new_shell()
    skipped = ("grader.check", "grader.export", "from autograder.authoring.student import export")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for cell in notebook.cells:
            source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("#")).strip()
            if cell.cell_type == "code" and not source.startswith(skipped) and "import export" not in source:
                shell.run_cell(cell.source, store_history=False)
        grader = shell.user_ns["grader"]
        results = {}
        for question in questions:
            checked = grader.check(question, global_env=shell.user_ns)
            results[question] = {
                "passed": bool(checked.passed_all),
                "shown": checked.summary() + "\n" + checked._repr_html_(),
            }
    return results


def _corpus_checks(shared, releases, corpus) -> dict:
    def compute(scratch: Path) -> dict:
        assignment, _ = releases(corpus.assignment)
        template = assignment.student_dir / f"{corpus.assignment}.ipynb"
        jobs = []
        for entry in corpus.entries:
            folder = scratch / entry.name
            shutil.copytree(assignment.student_dir, folder)
            notebook = corpus.build(entry, template)
            nbformat.write(notebook, folder / template.name)
            jobs.append(lambda folder=folder, notebook=notebook: _run_checks(folder, notebook, list(corpus.points)))
        warm_up()  # torch (its first optimizer imports torch._dynamo), IPython and Otter once here, not in every fork
        outcomes = run_forked(jobs, workers=2, timeout=300)
        return {
            entry.name: outcome.result or {"problem": outcome.problem}
            for entry, outcome in zip(corpus.entries, outcomes)
        }

    return shared.get(f"public-checks-{corpus.assignment}", compute, as_json=True)


ENTRIES = [(corpus, entry) for corpus in CORPORA.values() for entry in corpus.entries]


def _ids(value) -> str:
    return getattr(value, "name", None) or getattr(value, "assignment", "")


def _test_source_lines(releases, corpus) -> list[str]:
    assignment, _ = releases(corpus.assignment)
    lines = (
        line.strip()
        for path in (assignment.student_dir / "tests").glob("*.py")
        for line in path.read_text().splitlines()
    )
    return [
        line
        for line in lines
        if len(line) >= 12 and not line.startswith(("#", "from ", "import ", "name =", "points ="))
    ]


@pytest.mark.parametrize(("corpus", "entry"), ENTRIES, ids=_ids)
def test_public_checks_fail_on_the_mistaken_question_only(corpus, entry, shared, releases):
    results = _corpus_checks(shared, releases, corpus)[entry.name]
    assert "problem" not in results, results
    failing = sorted(question for question, result in results.items() if not result["passed"])
    mistaken = sorted(question for question, points in corpus.points.items() if entry.expected[question] < points)
    exception = UNCAUGHT.get((corpus.assignment, entry.name))
    expected = [] if exception else mistaken
    assert failing == expected, f"{entry.description}: checks failed on {failing}; " + "\n".join(
        results[q]["shown"][:600] for q in failing
    )


@pytest.mark.parametrize(("corpus", "entry"), ENTRIES, ids=_ids)
def test_a_failing_check_shows_its_message_in_both_languages_and_no_test_source(corpus, entry, shared, releases):
    results = _corpus_checks(shared, releases, corpus)[entry.name]
    source = _test_source_lines(releases, corpus)
    for question, result in results.items():
        if result["passed"]:
            continue
        shown = result["shown"]
        assert CHINESE.search(shown), f"{question}: no Chinese in {shown[:300]}"
        leaked = [line for line in source if line in shown]
        assert not leaked, f"{question} shows test source: {leaked[:3]}"
        assert "Traceback" not in shown and "{" not in shown.split("result:", 1)[-1].split("<")[0], shown[:500]


@pytest.mark.parametrize(("corpus", "entry"), [(c, e) for c, e in ENTRIES if e.says], ids=_ids)
def test_a_failing_check_names_the_mistake(corpus, entry, shared, releases):
    results = _corpus_checks(shared, releases, corpus)[entry.name]
    shown = [result["shown"] for result in results.values() if not result["passed"]]
    assert any(entry.says in text for text in shown), f"{entry.description}: {[text[:300] for text in shown]}"
