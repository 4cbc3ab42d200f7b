"""Read the parts of an Otter Assign source notebook the kit needs."""
from __future__ import annotations

import re

import nbformat
import yaml

_BEGIN = re.compile(r"^\s*#\s*BEGIN\s+(QUESTION|TESTS)\b", re.IGNORECASE)
_END = re.compile(r"^\s*#\s*END\s+(QUESTION|TESTS)\b", re.IGNORECASE)


class SourceNotebookError(ValueError):
    """The source notebook's Otter markup is not what the kit expects."""


def _raw_marker(cell: nbformat.NotebookNode) -> tuple[str, str] | None:
    if cell.cell_type != "raw":
        return None
    first_line = cell.source.strip().split("\n", 1)[0]
    for kind, pattern in (("begin", _BEGIN), ("end", _END)):
        match = pattern.match(first_line)
        if match:
            return kind, match.group(1).upper()
    return None


def question_points(notebook: nbformat.NotebookNode) -> dict[str, float]:
    """Question name → points, in notebook order, from BEGIN QUESTION cells."""
    points: dict[str, float] = {}
    for index, cell in enumerate(notebook.cells):
        if _raw_marker(cell) != ("begin", "QUESTION"):
            continue
        config = yaml.safe_load(cell.source.split("\n", 1)[1] if "\n" in cell.source else "") or {}
        if "name" not in config:
            raise SourceNotebookError(f"BEGIN QUESTION in cell {index} has no name")
        value = config.get("points", 1)
        if not isinstance(value, (int, float)):
            raise SourceNotebookError(f"question {config['name']} (cell {index}): give points as one number, got {value!r}")
        points[str(config["name"])] = float(value)
    if not points:
        raise SourceNotebookError("the source notebook has no BEGIN QUESTION cells")
    return points


def solution_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The code cells a student's completed notebook would have: no markup, no tests."""
    cells = []
    in_tests = False
    for cell in notebook.cells:
        marker = _raw_marker(cell)
        if marker == ("begin", "TESTS"):
            in_tests = True
        elif marker == ("end", "TESTS"):
            in_tests = False
        elif cell.cell_type == "code" and not in_tests:
            cells.append(nbformat.v4.new_code_cell(cell.source))
    return nbformat.v4.new_notebook(cells=cells)
