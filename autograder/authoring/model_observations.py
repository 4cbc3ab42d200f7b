"""What a declared case observes of a model: its parameter shapes, the output shape of each layer
with weights, and its output with weights fixed at release."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from autograder.authoring import checks
from autograder.authoring.arguments import Draw, to_tensor
from autograder.authoring.cases import InputContext
from autograder.authoring.checks import Verdict
from autograder.authoring.language import halves, say
from autograder.authoring.model_arguments import load_weights, parameter_shapes
from autograder.authoring.observations import Observation
from autograder.authoring.wire import ProbeError, Value


@dataclass(frozen=True)
class Shapes(Observation):
    """The shapes of the returned module's parameters, in order."""

    key: str = "shapes"

    def record(self, call, stored):
        if isinstance(call.returned, ProbeError) or call.returned is Ellipsis or call.returned is None:
            return call.returned
        if not callable(getattr(call.returned, "state_dict", None)):
            return ProbeError(
                say(
                    f"返回的不是 nn.Module，而是 {type(call.returned).__name__}",
                    f"it returned a {type(call.returned).__name__}, not an nn.Module",
                )
            )
        try:
            return str(parameter_shapes(call.returned))
        except AttributeError as error:
            # An nn.Module whose __init__ never ran nn.Module.__init__ has no _modules or _parameters.
            return ProbeError(
                say(
                    f"{type(error).__name__}: {error}（__init__ 一开始就要调用 super().__init__()）",
                    f"{type(error).__name__}: {error} (call super().__init__() first thing in __init__)",
                )
            )

    def judge(self, student, reference, inputs, *, what):
        problem = checks.unfinished(student, what=what)
        if problem:
            return Verdict.fail(problem)
        if student.text != reference.text:
            return Verdict.fail(
                say(
                    f"{what} 的参数形状是 {student.text}，应为 {reference.text}：检查每层的大小，以及层按 forward "
                    "使用的顺序定义",
                    f"{what} has parameters of shapes {student.text}, expected {reference.text}: check each layer's "
                    "sizes, and that the layers are defined in the order forward uses them",
                )
            )
        return Verdict.ok()


@dataclass(frozen=True)
class LayerShapes(Observation):
    """The output shape of each layer that holds weights, in the order ``forward`` calls them on ``x``.

    Layers without weights (ReLU, pooling, flatten) may be modules or functions, so they are not
    counted; what they do shows in the next layer's shape.
    """

    x: Draw = None
    key: str = "layers"

    def make(self, context):
        return {"x": self.x.draw(context)}

    def record(self, call, stored):
        if isinstance(call.returned, ProbeError):
            return call.returned
        x = to_tensor(stored["x"]) if call.scope.torch else stored["x"].copy()
        return _layer_outputs(call.returned, x)

    def judge(self, student, reference, inputs, *, what):
        problem = checks.blank_or_error(student, what=what)
        if problem:
            return Verdict.fail(problem)
        if student.kind != "list":
            return Verdict.fail(
                say(
                    f"{what} 不是 nn.Module（得到 {checks.describe(student)}）",
                    f"{what} is not an nn.Module (got {checks.describe(student)})",
                )
            )
        expected = [item.text for item in reference.items]
        for index, wanted in enumerate(expected):
            got = student.items[index] if index < len(student.items) else None
            if got is None:
                return Verdict.fail(
                    say(
                        f"{what} 只有 {len(student.items)} 个有权重的层，应有 {len(expected)} 个："
                        f"{'; '.join(expected)}",
                        f"{what} has {len(student.items)} layers with weights, expected {len(expected)}: "
                        f"{'; '.join(expected)}",
                    )
                )
            if got.kind == "error":
                return Verdict.fail(_forward_error(got.text, what=what, after=index))
            if got.text != wanted:
                kind, _, shape = wanted.partition(" ")
                if not got.text.startswith(kind + " "):
                    hint = say(
                        f"应为 {wanted}：是不是少了一层、多了一层，或者层的顺序不对？",
                        f"expected {wanted}: is a layer missing or extra, or are the layers in another order?",
                    )
                else:
                    hint = say(
                        f"应为 {wanted}：检查这一层的大小，以及它之前的 padding、stride 和池化",
                        f"expected {wanted}: check this layer's sizes, and the padding, stride and pooling before it",
                    )
                chinese, english = halves(hint)
                return Verdict.fail(
                    say(
                        f"{what} 的第 {index + 1} 个有权重的层输出 {got.text}，{chinese}",
                        f"layer {index + 1} with weights of {what} outputs {got.text}, {english}",
                    )
                )
        if len(student.items) > len(expected):
            extra = "; ".join(item.text for item in student.items[len(expected) :])
            return Verdict.fail(
                say(f"{what} 多了有权重的层：{extra}", f"{what} has more layers with weights than expected: {extra}")
            )
        return Verdict.ok()


