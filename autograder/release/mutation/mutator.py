"""Small changes to a solution's function or class, one at a time.

The operators are the slips students make: an operator or a comparison
changed, a constant changed, a statement or a method call dropped, a call
unwrapped (an activation left out), an argument dropped (a layer left out of
``nn.Sequential``), two arguments swapped, a minus sign added or removed. A
class is mutated inside each of its methods.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Callable, Iterator

from autograder import KitError

ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
COMPARISONS = (ast.GtE, ast.Gt, ast.LtE, ast.Lt, ast.Eq, ast.NotEq)
_STATEMENT_LISTS = ("body", "orelse", "finalbody")
# Where a minus sign may be put in front of an expression.
_MINUS_SITES = {
    (ast.BinOp, "left"),
    (ast.BinOp, "right"),
    (ast.Call, "args"),
    (ast.Return, "value"),
    (ast.Assign, "value"),
    (ast.AugAssign, "value"),
    (ast.Compare, "left"),
    (ast.Compare, "comparators"),
}
# Never negated: literals that cannot be numbers (numbers get their own changes).
_NOT_NEGATED = (
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.JoinedStr,
    ast.Lambda,
    ast.Starred,
)
# `torch.no_grad()` -> `torch` is no mistake anyone makes: calls on modules are never dropped.
_MODULE_NAMES = frozenset({"torch", "nn", "F", "np", "numpy", "math"})
_SNIPPET_CHARS = 70
DEFINITIONS = (ast.FunctionDef, ast.ClassDef)


class MutationError(KitError, RuntimeError):
    """Mutation testing could not run (no definition to mutate, or the solution fails)."""


@dataclass(frozen=True)
class Mutant:
    """One small change to a function or class.

    Attributes:
        function: the mutated definition's name.
        line: line of the change, counting the ``def`` (or ``class``) line as 1.
        operator: the kind of change, e.g. "arithmetic", "drop statement".
        before, after: the changed code, before and after (trimmed).
        statement: the original statement holding the change (first line).
        source: the whole mutated definition, ready to exec.
    """

    function: str
    line: int
    operator: str
    before: str
    after: str
    statement: str
    source: str

    @property
    def description(self) -> str:
        return f"line {self.line}: {self.before} -> {self.after}"


Edit = Callable[[ast.AST], ast.AST]


def mutate(source: str) -> list[Mutant]:
    """Every mutant of the one function or class defined in ``source``, in a fixed order.

    Raises:
        MutationError: ``source`` does not define exactly one function or class.
    """
    definition = only_definition(source)
    seen = {ast.unparse(definition)}
    mutants = []
    for position, (node, parent, field_name, statement) in enumerate(_walk(definition)):
        for operator, edit in _edits(node, parent, field_name):
            mutant = _apply(definition, position, operator, edit, statement)
            if mutant.source not in seen:  # two edits may write the same code
                seen.add(mutant.source)
                mutants.append(mutant)
    return mutants


def only_definition(source: str) -> ast.FunctionDef | ast.ClassDef:
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise MutationError(f"cannot parse the definition to mutate: {error}") from error
    found = [node for node in tree.body if isinstance(node, DEFINITIONS)]
    if len(found) != 1:
        raise MutationError(f"expected one function or class to mutate, found {len(found)} in {source.strip()[:80]!r}")
    return found[0]


def _bodies(definition: ast.AST) -> Iterator[ast.AST]:
    """The definitions whose statements are mutated: a function, or each method of a class."""
    if isinstance(definition, ast.ClassDef):
        for node in definition.body:
            if isinstance(node, ast.FunctionDef):
                yield node
    else:
        yield definition


def _walk(definition: ast.AST) -> Iterator[tuple[ast.AST, ast.AST, str, ast.stmt]]:
    """(node, parent, field, enclosing statement) under each body, in a fixed pre-order."""

    def visit(node, parent, field_name, statement):
        statement = node if isinstance(node, ast.stmt) else statement
        yield node, parent, field_name, statement
        for name, value in ast.iter_fields(node):
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    yield from visit(child, node, name, statement)

    for function in _bodies(definition):
        for statement in function.body:
            yield from visit(statement, function, "body", statement)


def _edits(node: ast.AST, parent: ast.AST, field_name: str) -> Iterator[tuple[str, Edit]]:
    """The changes that apply at ``node``, each as (operator, edit)."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ARITHMETIC):
        for op in ARITHMETIC:
            if not isinstance(node.op, op):
                yield "arithmetic", _set_attribute("op", op)
    if isinstance(node, ast.Compare):
        for index, current in enumerate(node.ops):
            for op in COMPARISONS:
                if isinstance(current, COMPARISONS) and not isinstance(current, op):
                    yield "comparison", _set_compare(index, op)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "remove minus", lambda n: n.operand
    elif (type(parent), field_name) in _MINUS_SITES and not isinstance(node, _NOT_NEGATED):
        yield "insert minus", lambda n: ast.UnaryOp(ast.USub(), n)
    if _is_number(node):
        for value in _constant_values(node.value):
            yield "constant", _set_constant(value)
    if (
        isinstance(node, ast.stmt)
        and field_name in _STATEMENT_LISTS
        and not isinstance(node, ast.Pass)
        and not _is_docstring(node)
    ):
        yield "drop statement", lambda n: ast.Pass()
    if isinstance(node, ast.Call):
        yield from _call_edits(node)


