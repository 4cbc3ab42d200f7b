"""Fingerprints of code that survive cosmetic edits, as MOSS takes them.

Each top-level function (each method, for a class) is put in a normal form on its own: docstrings,
comments, layout, ``pass`` and bare constants gone, string literals alike, and its local names
(parameters and every name it assigns) numbered in the order they first appear in it. So renaming
one parameter changes nothing, nor does the order of the functions. The normal form's tokens are
hashed in overlapping runs of ``K`` (k-grams), and winnowing (Schleimer, Wilkerson and Aiken,
SIGMOD 2003) keeps the smallest hash of every ``WINDOW`` consecutive ones: any run of at least
``K + WINDOW - 1`` tokens two functions share yields a fingerprint both hold.
"""

from __future__ import annotations

import ast
import hashlib
import io
import tokenize

K = 5  # tokens per k-gram
WINDOW = 4  # consecutive k-grams of which winnowing keeps the smallest
MAX_TOKENS = 20_000  # of one submission's normal form
_SKIPPED_TOKENS = frozenset(
    {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER, tokenize.COMMENT}
)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def fingerprints(code: str) -> set[int]:
    """The winnowed fingerprints of ``code``'s functions (empty when it does not parse)."""
    return {hashed for tokens in normal_forms(code) for hashed in _winnowed(kgrams(tokens))}


def every_kgram(code: str) -> set[int]:
    """Every k-gram hash of ``code``'s functions: what to discount wherever a submission holds it."""
    return {hashed for tokens in normal_forms(code) for hashed in kgrams(tokens)}


def normal_forms(code: str) -> list[list[str]]:
    """The tokens of each function's normal form (see the module docstring), at most MAX_TOKENS in all."""
    try:
        tree = ast.parse(code)
        forms, count = [], 0
        for function in _units(tree):
            tokens = _tokens(ast.unparse(_LocalNames.numbered(_stripped(function))))
            forms.append(tokens[: MAX_TOKENS - count])
            count += len(forms[-1])
            if count >= MAX_TOKENS:
                break
        return forms
    except (
        SyntaxError,
        ValueError,
        tokenize.TokenError,
        RecursionError,
        MemoryError,
    ):  # deep nesting overflows the recursive visitors
        return []


def kgrams(tokens: list[str]) -> list[int]:
    """The hash of every run of K tokens (one for a shorter function)."""
    runs = [tokens[i : i + K] for i in range(max(len(tokens) - K + 1, 1))] if tokens else []
    return [
        int.from_bytes(
            hashlib.blake2b("\x1f".join(run).encode("utf-8", "backslashreplace"), digest_size=8).digest(), "big"
        )
        for run in runs
    ]


def _winnowed(hashes: list[int]) -> set[int]:
    """The smallest hash of every WINDOW consecutive ones (all of them for a shorter list)."""
    if len(hashes) <= WINDOW:
        return set(hashes)
    return {min(hashes[i : i + WINDOW]) for i in range(len(hashes) - WINDOW + 1)}


def _units(tree: ast.Module) -> list[ast.AST]:
    """Top-level functions, and the methods of top-level classes, in order."""
    units = []
    for node in tree.body:
        if isinstance(node, _FUNCTIONS):
            units.append(node)
        elif isinstance(node, ast.ClassDef):
            units.extend(child for child in node.body if isinstance(child, _FUNCTIONS))
    return units


def _stripped(function: ast.AST) -> ast.AST:
    """``function`` without docstrings, ``pass`` or bare constants, and with every string literal alike."""
    for node in ast.walk(function):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            kept = [statement for statement in body if not _is_filler(statement)]
            node.body = kept or [ast.Pass()]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = "S"
    return function


def _is_filler(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Pass) or (
        isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
    )


def _tokens(text: str) -> list[str]:
    return [
        token.string
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type not in _SKIPPED_TOKENS
    ]


class _LocalNames(ast.NodeTransformer):
    """A function's local names (its parameters, nested ones included, and every name it assigns)
    become v0, v1, ... in the order they first appear; other names (modules, globals, builtins) stay."""

    def __init__(self, local: set[str]):
        self.local = local
        self.numbers: dict[str, str] = {}

    @classmethod
    def numbered(cls, function: ast.AST) -> ast.AST:
        local = {node.arg for node in ast.walk(function) if isinstance(node, ast.arg)}
        local |= {
            node.id
            for node in ast.walk(function)
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del))
        }
        local |= {node.name for node in ast.walk(function) if isinstance(node, ast.ExceptHandler) and node.name}
        return cls(local).visit(function)

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self._number(node.arg)
        node.annotation = None
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.local:
            node.id = self._number(node.id)
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.ExceptHandler:
        if node.name:
            node.name = self._number(node.name)
        return self.generic_visit(node)

    def _number(self, name: str) -> str:
        return self.numbers.setdefault(name, f"v{len(self.numbers)}")
