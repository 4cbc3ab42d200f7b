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

# The edits ``validate`` makes, by the name ``Equivalent(operator=...)`` matches on.
OPERATORS = {
    "arithmetic": "one arithmetic operator for another (+ - * / **, also in +=)",
    "comparison": "one comparison for another (>= > <= < == !=)",
    "constant": "a number changed to 0, c + 1, -c or 2c",
    "insert minus": "a minus sign put in front of an expression",
    "remove minus": "a minus sign taken away",
    "drop statement": "a statement replaced by pass",
    "drop call": "a method call without arguments left out (x.mean() -> x)",
    "unwrap call": "a call replaced by its first argument (torch.relu(h) -> h)",
    "drop argument": "one positional argument left out (a layer of nn.Sequential)",
    "swap arguments": "two positional arguments swapped",
}


@dataclass(frozen=True)
class Equivalent:
    """A kind of mutant that is a correct answer too, and why.

    A mutant matches when every field given matches: ``function`` (the mutated
    definition's name), ``operator`` (a name in ``OPERATORS``), and the regular
    expressions ``before`` and ``after`` (the changed code) and ``statement``
    (the statement holding the change), searched anywhere in the text. ``when``
    takes the mutant for anything else. ``autograder validate`` prints each
    survivor with an entry that matches it, to paste here when it is correct.
    """

    reason: str
    function: str | None = None
    operator: str | None = None
    before: str | None = None
    after: str | None = None
    statement: str | None = None
    when: Callable[[Any], bool] | None = None

    def __post_init__(self):
        if self.operator is not None and self.operator not in OPERATORS:
            raise ValueError(
                f"Equivalent({self.reason!r}): operator={self.operator!r} is no operator validate uses; use one of "
                f"{', '.join(map(repr, OPERATORS))}"
            )

    def matches(self, mutant: Any) -> bool:
        if self.function is not None and mutant.function != self.function:
            return False
        if self.operator is not None and mutant.operator != self.operator:
            return False
        for pattern, text in (
            (self.before, mutant.before),
            (self.after, mutant.after),
            (self.statement, mutant.statement),
        ):
            if pattern is not None and not re.search(pattern, text):
                return False
        return self.when is None or bool(self.when(mutant))
