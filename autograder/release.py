"""``autograder release``: from one source notebook to everything a course needs.

Runs the solution to compute reference data, lets Otter Assign write the
student and autograder versions, executes the solution notebook, copies the
results into the kit's layout, then checks the release: the solution must earn
full marks and the untouched student template zero, both under ``otter run``.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from autograder import admissions, suite
from autograder.assignment import Assignment
from autograder.solving import SolutionFails, solve
from autograder.source_notebook import question_points

if TYPE_CHECKING:
    from autograder.mutation import MutationReport

KIT_MODULES = ("__init__.py", "plain.py", "checks.py", "cases.py", "suite.py", "hidden.py")


class ReleaseError(RuntimeError):
    """The release could not be built or did not pass its own checks."""


@dataclass
class ReleaseReport:
    assignment: Assignment
    points: dict[str, float]
    solution_scores: dict[str, float] = field(default_factory=dict)
    template_scores: dict[str, float] = field(default_factory=dict)
    data_generated: bool = False
    mutation: "MutationReport | None" = None

    @property
    def problems(self) -> list[str]:
        found = []
        for question, possible in self.points.items():
            if self.solution_scores and self.solution_scores.get(question) != possible:
                found.append(f"the solution earns {self.solution_scores.get(question)} of {possible} on {question}")
            if self.template_scores and self.template_scores.get(question, 0) != 0:
                found.append(f"the blank template earns {self.template_scores[question]} on {question}")
        return found


def release(assignment: Assignment, *, validate: bool = True, mutation: bool = True) -> ReleaseReport:
    """Build and write the student template, the solution and the autograder zip.

    With ``validate``, grade the solution and the blank template with ``otter run``;
    with ``mutation``, also measure how many mutants of the solution the hidden
    cases catch (``autograder validate``), for the release's summary.

    Raises:
        ReleaseError: the solution fails, Otter Assign fails, or validation finds
            the solution short of full marks or the template above zero.
    """
    data_generated = admissions.write_data_file(assignment.data_file)
    source = nbformat.read(assignment.source_notebook, as_version=4)
    report = ReleaseReport(assignment, question_points(source), data_generated=data_generated)
    with tempfile.TemporaryDirectory(prefix=f"release-{assignment.name}-") as scratch:
        build = Path(scratch) / "build"
        build.mkdir()
        _stage(assignment, source, build)
        assigned = Path(scratch) / "assigned"
        _run_otter_assign(build / assignment.source_notebook.name, assigned)
        _publish(assignment, assigned)
    if validate:
        from autograder.otter_run import otter_scores_many

        student_notebook = assignment.student_dir / assignment.source_notebook.name
        solution_notebook_path = assignment.solution_dir / assignment.source_notebook.name
        report.solution_scores, report.template_scores = otter_scores_many(assignment.zip_path, [solution_notebook_path, student_notebook])
        if report.problems:
            raise ReleaseError(f"{assignment.name}: the release does not hold: " + "; ".join(report.problems))
    if mutation:
        from autograder.mutation import validate as mutation_score

        report.mutation = mutation_score(assignment)
    return report


def _stage(assignment: Assignment, source: nbformat.NotebookNode, build: Path) -> None:
    """Copy inputs into ``build`` and write the reference data beside them."""
    nbformat.write(source, build / assignment.source_notebook.name)
    try:
        solved = solve(assignment, source, build)
    except SolutionFails as error:
        raise ReleaseError(str(error)) from error
    except suite.SuiteError as error:
        raise ReleaseError(f"{assignment.cases_file}: {error}") from error
    references = solved.references
    references["notebook"] = _feedback_values(assignment, solved.namespace)
    (build / suite.REFERENCES_FILE).write_text(json.dumps(references), encoding="utf-8")
    (build / suite.INPUTS_FILE).write_text(json.dumps(suite.inputs_only(references)), encoding="utf-8")
    shutil.copy(assignment.cases_file, build / suite.CASES_FILE)
    kit = build / "autograder"
    kit.mkdir()
    package = Path(__file__).parent
    for module in KIT_MODULES:
        shutil.copy(package / module, kit / module)


def _cases_module(assignment: Assignment):
    return suite.load_cases_module_object(assignment.cases_file)


def _feedback_values(assignment: Assignment, namespace: dict) -> dict:
    """The solution's values of the variables feedback pages plot, encoded as a submission's are."""
    from autograder.probe_run import feedback_value

    names = getattr(_cases_module(assignment), "FEEDBACK_VARIABLES", ())
    return {name: feedback_value(namespace.get(name)) for name in names}


def _run_otter_assign(master: Path, result: Path) -> None:
    import otter.assign

    try:
        otter.assign.main(str(master), str(result), no_pdfs=True, no_run_tests=True)
    except Exception as error:
        raise ReleaseError(f"{master.name}: Otter Assign failed: {error}") from error


def _publish(assignment: Assignment, assigned: Path) -> None:
    """Copy Otter's output into the kit's layout, replacing what was there."""
    student = assigned / "student"
    _replace_dir(assignment.student_dir, student)
    for notebook in assignment.student_dir.glob("*.ipynb"):
        _normalise(notebook)
    zips = sorted((assigned / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise ReleaseError(f"Otter Assign wrote {len(zips)} zips, expected one")
    assignment.zip_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(zips[0], assignment.zip_path)
    _publish_solution(assignment, assigned / "autograder")


def _publish_solution(assignment: Assignment, support: Path) -> None:
    """Execute the solution into solutions/, unless the one there was run from the same inputs."""
    from autograder.solution_exec import executed_digest, execute_solution, inputs_digest

    source = support / assignment.source_notebook.name
    target = assignment.solution_dir / assignment.source_notebook.name
    digest = inputs_digest(source, support=support)
    if executed_digest(target) == digest:
        return
    executed = execute_solution(source, support=support, digest=digest)
    assignment.solution_dir.mkdir(parents=True, exist_ok=True)
    for stale in assignment.solution_dir.iterdir():
        _remove(stale)
    nbformat.write(executed, target)
    shutil.copy(support / "data.txt", assignment.solution_dir / "data.txt")


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


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
