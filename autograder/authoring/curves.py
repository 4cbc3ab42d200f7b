"""A loss curve compared step by step, naming the training-loop mistake that explains the difference."""

from __future__ import annotations

import numpy as np

from autograder.authoring.language import halves, say
from autograder.authoring.numeric import first_mismatch, fmt, nonfinite_positions, ratio
from autograder.authoring.verdict import Verdict

# What a step hands to the next: the gradients (summed unless zeroed) and the optimiser's own state.
CARRIED_OVER = (
    "每一步都把梯度清零了吗（zero_grad 或 w.grad.zero_()）？优化器（和它的动量、滑动平均）是在循环之前只建一次的吗？",
    "Are gradients zeroed every step (zero_grad, w.grad.zero_())? Is the optimiser (with its momentum or running "
    "averages) created once, before the loop, not in every epoch?",
)


def diagnose_curve(
    actual: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float, what: str = say("损失曲线", "the loss curve")
) -> Verdict:
    """Compare a loss curve step by step and explain how it departs.

    Recognises the usual training-loop mistakes: losses recorded after the
    update (shifted by one), a different loss from the start (the wrong loss
    function or input), the first update going uphill (the step added instead
    of subtracted), and a loop that matches for one step, then drifts: what carries over
    from step to step differs (gradients never zeroed, or an optimiser, with its momentum or
    running averages, created afresh every epoch). The curve alone cannot tell those two
    apart (Adam without zero_grad takes smaller steps, as a re-created momentum does), so the
    message names both.
    ``what`` names the curve: a name, or a phrase in both languages (``say``).
    """
    zh, en = halves(what)
    actual = np.asarray(actual, dtype=np.float64).ravel()
    expected = np.asarray(expected, dtype=np.float64).ravel()
    if actual.size != expected.size:
        hint = ("", "")
        if actual.size == expected.size + 1:
            hint = (
                "：多了一个（是不是把最后一次更新后的损失也记了？）",
                ": one loss too many (is the loss after the last update appended too?)",
            )
        elif actual.size == expected.size - 1:
            hint = (
                "：少了一个（是不是跳过了一步，或写成了 range(1, epochs)？）",
                ": one loss short (is a step skipped, or `range(1, epochs)`?)",
            )
        return Verdict.fail(
            say(
                f"{zh} 有 {actual.size} 个值，应每个 epoch 一个（{expected.size} 个）{hint[0]}",
                f"{en} has {actual.size} entries, expected one per epoch ({expected.size}){hint[1]}",
            )
        )
    if actual.size == 0:
        return Verdict.ok()
    bad = nonfinite_positions(actual)
    if bad.size:
        return Verdict.fail(
            say(
                f"{zh} 在第 {int(bad[0])} 步出现了非有限的损失：检查学习率、更新和损失函数",
                f"{en} holds a non-finite loss at step {int(bad[0])}: check the learning-rate update and the loss",
            )
        )
    mismatch = first_mismatch(actual, expected, rtol=rtol, atol=atol)
    if mismatch is None:
        return Verdict.ok()
    if actual.size > 1 and first_mismatch(actual[:-1], expected[1:], rtol=rtol, atol=atol) is None:
        return Verdict.fail(
            say(
                f"{zh} 错开了一步：losses[i] 应在第 i 次更新之前记录，而不是之后",
                f"{en} is shifted by one step: losses[i] must be recorded before update i, not after",
            )
        )
    if mismatch == 0:
        return Verdict.fail(
            say(
                f"{zh} 从 {fmt(actual[0])} 开始，参考从 {fmt(expected[0])} "
                "开始：第一个损失就不同。损失函数和它的输入对吗？losses[0] 是在任何更新之前算的吗？",
                f"{en} starts at {fmt(actual[0])}, the reference at {fmt(expected[0])}: the very first loss differs. "
                "Is it the right loss, on the right input, taken before any update?",
            )
        )
    if mismatch == 1:
        if actual[1] > actual[0] and expected[1] < expected[0]:
            return Verdict.fail(
                say(
                    f"{zh} 第一次更新后损失反而上升：是不是把梯度加上去了，而不是减去？",
                    f"{en} rises instead of falling after the first update: is the gradient step added instead of "
                    "subtracted?",
                )
            )
        first_step = ratio(actual[0] - actual[1], expected[0] - expected[1])
        size = (
            (f"（步长是应有的 {first_step:.3g} 倍）", f" ({first_step:.3g}x the expected size)")
            if first_step is not None
            else ("", "")
        )
        return Verdict.fail(
            say(
                f"{zh} 在第一次更新后就不对了{size[0]}：每一步应是 -lr × 梯度，且每个参数只更新一次",
                f"{en} is already off after the first update{size[1]}: is the step -lr * gradient, applied once to "
                "every parameter?",
            )
        )
    if mismatch == 2:
        return Verdict.fail(
            say(
                f"{zh}第一步正确，之后偏离：从一步带到下一步的东西不对。{CARRIED_OVER[0]}",
                f"{en} matches for one step, then drifts: what carries over from one step to the next differs. "
                f"{CARRIED_OVER[1]}",
            )
        )
    return Verdict.fail(
        say(
            f"{zh}前 {mismatch - 1} 步正确，之后偏离：每个 epoch 都是同样的更新吗？{CARRIED_OVER[0]}",
            f"{en} matches for {mismatch - 1} steps, then drifts: is every epoch the same update? {CARRIED_OVER[1]}",
        )
    )
