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

from autograder.authoring.language import halves, say
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


def describe(value: Value, *, language: str | None = None) -> str:
    """A short, student-facing description of what a function returned.

    ``language`` "zh" or "en" gives one half, to embed in that half of a ``say``
    message; None gives both.
    """
    def words(chinese: str, english: str) -> str:
        return {"zh": chinese, "en": english}.get(language or "", say(chinese, english))

    if value.kind == "ellipsis":
        return words("`...`（还没有填写）", "`...` (the blank is not filled in yet)")
    if value.kind == "none":
        return words("None（是不是漏了 return？）", "None (is a `return` missing?)")
    if value.kind == "error":
        text = dict(zip(("zh", "en"), halves(value.text))).get(language or "", value.text)
        return words(f"一个异常：{text}", f"an error: {text}")
    if value.kind in ARRAY_KINDS:
        name = {"tensor": "tensor", "ndarray": "NumPy array", "npscalar": "NumPy scalar"}[value.kind]
        return f"{name} {tuple(value.array.shape)}"
    if value.kind in NUMBER_KINDS:
        return f"{value.kind} {value.number:g}"
    if value.kind == "list":
        return words(f"长度为 {len(value.items)} 的列表", f"a list of {len(value.items)}")
    return words(f"{value.type_name or value.kind} 类型的值", f"a value of type {value.type_name or value.kind}")

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


def raised(what: str, text: str) -> str:
    """The message for a call of ``what`` that failed with ``text``.

    ``text`` is an exception's message (the same in both languages), or an
    explanation the kit wrote with ``say`` (each half goes to its language).
    """
    (what_zh, what_en), (text_zh, text_en) = halves(what), halves(text)
    advice = explain_error(text) if text_zh == text_en else None
    if advice:
        return say(f"{what_zh} 出错了：{advice[0]}（{text}）", f"{what_en} raised an error: {advice[1]} ({text})")
    if text_zh == text_en:
        return say(f"{what_zh} 出错了：{text}", f"{what_en} raised {text}")
    return say(f"{what_zh}：{text_zh}", f"{what_en}: {text_en}")


def unfinished(value: Value, *, what: str) -> str | None:
    """What is wrong when ``value`` is an error, a blank still holding ``...`` or a missing return; else None."""
    what_zh, what_en = halves(what)
    if value.kind == "error":
        return raised(what, value.text)
    if value.kind == "ellipsis":
        return say(f"{what_zh} 还没有写（仍是 `...`）", f"{what_en} is not written yet (the blank still holds `...`)")
    if value.kind == "none":
        return say(f"{what_zh} 返回了 None：是不是漏了 return？", f"{what_en} returned None: is a `return` missing?")
    return None


# The name cases files written before ``unfinished`` call.
blank_or_error = unfinished


def expect_tensor(value: Value, *, what: str, shape: tuple[int, ...]) -> Verdict:
    """Check ``value`` is a torch tensor of ``shape``."""
    zh, en = halves(what)
    if value.kind == "error":
        return Verdict.fail(raised(what, value.text))
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


def common_diagnoses(student: np.ndarray, reference: np.ndarray, inputs: Mapping[str, np.ndarray], what: str) -> str | None:
    """Mistakes read off the numbers alone: a flipped sign, a sum for a mean, a factor of two."""
    zh, en = halves(what)
    if student.shape != reference.shape or student.size == 0:
        return None
    scales = {float(s) for s in np.ravel(student) / np.where(np.ravel(reference) == 0, np.nan, np.ravel(reference)) if np.isfinite(s)}
    if len(scales) != 1:
        return None
    scale = scales.pop()
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
    zh, en = halves(what)
    problem = _kind_problem(student, reference, what)
    if problem:
        return Verdict.fail(problem)
    mine, theirs = numbers_of(student), numbers_of(reference)
    if theirs is None and student.kind == reference.kind == "list":
        return _compare_items(student, reference, what=what, inputs=inputs, rtol=rtol, atol=atol, relabel=relabel, diagnoses=diagnoses)
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
        where = _index(mine.shape, fraction)
        return Verdict.fail(say(f"{zh}{where} 是 {fmt(mine.ravel()[fraction])}，应是整数（类别或下标）：是不是返回了最大值本身，而不是它的位置（argmax）？", f"{en}{where} is {fmt(mine.ravel()[fraction])} where whole numbers (labels or indices) are expected: the largest values themselves instead of their positions (argmax)?"))
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
        return Verdict.fail(say(f"{zh}{index} 是 {mine.ravel()[bad[0]]}：出现了 nan 或 inf（溢出、除以 0 或 log(0)？）", f"{en}{index} is {mine.ravel()[bad[0]]}: not finite (an overflow, a division by zero or log(0)?)"))
    named = common_diagnoses(mine, theirs, inputs, what)
    if named:
        return Verdict.fail(named)
    index = _index(mine.shape, where)
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


