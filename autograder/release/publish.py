"""Copy what Otter Assign wrote into the kit's layout: student_template/, solutions/, dist/.

Generated folders hold exactly what release writes, so a re-release with
unchanged inputs rewrites them byte for byte: cell ids are made stable, and
the executed solution is re-run only when its inputs changed (its outputs
carry timings and Otter's random emoji). Each notebook Otter wrote is read
once and written once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from autograder import KitError
from autograder.assignment import Assignment
from autograder.release.localise import localise


class PublishError(KitError, RuntimeError):
    """Otter Assign's output is not what the kit expects."""


def publish(assignment: Assignment, assigned: Path, files: dict[str, Path]) -> bool:
    """Replace the assignment's generated folders with Otter's output in ``assigned``.

    Returns whether the solution was executed in a Jupyter kernel (False: the one in solutions/
    was executed from the same inputs and is kept).
    """
    name = assignment.source_notebook.name
    for notebook_path in (assigned / "student").glob("*.ipynb"):
        notebook = nbformat.read(notebook_path, as_version=4)
        nbformat.write(_stable_ids(localise(notebook) if notebook_path.name == name else notebook), notebook_path)
    solution_path = assigned / "autograder" / name
    solution = localise(nbformat.read(solution_path, as_version=4))
    nbformat.write(solution, solution_path)  # the file Otter's export cell zips when the solution runs
    _replace_dir(assignment.student_dir, assigned / "student")
    zips = sorted((assigned / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise PublishError(f"Otter Assign wrote {len(zips)} zips to {assigned / 'autograder'}, expected one")
    assignment.zip_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(zips[0], assignment.zip_path)
    return _publish_solution(assignment, solution, assigned / "autograder", files)


def _publish_solution(
    assignment: Assignment, solution: nbformat.NotebookNode, support: Path, files: dict[str, Path]
) -> bool:
    """Execute ``solution`` into solutions/, unless the one there was run from the same inputs."""
    from autograder.release.solution_exec import execute_solution, executed_digest, inputs_digest

    target = assignment.solution_dir / assignment.source_notebook.name
    digest = inputs_digest(solution, support=support, files=files)
    if executed_digest(target) == digest:
        return False
    executed = execute_solution(solution, assignment.source_notebook.name, support=support, digest=digest)
    if assignment.solution_dir.exists():
        shutil.rmtree(assignment.solution_dir)
    assignment.solution_dir.mkdir(parents=True)
    nbformat.write(executed, target)
    for relative in files:
        destination = assignment.solution_dir / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        source_path = support / relative
        if source_path.is_dir():
            shutil.copytree(source_path, destination)
        else:
            shutil.copy(source_path, destination)
    return True


def _stable_ids(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Give cells stable ids so a re-release writes byte-identical files."""
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:02d}"
    return notebook


def _replace_dir(target: Path, source: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target)
