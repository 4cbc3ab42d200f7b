"""Numbers out of probe values, and where two arrays first differ."""

from __future__ import annotations

import numpy as np

from autograder.authoring.wire import Value

# float32 arithmetic done in a different order (a tanh-based formula, fused
# built-ins, the course's clamp-then-log) differs from float64 by ~1e-6.
FLOAT32_RTOL = 1e-4
FLOAT32_ATOL = 1e-5
ARRAY_KINDS = ("tensor", "ndarray", "npscalar")
NUMBER_KINDS = ("float", "int", "bool")


def nonfinite_positions(array: np.ndarray) -> np.ndarray:
    return np.flatnonzero(~np.isfinite(np.asarray(array, dtype=np.float64)))


def first_mismatch(
    actual: np.ndarray, expected: np.ndarray, *, rtol: float = FLOAT32_RTOL, atol: float = FLOAT32_ATOL
) -> int | None:
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


def match_signs(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """``mine`` with each row of a 2-D array (a 1-D array: the whole of it) negated where the negated row
    lies closer to ``theirs``: a direction (an eigenvector, a singular vector) is right with either sign."""
    if mine.shape != theirs.shape or mine.ndim not in (1, 2):
        return mine
    rows, target = mine.reshape(-1, mine.shape[-1]), theirs.reshape(-1, mine.shape[-1])
    flip = np.abs(rows + target).sum(axis=1) < np.abs(rows - target).sum(axis=1)
    return np.where(flip[:, None], -rows, rows).reshape(mine.shape)


def numbers_of(value: Value) -> np.ndarray | None:
    """The numbers a Value holds as a float64 array: arrays, Python numbers, lists of numbers."""
    if value.kind in ARRAY_KINDS and value.array is not None:
        return np.asarray(value.array, dtype=np.float64)
    if value.kind in NUMBER_KINDS:
        return np.array(value.number, dtype=np.float64)
    if value.kind == "list":
        items = [numbers_of(item) for item in value.items]
        if all(item is not None and item.size == 1 for item in items):
            return np.array([float(item.ravel()[0]) for item in items], dtype=np.float64)
    return None


def index_text(shape: tuple[int, ...], flat: int) -> str:
    return str([int(i) for i in np.unravel_index(flat, shape)]) if len(shape) > 1 else f"[{flat}]" if shape else ""
