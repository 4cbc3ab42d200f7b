"""The observation of a trained model's accuracy on held-out rows, against the solution's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from autograder.authoring import checks
from autograder.authoring.arguments import Draw, to_array, to_tensor
from autograder.authoring.checks import Verdict
from autograder.authoring.labels import predicted_labels
from autograder.authoring.language import say
from autograder.authoring.observations import Observation
from autograder.authoring.wire import ProbeError


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
                    f"after {what}, the model gives no valid predictions on held-out data (parameters not finite, or "
                    "of another shape)",
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
                    f"用 {what} 训练后，模型在没见过的数据上只对了 {share:.0%}，低于要求的 "
                    f"{floor:.0%}：训练真的用传入的数据更新了模型吗？",
                    f"trained with {what}, the model labels {share:.0%} of held-out rows right, below the {floor:.0%} "
                    "required: does training really update the model from the data it is given?",
                )
            )
        return Verdict.ok()
