"""Hidden test cases as probe + judge pairs.

A case's *probe* runs where the student's code lives: it calls the student's
functions on fixed inputs and returns raw results, which are encoded to plain
data at once. Its *judge* compares that plain data with the same probe run on
the reference solution at release time. Keeping the two apart is what lets
the kit's grader judge in a process that never ran student code.

Most cases are declared (``autograder.authoring.Cases``); a case this module's
``Case`` builds by hand covers anything the declarations do not.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from autograder.authoring.checks import Verdict
from autograder.authoring.language import say
from autograder.authoring.wire import ProbeError, Value

Inputs = Mapping[str, np.ndarray]
Probe = Callable[[dict, Inputs, Mapping[str, Callable]], Mapping[str, Any]]
Judge = Callable[[Mapping[str, Value], Mapping[str, Value], Inputs], Verdict]


@dataclass(frozen=True)
class Case:
    """One hidden test case of one question.

    Attributes:
        question: the Otter question it belongs to.
        name: unique within the question; the hidden test cell names it.
        make_inputs: builds the inputs at release, from a seeded RNG and the
            solved notebook; they are stored with the references.
        probe: ``probe(namespace, inputs, reference_functions)`` → raw results.
        judge: ``judge(student, reference, inputs)`` → Verdict.
        swap_in: names of reference functions (or classes) put in the namespace
            while the probe runs, so the question is graded in isolation.
        points: this case's share of the question's points; None shares the
            question's points evenly among its cases without one.
        calls: the notebook name the probe calls, when one is known (release
            checks that the solution defines it).
    """

    question: str
    name: str
    make_inputs: Callable[["InputContext"], dict[str, np.ndarray]]
    probe: Probe
    judge: Judge
    swap_in: tuple[str, ...] = ()
    points: float | None = None
    calls: str | None = None

    @property
    def key(self) -> str:
        return f"{self.question}/{self.name}"


@dataclass
class InputContext:
    """What a case may draw its inputs from at release.

    Attributes:
        rng: a generator seeded for this case alone.
        data: the values named in the cases file's DATA_VARIABLES (first format).
        namespace: the solved notebook's globals (None outside release).
    """

    rng: np.random.Generator
    data: dict[str, np.ndarray] = field(default_factory=dict)
    namespace: dict | None = None


def probing_copy(declaration: Any, kept: tuple[str, ...]) -> Any:
    """``declaration`` (a dataclass) with every field but ``kept`` emptied: what a sandbox holds of it.

    A sandbox only builds arguments and records observations; what draws inputs
    at release or judges in the grader stays out of its memory, since
    instructor code there may compute an answer.
    """
    emptied = {field.name: None for field in dataclasses.fields(declaration) if field.init and field.name not in kept}
    return dataclasses.replace(declaration, **emptied)


@contextlib.contextmanager
def swapped(namespace: dict, replacements: Mapping[str, Callable]) -> Iterator[None]:
    """Temporarily bind ``replacements`` in ``namespace``, restoring after."""
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    namespace.update(replacements)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def call_guarded(function: Any, *args: Any) -> Any:
    """Call a student's function; an exception becomes a value the probe reports.

    A blank still holding only ``...`` (or ``pass``) returns ``...``, so its
    judge can say "not written yet" rather than "returned None"; so does a
    class whose methods are all such blanks (whatever calling it made).
    """
    if not callable(function):
        return ProbeError(
            say(
                f"还没有定义（找到的是 {type(function).__name__}）",
                f"it is not defined as a function (found {type(function).__name__})",
            )
        )
    try:
        result = function(*args)
    except Exception as error:
        return ProbeError(f"{type(error).__name__}: {error}")
    return Ellipsis if (result is None or isinstance(function, type)) and is_blank(function) else result


def is_blank(function: Any) -> bool:
    """Whether ``function``'s body is only a docstring, ``...`` or ``pass`` (a blank not filled in),
    or ``function`` is a class whose own methods are all such blanks."""
    if isinstance(function, type):
        # A class's own source cannot be read back in a notebook kernel (its module has
        # no file), but its methods' can.
        methods = [value for value in vars(function).values() if inspect.isfunction(value)]
        return bool(methods) and all(is_blank(method) for method in methods)
    try:
        source = textwrap.dedent(inspect.getsource(function))
        definition = ast.parse(source).body[0]
    except Exception:  # no source to read (a builtin, a lambda in a string): not a blank
        return False
    if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    return all(_is_filler(node) for node in definition.body)


def _is_filler(node: ast.AST) -> bool:
    return isinstance(node, ast.Pass) or (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and (node.value.value is Ellipsis or isinstance(node.value.value, str))
    )
