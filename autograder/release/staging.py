"""The folder Otter Assign builds from: the instructor's notebook, completed, and everything the zip ships.

Release completes the notebook's ASSIGNMENT CONFIG (the kit's runtime and
reference files under ``autograder_files``, the requirements, the settings the
kit grades with), marks public tests as worth 0 points, and writes one hidden
test cell per hidden case that has none. The instructor's own notebook is
never changed.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import nbformat
import yaml

from autograder.assignment import Assignment
from autograder.authoring import suite
from autograder.authoring.cases import Case
from autograder.authoring.reference_data import INPUTS_FILE, REFERENCES_FILE
from autograder.release.solving import Solved, copy_files
from autograder.release.source_notebook import CONFIG_MARKER, Question, SourceNotebookError

PACKAGE = Path(__file__).resolve().parents[1]
RUNTIME_FOLDER = "authoring"
REFERENCE_FILES = (REFERENCES_FILE, INPUTS_FILE, suite.CASES_FILE)
_TEST_CONFIG = re.compile(r'^\s*(?:\w+\s*=\s*)?"""\s*#\s*BEGIN\s*TEST\s*CONFIG', re.IGNORECASE)
IDENTITY_CELL = """# 姓名与学号：提交前填写 · Your name and student number: fill them in before you submit
STUDENT_NAME = ""
STUDENT_ID = ""

from autograder.authoring.student import check_identity
check_identity(STUDENT_NAME, STUDENT_ID, pattern={pattern!r}, example={example!r})"""
_KIT_DEFAULTS = {
    "init_cell": True,
    "check_all_cell": False,
    "run_tests": False,  # the kit grades the solution and the template itself, with otter run
    "solutions_pdf": False,
    "export_cell": {"pdf": False, "run_tests": False},
    "generate": {"pdf": False, "show_stdout": True, "show_hidden": True},
}


def runtime_files() -> list[str]:
    """The kit's runtime as paths inside the zips: the package's __init__ and the authoring folder."""
    folder = PACKAGE / RUNTIME_FOLDER
    return [
        "autograder/__init__.py",
        *sorted(f"autograder/{RUNTIME_FOLDER}/{path.name}" for path in folder.glob("*.py")),
    ]


def stage(
    assignment: Assignment, solved: Solved, files: dict[str, Path], build: Path, *, requirements: list[str]
) -> Path:
    """Write the build folder; return the staged notebook's path."""
    copy_files(files, build)
    solved.references.write(build / REFERENCES_FILE)
    solved.references.inputs_only().write(build / INPUTS_FILE)
    shutil.copy(assignment.cases_file, build / suite.CASES_FILE)
    for relative in runtime_files():
        target = build / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PACKAGE.parent / relative, target)
    notebook = staged_notebook(solved, assignment=assignment, requirements=requirements, files=list(files))
    path = build / assignment.source_notebook.name
    nbformat.write(notebook, path)
    return path


