"""``autograder release``: from one source notebook to everything a course needs.

The steps, in order: read the source notebook and the cases file (once
each); find the files the notebook lists, generating missing ones; run the
solution once and compute the references; stage a build folder (completed
config, hidden test cells, the kit's runtime); let Otter Assign write the
student and autograder versions; publish them into the kit's layout; pack
the student download (the student folder with the runtime); check
the release with ``otter run`` (the solution earns full marks, the blank
template zero); measure the mutation score from the same solved namespace.

The solution runs at most three times, each for what only that run gives (``SolutionRun``): in
this process, for live objects; in a Jupyter kernel, for the published outputs, and only when its
inputs changed; under ``otter run``, as Gradescope will run it, and only when that check has not
passed on the same zip and notebooks before. The references cannot come from
the kernel run: that runs Otter Assign's notebook, and Otter Assign packs the references.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder import KitError
from autograder.assignment import Assignment
from autograder.authoring.charts import repeated_titles
from autograder.authoring.suite import CasesModule, load_cases
from autograder.release import data_files, staging
from autograder.release.mutation import MutationReport
from autograder.release.mutation import validate as mutation_score
from autograder.release.publish import publish
from autograder.release.requirements import requirements as zip_requirements
from autograder.release.requirements import unlisted_imports
from autograder.release.solving import solve
from autograder.release.source_notebook import SourceNotebook
from autograder.release.student_download import write_student_zip


class ReleaseError(KitError, RuntimeError):
    """The release could not be built or did not pass its own checks."""


@dataclass(frozen=True)
class SolutionRun:
    """One run of the solution notebook, or one skipped, and why: a line of the release's summary."""

    label: str
    why: str


IN_PROCESS = SolutionRun(
    "solution run",
    "in process: the hidden cases' expected outputs, the charts' values and (unless --no-mutation) the mutants "
    "come from its live objects",
)
IN_KERNEL = SolutionRun(
    "solution run", "in a Jupyter kernel: its cells or files changed, and solutions/ keeps its outputs and plots"
)
KERNEL_SKIPPED = SolutionRun(
    "solution kept", "solutions/ was executed in a kernel from these same cells and files; not run again"
)
BY_OTTER = SolutionRun(
    "solution run", "by otter run, beside the blank template: the check that the new zip grades both as Gradescope will"
)
OTTER_KEPT = SolutionRun(
    "solution checked",
    "otter run passed this same zip, solution and template in this same environment before; not run again",
)


@dataclass
class ReleaseReport:
    assignment: Assignment
    points: dict[str, float]  # autograded questions
    solution_scores: dict[str, float] | None = None  # None: not checked with otter run
    template_scores: dict[str, float] | None = None
    generated: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    mutation: "MutationReport | None" = None
    warnings: list[str] = field(default_factory=list)
    written: dict[str, float] = field(default_factory=dict)  # written (manual) questions, marked by TAs
    solution_public_failures: str | None = None  # otter run's report of the public tests the solution fails
    runs: list[SolutionRun] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """What validation found wrong; a question ``otter run`` gave no score is wrong too (a run that
        failed before grading writes a results file with no question in it)."""
        found = []
        if self.solution_public_failures:
            found.append(
                "the solution fails its own public tests, so every correct submission would see a red check "
                f"({self.solution_public_failures[:600]}); fix the test or the solution"
            )
        for question, possible in self.points.items():
            if self.solution_scores is not None:
                earned = self.solution_scores.get(question)
                if earned is None:
                    found.append(f"otter run gave the solution no score on {question}")
                elif earned != possible:
                    found.append(f"the solution earns {earned} of {possible} on {question}")
            if self.template_scores is not None:
                earned = self.template_scores.get(question)
                if earned is None:
                    found.append(f"otter run gave the blank template no score on {question}")
                elif earned != 0:
                    found.append(f"the blank template earns {earned} on {question}")
        return found


