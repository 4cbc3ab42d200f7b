"""Compare plain probe data with reference data, with messages that teach.

Every function here takes decoded Values (see ``autograder.plain``) and NumPy
reference arrays, never a live object from student code, so the judge can run
in a process that never ran the submission. Assignments build their hidden
test cases from these helpers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.plain import Value

# float32 arithmetic done in a different order (tanh-based sigmoid, fused
# built-ins, the course's clamp-then-log) differs from float64 by ~1e-6.
FLOAT32_RTOL = 1e-4
FLOAT32_ATOL = 1e-5


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


def describe(value: Value) -> str:
    """A short, student-facing description of what a function returned."""
    if value.kind == "ellipsis":
        return "`...` (the blank is not filled in yet)"
    if value.kind == "none":
        return "None (is a `return` missing?)"
    if value.kind == "error":
        return f"an error: {value.text}"
    if value.kind in ("tensor", "ndarray"):
        return f"a {value.kind} of shape {tuple(value.array.shape)}"
    if value.kind in ("int", "float", "bool"):
        return f"the {value.kind} {value.number:g}"
    return f"a value of type {value.type_name or value.kind}"


def expect_tensor(value: Value, *, what: str, shape: tuple[int, ...]) -> Verdict:
    """Check ``value`` is a torch tensor of ``shape``."""
    if value.kind == "error":
        return Verdict.fail(f"{what} raised {value.text}")
    if value.kind == "ndarray":
        return Verdict.fail(f"{what} returned a NumPy array: use torch operations so the result stays a tensor and autograd can flow")
    if value.kind != "tensor":
        return Verdict.fail(f"{what} should return a tensor but returned {describe(value)}")
    if tuple(value.array.shape) != tuple(shape):
        return Verdict.fail(f"{what} returned shape {tuple(value.array.shape)}, expected {tuple(shape)}: keep the input's shape (no sum, mean or reshape)")
    return Verdict.ok()


def expect_scalar_tensor(value: Value, *, what: str) -> Verdict:
    """Check ``value`` is a 0-dim tensor."""
    if value.kind == "tensor" and value.array.shape != ():
        return Verdict.fail(f"{what} returned a tensor of shape {tuple(value.array.shape)}; it should be a single number (0-dim tensor): take the mean over all rows")
    return expect_tensor(value, what=what, shape=())


def nonfinite_positions(array: np.ndarray) -> np.ndarray:
    return np.flatnonzero(~np.isfinite(np.asarray(array, dtype=np.float64)))


def first_mismatch(actual: np.ndarray, expected: np.ndarray, *, rtol: float = FLOAT32_RTOL, atol: float = FLOAT32_ATOL) -> int | None:
    """Index (flat) of the first element outside tolerance, or None when all match."""
    actual = np.asarray(actual, dtype=np.float64).ravel()
    expected = np.asarray(expected, dtype=np.float64).ravel()
    if actual.shape != expected.shape:
        return 0
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=False)
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def ratio(actual: float, expected: float) -> float | None:
    """actual / expected when both are finite and expected is not ~0."""
    if not (np.isfinite(actual) and np.isfinite(expected)) or abs(expected) < 1e-12:
        return None
    return actual / expected


def near(x: float | None, target: float, rel: float = 1e-3) -> bool:
    return x is not None and abs(x - target) <= rel * max(1.0, abs(target))


def fmt(x: float) -> str:
    return f"{x:.6g}"


def diagnose_curve(actual: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float, what: str = "the loss curve") -> Verdict:
    """Compare a loss curve step by step and explain how it departs.

    Recognises the usual training-loop mistakes: losses recorded after the
    update (shifted by one), gradients never zeroed (matches for one step,
    then drifts), the update applied in the wrong direction (loss rises).
    """
    actual = np.asarray(actual, dtype=np.float64).ravel()
    expected = np.asarray(expected, dtype=np.float64).ravel()
    if actual.size != expected.size:
        hint = ""
        if actual.size == expected.size + 1:
            hint = ": one loss too many (is the loss after the last update appended too?)"
        elif actual.size == expected.size - 1:
            hint = ": one loss short (is a step skipped, or `range(1, epochs)`?)"
        return Verdict.fail(f"{what} has {actual.size} entries, expected one per epoch ({expected.size}){hint}")
    if actual.size == 0:
        return Verdict.ok()
    bad = nonfinite_positions(actual)
    if bad.size:
        return Verdict.fail(f"{what} holds a non-finite loss at step {int(bad[0])}: check the learning-rate update and the loss")
    mismatch = first_mismatch(actual, expected, rtol=rtol, atol=atol)
    if mismatch is None:
        return Verdict.ok()
    if actual.size > 1 and first_mismatch(actual[:-1], expected[1:], rtol=rtol, atol=atol) is None:
        return Verdict.fail(f"{what} is shifted by one step: losses[i] must be recorded before update i, not after")
    if mismatch == 0:
        return Verdict.fail(f"{what} starts at {fmt(actual[0])}, not at the loss of the initial w, b: losses[0] must be taken before any update")
    if actual[-1] > actual[0] and expected[-1] < expected[0]:
        return Verdict.fail(f"{what} rises instead of falling: is the gradient step added instead of subtracted?")
    if mismatch == 1:
        first_step = ratio(actual[0] - actual[1], expected[0] - expected[1])
        size = f" ({first_step:.3g}x the expected size)" if first_step is not None else ""
        return Verdict.fail(f"{what} is already off after the first update{size}: is the step -lr * gradient, applied once to both w and b?")
    if mismatch == 2:
        return Verdict.fail(f"{what} matches for one step, then drifts: are gradients zeroed each step (w.grad.zero_())?")
    return Verdict.fail(f"{what} matches for {mismatch - 1} steps, then drifts: is every epoch the same full-batch update, with gradients zeroed each time?")