def staged_notebook(
    solved: Solved, *, assignment: Assignment, requirements: list[str], files: list[str]
) -> nbformat.NotebookNode:
    """The source notebook with its config completed (``files``: every file handed out) and its hidden test cells
    written."""
    source = solved.source
    notebook = copy.deepcopy(source.notebook)
    config = completed_config(source.config, assignment=assignment, requirements=requirements, files=files)
    cell = nbformat.v4.new_raw_cell(f"{CONFIG_MARKER}\n" + yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    _check_questions(source.questions, solved.cases.cases, source.path)
    for question in reversed(source.questions):  # back to front, so earlier indices stay valid
        _mark_public_tests(notebook, question, source.path)
        _add_hidden_tests(
            notebook, question, [c for c in solved.cases.cases if c.question == question.name], source.path
        )
    if source.config_cell is None:
        notebook.cells.insert(0, cell)
    else:
        notebook.cells[source.config_cell] = cell
    _insert_identity_cell(notebook, assignment)
    return notebook


def _insert_identity_cell(notebook: nbformat.NotebookNode, assignment: Assignment) -> None:
    """The student's name and number, right after the notebook's opening text (or first)."""
    pattern, example = assignment.student_id_rule
    identity = nbformat.v4.new_code_cell(IDENTITY_CELL.format(pattern=pattern, example=example))
    first_text = next((index for index, cell in enumerate(notebook.cells) if cell.cell_type == "markdown"), None)
    notebook.cells.insert(0 if first_text is None else first_text + 1, identity)


def completed_config(config: dict, *, assignment: Assignment, requirements: list[str], files: list[str]) -> dict:
    """The ASSIGNMENT CONFIG the kit grades with, from the instructor's; ``files`` are the names handed
    out beside the notebook (the declared data sets' and those the config lists)."""
    where = assignment.source_notebook
    completed = dict(config)
    if completed.setdefault("name", assignment.name) != assignment.name:
        raise SourceNotebookError(
            f"{where}: the ASSIGNMENT CONFIG names it {completed['name']!r}, but its folder is {assignment.name!r}; "
            "use the folder's name"
        )
    tests = dict(completed.get("tests") or {})
    if tests.get("ok_format", False):
        raise SourceNotebookError(
            f"{where}: `tests: ok_format: true` is not supported; the kit's tests are exception-based (remove the "
            "setting)"
        )
    completed["tests"] = {**tests, "files": True, "ok_format": False}
    for key, value in _KIT_DEFAULTS.items():
        if isinstance(value, dict) and isinstance(completed.get(key), dict):
            completed[key] = {**value, **completed[key]}
        else:
            completed.setdefault(key, value)
    own = [
        entry
        for entry in completed.get("autograder_files") or []
        if not str(entry).startswith("autograder/") and entry not in REFERENCE_FILES
    ]
    # The runtime goes in the zip only: students get it in release's download zip (student_download), so
    # the student folder in the repo holds no copy of the package.
    completed["files"] = [entry for entry in files if not str(entry).startswith("autograder/")]
    completed["autograder_files"] = [*own, *REFERENCE_FILES, *runtime_files()]
    completed["requirements"] = list(requirements)
    return completed


def _check_questions(questions: list[Question], cases: list[Case], path: Path) -> None:
    names = {question.name for question in questions}
    strays = sorted({case.question for case in cases} - names)
    if strays:
        raise SourceNotebookError(
            f"{path}: cases.py has cases for {strays}, but the notebook has no such question (check the names in BEGIN "
            "QUESTION)"
        )
    keys = {(case.question, case.name) for case in cases}
    for question in questions:
        for call in question.hidden_calls:
            if (call.question, call.case) not in keys:
                raise SourceNotebookError(
                    f"{path}, cell {call.cell}: the test cell grades case {call.question}/{call.case}, which cases.py "
                    "does not define"
                )
            if call.question != question.name:
                raise SourceNotebookError(
                    f"{path}, cell {call.cell}: a test cell of question {question.name} grades a case of "
                    f"{call.question}"
                )


def _mark_public_tests(notebook: nbformat.NotebookNode, question: Question, path: Path) -> None:
    """Give every public test cell 0 points: the kit grades only the hidden cases."""
    hidden_cells = {call.cell for call in question.hidden_calls}
    for index in question.test_cells:
        if index in hidden_cells:
            continue
        cell = notebook.cells[index]
        if not _TEST_CONFIG.match(cell.source):
            cell.source = '""" # BEGIN TEST CONFIG\npoints: 0\n""" # END TEST CONFIG\n' + cell.source
            continue
        header = cell.source.split("# END TEST CONFIG", 1)[0]
        if re.search(r"^\s*hidden:\s*true", header, re.MULTILINE | re.IGNORECASE):
            raise SourceNotebookError(
                f"{path}, cell {index}: a hidden test cell that calls no grade_case; put hidden tests in cases.py"
            )
        points = re.search(r"^\s*points:\s*(\S+)", header, re.MULTILINE)
        if points is None:
            cell.source = re.sub(
                r"(#\s*BEGIN\s*TEST\s*CONFIG[^\n]*\n)", r"\1points: 0\n", cell.source, count=1, flags=re.IGNORECASE
            )
        elif float(points.group(1)) != 0:
            raise SourceNotebookError(
                f"{path}, cell {index}: a public test of {question.name} carries {points.group(1)} points; public "
                "tests run in the student's kernel and can be fooled, so give them 0 and put the points on hidden "
                "cases"
            )


def _add_hidden_tests(notebook: nbformat.NotebookNode, question: Question, cases: list[Case], path: Path) -> None:
    present = {call.case for call in question.hidden_calls}
    new = [case for case in cases if case.name not in present]
    if not new:
        return
    shares = case_points(question, new, path)
    cells = [nbformat.v4.new_code_cell(hidden_test_source(case, points)) for case, points in zip(new, shares)]
    if question.tests_end is not None:
        notebook.cells[question.tests_end : question.tests_end] = cells
    else:
        notebook.cells[question.end : question.end] = [
            nbformat.v4.new_raw_cell("# BEGIN TESTS"),
            *cells,
            nbformat.v4.new_raw_cell("# END TESTS"),
        ]


def case_points(question: Question, cases: list[Case], path: Path) -> list[float]:
    """Each new case's points: its own ``points``, else an even share of what the question has left."""
    taken = 0.0
    for call in question.hidden_calls:
        if call.points is None:
            raise SourceNotebookError(
                f"{path}, cell {call.cell}: give this hidden test cell its points, or delete the question's hidden "
                "cells and let release write them"
            )
        taken += call.points
    fixed = sum(case.points for case in cases if case.points is not None)
    left = question.points - taken - fixed
    unpriced = [case for case in cases if case.points is None]
    if left < -1e-9 or (not unpriced and abs(left) > 1e-9):
        raise SourceNotebookError(
            f"{path}: question {question.name} is worth {question.points:g} points, but its cases' points add up to "
            f"{taken + fixed:g}; change `points:` in BEGIN QUESTION or the cases' points="
        )
    share = left / len(unpriced) if unpriced else 0.0
    return [case.points if case.points is not None else share for case in cases]


def hidden_test_source(case: Case, points: float) -> str:
    """The hidden test cell for one case (Otter's exception-based format)."""
    function = "test_" + re.sub(r"\W", "_", case.name)
    return (
        '""" # BEGIN TEST CONFIG\n'
        "hidden: true\n"
        f"points: {points!r}\n"
        '""" # END TEST CONFIG\n'
        f"def {function}(env):\n"
        "    from autograder.authoring.otter import grade_case\n"
        f"    grade_case(env, {case.question!r}, {case.name!r})"
    )
