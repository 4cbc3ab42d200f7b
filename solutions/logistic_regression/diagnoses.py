"""The typical mistakes of the logistic-regression lesson, explained in both languages.

Shared by the public checks (students have this file beside their notebook) and the hidden cases,
so a student reads the same cause before and after submitting. Each diagnosis gets the student's
value and the reference's (decoded ``Value``s) and the inputs in argument order, and returns a
message or None. Nothing here is secret: it explains mistakes, it does not grade.
"""
from __future__ import annotations

import numpy as np

from autograder.authoring import checks, say


def _arguments(inputs) -> list[np.ndarray]:
    return [np.asarray(value, dtype=np.float64) for key, value in inputs.items() if key != "seed"]


def _numbers(value):
    return checks.numbers_of(value)


def _close(a, b, tolerance: float = 1e-3) -> bool:
    return a is not None and b is not None and np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=tolerance, atol=1e-5))


# sigmoid -----------------------------------------------------------------------------------------


def sigmoid_overflow(student, reference, inputs):
    out, [x] = _numbers(student), _arguments(inputs)[:1]
    if out is None or out.shape != x.shape:
        return None
    bad = checks.nonfinite_positions(out)
    if not bad.size:
        return None
    value = x.ravel()[bad[0]]
    if abs(value) >= 30:
        return say(f"sigmoid({value:g}) 是 {out.ravel()[bad[0]]}：输入很大时 exp 溢出了；换一种写法，让 exp 永远不会遇到很大的正数",
                   f"sigmoid({value:g}) is {out.ravel()[bad[0]]}: exp overflows for large inputs; rearrange so exp never sees a large positive number")
    return say(f"sigmoid({value:g}) 是 {out.ravel()[bad[0]]}：除以 0 了吗？分母 1 + exp(-x) 永远不为 0",
               f"sigmoid({value:g}) is {out.ravel()[bad[0]]}: a division by zero? The denominator 1 + exp(-x) is never 0")


def sigmoid_sign(student, reference, inputs):
    if _close(_numbers(student), 1 - _numbers(reference)):
        return say("sigmoid 的结果恰好是 1 减去正确值：检查 exp 里面的符号（应是 exp(-x)）",
                   "sigmoid gives 1 minus the right value: check the sign inside exp (it is exp(-x))")
    return None


# binary_loss -------------------------------------------------------------------------------------


def loss_not_clamped(student, reference, inputs):
    value = _numbers(student)
    p = _arguments(inputs)[0]
    if value is not None and checks.nonfinite_positions(value).size and np.any((p == 0) | (p == 1)):
        return say("y_pred 恰好为 0 或 1 时损失不是有限值：取对数之前先把 y_pred（和 1 - y_pred）clamp 到一个很小的正数以上",
                   "the loss is not finite when y_pred holds exact 0s or 1s: clamp y_pred (and 1 - y_pred) to a tiny positive number before the log")
    return None


def loss_negative(student, reference, inputs):
    value = _numbers(student)
    if value is not None and value.size == 1 and value.ravel()[0] < 0:
        return say("损失是负的：它是对数似然的平均值再取负号，所以不会小于 0",
                   "the loss is negative: it is minus the mean log-likelihood, so it is never below 0")
    return None


# accuracy ----------------------------------------------------------------------------------------


def accuracy_count(student, reference, inputs):
    value, expected = _numbers(student), _numbers(reference)
    rows = len(_arguments(inputs)[1])
    if value is not None and value.size == 1 and _close(float(value.ravel()[0]), float(expected.ravel()[0]) * rows, 1e-6):
        return say("返回的是预测正确的行数，而不是比例：再除以行数", "this is the count of correct rows, not their share: divide by the number of rows")
    return None


def accuracy_wrong_rows(student, reference, inputs):
    value, expected = _numbers(student), _numbers(reference)
    if value is not None and value.size == 1 and _close(float(value.ravel()[0]), 1 - float(expected.ravel()[0]), 1e-6):
        return say("返回的是预测错误的比例：用 == 比较阈值化后的预测与 y", "this is the share of wrong rows: compare the thresholded prediction with y using ==")
    return None


# Mistakes named by the wrong value they give on a public check's fixed inputs: computing what a
# mistake gives on any input would hand students a function one argument away from the answer.
MESSAGES = {
    "swapped": say("两项配反了：y = 1 时用 log(y_pred)，y = 0 时用 log(1 - y_pred)",
                   "the two terms are swapped: y = 1 goes with log(y_pred), y = 0 with log(1 - y_pred)"),
    "strict": say("y_pred 恰好是 0.5 时判断不对：预测值大于或等于 0.5 都算类别 1（用 >=，不是 >）",
                  "wrong when y_pred is exactly 0.5: a prediction of 0.5 or more counts as class 1 (>=, not >)"),
    "broadcast": say("预测和 y 的形状不同（例如 (N,) 和 (N, 1)），比较时广播成了 N×N：保持 y_pred 的形状，不要 squeeze",
                     "the prediction and y have different shapes ((N,) against (N, 1)), so comparing them broadcasts to N x N: keep y_pred's shape, no squeeze"),
}


SIGMOID = (sigmoid_overflow, sigmoid_sign)
# The public checks' inputs: binary_loss on ([0.9, 0.2, 0.6], [1, 0, 1]) and ([0, 1, 0.5], [0, 1, 1]);
# accuracy on ([0.9, 0.2, 0.6, 0.4, 0.5], [1, 0, 0, 0, 1]).
LOSS = (loss_not_clamped, loss_negative, checks.gives(1.60944, MESSAGES["swapped"]), checks.gives(18.6517, MESSAGES["swapped"]))
ACCURACY = (accuracy_count, accuracy_wrong_rows, checks.gives(0.6, MESSAGES["strict"]), checks.gives(0.48, MESSAGES["broadcast"]))
