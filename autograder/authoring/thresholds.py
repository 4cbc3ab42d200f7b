"""A value that must clear a bar: "the final loss below 0.05 after 200 epochs", "accuracy at least 0.9".

The bar is a number, or is set by the solution's own value on the same case (``reference_bar(times=1.1)``:
at most 10% above what the solution reaches). What is measured is the last number the function
returns (a loss curve's final loss, a returned accuracy), or whatever ``measure(returned, *arguments)``
computes beside the student's code. A failure says the value reached and the bar, in both languages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from autograder.authoring import checks
from autograder.authoring.language import halves, say
from autograder.authoring.observations import Observation
from autograder.authoring.wire import ProbeError, Value

LAST = "last"
FINAL_LOSS = say("最终损失", "the final loss")


@dataclass(frozen=True)
class ReferenceBar:
    """A bar set by the solution's value on the same case: ``reference × times + plus``."""

    times: float = 1.0
    plus: float = 0.0

    def level(self, reference: float) -> float:
        return reference * self.times + self.plus


def reference_bar(*, times: float = 1.0, plus: float = 0.0) -> ReferenceBar:
    """A bar the solution sets: ``below=reference_bar(times=1.05)`` is at most 5% above the solution's
    final loss, ``at_least=reference_bar(plus=-0.02)`` at most 2 points below its accuracy. The bar
    includes the solution's own value; leave room for float32 arithmetic done in another order."""
    return ReferenceBar(times, plus)


Bar = float | ReferenceBar | None


def measured(returned: Any, measure: str | Callable[..., Any], arguments: list) -> Any:
    """The number a threshold judges, taken from what the call returned (a blank or an error as it is)."""
    if isinstance(returned, ProbeError) or returned is Ellipsis or returned is None:
        return returned
    value = measure(returned, *arguments) if callable(measure) else _last_number(returned)
    return float(value.item() if hasattr(value, "item") else value)


def _last_number(returned: Any) -> Any:
    if isinstance(returned, (list, tuple)):
        if not returned:
            raise ValueError("it returned an empty list")
        returned = returned[-1]
    if hasattr(returned, "detach"):
        returned = returned.detach().reshape(-1)[-1]
    elif isinstance(returned, np.ndarray):
        returned = returned.reshape(-1)[-1]
    return returned


def judge_threshold(
    value: Value, *, reference_value: float | None, below: Bar, at_least: Bar, label: str, what: str
) -> checks.Verdict:
    """Does ``value`` (a recorded number) clear the bars? Says the value reached and the bar when not."""
    problem = checks.unfinished(value, what=what)
    if problem:
        return checks.Verdict.fail(problem)
    (label_zh, label_en), (what_zh, what_en) = halves(label), halves(what)
    if value.kind not in checks.NUMBER_KINDS or value.number is None:
        return checks.Verdict.fail(
            say(
                f"{what_zh} 应给出{label_zh}（一个数），却返回了 {checks.describe(value, language='zh')}",
                f"{what_en} should give {label_en} as a number, but returned {checks.describe(value, language='en')}",
            )
        )
    reached = value.number
    if not math.isfinite(reached):
        return checks.Verdict.fail(
            say(
                f"{what_zh} 之后{label_zh}是 {reached}：出现了 nan 或 inf（学习率太大，或除以 0？）",
                f"after {what_en}, {label_en} is {reached}: not finite (a learning rate too large, or a division by "
                "zero?)",
            )
        )
    solution = (
        ("", "")
        if reference_value is None
        else (
            f"（参考解达到 {checks.fmt(reference_value)}）",
            f" (the reference solution reaches {checks.fmt(reference_value)})",
        )
    )
    level = _level(below, reference_value)
    # A bar the solution sets includes the solution's own value, so the solution passes its case.
    if level is not None and not (reached < level or (isinstance(below, ReferenceBar) and reached <= level)):
        return checks.Verdict.fail(
            say(
                f"{what_zh} 之后{label_zh}是 {checks.fmt(reached)}，应低于 {checks.fmt(level)}{solution[0]}",
                f"after {what_en}, {label_en} is {checks.fmt(reached)}; it must be below "
                f"{checks.fmt(level)}{solution[1]}",
            )
        )
    level = _level(at_least, reference_value)
    if level is not None and not reached >= level:
        return checks.Verdict.fail(
            say(
                f"{what_zh} 之后{label_zh}是 {checks.fmt(reached)}，应至少为 {checks.fmt(level)}{solution[0]}",
                f"after {what_en}, {label_en} is {checks.fmt(reached)}; it must be at least "
                f"{checks.fmt(level)}{solution[1]}",
            )
        )
    return checks.Verdict.ok()


def _level(bar: Bar, reference_value: float | None) -> float | None:
    if isinstance(bar, ReferenceBar):
        if reference_value is None:
            raise ValueError(
                "a bar set by reference_bar(...) needs the solution's value; give a number, or the reference's value"
            )
        return bar.level(reference_value)
    return None if bar is None else float(bar)


def check_bars(below: Bar, at_least: Bar, *, where: str) -> None:
    """A threshold needs a bar; raises ValueError naming ``where`` when it has none."""
    if below is None and at_least is None:
        raise ValueError(
            f"{where}: a threshold needs a bar: below=... or at_least=... (a number, or reference_bar(times=..., "
            "plus=...))"
        )


@dataclass(frozen=True)
class Threshold(Observation):
    """The measured number of a call against fixed bars or bars the solution's own value sets."""

    probed: ClassVar[tuple[str, ...]] = ("measure",)
    measure: Any = LAST
    label: str = FINAL_LOSS
    below: Bar = None
    at_least: Bar = None
    key: str = "threshold"

    def record(self, call, stored):
        return measured(call.returned, self.measure, call.arguments)

    def judge(self, student, reference, inputs, *, what):
        return judge_threshold(
            student,
            reference_value=reference.number,
            below=self.below,
            at_least=self.at_least,
            label=self.label,
            what=what,
        )
