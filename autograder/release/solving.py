"""Run an assignment's solution once, in this process, and compute what release stores.

Release writes the references this computes; ``autograder validate`` forks
mutants from the same solved namespace. The solution runs in a folder holding
the files the notebook lists, as a student's notebook would.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from autograder import KitError
from autograder.assignment import Assignment
from autograder.authoring.reference_data import References
from autograder.authoring.suite import CasesModule, load_cases
from autograder.notebook_run import run_notebook
from autograder.release import data_files
from autograder.release.references import compute_references, recorded_values
from autograder.release.source_notebook import SourceNotebook

REFERENCE_SEED = 20171125


class SolutionFails(KitError, RuntimeError):
    """A cell of the solution notebook raised."""


@dataclass
class Solved:
    source: SourceNotebook
    cases: CasesModule
    namespace: dict  # the solution's globals after its last cell
    references: References  # inputs, expected outputs, swap-in sources, the plotted values
    code: list[str]  # the solution's code cells, as run


def solve(
    assignment: Assignment, source: SourceNotebook, cases: CasesModule, files: dict[str, Path], workdir: Path
) -> Solved:
    """Run ``source``'s solution in ``workdir`` beside ``files`` and compute the references.

    Raises:
        SolutionFails: a cell of the solution raised.
        autograder.release.references.CasesFileError: the cases do not work on the solution.
    """
    copy_files(files, workdir)
    notebook = source.solution_notebook()
    run = run_notebook(notebook, workdir=workdir)
    if run.errors:
        first = run.errors[0]
        raise SolutionFails(
            f"{assignment.source_notebook}: the solution fails in cell {first.index}: "
            f"{first.error}{_hint(first.error, assignment, files)}"
        )
    code = [cell.source for cell in notebook.cells]
    references = compute_references(cases, run.namespace, code, seed=REFERENCE_SEED)
    references.notebook = recorded_values(cases, run.namespace)
    # The grader gathers written answers for these (name → points); they are no hidden data.
    references.manual_questions = {question.name: question.points for question in source.questions if question.manual}
    return Solved(source, cases, run.namespace, references, code)


def copy_files(files: dict[str, Path], target: Path) -> None:
    """Copy each support file or folder to its relative name under ``target``."""
    for relative, path in files.items():
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, destination, dirs_exist_ok=True)
        else:
            shutil.copy(path, destination)


def _hint(error: str, assignment: Assignment, files: dict[str, Path]) -> str:
    """What to do about a missing file the solution opened."""
    match = re.search(r"FileNotFoundError: .*?'([^']+)'", error) or re.search(
        r"FileNotFoundError: (\S+) not found", error
    )
    if not match:
        return ""
    name = match.group(1)
    if name in files:
        return ""
    if (assignment.source_dir / name).exists():
        return f"; {name} is in {assignment.source_dir} but not listed: add it under `files:` in the ASSIGNMENT CONFIG"
    return (
        f"; add {name} to {assignment.source_dir} and list it under `files:` in the ASSIGNMENT CONFIG (or write it "
        "from make_data.py), "
        f"or, if it belongs to a course data set, declare the set under data: in {assignment.config_file.name}"
    )


def solved_for(assignment: Assignment, workdir: Path) -> Solved:
    """Run the solution and compute references the way release does (for ``autograder validate``)."""
    source = SourceNotebook.read(assignment.source_notebook)
    files = data_files.gather(assignment, source.config).files
    return solve(assignment, source, load_cases(assignment.cases_file), files, workdir)
