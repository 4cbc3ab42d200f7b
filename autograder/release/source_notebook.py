"""The one reader of an Otter Assign source notebook's markers.

Otter marks an assignment with raw cells: ``# ASSIGNMENT CONFIG`` (YAML),
``# BEGIN QUESTION`` (YAML: name, points, ...) ... ``# END QUESTION``, and
inside a question ``# BEGIN SOLUTION`` / ``# END SOLUTION`` and ``# BEGIN
TESTS`` / ``# END TESTS``. This module finds them once, for release (the
solution's cells, each question's points and tests), for mutation (each
question's solution definitions) and for staging (the notebook with its
config completed and the hidden test cells added).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from autograder import KitError

CONFIG_MARKER = "# ASSIGNMENT CONFIG"
_MARKER = re.compile(r"^\s*#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS|PROMPT)\b", re.IGNORECASE)
_CONFIG = re.compile(r"^\s*#\s*ASSIGNMENT\s+CONFIG\b", re.IGNORECASE)


class SourceNotebookError(KitError, ValueError):
    """The source notebook's Otter markup is not what the kit expects."""


@dataclass
class HiddenCall:
    """A test cell of the first format: it calls ``grade_case(env, question, case)``."""

    cell: int
    question: str
    case: str
    points: float | None


@dataclass
class Question:
    """One ``BEGIN QUESTION`` ... ``END QUESTION`` block."""

    name: str
    config: dict
    begin: int  # index of the BEGIN QUESTION cell
    end: int  # index of the END QUESTION cell
    solution_cells: list[int] = field(default_factory=list)
    test_cells: list[int] = field(default_factory=list)
    tests_end: int | None = None  # index of the END TESTS cell, if any
    hidden_calls: list[HiddenCall] = field(default_factory=list)

    @property
    def points(self) -> float:
        return float(self.config.get("points", 1))

    @property
    def manual(self) -> bool:
        return bool(self.config.get("manual", False))


def marker(cell: nbformat.NotebookNode) -> tuple[str, str] | None:
    """("BEGIN" | "END", "QUESTION" | "SOLUTION" | "TESTS" | "PROMPT") for a marker cell, else None."""
    if cell.cell_type != "raw":
        return None
    match = _MARKER.match(cell.source.strip().split("\n", 1)[0])
    return (match.group(1).upper(), match.group(2).upper()) if match else None


def _yaml_body(cell: nbformat.NotebookNode, where: str) -> dict:
    body = cell.source.split("\n", 1)[1] if "\n" in cell.source else ""
    try:
        loaded = yaml.safe_load(body) or {}
    except yaml.YAMLError as error:
        raise SourceNotebookError(f"{where}: not valid YAML ({str(error).splitlines()[0]})") from error
    if not isinstance(loaded, dict):
        raise SourceNotebookError(f"{where}: write the settings as `key: value` lines")
    return loaded


@dataclass
class SourceNotebook:
    path: Path
    notebook: nbformat.NotebookNode
    config: dict
    config_cell: int | None
    questions: list[Question]

    @classmethod
    def read(cls, path: Path) -> "SourceNotebook":
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception as error:  # nbformat raises several types for unreadable notebooks
            raise SourceNotebookError(
                f"{path}: not a readable notebook ({str(error).splitlines()[0][:120]})"
            ) from error
        return cls.parse(Path(path), notebook)

    @classmethod
    def parse(cls, path: Path, notebook: nbformat.NotebookNode) -> "SourceNotebook":
        config, config_cell = {}, None
        questions: list[Question] = []
        current: Question | None = None
        region = None  # "SOLUTION" or "TESTS" while inside one
        for index, cell in enumerate(notebook.cells):
            where = f"{path.name}, cell {index}"
            if cell.cell_type == "raw" and _CONFIG.match(cell.source.strip().split("\n", 1)[0]):
                config, config_cell = _yaml_body(cell, where), index
                continue
            found = marker(cell)
            if found == ("BEGIN", "QUESTION"):
                if current is not None:
                    raise SourceNotebookError(
                        f"{where}: BEGIN QUESTION inside question {current.name}; close it with an END QUESTION cell "
                        "first"
                    )
                settings = _yaml_body(cell, where)
                if "name" not in settings:
                    raise SourceNotebookError(f"{where}: BEGIN QUESTION has no name; add a line `name: q1`")
                if not isinstance(settings.get("points", 1), (int, float)):
                    raise SourceNotebookError(
                        f"{where}: question {settings['name']}: give points as one number, got {settings['points']!r}"
                    )
                current = Question(str(settings["name"]), settings, index, index)
            elif found == ("END", "QUESTION"):
                if current is None:
                    raise SourceNotebookError(f"{where}: END QUESTION without a BEGIN QUESTION")
                current.end = index
                questions.append(current)
                current, region = None, None
            elif found and found[0] == "BEGIN":
                region = found[1]
            elif found and found[0] == "END":
                if current is not None and found[1] == "TESTS":
                    current.tests_end = index
                region = None
            elif current is not None and cell.cell_type == "code":
                if region == "SOLUTION":
                    current.solution_cells.append(index)
                elif region == "TESTS":
                    current.test_cells.append(index)
                    call = _hidden_call(cell.source, index, where)
                    if call:
                        current.hidden_calls.append(call)
        if current is not None:
            raise SourceNotebookError(f"{path.name}: question {current.name} has no END QUESTION cell")
        names = [q.name for q in questions]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise SourceNotebookError(f"{path.name}: two questions are named {duplicates}; names must be unique")
        return cls(path, notebook, config, config_cell, questions)

    def question_points(self) -> dict[str, float]:
        """Question name → points, in notebook order (autograded questions only)."""
        points = {q.name: q.points for q in self.questions if not q.manual}
        if not points:
            raise SourceNotebookError(f"{self.path}: the source notebook has no BEGIN QUESTION cells")
        return points

    def solution_notebook(self) -> nbformat.NotebookNode:
        """The code cells a student's completed notebook would have: no markup, no tests."""
        tests = {index for q in self.questions for index in q.test_cells}
        cells = [
            nbformat.v4.new_code_cell(cell.source)
            for index, cell in enumerate(self.notebook.cells)
            if cell.cell_type == "code" and index not in tests
        ]
        return nbformat.v4.new_notebook(cells=cells)

    def solution_sources(self, question: Question) -> list[str]:
        return [self.notebook.cells[index].source for index in question.solution_cells]


def _hidden_call(source: str, index: int, where: str) -> HiddenCall | None:
    """The ``grade_case(env, "q", "case")`` a first-format hidden test cell makes, if it makes one."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise SourceNotebookError(
            f"{where}: the test cell is not valid Python ({error.msg}, line {error.lineno})"
        ) from error
    call = next(
        (
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "grade_case"
        ),
        None,
    )
    if call is None:
        return None
    try:
        question, case = (ast.literal_eval(arg) for arg in call.args[1:3])
    except (ValueError, TypeError) as error:
        raise SourceNotebookError(
            f'{where}: write grade_case(env, "question", "case") with the names as plain strings'
        ) from error
    points = re.search(r"^\s*points:\s*([0-9.]+)\s*$", source, re.MULTILINE)
    return HiddenCall(index, str(question), str(case), float(points.group(1)) if points else None)
