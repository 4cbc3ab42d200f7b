"""Compare plain probe data with reference data, with messages that teach.

Every function here takes decoded Values (see ``autograder.authoring.wire``)
and NumPy reference arrays, never a live object from student code, so a judge
can run in a process that never ran the submission. Declared cases judge with
``compare``; hand-written judges may use any helper here.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import numpy as np

from autograder.authoring.language import SEPARATOR, say
from autograder.authoring.wire import Value

# float32 arithmetic done in a different order (a tanh-based formula, fused
# built-ins, the course's clamp-then-log) differs from float64 by ~1e-6.
FLOAT32_RTOL = 1e-4
FLOAT32_ATOL = 1e-5
ARRAY_KINDS = ("tensor", "ndarray", "npscalar")
NUMBER_KINDS = ("float", "int", "bool")

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


def describe(value: Value) -> str:
    """What a function returned, in a few words that read the same in both languages: "tensor (3, 1)"."""
    if value.kind == "ellipsis":
        return "`...`"
    if value.kind == "none":
        return "None"
    if value.kind == "error":
        return value.text
    if value.kind in ARRAY_KINDS:
        name = {"tensor": "tensor", "ndarray": "NumPy array", "npscalar": "NumPy scalar"}[value.kind]
        return f"{name} {tuple(value.array.shape)}"
    if value.kind in NUMBER_KINDS:
        return f"{value.kind} {value.number:g}"
    if value.kind == "list":
        return f"list[{len(value.items)}]"
    return value.type_name or value.kind


# PyTorch errors students meet while learning, with what to do about them.
KNOWN_ERRORS = (
    ("a leaf Variable that requires grad is being used in an in-place operation",
     "在需要梯度的叶子张量上做了原地修改：在 with torch.no_grad(): 里更新，或更新 .data",
     "an in-place update of a leaf tensor that requires grad: update it under `with torch.no_grad():`, or update `.data`"),
    ("Trying to backward through the graph a second time",
     "对同一张计算图反向传播了两次：每一步都要重新计算损失",
     "backward ran twice through the same graph: compute the loss afresh at every step"),
    ("element 0 of tensors does not require grad",
     "损失与参数之间的梯度断了：参数要 requires_grad=True，计算中不要 .detach()、.item() 或 NumPy",
     "the loss does not depend on anything that requires grad: parameters need requires_grad=True, and no .detach(), .item() or NumPy on the way"),
    ("mat1 and mat2 shapes cannot be multiplied",
     "矩阵乘法的形状不匹配：检查每层的输入、输出大小",
     "matrix shapes do not match: check each layer's input and output sizes"),
)


def explain_error(text: str) -> tuple[str, str] | None:
    """(Chinese, English) advice for a known PyTorch error message, or None."""
    return next(((chinese, english) for found, chinese, english in KNOWN_ERRORS if found in text), None)


def blank_or_error(value: Value, *, what: str) -> str | None:
    """The message for a blank not filled in, a ``None`` from a missing return, or an exception; else None."""
    if value.kind == "error" and SEPARATOR in value.text:  # already in both languages (the kit wrote it)
        chinese, english = value.text.split(SEPARATOR, 1)
        return say(f"{what}：{chinese}", f"{what}: {english}")
    if value.kind == "error":
        advice = explain_error(value.text)
        if advice:
            return say(f"{what} 出错了：{advice[0]}（{value.text}）", f"{what} raised an error: {advice[1]} ({value.text})")
        return say(f"{what} 出错了：{value.text}", f"{what} raised {value.text}")
    if value.kind == "ellipsis":
        return say(f"{what} 还没有写（仍是 `...`）", f"{what} is not written yet (the blank still holds `...`)")
    if value.kind == "none":
        return say(f"{what} 返回了 None：是不是漏了 return？", f"{what} returned None: is a `return` missing?")
    return None


def expect_tensor(value: Value, *, what: str, shape: tuple[int, ...]) -> Verdict:
    """Check ``value`` is a torch tensor of ``shape``."""
    problem = blank_or_error(value, what=what)
    if problem:
        return Verdict.fail(problem)
    if value.kind == "ndarray":
        return Verdict.fail(say(f"{what} 返回了 NumPy 数组：请用 torch 运算，结果才是张量、梯度才能传回", f"{what} returned a NumPy array: use torch operations so the result stays a tensor and autograd can flow"))
    if value.kind != "tensor":
        return Verdict.fail(say(f"{what} 应返回张量，却返回了 {describe(value)}", f"{what} should return a tensor but returned {describe(value)}"))
    if tuple(value.array.shape) != tuple(shape):
        return Verdict.fail(say(f"{what} 返回的形状是 {tuple(value.array.shape)}，应为 {tuple(shape)}：保持输入的形状（不要求和、平均或 reshape）", f"{what} returned shape {tuple(value.array.shape)}, expected {tuple(shape)}: keep the input's shape (no sum, mean or reshape)"))
    return Verdict.ok()


def expect_scalar_tensor(value: Value, *, what: str) -> Verdict:
    """Check ``value`` is a 0-dim tensor."""
    if value.kind == "tensor" and value.array.shape != ():
        return Verdict.fail(say(f"{what} 返回了形状为 {tuple(value.array.shape)} 的张量，应是一个数（0 维张量）：对所有行取平均", f"{what} returned a tensor of shape {tuple(value.array.shape)}; it should be a single number (0-dim tensor): take the mean over all rows"))
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


def _index(shape: tuple[int, ...], flat: int) -> str:
    return str([int(i) for i in np.unravel_index(flat, shape)]) if len(shape) > 1 else f"[{flat}]" if shape else ""


def _kind_problem(student: Value, reference: Value, what: str) -> str | None:
    """Why ``student`` is not the kind of thing the reference is, or None."""
    problem = blank_or_error(student, what=what)
    if problem:
        return problem
    expected = reference.kind
    if expected == "tensor" and student.kind != "tensor":
        if student.kind in ("ndarray", "npscalar"):
            return say(f"{what} 返回了 NumPy 数组：请全程用 torch 运算，结果才是张量", f"{what} returned a NumPy array: use torch operations throughout so the result stays a tensor")
        return say(f"{what} 应返回张量，却返回了 {describe(student)}", f"{what} should return a tensor but returned {describe(student)}")
    if expected in ("ndarray", "npscalar") and student.kind == "tensor":
        return say(f"{what} 返回了 torch 张量：本题用 NumPy，应返回数组", f"{what} returned a torch tensor: this question works in NumPy, so return an array")
    if expected in ("ndarray", "npscalar") and student.kind not in ARRAY_KINDS + NUMBER_KINDS:
        return say(f"{what} 应返回 NumPy 数组，却返回了 {describe(student)}", f"{what} should return a NumPy array but returned {describe(student)}")
    if expected in ("float", "int") and student.kind == "tensor":
        return say(f"{what} 应返回 Python 数字，却返回了张量：用 .item() 或 float(...) 转换", f"{what} should return a Python number, not a tensor: convert with .item() or float(...)")
    if expected in NUMBER_KINDS and student.kind not in NUMBER_KINDS + ("npscalar",):
        return say(f"{what} 应返回一个数，却返回了 {describe(student)}", f"{what} should return a number but returned {describe(student)}")
    if expected == "list" and student.kind not in ("list", "tensor", "ndarray"):
        return say(f"{what} 应返回列表，却返回了 {describe(student)}", f"{what} should return a list but returned {describe(student)}")
    return None


def common_diagnoses(student: np.ndarray, reference: np.ndarray, inputs: Mapping[str, np.ndarray], what: str) -> str | None:
    """Mistakes read off the numbers alone: a flipped sign, a sum for a mean, a factor of two."""
    if student.shape != reference.shape or student.size == 0:
        return None
    scales = {float(s) for s in np.ravel(student) / np.where(np.ravel(reference) == 0, np.nan, np.ravel(reference)) if np.isfinite(s)}
    if len(scales) != 1:
        return None
    scale = scales.pop()
    rows = {int(array.shape[0]) for array in inputs.values() if getattr(array, "ndim", 0) >= 1 and array.shape[0] > 1}
    if near(scale, -1.0):
        return say(f"{what} 的符号反了", f"{what} has the wrong sign")
    for count in sorted(rows):
        if near(scale, count):
            return say(f"{what} 是参考值的 {count} 倍：是不是用了求和而不是平均？", f"{what} is {count}x the reference: a sum instead of a mean?")
        if near(scale, 1 / count):
            return say(f"{what} 是参考值的 1/{count}：是不是多除了一次行数？", f"{what} is 1/{count} of the reference: divided by the number of rows once too often?")
    for factor in (2.0, 0.5):
        if near(scale, factor):
            return say(f"{what} 是参考值的 {factor:g} 倍：检查常数因子", f"{what} is {factor:g}x the reference: check the constant factor")
    return None


def compare(student: Value, reference: Value, *, what: str, inputs: Mapping[str, np.ndarray] | None = None, rtol: float = FLOAT32_RTOL, atol: float = FLOAT32_ATOL, relabel: bool = False, diagnoses: Iterable[Diagnosis] = ()) -> Verdict:
    """Does ``student`` equal the reference's ``reference`` (within float32 tolerance)?

    Checks, in order, and says which failed: an error or blank, the kind (tensor,
    NumPy array, Python number, list), the shape, integer results where floats
    are expected, non-finite values, then the values themselves. A list (a
    returned tuple) is compared item by item. With ``relabel``, integer labels
    count as equal up to renaming the labels (cluster numbers are arbitrary),
    a 2-D float array up to the order of its rows (the centroids of those
    clusters), and other floats as they are. ``diagnoses`` explain a value or
    shape mismatch before the generic message does.
    """
    inputs = inputs or {}
    problem = _kind_problem(student, reference, what)
    if problem:
        return Verdict.fail(problem)
    mine, theirs = numbers_of(student), numbers_of(reference)
    if theirs is None and student.kind == reference.kind == "list":
        return _compare_items(student, reference, what=what, inputs=inputs, rtol=rtol, atol=atol, relabel=relabel, diagnoses=diagnoses)
    if theirs is None:
        return Verdict.ok() if student.kind == reference.kind else Verdict.fail(say(f"{what} 返回了 {describe(student)}", f"{what} returned {describe(student)}"))
    if mine is None:
        return Verdict.fail(say(f"{what} 返回的 {describe(student)} 不是数值", f"{what} returned {describe(student)}, which holds no numbers"))
    if mine.shape != theirs.shape:
        return Verdict.fail(_diagnosed(diagnoses, student, reference, inputs) or say(f"{what} 的形状是 {tuple(mine.shape)}，应为 {tuple(theirs.shape)}", f"{what} has shape {tuple(mine.shape)}, expected {tuple(theirs.shape)}"))
    if _integer_for_float(student, reference):
        return Verdict.fail(say(f"{what} 得到的是整数，应是小数：是不是用了整数除法或比较结果？", f"{what} came out as integers where decimals are expected: integer division, or a comparison left unconverted?"))
    bad = nonfinite_positions(mine)
    unexpected_nonfinite = bool(bad.size) and not nonfinite_positions(theirs).size
    if relabel and not unexpected_nonfinite and _is_float(reference):
        if theirs.ndim == 2:
            mine = mine[match_rows(mine, theirs)]  # centroids: the same rows in any order
    elif relabel and not unexpected_nonfinite:
        return _compare_labels(mine, theirs, what)
    where = first_mismatch(mine, theirs, rtol=rtol, atol=atol)
    if where is None and not unexpected_nonfinite:
        return Verdict.ok()
    message = _diagnosed(diagnoses, student, reference, inputs)
    if message:
        return Verdict.fail(message)
    if unexpected_nonfinite:
        index = _index(mine.shape, int(bad[0]))
        return Verdict.fail(say(f"{what}{index} 是 {mine.ravel()[bad[0]]}：出现了 nan 或 inf（溢出、除以 0 或 log(0)？）", f"{what}{index} is {mine.ravel()[bad[0]]}: not finite (an overflow, a division by zero or log(0)?)"))
    named = common_diagnoses(mine, theirs, inputs, what)
    if named:
        return Verdict.fail(named)
    index = _index(mine.shape, where)
    return Verdict.fail(say(f"{what}{index} 是 {fmt(mine.ravel()[where])}，应为 {fmt(theirs.ravel()[where])}", f"{what}{index} is {fmt(mine.ravel()[where])}, expected {fmt(theirs.ravel()[where])}"))


def _diagnosed(diagnoses: Iterable[Diagnosis], student: Value, reference: Value, inputs: Mapping[str, np.ndarray]) -> str | None:
    """The first message a diagnosis gives, or None."""
    return next((message for message in (diagnosis(student, reference, inputs) for diagnosis in diagnoses) if message), None)


def _compare_items(student: Value, reference: Value, *, what: str, inputs, rtol: float, atol: float, relabel: bool, diagnoses: Iterable[Diagnosis]) -> Verdict:
    """A returned list or tuple, item by item: its length, then each item as ``compare`` would."""
    diagnoses = tuple(diagnoses)
    if len(student.items) != len(reference.items):
        return Verdict.fail(_diagnosed(diagnoses, student, reference, inputs) or say(f"{what} 返回了 {len(student.items)} 个值，应为 {len(reference.items)} 个", f"{what} returned {len(student.items)} items, expected {len(reference.items)}"))
    for index, (mine, theirs) in enumerate(zip(student.items, reference.items)):
        verdict = compare(mine, theirs, what=f"{what}[{index}]", inputs=inputs, rtol=rtol, atol=atol, relabel=relabel)
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


def _compare_labels(mine: np.ndarray, theirs: np.ndarray, what: str) -> Verdict:
    """Equal up to a one-to-one renaming of the labels."""
    mapping: dict[float, float] = {}
    for a, b in zip(mine.ravel(), theirs.ravel()):
        if mapping.setdefault(float(a), float(b)) != float(b):
            break
    else:
        if len(set(mapping.values())) == len(mapping):
            return Verdict.ok()
    agreement = best_relabelled_agreement(mine, theirs)
    return Verdict.fail(say(f"{what} 与参考的分组不一致（重新编号后也只有 {agreement:.0%} 相同）", f"{what} groups the points differently from the reference ({agreement:.0%} agree under the best renaming of the labels)"))


def best_relabelled_agreement(mine: np.ndarray, theirs: np.ndarray) -> float:
    """Share of positions that agree under the best one-to-one renaming of ``mine``'s labels."""
    mine, theirs = np.ravel(mine), np.ravel(theirs)
    if mine.size == 0:
        return 1.0
    own, other = np.unique(mine), np.unique(theirs)
    if len(own) > 8:  # keep the search small: greedy beyond 8 labels
        return float(np.mean(mine == theirs))
    best = 0
    for chosen in itertools.permutations(other, min(len(own), len(other))):
        renamed = dict(zip(own, chosen))
        best = max(best, sum(renamed.get(a) == b for a, b in zip(mine, theirs)))
    return best / mine.size


