"""What a grading run's workers are handed from the autograder zip's support files.

The probes and their inputs (``ProbePlan``), never the cases file's expected outputs, the reference
functions' file for each sandbox's broker, and the files a student's notebook sits beside. The
grader's side of the run's private folder is ``autograder.grading.grading_folder``.
"""

from __future__ import annotations

from pathlib import Path

from autograder.authoring import suite
from autograder.authoring.reference_data import References
from autograder.sandbox.probe_plan import ProbePlan
from autograder.sandbox.warm_process import WorkerSetup


def worker_setup(support: Path, inputs: References, reference_functions: Path, template: Path) -> WorkerSetup:
    """The workers' setup from the extracted ``support`` folder and the cases' ``inputs`` (the
    inputs-only reference data), for the blank notebook ``template`` in its released student folder."""
    cases_file = support / suite.CASES_FILE
    module = suite.load_cases(cases_file)
    stored = suite.Suite(module.cases, inputs)
    plan = ProbePlan.of(module, stored, notebook_name=template.name)
    return WorkerSetup(plan.dumps(cases_file), reference_functions, student_files(template.parent), template)


def student_files(folder: Path) -> dict[str, bytes]:
    """The files a student's notebook sits beside (data, public tests), by path in ``folder``; no notebook."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix != ".ipynb":
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files
