"""Graded definitions a syntax error kept from ever being defined, with the line, in both languages.

A cell Python cannot read runs nothing: a missing colon in ``def fit(x, y,
epochs)`` leaves the function undefined, and each of its checks can only say "not defined".
This finds such cells in the notebook's source (read as IPython runs it, never executed) so the
student is told the line to fix instead.
"""

from __future__ import annotations

import ast
import re
from typing import Callable

from autograder.authoring.language import say
from autograder.definitions import DEFINITIONS
from autograder.grading.intake.answer_code import code_cells, python_source

MAX_LINE_CHARS = 120
_DEFINED = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)", re.MULTILINE)
# Python's own words for the commonest slips, in Chinese; others are shown in English only.
_CHINESE = {
    "expected ':'": "少了冒号 ':'",
    "invalid syntax": "语法不对",
    "expected an indented block": "这里需要缩进的代码块",
    "unexpected indent": "缩进多了",
    "unindent does not match any outer indentation level": "缩进和上面的行对不齐",
    "unterminated string literal": "字符串没有结束引号",
    "was never closed": "括号没有闭合",
    "unmatched": "括号不配对",
}


def undefined_by_syntax_errors(
    notebook, names: list[str], *, parse: Callable[[str], ast.Module] = ast.parse
) -> dict[str, str]:
    """Name → what to fix, for each of ``names`` that no cell defines because the cell holding its
    ``def`` (or ``class``) has a syntax error; the last such cell is the one reported.

    ``parse``: ``ast.parse``, or one that remembers its trees."""
    defined, broken = set(), []
    for source, _ in code_cells(notebook):
        if not set(_DEFINED.findall(source)) & set(
            names
        ):  # only a cell that defines a graded name can leave it undefined
            continue
        try:
            tree = parse(python_source(source, parse=parse))
        except SyntaxError as error:
            broken.append((source, error))
            continue
        except (ValueError, RecursionError, MemoryError):  # unreadable for other reasons: not a slip to point at
            continue
        defined |= {node.name for node in tree.body if isinstance(node, DEFINITIONS)}
    return {
        name: _message(name, error, source)
        for source, error in broken
        for name in _DEFINED.findall(source)
        if name in names and name not in defined
    }


def _message(name: str, error: SyntaxError, source: str) -> str:
    number = error.lineno or 1
    lines = source.splitlines()
    line = lines[number - 1].strip()[:MAX_LINE_CHARS] if 0 < number <= len(lines) else ""
    detail = str(error.msg or "invalid syntax")
    chinese = next((words for english, words in _CHINESE.items() if english in detail), detail)
    shown = f"：{line}" if line else ""
    return say(
        f"{name} 没有定义：它所在的单元第 {number} 行有语法错误（{chinese}）{shown}",
        f"{name} was never defined: its cell has a syntax error on line {number} "
        f"({detail}){': ' + line if line else ''}",
    )
