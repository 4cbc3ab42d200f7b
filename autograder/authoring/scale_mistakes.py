"""Mistakes read off the numbers alone, when a wrong value is one multiple of the reference throughout."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from autograder.authoring.language import halves, say
from autograder.authoring.numeric import near


def common_diagnoses(
    student: np.ndarray, reference: np.ndarray, inputs: Mapping[str, np.ndarray], what: str, *, rtol: float = 0.0
) -> str | None:
    """Mistakes read off the numbers alone: a flipped sign, a sum for a mean, a factor of two.

    ``student`` must be one multiple of ``reference`` throughout: exactly, or within ``rtol`` for values
    that went through float32 arithmetic (the change an in-place update made).
    """
    zh, en = halves(what)
    if student.shape != reference.shape or student.size == 0:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.ravel(student) / np.where(np.ravel(reference) == 0, np.nan, np.ravel(reference))
    ratios = ratios[np.isfinite(ratios)]
    if ratios.size == 0:
        return None
    scale = float(np.median(ratios))
    if np.any(np.abs(ratios - scale) > rtol * abs(scale)):
        return None
    rows = {int(array.shape[0]) for array in inputs.values() if getattr(array, "ndim", 0) >= 1 and array.shape[0] > 1}
    if near(scale, -1.0):
        return say(f"{zh} 的符号反了", f"{en} has the wrong sign")
    for count in sorted(rows):
        if near(scale, count):
            return say(
                f"{zh} 是参考值的 {count} 倍：是不是用了求和而不是平均？",
                f"{en} is {count}x the reference: a sum instead of a mean?",
            )
        if near(scale, 1 / count):
            return say(
                f"{zh} 是参考值的 1/{count}：是不是多除了一次行数？",
                f"{en} is 1/{count} of the reference: divided by the number of rows once too often?",
            )
    for factor in (2.0, 0.5):
        if near(scale, factor):
            return say(
                f"{zh} 是参考值的 {factor:g} 倍：检查常数因子",
                f"{en} is {factor:g}x the reference: check the constant factor",
            )
    return None
