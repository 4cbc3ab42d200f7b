"""Copy what Otter Assign wrote into the kit's layout: student_template/, solutions/, dist/.

Generated folders hold exactly what release writes, so a re-release with
unchanged inputs rewrites them byte for byte: cell ids are made stable, and
the executed solution is re-run only when its inputs changed (its outputs
carry timings and Otter's random emoji).
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


def publish(assignment: Assignment, assigned: Path, files: dict[str, Path]) -> None:
    """Replace the assignment's generated folders with Otter's output in ``assigned``."""
    for folder in ("student", "autograder"):
        path = assigned / folder / assignment.source_notebook.name
        nbformat.write(localise(nbformat.read(path, as_version=4)), path)
    _replace_dir(assignment.student_dir, assigned / "student")
    for notebook in assignment.student_dir.glob("*.ipynb"):
        _normalise(notebook)
    zips = sorted((assigned / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise PublishError(f"Otter Assign wrote {len(zips)} zips to {assigned / 'autograder'}, expected one")
    assignment.zip_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(zips[0], assignment.zip_path)
    _publish_solution(assignment, assigned / "autograder", files)


def _publish_solution(assignment: Assignment, support: Path, files: dict[str, Path]) -> None:
    """Execute the solution into solutions/, unless the one there was run from the same inputs."""
    from autograder.release.solution_exec import execute_solution, executed_digest, inputs_digest

    source = support / assignment.source_notebook.name
    target = assignment.solution_dir / assignment.source_notebook.name
    digest = inputs_digest(source, support=support, files=files)
    if executed_digest(target) == digest:
        return
    executed = execute_solution(source, support=support, digest=digest)
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


def _normalise(notebook_path: Path) -> None:
    """Give cells stable ids so a re-release writes byte-identical files."""
    notebook = nbformat.read(notebook_path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:02d}"
    nbformat.write(notebook, notebook_path)


def _replace_dir(target: Path, source: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target)
