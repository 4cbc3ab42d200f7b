"""Run an assignment's solution in this process and compute its references.

Release stores what this computes; ``autograder validate`` mutates the
solution's functions against the same references.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import suite
from autograder.assignment import Assignment
from autograder.notebook_exec import run_notebook
from autograder.source_notebook import solution_notebook

REFERENCE_SEED = 20171125


class SolutionFails(RuntimeError):
    """A cell of the solution notebook raised."""


@dataclass
class Solved:
    namespace: dict      # the solution's globals after its last cell
    references: dict     # what compute_references writes: inputs, expected outputs, swap-in sources
    cases: list


def solve(assignment: Assignment, source: nbformat.NotebookNode, workdir: Path) -> Solved:
    """Run ``source``'s solution in ``workdir`` (beside a copy of the data) and compute the references.

    Raises:
        SolutionFails: a cell of the solution raised.
        suite.SuiteError: the cases are inconsistent with the solution, or it fails one of them.
    """
    shutil.copy(assignment.data_file, workdir / "data.txt")
    cases = suite.load_cases_module(assignment.cases_file)
    solution = solution_notebook(source)
    run = run_notebook(solution, workdir=workdir)
    if run.errors:
        first = run.errors[0]
        raise SolutionFails(f"{assignment.source_notebook}: the solution fails in cell {first.index}: {first.error}")
    code = [cell.source for cell in solution.cells if cell.cell_type == "code"]
    references = suite.solution_references(cases, code, run.namespace, cases_file=assignment.cases_file, seed=REFERENCE_SEED)
    return Solved(run.namespace, references, cases)