def _forward_error(text: str, *, what: str, after: int) -> str:
    """The message for a forward that raised ``text`` after ``after`` layers with weights."""
    chinese, english = halves(text)
    if chinese != english:  # the kit's own words, in both languages already
        return say(f"{what}：{chinese}", f"{what}: {english}")
    where = (
        (f"在第 {after} 个有权重的层之后", f"after {after} layer(s) with weights")
        if after
        else ("在第一个有权重的层之前", "before its first layer with weights")
    )
    advice = checks.explain_error(text)
    if advice:
        return say(
            f"{what} 的 forward {where[0]}出错了：{advice[0]}（{text}）",
            f"{what}'s forward raised an error {where[1]}: {advice[1]} ({text})",
        )
    return say(f"{what} 的 forward {where[0]}出错了：{text}", f"{what}'s forward raised {text} {where[1]}")


def _layer_outputs(module: Any, x: Any) -> list:
    """``"<layer class> <output shape>"`` for each call of a layer holding weights of ``module(x)``,
    then the error ``forward`` raised, if any."""
    import torch

    if not callable(getattr(module, "modules", None)):
        return [
            ProbeError(
                say(
                    f"返回的不是 nn.Module，而是 {type(module).__name__}",
                    f"it returned a {type(module).__name__}, not an nn.Module",
                )
            )
        ]
    found: list = []

    def note(layer, arguments, output):
        found.append(f"{type(layer).__name__} {tuple(getattr(output, 'shape', ()))}")

    layers = [layer for layer in module.modules() if next(layer.parameters(recurse=False), None) is not None]
    hooks = [layer.register_forward_hook(note) for layer in layers]
    try:
        with torch.no_grad():
            module(x)
    except Exception as error:
        found.append(ProbeError(f"{type(error).__name__}: {error}"))
    finally:
        for hook in hooks:
            hook.remove()
    return found


@dataclass(frozen=True)
class Forward(Observation):
    """The returned module's output on ``x`` with weights fixed at release (drawn from the solution's module)."""

    x: Draw = None
    rtol: float = checks.FLOAT32_RTOL
    atol: float = checks.FLOAT32_ATOL
    key: str = "forward"
    weights: Callable[[InputContext], list] = field(default=None, compare=False)
    diagnoses: tuple = ()

    def make(self, context):
        stored = {"x": self.x.draw(context)}
        stored.update({f"w{index}": weight for index, weight in enumerate(self.weights(context))})
        return stored

    def record(self, call, stored):
        if isinstance(call.returned, ProbeError) or call.returned is Ellipsis or call.returned is None:
            return call.returned
        count = sum(1 for key in stored if key.startswith("w"))
        try:
            load_weights(call.returned, [stored[f"w{index}"] for index in range(count)], what=call.what)
        except Exception as error:
            return ProbeError(str(error))
        x = to_tensor(stored["x"]) if call.scope.torch else stored["x"].copy()
        try:
            return call.returned(x)
        except Exception as error:
            return ProbeError(f"{type(error).__name__}: {error}")

    def judge(self, student, reference, inputs, *, what):
        return checks.compare(
            student,
            reference,
            what=say(f"{what} 的 forward 输出", f"the forward output of {what}"),
            inputs=inputs,
            rtol=self.rtol,
            atol=self.atol,
            diagnoses=(*self.diagnoses, _probabilities_for_logits),
        )


def _probabilities_for_logits(student: Value, reference: Value, inputs) -> str | None:
    """Rows that sum to 1 where the reference's do not: a softmax at the end of forward."""
    mine, theirs = checks.numbers_of(student), checks.numbers_of(reference)
    if mine is None or theirs is None or mine.ndim != 2 or mine.shape != theirs.shape or mine.shape[1] < 2:
        return None
    rows_sum_to_one = bool(np.all(mine >= 0) and np.allclose(mine.sum(axis=1), 1.0, atol=1e-4))
    if rows_sum_to_one and not np.allclose(theirs.sum(axis=1), 1.0, atol=1e-4):
        return say(
            "forward 输出的每一行加起来都是 1，像是概率：最后不要做 softmax，返回 logits（nn.CrossEntropyLoss 自己会做 "
            "softmax）",
            "each row of the forward output sums to 1, like probabilities: return the logits, with no softmax at the "
            "end (nn.CrossEntropyLoss applies its own)",
        )
    return None