def _compare_items(student: Value, reference: Value, *, what: str, inputs, rtol: float, atol: float, relabel: bool, diagnoses: Iterable[Diagnosis]) -> Verdict:
    """A returned list or tuple, item by item: its length, then each item as ``compare`` would."""
    diagnoses = tuple(diagnoses)
    zh, en = halves(what)
    if len(student.items) != len(reference.items):
        return Verdict.fail(_diagnosed(diagnoses, student, reference, inputs) or say(f"{zh} 返回了 {len(student.items)} 个值，应为 {len(reference.items)} 个", f"{en} returned {len(student.items)} items, expected {len(reference.items)}"))
    for index, (mine, theirs) in enumerate(zip(student.items, reference.items)):
        verdict = compare(mine, theirs, what=say(f"{zh}[{index}]", f"{en}[{index}]"), inputs=inputs, rtol=rtol, atol=atol, relabel=relabel)
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
    zh, en = halves(what)
    return Verdict.fail(say(f"{zh} 与参考的分组不一致（重新编号后也只有 {agreement:.0%} 相同）", f"{en} groups the points differently from the reference ({agreement:.0%} agree under the best renaming of the labels)"))


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


def diagnose_curve(actual: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float, what: str = say("损失曲线", "the loss curve")) -> Verdict:
    """Compare a loss curve step by step and explain how it departs.

    Recognises the usual training-loop mistakes: losses recorded after the
    update (shifted by one), a different loss from the start (the wrong loss
    function or input), the first update going uphill (the step added instead
    of subtracted), gradients never zeroed (matches for one step, then drifts).
    ``what`` names the curve: a name, or a phrase in both languages (``say``).
    """
    zh, en = halves(what)
    actual = np.asarray(actual, dtype=np.float64).ravel()
    expected = np.asarray(expected, dtype=np.float64).ravel()
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
        return Verdict.fail(say(f"{zh} 从 {fmt(actual[0])} 开始，参考从 {fmt(expected[0])} 开始：第一个损失就不同。损失函数和它的输入对吗？losses[0] 是在任何更新之前算的吗？", f"{en} starts at {fmt(actual[0])}, the reference at {fmt(expected[0])}: the very first loss differs. Is it the right loss, on the right input, taken before any update?"))
    if mismatch == 1:
        if actual[1] > actual[0] and expected[1] < expected[0]:
            return Verdict.fail(say(f"{zh} 第一次更新后损失反而上升：是不是把梯度加上去了，而不是减去？", f"{en} rises instead of falling after the first update: is the gradient step added instead of subtracted?"))
        first_step = ratio(actual[0] - actual[1], expected[0] - expected[1])
        size = (f"（步长是应有的 {first_step:.3g} 倍）", f" ({first_step:.3g}x the expected size)") if first_step is not None else ("", "")
        return Verdict.fail(say(f"{zh} 在第一次更新后就不对了{size[0]}：每一步应是 -lr × 梯度，且每个参数只更新一次", f"{en} is already off after the first update{size[1]}: is the step -lr * gradient, applied once to every parameter?"))
    if mismatch == 2:
        return Verdict.fail(say(f"{zh}第一步正确，之后偏离：每一步都把梯度清零了吗（zero_grad 或 w.grad.zero_()）？", f"{en} matches for one step, then drifts: are gradients zeroed each step (zero_grad, w.grad.zero_())?"))
    return Verdict.fail(say(f"{zh}前 {mismatch - 1} 步正确，之后偏离：每个 epoch 都是同样的更新、并清零梯度吗？", f"{en} matches for {mismatch - 1} steps, then drifts: is every epoch the same update, with gradients zeroed each time?"))
