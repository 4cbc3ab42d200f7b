"""What runs inside the sandbox: execute a submission, then probe it.

Follows Otter's grading semantics: a cell that is just ``grader.check("q")``
grades q at that point of the notebook (the last such cell wins), and every
question not checked that way is graded after the last cell. The result is
plain JSON: cell errors, printed output, and each case's encoded probe data.
"""
from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat

from autograder import plain, suite
from autograder.cases import Case
from autograder.notebook_exec import CappedWriter, new_shell

# The judge keeps only this much of a report; sending more could overflow the
# sandbox's 1 MiB result pipe (sandbox.Limits.result_cap) and lose every score.
REPORTED_OUTPUT_CHARS = 20_000
REPORTED_ERRORS = 50
VARIABLE_JSON_BYTES = 64 * 1024

_CHECK_CELL = re.compile(r"""^\s*grader\.check\(\s*["']([\w\-]+)["']\s*\)\s*;?\s*$""")


@dataclass
class ProbePlan:
    """Everything the sandbox may know: cases, their inputs, no expected outputs."""

    cases: dict[str, list[Case]]                  # question → its cases
    inputs: dict[str, dict]                       # case key → input arrays
    reference_sources: dict[str, str]             # swap-in function sources
    feedback_variables: tuple[str, ...] = ()
    notebook_name: str = "submission.ipynb"       # the init cell opens it by this name


def checkpoint_question(source: str) -> str | None:
    match = _CHECK_CELL.match(source)
    return match.group(1) if match else None


def run_and_probe(notebook: nbformat.NotebookNode, student_files: dict[str, bytes], plan: ProbePlan) -> bytes:
    """Write the student-facing files here, run the notebook, probe every case."""
    for relative, content in student_files.items():
        Path(relative).parent.mkdir(parents=True, exist_ok=True)
        Path(relative).write_bytes(content)
    nbformat.write(notebook, plan.notebook_name)
    shell = new_shell()
    captured = CappedWriter()
    probes: dict[str, dict] = {}
    errors: list[dict] = []
    functions = suite.build_reference_functions(plan.reference_sources)
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        for index, source in _cells_with_checkpoints(notebook):
            question = checkpoint_question(source)
            if question is not None:
                _probe_question(plan, question, shell.user_ns, functions, probes)
                continue
            result = shell.run_cell(source, store_history=False, silent=False)
            error = result.error_in_exec or result.error_before_exec
            if error is not None:
                errors.append({"cell": index, "error": f"{type(error).__name__}: {error}"[:500]})
        for question in plan.cases:
            if not any(key.startswith(question + "/") for key in probes):
                _probe_question(plan, question, shell.user_ns, functions, probes)
        variables = {name: _bounded(plain.encode(shell.user_ns.get(name))) for name in plan.feedback_variables}
    report = {"errors": errors[:REPORTED_ERRORS], "output": captured.getvalue()[-REPORTED_OUTPUT_CHARS:], "probes": probes, "variables": variables}
    return json.dumps(report).encode()


def _bounded(payload: dict) -> dict:
    """A plotted variable as encoded, or a stand-in when it is too large to send
    (a 20,000-epoch ``losses`` list must not cost the notebook its scores)."""
    if len(json.dumps(payload)) <= VARIABLE_JSON_BYTES:
        return payload
    return {"kind": "other", "type": str(payload.get("type", ""))[:200]}


def _cells_with_checkpoints(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """Code cells to run, keeping the ``grader.check`` cells as checkpoints."""
    cells = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        if checkpoint_question(source) is not None or _runs_for_grading(source):
            cells.append((index, source))
    return cells


def _runs_for_grading(source: str) -> bool:
    first = source.lstrip().split("\n", 1)[0].lower()
    # Otter drops cells whose first line is an "# ignore" comment, and export cells do nothing when grading
    # (the template's export cell opens with a comment line, so look past comments).
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#")).strip()
    return not first.startswith("# ignore") and not code.startswith(("grader.export", "grader.check_all"))


def _probe_question(plan: ProbePlan, question: str, namespace: dict, functions: dict[str, Callable], probes: dict) -> None:
    for case in plan.cases.get(question, ()):
        swap = {name: functions[name] for name in case.swap_in}
        probes[case.key] = suite.probe(case, namespace, plan.inputs[case.key], swap)
