"""Mutants an assignment declares equivalent to its solution, as ``EQUIVALENT_MUTANTS``.

``autograder validate`` changes the solution one small edit at a time and
counts the changes the hidden cases catch. Some changes are correct answers
too (any tiny clamp floor is a clamp); an assignment lists them, each with
its reason, so they are reported apart instead of as survivors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Equivalent:
    """A kind of mutant that is a correct answer too, and why.

    A mutant matches when every field given matches: ``function`` (the mutated
    definition's name), ``operator`` ("arithmetic", "comparison", "constant",
    "drop statement", "drop call", "unwrap call", "swap arguments", "insert minus",
    "remove minus"), and the regular expressions ``before`` and ``after`` (the
    changed code) and ``statement`` (the statement holding the change), searched
    anywhere in the text. ``when`` takes the mutant for anything else.
    """

    reason: str
    function: str | None = None
    operator: str | None = None
    before: str | None = None
    after: str | None = None
    statement: str | None = None
    when: Callable[[Any], bool] | None = None

    def matches(self, mutant: Any) -> bool:
        if self.function is not None and mutant.function != self.function:
            return False
        if self.operator is not None and mutant.operator != self.operator:
            return False
        for pattern, text in ((self.before, mutant.before), (self.after, mutant.after), (self.statement, mutant.statement)):
            if pattern is not None and not re.search(pattern, text):
                return False
        return self.when is None or bool(self.when(mutant))