def match_rows(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray | None:
    """The permutation of ``mine``'s rows that lies closest to ``theirs`` (None when shapes differ)."""
    if mine.shape != theirs.shape or mine.ndim != 2:
        return None
    rows = mine.shape[0]
    if rows <= 8:
        orders = itertools.permutations(range(rows))
        return np.array(min(orders, key=lambda order: float(np.abs(mine[list(order)] - theirs).sum())))
    order, free = [], set(range(rows))
    for target in theirs:
        nearest = min(free, key=lambda i: float(np.abs(mine[i] - target).sum()))
        order.append(nearest)
        free.discard(nearest)
    return np.array(order)


def diagnose_curve(actual: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float, what: str = "") -> Verdict:
    """Compare a loss curve step by step and explain how it departs (``what``: the training function's name).

    Recognises the usual training-loop mistakes: losses recorded after the
    update (shifted by one), gradients never zeroed (matches for one step,
    then drifts), the update applied in the wrong direction (loss rises).
    """
    actual = np.asarray(actual, dtype=np.float64).ravel()
    expected = np.asarray(expected, dtype=np.float64).ravel()
    zh, en = (f"{what} 的损失曲线", f"the loss curve of {what}") if what else ("损失曲线", "the loss curve")
    if actual.size != expected.size:
        hint = ("", "")
        if actual.size == expected.size + 1:
            hint = ("：多了一个（是不是把最后一次更新后的损失也记了？）", ": one loss too many (is the loss after the last update appended too?)")
        elif actual.size == expected.size - 1:
            hint = ("：少了一个（是不是跳过了一步，或写成了 range(1, epochs)？）", ": one loss short (is a step skipped, or `range(1, epochs)`?)")
        return Verdict.fail(say(f"{zh} 有 {actual.size} 个值，应每个 epoch 一个（{expected.size} 个）{hint[0]}", f"{en} has {actual.size} entries, expected one per epoch ({expected.size}){hint[1]}"))
    if actual.size == 0:
        return Verdict.ok()
    bad = nonfinite_positions(actual)
    if bad.size:
        return Verdict.fail(say(f"{zh} 在第 {int(bad[0])} 步出现了非有限的损失：检查学习率、更新和损失函数", f"{en} holds a non-finite loss at step {int(bad[0])}: check the learning-rate update and the loss"))
    mismatch = first_mismatch(actual, expected, rtol=rtol, atol=atol)
    if mismatch is None:
        return Verdict.ok()
    if actual.size > 1 and first_mismatch(actual[:-1], expected[1:], rtol=rtol, atol=atol) is None:
        return Verdict.fail(say(f"{zh} 错开了一步：losses[i] 应在第 i 次更新之前记录，而不是之后", f"{en} is shifted by one step: losses[i] must be recorded before update i, not after"))
    if mismatch == 0:
        return Verdict.fail(say(f"{zh} 从 {fmt(actual[0])} 开始，不是初始参数下的损失：losses[0] 必须在任何更新之前计算", f"{en} starts at {fmt(actual[0])}, not at the loss of the initial parameters: losses[0] must be taken before any update"))
    if actual[-1] > actual[0] and expected[-1] < expected[0]:
        return Verdict.fail(say(f"{zh} 不降反升：是不是把梯度加上去了，而不是减去？", f"{en} rises instead of falling: is the gradient step added instead of subtracted?"))
    if mismatch == 1:
        first_step = ratio(actual[0] - actual[1], expected[0] - expected[1])
        size = (f"（步长是应有的 {first_step:.3g} 倍）", f" ({first_step:.3g}x the expected size)") if first_step is not None else ("", "")
        return Verdict.fail(say(f"{zh} 在第一次更新后就不对了{size[0]}：每一步应是 -lr × 梯度，且每个参数只更新一次", f"{en} is already off after the first update{size[1]}: is the step -lr * gradient, applied once to every parameter?"))
    if mismatch == 2:
        return Verdict.fail(say(f"{zh} 第一步正确，之后偏离：每一步都把梯度清零了吗（zero_grad / w.grad.zero_()）？", f"{en} matches for one step, then drifts: are gradients zeroed each step (zero_grad, w.grad.zero_())?"))
    return Verdict.fail(say(f"{zh} 前 {mismatch - 1} 步正确，之后偏离：每个 epoch 都是同样的更新、并清零梯度吗？", f"{en} matches for {mismatch - 1} steps, then drifts: is every epoch the same update, with gradients zeroed each time?"))
