"""The one extractor of definitions: top-level ``def`` and ``class`` statements in notebook cells.

Release uses it to find the solution's swap-in functions and classes (their
sources travel to the sandbox and the zip); validate uses it to find what
each question's solution defines, to mutate it; the grader uses it to find
the answers students wrote, to compare them with each other.
"""

from __future__ import annotations

import ast
from typing import Callable, Iterable

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def definitions(sources: Iterable[str], *, parse: Callable[[str], ast.Module] = ast.parse) -> dict[str, str]:
    """Name → source of every top-level function and class in ``sources``, in order (a later one wins).

    Cells that do not parse (magics, say) are skipped. Sources are as written,
    comments and decorators included. ``parse``: ``ast.parse``, or one that remembers its trees.
    """
    found: dict[str, str] = {}
    for source in sources:
        try:
            tree = parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # deep nesting overflows the parser
            continue
        lines = source.splitlines()
        for node in tree.body:
            if isinstance(node, DEFINITIONS):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                found[node.name] = "\n".join(lines[first - 1 : node.end_lineno]) + "\n"
    return found


def missing(sources: Iterable[str], names: Iterable[str]) -> list[str]:
    """The ``names`` no top-level def or class in ``sources`` defines."""
    defined = definitions(sources)
    return [name for name in names if name not in defined]
