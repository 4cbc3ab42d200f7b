"""What a declared case records from a call, and how it judges each record.

A case calls the student's function once; each observation then records one
thing from that call (the return value, a loss curve, a gradient, an
argument after training, a model's accuracy on held-out data) as a raw value
the wire encodes. The judge side compares the decoded record with the same
observation of the solution, and says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Mapping

import numpy as np

from autograder.authoring import checks
from autograder.authoring.arguments import Draw, Scope, to_array, to_tensor
from autograder.authoring.cases import InputContext, probing_copy
from autograder.authoring.checks import Verdict
from autograder.authoring.labels import predicted_labels
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
                    f"{what} 应返回损失列表（每步一个 float 或 0 维张量），却返回了 {checks.describe(student, language='zh')}",
                    f"{what} should return a list with one loss (a float or 0-dim tensor) per step, but returned {checks.describe(student, language='en')}",
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
                    f"no gradient flows through {what}: build it from torch operations only (not math, NumPy or .item())",
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
                    f"{what} 之后 {label} 没有变化：要原地更新传入的参数（如 w.data -= lr * w.grad 或 optimizer.step()），而不是新建局部变量",
                    f"{label} is unchanged after {what}: update the parameters passed in, in place (w.data -= lr * w.grad, or optimizer.step()), not a new local variable",
                )
            )
        if student.kind == "tensor" and reference.requires_grad and (not student.requires_grad or not student.is_leaf):
            return Verdict.fail(
                say(
                    f"{what} 之后 {label} 不再是需要梯度的叶子张量：更新 {label}.data，或在 torch.no_grad() 下更新",
                    f"{label} is no longer a leaf tensor that requires grad after {what}: update {label}.data, or update under torch.no_grad()",
                )
            )
        for m, t in zip(mine, theirs):
            verdict = checks.compare(m, t, what=label, rtol=self.rtol, atol=self.atol)
            if not verdict.passed:
                detail_zh, detail_en = halves(verdict.message)
                return Verdict.fail(
                    say(
                        f"{what} 之后 {label} 与参考不同：每一步是否是 -lr × 梯度，并清零了梯度？（{detail_zh}）",
                        f"{label} after {what} differs from the reference: is each step -lr * gradient, with gradients zeroed every time? ({detail_en})",
                    )
                )
        return Verdict.ok()


@dataclass(frozen=True)
class Accuracy(Observation):
    """After the call, the share of held-out rows that ``predict(*arguments[model], x)`` labels right.

    ``predict`` gives labels, or one row of class scores per row of x (the grader takes the
    largest). It runs in the sandbox, beside the student's code: where picking the label is
    itself a question, return the scores, or the sandbox would hold that question's answer.
    Passes at or above the solution's share minus ``margin`` (and ``at_least``, if given).
    """

    probed: ClassVar[tuple[str, ...]] = ("predict", "model")
    predict: Callable[..., Any] = None
    model: tuple[int, ...] = (0,)
    x: Draw = None
    y: Draw = None
    margin: float = 0.02
    at_least: float | None = None
    key: str = "accuracy"

    def make(self, context):
        return {"x": self.x.draw(context), "y": self.y.draw(context)}

    def record(self, call, stored):
        if isinstance(call.returned, ProbeError) or call.returned is Ellipsis:
            return call.returned
        x = to_tensor(stored["x"]) if call.scope.torch else stored["x"].copy()
        predicted = self.predict(*[call.arguments[index] for index in self.model], x)
        return to_array(predicted, what="predict(...)").astype(np.float64)

    def judge(self, student, reference, inputs, *, what):
        if student.kind in ("error", "ellipsis"):
            return Verdict.fail(checks.unfinished(student, what=what))
        labels = np.asarray(inputs[f"{self.key}.y"], dtype=np.float64).ravel()
        predicted = checks.numbers_of(student)
        mine = predicted_labels(predicted) if predicted is not None and np.all(np.isfinite(predicted)) else None
        if mine is None or mine.shape != labels.shape:
            return Verdict.fail(
                say(
                    f"用 {what} 训练后，模型无法在留出数据上给出有效预测（参数不是有限值或形状变了）",
                    f"after {what}, the model gives no valid predictions on held-out data (parameters not finite, or of another shape)",
                )
            )
        share = float(np.mean(mine == labels))
        reference_share = float(np.mean(predicted_labels(checks.numbers_of(reference)) == labels))
        floor = (
            reference_share - self.margin
            if self.at_least is None
            else max(self.at_least, reference_share - self.margin)
        )
        if share + 1e-9 < floor:
            return Verdict.fail(
                say(
                    f"用 {what} 训练后，模型在没见过的数据上只对了 {share:.0%}，低于要求的 {floor:.0%}：训练真的用传入的数据更新了模型吗？",
                    f"trained with {what}, the model labels {share:.0%} of held-out rows right, below the {floor:.0%} required: does training really update the model from the data it is given?",
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
