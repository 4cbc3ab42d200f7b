"""What a check says: passed or failed, with the message the student reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from autograder.authoring.wire import Value

# A diagnosis names a typical mistake from what the student returned: it gets the
# student's value, the reference's and the case's inputs, and returns a message or None.
Diagnosis = Callable[[Value, Value, Mapping[str, np.ndarray]], "str | None"]


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str = ""

    @classmethod
    def ok(cls, message: str = "") -> "Verdict":
        return cls(True, message)

    @classmethod
    def fail(cls, message: str) -> "Verdict":
        return cls(False, message)


class CheckFailed(AssertionError):
    """A hidden or public check failed; the message is meant for the student."""
