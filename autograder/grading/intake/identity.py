"""Who a submission says it is: the identity cell a released notebook starts with.

The cell assigns string literals to ``STUDENT_NAME`` and ``STUDENT_ID``; they are read from the
notebook's source, never by running it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable

import nbformat

NAME, ID = "STUDENT_NAME", "STUDENT_ID"


@dataclass(frozen=True)
class Identity:
    name: str
    student_id: str


def declared_identity(
    notebook: nbformat.NotebookNode, *, parse: Callable[[str], ast.Module] = ast.parse
) -> Identity | None:
    """The name and student number the notebook's code assigns (the last assignment wins), or None.

    ``parse``: ``ast.parse``, or one that remembers its trees."""
    found: dict[str, str] = {}
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code" or not isinstance(cell.get("source"), str):
            continue
        try:
            tree = parse(cell["source"])
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # deep nesting overflows the parser
            continue
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in (NAME, ID):
                        found[target.id] = node.value.value.strip()[:200]
    if not found.get(NAME) and not found.get(ID):
        return None
    return Identity(found.get(NAME, ""), found.get(ID, ""))
