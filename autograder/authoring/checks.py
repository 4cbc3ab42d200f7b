"""Compare plain probe data with reference data, with messages that teach.

Every function here takes decoded Values (see ``autograder.authoring.wire``)
and NumPy reference arrays, never a live object from student code, so a judge
can run in a process that never ran the submission. Declared cases judge with
``compare``; hand-written judges may use any helper here.
"""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

from autograder.authoring.curves import diagnose_curve
from autograder.authoring.labels import best_relabelled_agreement, compare_labels, match_rows
from autograder.authoring.language import halves, say
from autograder.authoring.numeric import (ARRAY_KINDS, FLOAT32_ATOL, FLOAT32_RTOL, NUMBER_KINDS, first_mismatch, fmt, index_text, match_signs,
                                          near, nonfinite_positions, numbers_of, ratio)
from autograder.authoring.unfinished import KNOWN_ERRORS, blank_or_error, describe, explain_error, raised, unfinished
from autograder.authoring.verdict import CheckFailed, Diagnosis, Verdict
from autograder.authoring.wire import Value

# Cases files and public checks reach every helper as ``checks.<name>``.
__all__ = ["ARRAY_KINDS", "FLOAT32_ATOL", "FLOAT32_RTOL", "KNOWN_ERRORS", "NUMBER_KINDS", "CheckFailed", "Diagnosis", "Verdict",
           "best_relabelled_agreement", "blank_or_error", "common_diagnoses", "compare", "describe", "diagnose_curve", "expect_scalar_tensor",
           "expect_tensor", "explain_error", "first_mismatch", "fmt", "gives", "match_rows", "match_signs", "near", "nonfinite_positions", "numbers_of", "raised", "ratio",
           "unfinished"]


def expect_tensor(value: Value, *, what: str, shape: tuple[int, ...]) -> Verdict:
    """Check ``value`` is a torch tensor of ``shape``."""
    zh, en = halves(what)
    problem = unfinished(value, what=what)
    if problem:
        return Verdict.fail(problem)
    if value.kind == "ndarray":
        return Verdict.fail(say(f"{zh} 返回了 NumPy 数组：请用 torch 运算，结果才是张量、梯度才能传回", f"{en} returned a NumPy array: use torch operations so the result stays a tensor and autograd can flow"))
    if value.kind != "tensor":
        return Verdict.fail(say(f"{zh} 应返回张量，却返回了 {describe(value, language='zh')}", f"{en} should return a tensor but returned {describe(value, language='en')}"))
    if tuple(value.array.shape) != tuple(shape):
        return Verdict.fail(say(f"{zh} 返回的形状是 {tuple(value.array.shape)}，应为 {tuple(shape)}：保持输入的形状（不要求和、平均或 reshape）", f"{en} returned shape {tuple(value.array.shape)}, expected {tuple(shape)}: keep the input's shape (no sum, mean or reshape)"))
    return Verdict.ok()


def expect_scalar_tensor(value: Value, *, what: str) -> Verdict:
    """Check ``value`` is a 0-dim tensor."""
    if value.kind == "tensor" and value.array.shape != ():
        what_zh, what_en = halves(what)
        return Verdict.fail(say(f"{what_zh} 返回了形状为 {tuple(value.array.shape)} 的张量，应是一个数（0 维张量）：对所有行取平均", f"{what_en} returned a tensor of shape {tuple(value.array.shape)}; it should be a single number (0-dim tensor): take the mean over all rows"))
    return expect_tensor(value, what=what, shape=())


def _kind_problem(student: Value, reference: Value, what: str) -> str | None:
    """Why ``student`` is not the kind of thing the reference is, or None."""
    problem = unfinished(student, what=what)
    if problem:
        return problem
    zh, en = halves(what)
    expected = reference.kind
    if expected == "tensor" and student.kind != "tensor":
        if student.kind in ("ndarray", "npscalar"):
            return say(f"{zh} 返回了 NumPy 数组：请全程用 torch 运算，结果才是张量", f"{en} returned a NumPy array: use torch operations throughout so the result stays a tensor")
        return say(f"{zh} 应返回张量，却返回了 {describe(student, language='zh')}", f"{en} should return a tensor but returned {describe(student, language='en')}")
    if expected in ("ndarray", "npscalar") and student.kind == "tensor":
        return say(f"{zh} 返回了 torch 张量：本题用 NumPy，应返回数组", f"{en} returned a torch tensor: this question works in NumPy, so return an array")
    if expected in ("ndarray", "npscalar") and student.kind not in ARRAY_KINDS + NUMBER_KINDS:
        return say(f"{zh} 应返回 NumPy 数组，却返回了 {describe(student, language='zh')}", f"{en} should return a NumPy array but returned {describe(student, language='en')}")
    if expected in ("float", "int") and student.kind == "tensor":
        return say(f"{zh} 应返回 Python 数字，却返回了张量：用 .item() 或 float(...) 转换", f"{en} should return a Python number, not a tensor: convert with .item() or float(...)")
    if expected in NUMBER_KINDS and student.kind not in NUMBER_KINDS + ("npscalar",):
        return say(f"{zh} 应返回一个数，却返回了 {describe(student, language='zh')}", f"{en} should return a number but returned {describe(student, language='en')}")
    if expected == "list" and student.kind not in ("list", "tensor", "ndarray"):
        return say(f"{zh} 应返回列表，却返回了 {describe(student, language='zh')}", f"{en} should return a list but returned {describe(student, language='en')}")
    return None


