"""What runs inside the sandbox: execute a submission, then probe it, in two phases.

Follows Otter's grading semantics: a cell that is just ``grader.check("q")``
grades q at that point of the notebook (the last such cell wins), and every
question not checked that way is graded after the last cell.

Phase one runs the notebook and probes every case that calls the student's
own functions only, and runs each question's public tests where Otter would
(at its ``grader.check``, else after the last cell), for what they do to the
notebook's state; its report (cell errors, printed output, those probes, the
plotted variables) is committed through ``reveal``, which only then hands
over the reference functions. Phase two probes the cases that swap those in
(a question graded in isolation); at a ``grader.check`` checkpoint such a
case is not probed at once but against a copy of the globals taken there.
So no phase-one probe can use a reference function, and whatever phase two
prints is dropped. Both reports are plain JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Callable, Iterator

import nbformat

from autograder.authoring import charts, suite, wire
from autograder.notebook_run import CappedWriter, code_sources, new_shell, runs_for_grading
from autograder.sandbox.probe_plan import ProbeCase, ProbePlan
from autograder.sandbox.probe_report import REPORTED_ERRORS, CellError, ProbeReport

# The judge keeps only this much of a report; sending more could overflow the
# sandbox's 1 MiB result pipe (sandbox.Limits.result_cap) and lose every score.
REPORTED_OUTPUT_CHARS = 20_000
PUBLIC_TESTS = "tests"  # where the student's files keep each question's public tests

_CHECK_CELL = re.compile(r"""^\s*grader\.check\(\s*["']([\w\-]+)["']\s*\)\s*;?\s*$""")

Reveal = Callable[[bytes], bytes]


def checkpoint_question(source: str) -> str | None:
    match = _CHECK_CELL.match(source)
    return match.group(1) if match else None


def run_and_probe(
    notebook: nbformat.NotebookNode, student_files: dict[str, bytes], plan: ProbePlan, reveal: Reveal
) -> bytes:
    """Write the student-facing files here, run the notebook, probe every case.

    Returns phase two's report; phase one's went out through ``reveal``.
    """
    for relative, content in student_files.items():
        Path(relative).parent.mkdir(parents=True, exist_ok=True)
        Path(relative).write_bytes(content)
    nbformat.write(notebook, plan.notebook_name)
    sys.path.insert(0, os.getcwd())  # as in a kernel: modules beside the notebook import
    modules = suite.reference_globals()  # before the notebook can replace them
    shell = new_shell()
    probing = _Probing(plan, shell.user_ns)
    captured = CappedWriter()
    errors: list[CellError] = []
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        for index, source in _cells_with_checkpoints(notebook):
            question = checkpoint_question(source)
            if question is not None:
                probing.checkpoint(question)
                continue
            result = shell.run_cell(source, store_history=False, silent=False)
            error = result.error_in_exec or result.error_before_exec
            if error is not None:
                errors.append(CellError(index, f"{type(error).__name__}: {error}"[:500]))
        probing.finish_phase_one()
        variables = {
            name: wire.encode_recorded(value)
            for name, value in charts.record(plan.charts, plan.recorded, shell.user_ns).items()
        }
    output = captured.getvalue()[-REPORTED_OUTPUT_CHARS:]
    committed = ProbeReport(probing.own, errors[:REPORTED_ERRORS], output, variables)
    sources = json.loads(reveal(committed.to_bytes()))
    swapped: dict[str, dict] = {}
    try:
        with contextlib.redirect_stdout(CappedWriter()), contextlib.redirect_stderr(CappedWriter()):
            probing.phase_two(suite.build_reference_functions(sources, base=modules), swapped)
    except Exception:  # what the notebook broke costs the cases not yet probed, not the committed ones
        pass
    return ProbeReport(swapped).to_bytes()


class _Probing:
    """Which cases were probed where: own cases at once, swap-in cases from snapshots."""

    def __init__(self, plan: ProbePlan, namespace: dict):
        self.plan, self.namespace = plan, namespace
        self.own: dict[str, dict] = {}
        self.snapshots: dict[str, dict] = {}  # question → its globals at its last checkpoint
        self.checked: set[str] = set()

    def checkpoint(self, question: str, *, snapshot: bool = True) -> None:
        self.checked.add(question)
        _run_public_tests(question, self.namespace)
        for case in self.plan.cases.get(question, ()):
            if not case.swap_in:
                self.own[case.key] = suite.probe(case, self.namespace, self.plan.inputs[case.key], {})
        if snapshot and any(case.swap_in for case in self.plan.cases.get(question, ())):
            self.snapshots[question] = dict(self.namespace)

    def finish_phase_one(self) -> None:
        for question in self.plan.cases:
            if question not in self.checked:
                self.checkpoint(question, snapshot=False)  # probed after the last cell: the live globals

    def phase_two(self, functions: dict[str, Callable], probes: dict[str, dict]) -> None:
        """Probe every swap-in case into ``probes``, each against its question's globals."""
        for question, cases in self.plan.cases.items():
            with _globals_as(self.namespace, self.snapshots.get(question)):
                for case in cases:
                    if case.swap_in:
                        probes[case.key] = _probe_swapped(case, self.namespace, self.plan.inputs[case.key], functions)


def _run_public_tests(question: str, namespace: dict) -> None:
    """Run ``tests/<question>.py`` (the student's public tests) against ``namespace``, as Otter would.

    Only for what they do to the notebook's state: whatever they report is this
    process's word, which the notebook can rewrite, so none of it is sent.
    """
    from otter.test_files import ExceptionTestFile

    path = Path(PUBLIC_TESTS) / f"{question}.py"
    if not path.is_file():
        return
    try:
        ExceptionTestFile.from_file(str(path)).run(namespace)
    except Exception:  # the notebook may have broken what the tests need
        pass


def _probe_swapped(case: ProbeCase, namespace: dict, inputs: dict, functions: dict[str, Callable]) -> dict:
    missing = [name for name in case.swap_in if name not in functions]
    if missing:
        return {
            "__error__": wire.encode(wire.ProbeError(f"the grader did not provide the reference {', '.join(missing)}"))
        }
    return suite.probe(case, namespace, inputs, {name: functions[name] for name in case.swap_in})


@contextlib.contextmanager
def _globals_as(namespace: dict, snapshot: dict | None) -> Iterator[None]:
    """Give ``namespace`` the contents of ``snapshot`` for a while (functions see their globals change)."""
    if snapshot is None:
        yield
        return
    live = dict(namespace)
    namespace.clear()
    namespace.update(snapshot)
    try:
        yield
    finally:
        namespace.clear()
        namespace.update(live)


def _cells_with_checkpoints(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """Code cells to run, keeping the ``grader.check`` cells as checkpoints."""
    return [
        (index, source)
        for index, source in code_sources(notebook)
        if checkpoint_question(source) is not None or runs_for_grading(source)
    ]