def release(assignment: Assignment, *, otter_check: bool = True, mutation: bool = True) -> ReleaseReport:
    """Build and write the student template, the solution, the autograder zip and the student download.

    With ``otter_check``, grade the solution and the blank template with ``otter run``;
    with ``mutation``, also measure how many mutants of the solution the hidden
    cases catch (``autograder validate``), for the release's summary.

    Raises:
        KitError: the source notebook, cases file or data files are wrong (the
            message names the file and the fix), the solution fails, Otter Assign
            fails, or validation finds the solution short of full marks or the
            template above zero.
    """
    source = SourceNotebook.read(assignment.source_notebook)
    handed_out = data_files.gather(assignment, source.config)
    files = handed_out.files
    cases = load_cases(assignment.cases_file)
    _check_charts(cases)
    _check_every_question_has_a_case(source, cases)
    report = ReleaseReport(
        assignment,
        source.question_points(),
        generated=handed_out.generated,
        written={q.name: q.points for q in source.questions if q.manual},
    )
    code = [cell.source for cell in source.notebook.cells if cell.cell_type == "code"]
    report.requirements, report.warnings = _requirements(assignment, code, files)
    with tempfile.TemporaryDirectory(prefix=f"release-{assignment.name}-") as scratch:
        solved = solve(assignment, source, cases, files, _folder(scratch, "solve"))
        report.runs.append(IN_PROCESS)
        staged = staging.stage(assignment, solved, files, _folder(scratch, "build"), requirements=report.requirements)
        assigned = Path(scratch) / "assigned"
        _run_otter_assign(staged, assigned)
        report.runs.append(IN_KERNEL if publish(assignment, assigned, files) else KERNEL_SKIPPED)
    write_student_zip(assignment, report.requirements)
    if otter_check:
        report.runs.append(_check_with_otter_run(assignment, report))
    if mutation:
        report.mutation = mutation_score(assignment, solved=solved)
    return report


def _check_every_question_has_a_case(source: SourceNotebook, cases: CasesModule) -> None:
    """Public tests carry 0 points, so a question without a hidden case would earn nobody anything."""
    graded = {case.question for case in cases.cases}
    for question in source.questions:
        if not question.manual and question.name not in graded and not question.hidden_calls:
            raise ReleaseError(
                f"{cases.path}: question {question.name} has no hidden case, and its public tests carry 0 points, so "
                "every submission (the solution too) "
                f"would earn 0 of {question.points:g}; declare one in CASES, e.g. cases.output({question.name!r}, "
                '"small", ...)'
            )


def _check_charts(cases: CasesModule) -> None:
    repeated = repeated_titles(cases.charts)
    if repeated:
        raise ReleaseError(
            f"{cases.path}: several charts in CHARTS have the title {repeated[0]!r}; give each its own title= (the "
            "feedback page shows them one under another, by title)"
        )


def _requirements(assignment: Assignment, code: list[str], files: dict[str, Path]) -> tuple[list[str], list[str]]:
    """The zip's pip lines, and a warning naming each module the notebook, its cases or the modules it
    ships import that those lines do not install (the zip runs all of them)."""
    modules = {Path(name).stem: path for name, path in files.items() if name.endswith(".py") and path.is_file()}
    sources = [
        *code,
        assignment.cases_file.read_text(encoding="utf-8"),
        *(path.read_text(encoding="utf-8") for path in modules.values()),
    ]
    lines = zip_requirements(assignment.config.requirements, sources, local=modules)
    missing = unlisted_imports(lines, sources, local=modules)
    if not missing:
        return lines, []
    where = (
        f"{assignment.config_file}'s requirements"
        if assignment.config.requirements is not None
        else "the packages release found"
    )
    return lines, [
        f"the notebook or its cases import {', '.join(missing)}, which {where} do not install: on Gradescope every "
        f"submission would fail at that import; list the package under `requirements:` in {assignment.config_file}"
    ]


def _folder(scratch: str, name: str) -> Path:
    folder = Path(scratch) / name
    folder.mkdir()
    return folder


def _run_otter_assign(master: Path, result: Path) -> None:
    import otter.assign

    try:
        otter.assign.main(str(master), str(result), no_pdfs=True, no_run_tests=True)
    except Exception as error:
        raise ReleaseError(f"{master.name}: Otter Assign failed: {error}") from error


def _check_with_otter_run(assignment: Assignment, report: ReleaseReport) -> SolutionRun:
    """Grade the executed solution and the blank template with the new zip, as Otter would, unless a
    check passed on these same files before: the solution must pass its public tests too (they carry no
    points, so only Otter's report of them shows a failure)."""
    from autograder.release import otter_check

    files = (
        assignment.zip_path,
        assignment.solution_dir / assignment.source_notebook.name,
        assignment.student_dir / assignment.source_notebook.name,
    )
    taken = otter_check.fingerprint(*files)  # before the run: another release may rewrite the files meanwhile
    kept = otter_check.passed_before(assignment.zip_path, taken)
    found = kept or otter_check.run_check(*files)
    report.solution_scores, report.template_scores = found.solution.scores, found.template.scores
    report.solution_public_failures = found.solution.public_failures
    if report.problems:
        raise ReleaseError(f"{assignment.name}: the release does not hold: " + "; ".join(report.problems))
    if kept:
        return OTTER_KEPT
    otter_check.remember_passed(assignment.zip_path, found, taken)
    return BY_OTTER