def common_diagnoses(student: np.ndarray, reference: np.ndarray, inputs: Mapping[str, np.ndarray], what: str, *, rtol: float = 0.0) -> str | None:
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
            return say(f"{zh} 是参考值的 {count} 倍：是不是用了求和而不是平均？", f"{en} is {count}x the reference: a sum instead of a mean?")
        if near(scale, 1 / count):
            return say(f"{zh} 是参考值的 1/{count}：是不是多除了一次行数？", f"{en} is 1/{count} of the reference: divided by the number of rows once too often?")
    for factor in (2.0, 0.5):
        if near(scale, factor):
            return say(f"{zh} 是参考值的 {factor:g} 倍：检查常数因子", f"{en} is {factor:g}x the reference: check the constant factor")
    return None


def gives(wrong, message: str, *, rtol: float = 1e-4, atol: float = 1e-5) -> Diagnosis:
    """A diagnosis naming a mistake by the wrong value it gives on a public check's fixed inputs.

    Computing what a mistake gives on any input would ship a function one step from the answer
    beside the student's notebook; a literal wrong value gives nothing away. A single number
    matches a student's value holding one number in any shape.
    """
    wrong = np.asarray(wrong, dtype=np.float64)

    def diagnosis(student: Value, reference: Value, inputs: Mapping[str, np.ndarray]) -> str | None:
        value = numbers_of(student)
        if value is None:
            value = _stacked_items(student)
        if value is None or (value.shape != wrong.shape and not value.size == wrong.size == 1):
            return None
        return message if bool(np.allclose(value.reshape(wrong.shape), wrong, rtol=rtol, atol=atol)) else None

    return diagnosis


def _stacked_items(value: Value) -> np.ndarray | None:
    """A returned tuple of equally shaped items (two lists of losses) as one array, item by item; else None."""
    if value.kind != "list" or not value.items:
        return None
    items = [numbers_of(item) for item in value.items]
    if any(item is None for item in items) or len({item.shape for item in items}) != 1:
        return None
    return np.stack(items)


