"""Submissions whose graded code is alike beyond chance.

Only the definitions students write (the template's answer cells) are compared. Each is parsed and
written back in a normal form: comments, docstrings and layout gone, every local name replaced by
its order of first use (so renaming ``loss`` to ``l`` changes nothing), calls and constants kept.
The normal form is cut into overlapping windows of tokens. Windows that the starter code or the
solution also has are dropped (correct answers are meant to share them), and so are windows many
submissions hold (the lesson's own style). Of the rare windows left, each weighs more the fewer
submissions have it. Two submissions are alike when the weighted share of the rare windows they
hold in common is high and they share more than a few; clusters are the groups such pairs link.
"""
from __future__ import annotations

import ast
import io
import math
import tokenize
from dataclasses import dataclass
from itertools import combinations

from autograder.definitions import definitions

WINDOW = 6               # tokens per window
MIN_SHARED = 8           # rare windows a pair must share to be flagged
THRESHOLD = 0.5          # weighted share of windows in common
MAX_CODE_CHARS = 20_000  # what a submission's graded code is cut to
_KEEP = frozenset({"self", "super", "print", "range", "len", "float", "int", "sum", "min", "max", "abs", "zip", "enumerate", "list", "tuple", "dict", "True", "False", "None"})


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    score: float          # weighted share of windows in common, 0-1
    shared: int           # windows in common, past the starter code and the solution


def answer_names(notebook) -> list[str]:
    """Names the student template's answer cells define (Otter tags them ``otter_answer_cell``)."""
    cells = [cell.get("source", "") for cell in notebook.get("cells", []) if cell.get("cell_type") == "code" and "otter_answer_cell" in cell.get("metadata", {}).get("tags", [])]
    return list(definitions(cells))


def graded_code(notebook, names: list[str]) -> str:
    """The source of the named top-level definitions a notebook holds (the last of each), cut to size."""
    cells = [cell.get("source", "") for cell in notebook.get("cells", []) if cell.get("cell_type") == "code" and isinstance(cell.get("source"), str)]
    found = definitions(cells)
    return "\n\n".join(found[name].rstrip("\n") for name in names if name in found)[:MAX_CODE_CHARS]


def normal_form(code: str) -> list[str]:
    """``code``'s tokens with comments, docstrings and layout gone and local names numbered."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            body.pop(0)
            if not body:
                body.append(ast.Pass())
    try:
        _Renamer().visit(tree)
        text = ast.unparse(tree)
    except (RecursionError, MemoryError):  # parseable but too deep for the recursive visitors
        return []
    tokens = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER, tokenize.COMMENT):
            continue
        tokens.append(token.string)
    return tokens


class _Renamer(ast.NodeTransformer):
    """Local names (arguments, assigned names) become v0, v1, ... in order of first use."""

    def __init__(self):
        self.names: dict[str, str] = {}
        self.top: set[str] = set()

    def visit_FunctionDef(self, node):
        self.top.add(node.name)
        for argument in node.args.args + node.args.kwonlyargs:
            argument.arg = self._local(argument.arg)
        self.generic_visit(node)
        return node

    def visit_Name(self, node):
        if node.id not in _KEEP and (isinstance(node.ctx, ast.Store) or node.id in self.names):
            node.id = self._local(node.id)
        return node

    def _local(self, name: str) -> str:
        if name in _KEEP:
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")


def windows(tokens: list[str]) -> set[str]:
    return {" ".join(tokens[i:i + WINDOW]) for i in range(max(len(tokens) - WINDOW + 1, 0))}


def similar_pairs(codes: dict[str, str], *, solution: str = "", starter: str = "") -> list[Pair]:
    """Pairs of submissions (by file) whose graded code is alike beyond chance, most alike first.

    Only rare windows count: those at most ``rare_limit`` submissions hold (a tenth of the class, at
    least two). What many students write alike (the lesson's own style) says nothing about copying.
    """
    expected = windows(normal_form(solution)) | windows(normal_form(starter))
    marks = {file: windows(normal_form(code)) - expected for file, code in codes.items()}
    holders: dict[str, int] = {}
    for found in marks.values():
        for window in found:
            holders[window] = holders.get(window, 0) + 1
    rare_limit = max(2, math.ceil(0.1 * len(marks)))
    rare = {file: {w for w in found if holders[w] <= rare_limit} for file, found in marks.items()}
    weight = {window: math.log((1 + len(marks)) / count) for window, count in holders.items()}
    pairs = []
    for first, second in combinations(sorted(rare), 2):
        common, either = rare[first] & rare[second], rare[first] | rare[second]
        if len(common) < MIN_SHARED:
            continue
        score = sum(weight[w] for w in common) / sum(weight[w] for w in either)
        if score >= THRESHOLD:
            pairs.append(Pair(first, second, round(score, 3), len(common)))
    return sorted(pairs, key=lambda pair: (-pair.score, pair.first, pair.second))


def clusters(pairs: list[Pair]) -> list[list[str]]:
    """Groups of files linked by alike pairs, largest first."""
    parent: dict[str, str] = {}

    def root(file: str) -> str:
        while parent.setdefault(file, file) != file:
            parent[file] = parent[parent[file]]
            file = parent[file]
        return file

    for pair in pairs:
        parent[root(pair.first)] = root(pair.second)
    groups: dict[str, list[str]] = {}
    for file in parent:
        groups.setdefault(root(file), []).append(file)
    return sorted((sorted(group) for group in groups.values() if len(group) > 1), key=lambda group: (-len(group), group))
