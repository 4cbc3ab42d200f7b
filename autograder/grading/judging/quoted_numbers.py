"""Which numbers a swap-in case's message may quote: none the notebook chose after its commit.

A swap-in case is probed in phase two, after the sandbox was lent the reference functions, so
every value it sends may spell them: a zero-size array's shape once carried 7 bytes of the
sources a message ("returned NumPy array (0, 116, 103, ...)"), a list's length 8 more. The
judges' messages still teach with the words and the grader's own numbers (the expected values,
the inputs' sizes, the constants the messages are written with). So a number in such a message is
kept only if the grader could have written it without the notebook: it is one of those numbers,
at the precision it is shown with, and none of the notebook's numbers (its values, shapes and
lengths) rounds to it. Anything else is shown as "…". What remains a notebook can steer is which
message it gets and which of the grader's numbers that message quotes: a few bits a case, not a
byte per number.
"""

from __future__ import annotations

import decimal
import functools
import re
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from autograder.authoring import wire

MASK = "…"
# An unsigned number standing alone (not the 32 of float32), with its decimals, exponent and a percent sign.
NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(%?)")
MOST_NUMBERS = 200_000  # of one side's arrays; a phase two's result is capped at 1 MiB anyway


class QuotableNumbers:
    """The numbers the grader writes for one case, to be told from those the notebook chose."""

    def __init__(
        self, expected: Mapping[str, wire.Value], inputs: Mapping[str, np.ndarray], constants: Iterable[float]
    ):
        grader = [*_value_numbers(expected.values()), *_array_numbers(inputs.values(), values=False), *constants]
        self._grader = _sorted_magnitudes(grader)

    def scrub(self, message: str, chosen: Mapping[str, wire.Value]) -> str:
        """``message`` with every number the notebook's values ``chosen`` could have put there shown as MASK."""
        notebook = _sorted_magnitudes(_value_numbers(chosen.values()))

        def shown(match: re.Match) -> str:
            low, high = _interval(match.group(1), percent=bool(match.group(2)))
            if _any_within(self._grader, low, high) and not _any_within(notebook, low, high):
                return match.group(0)
            return MASK + match.group(2)

        return NUMBER.sub(shown, message)


@functools.cache
def message_constants(*sources: Path) -> tuple[float, ...]:
    """Every number written in these source files (the judges' and the kit's checks'), as the messages' constants."""
    found = set()
    for source in sources:
        for match in NUMBER.finditer(source.read_text(encoding="utf-8")):
            number = float(match.group(1))
            found.update((number, number / 100) if match.group(2) else (number,))
    return tuple(sorted(found))


def _interval(token: str, *, percent: bool) -> tuple[float, float]:
    """The values that print as ``token``: half a unit of its last digit either side."""
    exponent = decimal.Decimal(token).as_tuple().exponent
    scale = 0.01 if percent else 1.0
    half = 0.5 * 10.0 ** int(exponent) * scale
    value = float(token) * scale
    return value - half * 1.000001, value + half * 1.000001


def _value_numbers(values: Iterable[wire.Value]) -> list[float]:
    numbers: list[float] = []
    for value in values:
        if value.number is not None:
            numbers.append(float(value.number))
        if value.array is not None:
            numbers.extend(_array_numbers([value.array], values=True))
        if value.items:
            numbers.append(float(len(value.items)))
            numbers.extend(_value_numbers(value.items))
    return numbers


def _array_numbers(arrays: Iterable, *, values: bool) -> list[float]:
    """Each array's shape and size, and (``values``) its elements; a scalar input is a value either way."""
    numbers: list[float] = []
    for array in arrays:
        array = np.asarray(array)
        numbers.extend([*map(float, array.shape), float(array.size)])
        if (values or array.ndim == 0) and np.issubdtype(array.dtype, np.number):
            numbers.extend(np.ravel(array)[:MOST_NUMBERS].astype(np.float64).tolist())
    return numbers


def _sorted_magnitudes(numbers: list[float]) -> np.ndarray:
    magnitudes = np.abs(np.asarray(numbers, dtype=np.float64))
    return np.unique(magnitudes[np.isfinite(magnitudes)])


def _any_within(sorted_numbers: np.ndarray, low: float, high: float) -> bool:
    start = int(np.searchsorted(sorted_numbers, low, side="left"))
    return start < sorted_numbers.size and sorted_numbers[start] <= high