def compare(student: Value, reference: Value, *, what: str, inputs: Mapping[str, np.ndarray] | None = None, rtol: float = FLOAT32_RTOL, atol: float = FLOAT32_ATOL, relabel: bool = False, signs: bool = False, diagnoses: Iterable[Diagnosis] = ()) -> Verdict:
    """Does ``student`` equal the reference's ``reference`` (within float32 tolerance)?

    Checks, in order, and says which failed: an error or blank, the kind (tensor,
    NumPy array, Python number, list), the shape, integer results where floats
    are expected, non-finite values, then the values themselves. A list (a
    returned tuple) is compared item by item. With ``relabel``, integer labels
    count as equal up to renaming the labels (cluster numbers are arbitrary),
    a 2-D float array up to the order of its rows (the centroids of those
    clusters), and other floats as they are. With ``signs``, each row of a 2-D float array (a 1-D
    one as a whole) counts as equal with either sign: directions such as eigenvectors. ``diagnoses`` explain a value or
    shape mismatch before the generic message does.
    """
    inputs = inputs or {}
    zh, en = halves(what)
    problem = _kind_problem(student, reference, what)
    if problem:
        return Verdict.fail(problem)
    mine, theirs = numbers_of(student), numbers_of(reference)
    if theirs is None and student.kind == reference.kind == "list":
        return _compare_items(student, reference, what=what, inputs=inputs, rtol=rtol, atol=atol, relabel=relabel, signs=signs, diagnoses=diagnoses)
    if theirs is None:
        return Verdict.ok() if student.kind == reference.kind else Verdict.fail(say(f"{zh} 返回了 {describe(student, language='zh')}", f"{en} returned {describe(student, language='en')}"))
    if mine is None:
        return Verdict.fail(say(f"{zh} 返回的 {describe(student, language='zh')} 不是数值", f"{en} returned {describe(student, language='en')}, which holds no numbers"))
    if mine.shape != theirs.shape:
        return Verdict.fail(_diagnosed(diagnoses, student, reference, inputs) or say(f"{zh} 的形状是 {tuple(mine.shape)}，应为 {tuple(theirs.shape)}", f"{en} has shape {tuple(mine.shape)}, expected {tuple(theirs.shape)}"))
    if _integer_for_float(student, reference):
        return Verdict.fail(say(f"{zh} 得到的是整数，应是小数：是不是用了整数除法或比较结果？", f"{en} came out as integers where decimals are expected: integer division, or a comparison left unconverted?"))
    bad = nonfinite_positions(mine)
    unexpected_nonfinite = bool(bad.size) and not nonfinite_positions(theirs).size
    fraction = None if unexpected_nonfinite else _fraction_for_integer(mine, reference)
    if fraction is not None:
        where = index_text(mine.shape, fraction)
        return Verdict.fail(say(f"{zh}{where} 是 {fmt(mine.ravel()[fraction])}，应是整数（类别或下标）：是不是返回了最大值本身，而不是它的位置（argmax）？", f"{en}{where} is {fmt(mine.ravel()[fraction])} where whole numbers (labels or indices) are expected: the largest values themselves instead of their positions (argmax)?"))
    if relabel and not unexpected_nonfinite and _is_float(reference):
        if theirs.ndim == 2:
            mine = mine[match_rows(mine, theirs)]  # centroids: the same rows in any order
    elif relabel and not unexpected_nonfinite:
        return compare_labels(mine, theirs, what)
    if signs and not unexpected_nonfinite and _is_float(reference):
        mine = match_signs(mine, theirs)
    where = first_mismatch(mine, theirs, rtol=rtol, atol=atol)
    if where is None and not unexpected_nonfinite:
        return Verdict.ok()
    message = _diagnosed(diagnoses, student, reference, inputs)
    if message:
        return Verdict.fail(message)
    if unexpected_nonfinite:
        index = index_text(mine.shape, int(bad[0]))
        return Verdict.fail(say(f"{zh}{index} 是 {mine.ravel()[bad[0]]}：出现了 nan 或 inf（溢出、除以 0 或 log(0)？）", f"{en}{index} is {mine.ravel()[bad[0]]}: not finite (an overflow, a division by zero or log(0)?)"))
    named = common_diagnoses(mine, theirs, inputs, what)
    if named:
        return Verdict.fail(named)
    index = index_text(mine.shape, where)
    return Verdict.fail(say(f"{zh}{index} 是 {fmt(mine.ravel()[where])}，应为 {fmt(theirs.ravel()[where])}", f"{en}{index} is {fmt(mine.ravel()[where])}, expected {fmt(theirs.ravel()[where])}"))


def _fraction_for_integer(mine: np.ndarray, reference: Value) -> int | None:
    """Flat index of the first non-whole number in ``mine`` when the reference holds integers, else None."""
    integer = reference.array.dtype.kind in "iu" if reference.kind in ARRAY_KINDS else reference.kind == "int"
    if not integer:
        return None
    hits = np.flatnonzero(np.isfinite(mine) & (mine != np.round(mine)))
    return int(hits[0]) if hits.size else None


def _diagnosed(diagnoses: Iterable[Diagnosis], student: Value, reference: Value, inputs: Mapping[str, np.ndarray]) -> str | None:
    """The first message a diagnosis gives, or None."""
    return next((message for message in (diagnosis(student, reference, inputs) for diagnosis in diagnoses) if message), None)


def _compare_items(student: Value, reference: Value, *, what: str, inputs, rtol: float, atol: float, relabel: bool, signs: bool, diagnoses: Iterable[Diagnosis]) -> Verdict:
    """A returned list or tuple, item by item: its length, then each item as ``compare`` would."""
    diagnoses = tuple(diagnoses)
    zh, en = halves(what)
    if len(student.items) != len(reference.items):
        return Verdict.fail(_diagnosed(diagnoses, student, reference, inputs) or say(f"{zh} 返回了 {len(student.items)} 个值，应为 {len(reference.items)} 个", f"{en} returned {len(student.items)} items, expected {len(reference.items)}"))
    for index, (mine, theirs) in enumerate(zip(student.items, reference.items)):
        verdict = compare(mine, theirs, what=say(f"{zh}[{index}]", f"{en}[{index}]"), inputs=inputs, rtol=rtol, atol=atol, relabel=relabel, signs=signs)
        if not verdict.passed:
            return Verdict.fail(_diagnosed(diagnoses, student, reference, inputs) or verdict.message)
    return Verdict.ok()


def _is_float(value: Value) -> bool:
    if value.kind in ARRAY_KINDS:
        return value.array.dtype.kind == "f"
    return value.kind == "float"


def _integer_for_float(student: Value, reference: Value) -> bool:
    def is_integer(value: Value) -> bool:
        if value.kind in ARRAY_KINDS:
            return value.array.dtype.kind in "iub"
        return value.kind in ("int", "bool")

    return _is_float(reference) and is_integer(student) and not np.array_equal(np.asarray(numbers_of(student)), np.asarray(numbers_of(reference)))

