"""The code students wrote in their answer cells, read as IPython would run it and never executed.

A notebook cell is IPython, not Python: ``%xmode Plain`` or ``!pip list`` at its top makes
``ast.parse`` refuse the whole cell, although the kernel ran it and defined every function in it.
So each cell goes through IPython's own input transformer first (text to text, nothing runs), and
the magic and shell lines it turned into ``get_ipython()`` calls become ``pass``. The body of a
cell magic that runs its body as Python (``%%time``) is read the same way.
"""

from __future__ import annotations

import ast
import functools
import re
from typing import Callable

# Imported here, not when first used: the grader reads each submission in a forked child, and
# every child would otherwise import it again.
from IPython.core.inputtransformer2 import TransformerManager

from autograder.definitions import definitions
from autograder.grading.intake.submissions import MAX_CODE_CELL_CHARS

MAX_CELLS = 500  # cells read per notebook
MAX_CODE_CHARS = 20_000  # what a submission's graded code is cut to
# Cell magics that run their body as Python in the notebook's namespace.
PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun"})
_ANSWER_TAG = "otter_answer_cell"
_IPYTHON_CALLS = frozenset({"run_line_magic", "run_cell_magic", "system", "getoutput"})
# A line IPython reads otherwise than Python: a magic or shell line (also as ``x = !ls``), or help
# (``f?``). Only cells holding one go through IPython's transformer, which takes seconds on a
# cell of a few hundred thousand characters.
_IPYTHON_LINE = re.compile(r"^\s*[%!]|^[^#\n]*=\s*[%!]|\?\s*$", re.MULTILINE)


def answer_names(notebook) -> list[str]:
    """Names the student template's answer cells define (Otter tags them ``otter_answer_cell``)."""
    cells = [source for source, tags in code_cells(notebook) if _ANSWER_TAG in tags]
    return list(definitions(python_source(source) for source in cells))


def graded_code(notebook, names: list[str], *, parse: Callable[[str], ast.Module] = ast.parse) -> str:
    """The source of the named top-level definitions a notebook holds (the last of each), cut to size.

    Read as IPython runs the cells: magic and shell lines are ``pass``, a ``%%time`` cell's body counts.
    """
    found = definitions((python_source(source, parse=parse) for source, _ in code_cells(notebook)), parse=parse)
    return "\n\n".join(found[name].rstrip("\n") for name in names if name in found)[:MAX_CODE_CHARS]


def python_source(cell: str, *, parse: Callable[[str], ast.Module] = ast.parse) -> str:
    """``cell`` as the Python IPython runs, with its magic and shell lines made ``pass``.

    A cell that is not Python afterwards is returned as IPython's transformer left it (its lines
    where they were), or as it was if the transformer could not read it; either way its definitions
    are not found, as the kernel would not have run them either.
    """
    if len(cell) > MAX_CODE_CELL_CHARS:
        return ""
    if not _IPYTHON_LINE.search(cell):  # plain Python: IPython would run it as it is
        return cell
    try:
        text = _transformer().transform_cell(cell)
    except Exception:  # IPython's parser on untrusted text: any failure means "not Python"
        return cell
    if "get_ipython" not in text:  # no magic or shell line: nothing to take out, no need to parse
        return text
    try:
        tree = parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text
    body = _python_cell_magic_body(tree)
    if body is not None:
        return python_source(body, parse=parse)
    return _without_ipython_calls(text, tree)


@functools.cache
def _transformer() -> TransformerManager:
    return TransformerManager()


def code_cells(notebook) -> list[tuple[str, list]]:
    """(source, tags) of the notebook's code cells whose source is text, at most MAX_CELLS."""
    cells = []
    for cell in notebook.get("cells", [])[:MAX_CELLS]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "code" and isinstance(cell.get("source"), str):
            cells.append((cell["source"], tags if isinstance(tags, list) else []))
    return cells


def _ipython_call(node: ast.AST) -> ast.Call | None:
    """The ``get_ipython().X(...)`` call a magic or shell statement is, or None."""
    value = node.value if isinstance(node, (ast.Expr, ast.Assign)) else None
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _IPYTHON_CALLS:
        owner = value.func.value
        if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "get_ipython":
            return value
    return None


def _python_cell_magic_body(tree: ast.Module) -> str | None:
    """The body of a ``%%time``-like cell (one that runs its body as Python), else None."""
    if len(tree.body) != 1:
        return None
    call = _ipython_call(tree.body[0])
    if call is None or call.func.attr != "run_cell_magic" or len(call.args) != 3:
        return None
    name, _, body = (arg.value if isinstance(arg, ast.Constant) else None for arg in call.args)
    return body if name in PYTHON_CELL_MAGICS and isinstance(body, str) else None


def _without_ipython_calls(text: str, tree: ast.Module) -> str:
    """``text`` with every magic or shell statement replaced by ``pass`` (line numbers kept)."""
    lines = text.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and _ipython_call(node) is not None:
            indent = re.match(r"\s*", lines[node.lineno - 1]).group()
            lines[node.lineno - 1] = f"{indent}pass"
            for number in range(node.lineno, node.end_lineno):
                lines[number] = ""
    return "\n".join(lines) + "\n"
