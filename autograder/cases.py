"""Hidden test cases as probe + judge pairs.

A case's *probe* runs where the student's code lives: it calls the student's
functions on fixed inputs and returns raw results, which are encoded to plain
data at once. Its *judge* compares that plain data with the same probe run on
the reference solution at release time. Keeping the two apart is what lets
the kit's grader judge in a process that never ran student code.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from autograder.checks import Verdict
from autograder.plain import ProbeError, Value

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
            data set; they are stored with the references.
        probe: ``probe(namespace, inputs, reference_functions)`` → raw results.
        judge: ``judge(student, reference, inputs)`` → Verdict.
        swap_in: names of reference functions put in the namespace while the
            probe runs, so the question is graded in isolation.
    """

    question: str
    name: str
    make_inputs: Callable[["InputContext"], dict[str, np.ndarray]]
    probe: Probe
    judge: Judge
    swap_in: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.question}/{self.name}"


@dataclass
class InputContext:
    """What a case may draw its inputs from at release."""

    rng: np.random.Generator
    data: dict[str, np.ndarray] = field(default_factory=dict)


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
    """Call a student's function; an exception becomes a value the probe reports."""
    if not callable(function):
        return ProbeError(f"it is not defined as a function (found {type(function).__name__})")
    try:
        return function(*args)
    except Exception as error:
        return ProbeError(f"{type(error).__name__}: {error}")
