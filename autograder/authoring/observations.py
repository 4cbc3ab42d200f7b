"""What a declared case records from a call, and how it judges each record.

A case calls the student's function once; each observation then records one
thing from that call (the return value, a loss curve, a gradient, an
argument after training, a model's accuracy on held-out data) as a raw value
the wire encodes. The judge side compares the decoded record with the same
observation of the solution, and says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

import numpy as np

from autograder.authoring import checks
from autograder.authoring.arguments import Scope
from autograder.authoring.cases import InputContext, probing_copy
from autograder.authoring.checks import Verdict
from autograder.authoring.language import halves, say
from autograder.authoring.wire import ProbeError, Value, number_series, series_inside


@dataclass
class Call:
    """One call of the student's function: what it returned and its arguments afterwards."""

    what: str  # how messages name the call: the function's name
    returned: Any  # the return value, or a ProbeError
    arguments: list
    scope: Scope


class Observation:
    """One recorded fact of a call (see the module docstring)."""

    key: str = ""
    probed: ClassVar[tuple[str, ...]] = ()  # the fields ``record`` reads: all a sandbox's copy keeps (with the key)

    def for_probing(self) -> "Observation":
        return probing_copy(self, ("key", *self.probed))

    def make(self, context: InputContext) -> dict[str, np.ndarray]:
        return {}

    def record(self, call: Call, stored: Mapping[str, np.ndarray]) -> Any:
        raise NotImplementedError

    def judge(self, student: Value, reference: Value, inputs: Mapping[str, np.ndarray], *, what: str) -> Verdict:
        raise NotImplementedError


def _part(returned: Any, index: int | None) -> Any:
    if index is None or isinstance(returned, ProbeError):
        return returned
    if not isinstance(returned, (tuple, list)) or len(returned) <= index:
        return ProbeError(
            say(f"应返回至少 {index + 1} 个值的元组", f"it should return a tuple of at least {index + 1} values")
        )
    return returned[index]


def _series_or_value(value: Any) -> Any:
    series = number_series(value)
    return series if series is not None else value


@dataclass(frozen=True)
class Returned(Observation):
    """The return value (or item ``index`` of a returned tuple), compared with the solution's."""

    probed: ClassVar[tuple[str, ...]] = ("index",)
    index: int | None = None
    label: str = ""
    rtol: float = checks.FLOAT32_RTOL
    atol: float = checks.FLOAT32_ATOL
    relabel: bool = False
    signs: bool = False
    diagnoses: tuple = ()
    key: str = "returned"

    def record(self, call, stored):
        part = _part(call.returned, self.index)
        return _series_or_value(part) if self.index is not None else series_inside(part)

    def judge(self, student, reference, inputs, *, what):
        label = f"{what} {self.label}".strip() if self.label else what
        return checks.compare(
            student,
            reference,
            what=label,
            inputs=inputs,
            rtol=self.rtol,
            atol=self.atol,
            relabel=self.relabel,
            signs=self.signs,
            diagnoses=self.diagnoses,
        )


@dataclass(frozen=True)
class Curve(Observation):
    """A loss curve: the returned list (or item ``index`` of a returned tuple), one loss per step."""

    probed: ClassVar[tuple[str, ...]] = ("index",)
    index: int | None = None
    rtol: float = 1e-3
    atol: float = 1e-5
    key: str = "curve"
    diagnoses: tuple = ()

    def record(self, call, stored):
        return _series_or_value(_part(call.returned, self.index))

    def judge(self, student, reference, inputs, *, what):
        problem = checks.unfinished(student, what=what)
        if problem:
            return Verdict.fail(problem)
        curve = checks.numbers_of(student) if student.kind in ("ndarray", "list") else None
        if curve is None or curve.ndim != 1:
            return Verdict.fail(
                say(
                    f"{what} 应返回损失列表（每步一个 float 或 0 维张量），却返回了 "
                    f"{checks.describe(student, language='zh')}",
                    f"{what} should return a list with one loss (a float or 0-dim tensor) per step, but returned "
                    f"{checks.describe(student, language='en')}",
                )
            )
        verdict = checks.diagnose_curve(
            curve,
            checks.numbers_of(reference),
            rtol=self.rtol,
            atol=self.atol,
            what=say(f"{what} 的损失曲线", f"the loss curve of {what}"),
        )
        return verdict if verdict.passed else diagnosed(self.diagnoses, student, reference, inputs) or verdict


