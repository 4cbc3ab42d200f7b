"""Compare plain probe data with reference data, with messages that teach.

Every function here takes decoded Values (see ``autograder.authoring.wire``)
and NumPy reference arrays, never a live object from student code, so a judge
can run in a process that never ran the submission. Declared cases judge with
``compare``; hand-written judges may use any helper here.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from autograder.authoring.comparison import compare
from autograder.authoring.curves import diagnose_curve
from autograder.authoring.labels import best_relabelled_agreement, match_rows
from autograder.authoring.language import halves, say
from autograder.authoring.numeric import (
    ARRAY_KINDS,
    FLOAT32_ATOL,
    FLOAT32_RTOL,
    NUMBER_KINDS,
    first_mismatch,
    fmt,
    match_signs,
    near,
    nonfinite_positions,
    numbers_of,
    ratio,
)
from autograder.authoring.scale_mistakes import common_diagnoses
from autograder.authoring.unfinished import KNOWN_ERRORS, blank_or_error, describe, explain_error, raised, unfinished
from autograder.authoring.verdict import CheckFailed, Diagnosis, Verdict
from autograder.authoring.wire import Value

# Cases files and public checks reach every helper as ``checks.<name>``.
__all__ = [
    "ARRAY_KINDS",
    "FLOAT32_ATOL",
    "FLOAT32_RTOL",
    "KNOWN_ERRORS",
    "NUMBER_KINDS",
    "CheckFailed",
    "Diagnosis",
    "Verdict",
    "best_relabelled_agreement",
    "blank_or_error",
    "common_diagnoses",
    "compare",
    "describe",
    "diagnose_curve",
    "expect_scalar_tensor",
    "expect_tensor",
    "explain_error",
    "first_mismatch",
    "fmt",
    "gives",
    "match_rows",
    "match_signs",
    "near",
    "nonfinite_positions",
    "numbers_of",
    "raised",
    "ratio",
    "unfinished",
]


def expect_tensor(value: Value, *, what: str, shape: tuple[int, ...]) -> Verdict:
    """Check ``value`` is a torch tensor of ``shape``."""
    zh, en = halves(what)
    problem = unfinished(value, what=what)
    if problem:
        return Verdict.fail(problem)
    if value.kind == "ndarray":
        return Verdict.fail(
            say(
                f"{zh} 返回了 NumPy 数组：请用 torch 运算，结果才是张量、梯度才能传回",
                f"{en} returned a NumPy array: use torch operations so the result stays a tensor and autograd can flow",
            )
        )
    if value.kind != "tensor":
        return Verdict.fail(
            say(
                f"{zh} 应返回张量，却返回了 {describe(value, language='zh')}",
                f"{en} should return a tensor but returned {describe(value, language='en')}",
            )
        )
    if tuple(value.array.shape) != tuple(shape):
        return Verdict.fail(
            say(
                f"{zh} 返回的形状是 {tuple(value.array.shape)}，应为 {tuple(shape)}：保持输入的形状（不要求和、平均或 "
                "reshape）",
                f"{en} returned shape {tuple(value.array.shape)}, expected {tuple(shape)}: keep the input's shape (no "
                "sum, mean or reshape)",
            )
        )
    return Verdict.ok()


def expect_scalar_tensor(value: Value, *, what: str) -> Verdict:
    """Check ``value`` is a 0-dim tensor."""
    if value.kind == "tensor" and value.array.shape != ():
        what_zh, what_en = halves(what)
        return Verdict.fail(
            say(
                f"{what_zh} 返回了形状为 {tuple(value.array.shape)} 的张量，应是一个数（0 维张量）：对所有行取平均",
                f"{what_en} returned a tensor of shape {tuple(value.array.shape)}; it should be a single number (0-dim "
                "tensor): take the mean over all rows",
            )
        )
    return expect_tensor(value, what=what, shape=())


def gives(wrong, message: str, *, rtol: float = 1e-4, atol: float = 1e-5) -> Diagnosis:
    """A diagnosis naming a mistake by the wrong value it gives on a public check's fixed inputs.

    Computing what a mistake gives on any input would ship a function one step from the answer
    beside the student's notebook; a literal wrong value gives nothing away. A single number
    matches a student's value holding one number in any shape. A tuple of items of different shapes
    (a table and a list of returns) matches a returned tuple item by item.
    """
    if isinstance(wrong, tuple) and len({np.shape(item) for item in wrong}) > 1:
        return _gives_items([np.asarray(item, dtype=np.float64) for item in wrong], message, rtol=rtol, atol=atol)
    wrong = np.asarray(wrong, dtype=np.float64)

    def diagnosis(student: Value, reference: Value, inputs: Mapping[str, np.ndarray]) -> str | None:
        value = numbers_of(student)
        if value is None:
            value = _stacked_items(student)
        if value is None or (value.shape != wrong.shape and not value.size == wrong.size == 1):
            return None
        return message if bool(np.allclose(value.reshape(wrong.shape), wrong, rtol=rtol, atol=atol)) else None

    return diagnosis


def _gives_items(wrong: list[np.ndarray], message: str, *, rtol: float, atol: float) -> Diagnosis:
    def diagnosis(student: Value, reference: Value, inputs: Mapping[str, np.ndarray]) -> str | None:
        if student.kind != "list" or len(student.items) != len(wrong):
            return None
        values = [numbers_of(item) for item in student.items]
        same = all(
            value is not None and value.shape == item.shape and np.allclose(value, item, rtol=rtol, atol=atol)
            for value, item in zip(values, wrong)
        )
        return message if same else None

    return diagnosis


def _stacked_items(value: Value) -> np.ndarray | None:
    """A returned tuple of equally shaped items (two lists of losses) as one array, item by item; else None."""
    if value.kind != "list" or not value.items:
        return None
    items = [numbers_of(item) for item in value.items]
    if any(item is None for item in items) or len({item.shape for item in items}) != 1:
        return None
    return np.stack(items)