def _call_edits(node: ast.Call) -> Iterator[tuple[str, Edit]]:
    positional = [arg for arg in node.args if not isinstance(arg, ast.Starred)]
    for i in range(len(positional)):
        for j in range(i + 1, len(positional)):
            if ast.dump(positional[i]) != ast.dump(positional[j]):
                yield "swap arguments", _swap_arguments(i, j)
    if len(positional) >= 3 and len(positional) == len(node.args):
        for i in range(len(positional)):  # a layer left out of nn.Sequential(...)
            yield "drop argument", _drop_argument(i)
    if _is_droppable_call(node):
        yield "drop call", lambda n: n.func.value
    if (
        len(node.args) == 1
        and not node.keywords
        and not isinstance(node.args[0], ast.Starred)
        and _names_a_function(node.func)
    ):
        yield "unwrap call", lambda n: n.args[0]  # torch.relu(h) -> h: an activation left out


def _apply(definition: ast.AST, position: int, operator: str, edit: Edit, statement: ast.stmt) -> Mutant:
    tree = copy.deepcopy(definition)
    node, parent, field_name, _ = list(_walk(tree))[position]
    before = ast.unparse(node)
    line = node.lineno - definition.lineno + 1
    replacement = edit(node)
    slot = getattr(parent, field_name)
    if isinstance(slot, list):
        slot[slot.index(node)] = replacement
    else:
        setattr(parent, field_name, replacement)
    return Mutant(
        function=definition.name,
        line=line,
        operator=operator,
        before=_trim(before.splitlines()[0]),
        after=_trim(ast.unparse(replacement).splitlines()[0]),
        statement=_trim(ast.unparse(statement).splitlines()[0]),
        source=ast.unparse(tree),
    )


def _set_attribute(name: str, op: type) -> Edit:
    def edit(node):
        setattr(node, name, op())
        return node

    return edit


def _set_compare(index: int, op: type) -> Edit:
    def edit(node):
        node.ops[index] = op()
        return node

    return edit


def _set_constant(value: float) -> Edit:
    # A negative literal is a minus in front of a number, as Python parses it.
    return lambda node: ast.UnaryOp(ast.USub(), ast.Constant(-value)) if value < 0 else ast.Constant(value)


def _swap_arguments(i: int, j: int) -> Edit:
    def edit(node):
        positions = [k for k, arg in enumerate(node.args) if not isinstance(arg, ast.Starred)]
        a, b = positions[i], positions[j]
        node.args[a], node.args[b] = node.args[b], node.args[a]
        return node

    return edit


def _drop_argument(i: int) -> Edit:
    def edit(node):
        del node.args[i]
        return node

    return edit


def _constant_values(value: float) -> list[float]:
    """c -> 0, c + 1, -c, 2c, without repeats or c itself."""
    values = []
    for candidate in (type(value)(0), value + 1, -value, value * 2):
        if candidate != value and candidate not in values:
            values.append(candidate)
    return values


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _is_droppable_call(node: ast.AST) -> bool:
    """A method call without positional arguments, like ``.mean()`` or ``.clamp(min=0)``."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)) or node.args:
        return False
    receiver = node.func.value
    return not (isinstance(receiver, ast.Name) and receiver.id in _MODULE_NAMES)


def _names_a_function(func: ast.AST) -> bool:
    """``f(x)``, ``torch.relu(x)``, ``self.act(x)``: not a method called on a computed value."""
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name)


def _trim(text: str) -> str:
    return text if len(text) <= _SNIPPET_CHARS else text[: _SNIPPET_CHARS - 3] + "..."