@dataclass(frozen=True)
class Gradient(Observation):
    """The gradient that reaches argument ``argument`` when the returned tensor is summed and back-propagated."""

    probed: ClassVar[tuple[str, ...]] = ("argument",)
    argument: int = 0
    rtol: float = 1e-3
    atol: float = 1e-5
    key: str = "gradient"

    def record(self, call, stored):
        grad = getattr(call.arguments[self.argument], "grad", None)
        return grad if grad is not None else ProbeError("no gradient")

    def judge(self, student, reference, inputs, *, what):
        if student.kind != "tensor":
            return Verdict.fail(
                say(
                    f"梯度无法穿过 {what}：请只用 torch 运算（不要用 math、NumPy 或 .item()）",
                    f"no gradient flows through {what}: build it from torch operations only (not math, NumPy or "
                    ".item())",
                )
            )
        verdict = checks.compare(
            student,
            reference,
            what=say(f"{what} 的梯度", f"the gradient through {what}"),
            rtol=self.rtol,
            atol=self.atol,
        )
        if verdict.passed:
            return verdict
        detail_zh, detail_en = halves(verdict.message)
        return Verdict.fail(
            say(
                f"梯度不对：是不是有一部分计算被 detach 了，或在 torch 之外完成？（{detail_zh}）",
                f"the gradient is wrong: is part of the computation detached or done outside torch? ({detail_en})",
            )
        )


@dataclass(frozen=True)
class After(Observation):
    """Argument ``argument`` after the call: a tensor updated in place, or a model's weights."""

    probed: ClassVar[tuple[str, ...]] = ("argument",)
    argument: int = 0
    label: str = ""
    rtol: float = 1e-3
    atol: float = 1e-4
    key: str = ""

    def record(self, call, stored):
        value = call.arguments[self.argument]
        if callable(getattr(value, "state_dict", None)):
            return [tensor.detach().clone() for tensor in value.state_dict().values()]
        return value

    def judge(self, student, reference, inputs, *, what):
        label = self.label or f"#{self.argument}"
        if student.kind == "list":
            mine, theirs = list(student.items), list(reference.items)
            before = [inputs.get(f"a{self.argument}.{index}") for index in range(len(theirs))]
        else:
            mine, theirs, before = [student], [reference], [inputs.get(f"a{self.argument}")]
        if len(mine) != len(theirs):
            return Verdict.fail(say(f"{label} 的参数个数变了", f"{label} changed its number of parameters"))
        if all(b is not None and m.array is not None and np.array_equal(m.array, b) for m, b in zip(mine, before)):
            return Verdict.fail(
                say(
                    f"{what} 之后 {label} 没有变化：要原地更新传入的参数（如 w.data -= lr * w.grad 或 "
                    "optimizer.step()），而不是新建局部变量",
                    f"{label} is unchanged after {what}: update the parameters passed in, in place (w.data -= lr * "
                    "w.grad, or optimizer.step()), not a new local variable",
                )
            )
        if student.kind == "tensor" and reference.requires_grad and (not student.requires_grad or not student.is_leaf):
            return Verdict.fail(
                say(
                    f"{what} 之后 {label} 不再是需要梯度的叶子张量：更新 {label}.data，或在 torch.no_grad() 下更新",
                    f"{label} is no longer a leaf tensor that requires grad after {what}: update {label}.data, or "
                    "update under torch.no_grad()",
                )
            )
        for m, t in zip(mine, theirs):
            verdict = checks.compare(m, t, what=label, rtol=self.rtol, atol=self.atol)
            if not verdict.passed:
                detail_zh, detail_en = halves(verdict.message)
                return Verdict.fail(
                    say(
                        f"{what} 之后 {label} 与参考不同：每一步是否是 -lr × 梯度，并清零了梯度？（{detail_zh}）",
                        f"{label} after {what} differs from the reference: is each step -lr * gradient, with gradients "
                        f"zeroed every time? ({detail_en})",
                    )
                )
        return Verdict.ok()


def diagnosed(diagnoses, student: Value, reference: Value, inputs) -> Verdict | None:
    """The first of the instructor's diagnoses that explains a mismatch, as a failed verdict."""
    for diagnosis in diagnoses:
        message = diagnosis(student, reference, inputs)
        if message:
            return Verdict.fail(message)
    return None
