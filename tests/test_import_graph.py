"""The package's import graph: no cycle, and no arrow from a lower layer up into a higher one.

Built from the source with ``ast``, imports inside functions included: an import moved into a
function to dodge a cycle is still a cycle.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "autograder"

# A folder that runs beside student code, or ships to students, must not reach up into the grader.
FORBIDDEN = {
    "autograder.sandbox": ("autograder.grading", "autograder.release", "autograder.server"),
    "autograder.authoring": ("autograder.grading", "autograder.server"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts}


def _imported(tree: ast.AST, here: str, is_package: bool, known: set[str]) -> set[str]:
    """The package's modules that ``tree`` imports: ``from a import b`` is an arrow to ``a.b`` when that
    is a module, else to ``a`` (importing a submodule runs its package's ``__init__`` too, but Python
    resolves that order itself, so it is not counted)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            submodules = {f"{base}.{alias.name}" for alias in node.names} & known
            found.update(submodules)
            if len(submodules) < len(node.names):  # a name defined in base itself
                found.add(base)
    return {name for name in found if name in known}


@functools.cache
def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {
        name: _imported(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py", known) - {name}
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _within(name: str, folder: str) -> bool:
    return name == folder or name.startswith(folder + ".")


def test_the_import_graph_is_read_from_the_real_package():
    graph = import_graph()
    assert "autograder.grading.batch" in graph["autograder.cli"] or any(
        "autograder.grading.batch" in targets for targets in graph.values()
    )
    assert "autograder.sandbox.isolated" in graph["autograder.sandbox.run"]


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_package_has_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles (move the shared part down into a module both can import): " + "; ".join(
        " <-> ".join(group) for group in found
    )


@pytest.mark.parametrize(
    "lower, higher", [(lower, higher) for lower, highers in FORBIDDEN.items() for higher in highers]
)
def test_no_arrow_up(lower, higher):
    arrows = sorted(
        f"{source} -> {target}"
        for source, targets in import_graph().items()
        if _within(source, lower)
        for target in targets
        if _within(target, higher)
    )
    assert not arrows, f"{lower} must not import {higher}: " + ", ".join(arrows)
