"""Hidden test cases of the logistic-regression assignment.

Each case is a probe (run against the student's namespace) and a judge (run
on plain data). References come from running the same probes on the solution
at release, so nothing here hard-codes a number from one data set.
"""
from __future__ import annotations

import numpy as np

from autograder.authoring import Case, Equivalent, InputContext, LinearBoundary, LossCurve, Verdict, call_guarded, checks, say, swapped, wire
import diagnoses
from diagnoses import MESSAGES, _arguments, _close, _numbers, loss_not_clamped, sigmoid_overflow, sigmoid_sign

# Diagnoses that compute what a mistake gives: they stay here, out of the students' folder.


def _cross_entropy(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def loss_swapped_terms(student, reference, inputs):
    value = _numbers(student)
    p, y = _arguments(inputs)[:2]
    if value is not None and value.size == 1 and _close(float(value.ravel()[0]), _cross_entropy(p, 1 - y), 1e-3):
        return MESSAGES["swapped"]
    return None


def _labels(p: np.ndarray, y: np.ndarray, *, strict: bool = False) -> float:
    predicted = (p > 0.5) if strict else (p >= 0.5)
    return float(np.mean(predicted == (y >= 0.5)))


def accuracy_strict(student, reference, inputs):
    value = _numbers(student)
    p, y = _arguments(inputs)[:2]
    if value is not None and value.size == 1 and np.any(p == 0.5) and _close(float(value.ravel()[0]), _labels(p, y, strict=True), 1e-6):
        return MESSAGES["strict"]
    return None


def accuracy_broadcast(student, reference, inputs):
    value = _numbers(student)
    p, y = _arguments(inputs)[:2]
    if value is None or value.size != 1 or p.ndim < 2:
        return None
    spread = float(np.mean((p.ravel() >= 0.5)[None, :] == (y >= 0.5)))  # (N,) against (N, 1): N x N
    if _close(float(value.ravel()[0]), spread, 1e-6) and not _close(spread, _labels(p, y), 1e-6):
        return MESSAGES["broadcast"]
    return None


LOSS = (*diagnoses.LOSS, loss_swapped_terms)
ACCURACY = (accuracy_strict, *diagnoses.ACCURACY, accuracy_broadcast)


ISOLATION = ("sigmoid", "binary_loss", "logistic_regression")
CURVE_RTOL, CURVE_ATOL = 1e-3, 1e-5
ACCURACY_MARGIN = 0.02
EXTREME_ROWS = 4  # rows of exact 0s and 1s at the top of the exact_zeros_and_ones set


def _tensor(array: np.ndarray, *, requires_grad: bool = False):
    import torch

    return torch.tensor(np.asarray(array), dtype=torch.float32, requires_grad=requires_grad)


# sigmoid ---------------------------------------------------------------------

def _sigmoid_values(ns, inputs, _refs):
    return {"out": call_guarded(ns.get("sigmoid"), _tensor(inputs["x"]))}


def _sigmoid_gradient(ns, inputs, _refs):
    x = _tensor(inputs["x"], requires_grad=True)
    out = call_guarded(ns.get("sigmoid"), x)
    try:
        out.sum().backward()
    except Exception as error:
        return {"out": out, "grad": checks_error(error)}
    return {"out": out, "grad": x.grad}


def checks_error(error: Exception):
    """An exception raised while probing, as a value the judge can explain."""
    return wire.ProbeError(f"{type(error).__name__}: {error}")


def _judge_sigmoid(student, reference, inputs) -> Verdict:
    out, x = student["out"], inputs["x"]
    verdict = checks.expect_tensor(out, what="sigmoid", shape=x.shape)
    if not verdict.passed:
        return verdict
    if checks.nonfinite_positions(out.array).size:
        return Verdict.fail(sigmoid_overflow(out, reference["out"], inputs))
    if out.array.min() < 0 or out.array.max() > 1:
        return Verdict.fail(say("sigmoid 的结果超出了 [0, 1]：它应是 1 / (1 + exp(-x))", "sigmoid returned values outside [0, 1]: it should be 1 / (1 + exp(-x))"))
    where = checks.first_mismatch(out.array, reference["out"].array)
    if where is not None:
        value, got = x.ravel()[where], out.array.ravel()[where]
        return Verdict.fail(sigmoid_sign(out, reference["out"], inputs) or say(f"sigmoid({value:g}) 是 {got:.6g}，不等于 1 / (1 + exp(-x))", f"sigmoid({value:g}) is {got:.6g}, which is not 1 / (1 + exp(-x))"))
    return Verdict.ok()


def _judge_sigmoid_gradient(student, reference, inputs) -> Verdict:
    verdict = _judge_sigmoid(student, reference, inputs)
    if not verdict.passed:
        return verdict
    grad = student["grad"]
    if grad.kind != "tensor":
        return Verdict.fail(say("梯度无法穿过 sigmoid：用 torch 运算（torch.exp）来写，不要用 math、NumPy 或 .item()", "no gradient flows through sigmoid: build it from torch operations (torch.exp), not math, NumPy or .item()"))
    if checks.first_mismatch(grad.array, reference["grad"].array) is not None:
        return Verdict.fail(say("穿过 sigmoid 的梯度不对：是不是有一部分计算被 detach 了，或在 torch 之外完成？", "the gradient through sigmoid is wrong: is part of the computation detached or done outside torch?"))
    return Verdict.ok()


# binary_loss -----------------------------------------------------------------

def _loss_inputs(size: int, *, extremes: bool = False):
    def make(context: InputContext) -> dict[str, np.ndarray]:
        y = context.rng.integers(0, 2, size=(size, 1)).astype(np.float32)
        y_pred = context.rng.uniform(0.05, 0.95, size=(size, 1)).astype(np.float32)
        if extremes:
            # Exact 0s and 1s, right and wrong: log(0) without a clamp.
            y_pred[:EXTREME_ROWS, 0] = [0.0, 1.0, 1.0, 0.0]
            y[:EXTREME_ROWS, 0] = [0.0, 1.0, 0.0, 1.0]
        return {"y_pred": y_pred, "y": y}

    return make


def _loss_values(ns, inputs, _refs):
    y_pred = _tensor(inputs["y_pred"], requires_grad=True)
    loss = call_guarded(ns.get("binary_loss"), y_pred, _tensor(inputs["y"]))
    grad = None
    try:
        loss.backward()
        grad = y_pred.grad
    except Exception as error:
        grad = checks_error(error)
    return {"loss": loss, "grad": grad}


def _judge_loss_value(student, reference, inputs) -> Verdict:
    loss = student["loss"]
    verdict = checks.expect_scalar_tensor(loss, what="binary_loss")
    if not verdict.passed:
        return verdict
    value, expected = float(loss.array), float(reference["loss"].array)
    if not np.isfinite(value):
        return Verdict.fail(say(f"binary_loss 是 {value}：是不是在哪里对 0 取了对数？", f"binary_loss is {value}: is the log taken of 0 somewhere?"))
    if abs(value - expected) <= checks.FLOAT32_RTOL * abs(expected) + checks.FLOAT32_ATOL:
        return Verdict.ok()
    scale = checks.ratio(value, expected)
    rows = inputs["y"].shape[0]
    if checks.near(scale, rows, 1e-3):
        return Verdict.fail(say(f"binary_loss 是参考值的 {rows} 倍：用了求和而不是平均？", f"binary_loss is {rows}x the reference: a sum instead of a mean?"))
    if checks.near(scale, -1.0, 1e-3):
        return Verdict.fail(say("binary_loss 的符号反了：损失是对数似然平均值的相反数，永远不是负的", "binary_loss has the wrong sign: the loss is minus the mean log-likelihood, so it is never negative"))
    if value < 0:
        return Verdict.fail(say("binary_loss 是负的：损失是对数似然平均值的相反数", "binary_loss is negative: the loss is minus the mean log-likelihood"))
    return Verdict.fail(next((m for m in (d(loss, reference["loss"], inputs) for d in LOSS) if m), None) or say("binary_loss 与平均二元交叉熵不符：检查哪一项对应 y = 1、哪一项对应 y = 0", "binary_loss does not match the mean binary cross-entropy: check which term goes with y = 1 and which with y = 0"))


def _judge_loss_gradient(student, reference, inputs) -> Verdict:
    verdict = _judge_loss_value(student, reference, inputs)
    if not verdict.passed:
        return verdict
    grad = student["grad"]
    if grad.kind != "tensor":
        return Verdict.fail(say("梯度无法穿过 binary_loss：用 torch 运算（torch.log、.mean()），不要用 math、NumPy 或 .item()", "no gradient flows through binary_loss: use torch operations (torch.log, .mean()), not math, NumPy or .item()"))
    if checks.first_mismatch(grad.array, reference["grad"].array, rtol=1e-3, atol=1e-5) is not None:
        return Verdict.fail(say("y_pred 不靠近 0 或 1 的地方，binary_loss 的梯度也不对：clamp 是不是作用到了每个值，而不是只在 0 和 1 附近？", "the gradient of binary_loss is wrong where y_pred is not near 0 or 1: is the clamp applied to every value instead of only near 0 and 1?"))
    return Verdict.ok()


def _loss_with_extremes(ns, inputs, _refs):
    """The loss with the exact 0s and 1s, and on the other rows alone (where values are compared)."""
    regular = {key: value[EXTREME_ROWS:] for key, value in inputs.items()}
    return {"loss": _loss_values(ns, inputs, _refs)["loss"], "regular": _loss_values(ns, regular, _refs)["loss"]}


def _judge_loss_finite(student, reference, inputs) -> Verdict:
    # Torch's functions clamp differently, so only finiteness is judged on the
    # exact 0s and 1s; the other rows keep a constant from passing as a loss.
    regular = {key: value[EXTREME_ROWS:] for key, value in inputs.items()}
    verdict = _judge_loss_value({"loss": student["regular"]}, {"loss": reference["regular"]}, regular)
    if not verdict.passed:
        return verdict
    loss = student["loss"]
    verdict = checks.expect_scalar_tensor(loss, what="binary_loss")
    if not verdict.passed:
        return verdict
    value = float(loss.array)
    if not np.isfinite(value):
        return Verdict.fail(loss_not_clamped(loss, loss, inputs) or say(f"y_pred 恰好为 0 或 1 时 binary_loss 是 {value}：取对数前先 clamp", f"binary_loss is {value} when y_pred holds exact 0s or 1s: clamp before taking the log"))
    if value <= 0:
        return Verdict.fail(say("有预测自信地错了时，binary_loss 应为正", "binary_loss should be positive when some predictions are confidently wrong"))
    return Verdict.ok()


# train -----------------------------------------------------------------------

def _train_inputs(*, lr: float, epochs: int, data: str, rows: int = 40, notebook_init: bool = False):
    """Inputs for ``train``: the course data, or ``rows`` students the notebook never shows,
    admitted by another rule (so weights fitted to the course data do not carry over)."""
    def make(context: InputContext) -> dict[str, np.ndarray]:
        if data == "course":
            x, y = context.data["x"], context.data["y"]
        else:
            x = context.rng.uniform(0, 1, size=(rows, 2)).astype(np.float32)
            y = (x @ np.array([[1.5], [-2.0]]) + 0.2 + context.rng.normal(0, 0.3, (rows, 1)) > 0).astype(np.float32)
        if notebook_init:
            import torch

            torch.manual_seed(2017)  # the notebook's initial w
            w0 = torch.randn(2, 1).numpy()
        else:
            w0 = context.rng.normal(0, 1, size=(2, 1)).astype(np.float32)
        b0 = np.zeros(1, dtype=np.float32) if notebook_init else context.rng.normal(0, 0.5, size=(1,)).astype(np.float32)
        return {"x": x, "y": y, "w0": w0, "b0": b0, "lr": np.float64(lr), "epochs": np.int64(epochs)}

    return make


def _train_run(ns, inputs, refs):
    w = _tensor(inputs["w0"], requires_grad=True)
    b = _tensor(inputs["b0"], requires_grad=True)
    with swapped(ns, refs):
        losses = call_guarded(ns.get("train"), _tensor(inputs["x"]), _tensor(inputs["y"]), w, b, float(inputs["lr"]), int(inputs["epochs"]))
    if isinstance(losses, (list, tuple)):
        losses = [wire.as_number(loss) for loss in losses]
    return {"losses": losses, "w": w, "b": b}


def _curve(value) -> np.ndarray | None:
    if value.kind != "list":
        return None
    numbers = [item.number for item in value.items if item.kind in ("float", "int")]
    return np.array(numbers, dtype=np.float64) if len(numbers) == len(value.items) else None


def _judge_curve(student, reference, inputs) -> Verdict:
    losses = student["losses"]
    if losses.kind == "error":
        return Verdict.fail(checks.blank_or_error(losses, what="train"))
    curve = _curve(losses)
    if curve is None:
        return Verdict.fail(checks.blank_or_error(losses, what="train") or say(f"train 应返回损失列表（每个 epoch 一个 float 或 0 维张量），却返回了 {checks.describe(losses)}", f"train should return a list with one loss (float or 0-dim tensor) per epoch, but returned {checks.describe(losses)}"))
    return checks.diagnose_curve(curve, _curve(reference["losses"]), rtol=CURVE_RTOL, atol=CURVE_ATOL)


def _judge_parameters(student, reference, inputs) -> Verdict:
    if student["losses"].kind == "error":
        return Verdict.fail(checks.blank_or_error(student["losses"], what="train"))
    for name in ("w", "b"):
        mine, theirs = student[name], reference[name]
        if np.array_equal(mine.array, inputs[f"{name}0"]):
            return Verdict.fail(say(f"train 之后 {name} 没有变：要原地更新传入的张量（如 {name}.data -= lr * {name}.grad），不要新建局部变量", f"{name} is unchanged after train: update the tensors passed in, in place (e.g. {name}.data -= lr * {name}.grad), not a new local variable"))
        if not mine.requires_grad or not mine.is_leaf:
            return Verdict.fail(say(f"train 之后 {name} 不再是需要梯度的叶子张量：更新 {name}.data，或在 torch.no_grad() 下更新", f"{name} is no longer a leaf tensor that requires grad after train: update {name}.data, or update under torch.no_grad()"))
        if checks.first_mismatch(mine.array, theirs.array, rtol=CURVE_RTOL, atol=1e-4) is not None:
            return Verdict.fail(say(f"train 之后的 {name} 与这个学习率下梯度下降的结果不同：每一步是 -lr × 梯度吗？每个 epoch 都把梯度清零了吗？", f"the final {name} after train is not what gradient descent with this learning rate gives: is the step -lr * grad, and the gradient zeroed each epoch?"))
    return Verdict.ok()


def _model_accuracy(w: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    logits = x.astype(np.float64) @ w.astype(np.float64) + b.astype(np.float64)
    return float(np.mean((logits >= 0) == (y >= 0.5)))


def _judge_accuracy_threshold(student, reference, inputs) -> Verdict:
    if student["losses"].kind == "error":
        return Verdict.fail(checks.blank_or_error(student["losses"], what="train"))
    w, b = student["w"].array, student["b"].array
    if w.shape != (2, 1) or b.shape != (1,) or not np.all(np.isfinite(w)) or not np.all(np.isfinite(b)):
        return Verdict.fail(say("用 notebook 的设置在另一组学生上训练后，w 或 b 不是有限值，或形状变了", "trained with the notebook's settings on another group of students, w or b is not finite or has changed shape"))
    mine = _model_accuracy(w, b, inputs["x"], inputs["y"])
    theirs = _model_accuracy(reference["w"].array, reference["b"].array, inputs["x"], inputs["y"])
    if mine < theirs - ACCURACY_MARGIN:
        return Verdict.fail(say(f"用 notebook 的设置在另一组学生上训练后，模型只判对了 {mine:.0%}，比梯度下降能达到的低了 {ACCURACY_MARGIN:.0%} 以上：train 真的用传入的 x、y 更新了 w 和 b 吗？", f"trained with the notebook's settings on another group of students, the model labels {mine:.0%} of them right, more than {ACCURACY_MARGIN:.0%} below what gradient descent reaches: does train really update w and b from the x and y it is given?"))
    return Verdict.ok()


# accuracy --------------------------------------------------------------------

def _accuracy_inputs(size: int, *, ties: bool = False):
    def make(context: InputContext) -> dict[str, np.ndarray]:
        y_pred = context.rng.uniform(0, 1, size=(size, 1)).astype(np.float32)
        y = context.rng.integers(0, 2, size=(size, 1)).astype(np.float32)
        if ties:
            # Exactly 0.5 counts as a prediction of 1 (y_pred >= 0.5).
            y_pred[: size // 2, 0] = 0.5
            y[: size // 2, 0] = 1.0
        return {"y_pred": y_pred, "y": y}

    return make


def _accuracy_value(ns, inputs, _refs):
    with swapped(ns, _refs):
        return {"acc": call_guarded(ns.get("accuracy"), _tensor(inputs["y_pred"]), _tensor(inputs["y"]))}


def _accuracy_number(value) -> float | None:
    if value.kind in ("float", "int", "bool"):
        return value.number
    if value.kind in ("tensor", "ndarray", "npscalar") and value.array.size == 1:
        return float(value.array.ravel()[0])
    return None


def _judge_accuracy_value(student, reference, inputs) -> Verdict:
    acc = student["acc"]
    if acc.kind == "error":
        return Verdict.fail(checks.blank_or_error(acc, what="accuracy"))
    number, expected = _accuracy_number(acc), reference["acc"].number
    if number is None:
        return Verdict.fail(checks.blank_or_error(acc, what="accuracy") or say(f"accuracy 应返回 Python float，却返回了 {checks.describe(acc)}", f"accuracy should return a Python float but returned {checks.describe(acc)}"))
    if abs(number - expected) <= 1e-6:
        return Verdict.ok()
    if number == 0 and expected > 0:
        return Verdict.fail(say("accuracy 得到了 0：是不是整数除法？用浮点数相除", f"accuracy returned {'a tensor ' if acc.kind == 'tensor' else ''}0: integer division? Divide as floats"))
    if checks.near(checks.ratio(number, expected), inputs["y"].shape[0], 1e-6):
        return Verdict.fail(say("accuracy 返回的是预测正确的行数，而不是比例：再除以行数", "accuracy is the count of correct rows, not the share: divide by the number of rows"))
    if abs(number - (1 - expected)) <= 1e-6:
        return Verdict.fail(say("accuracy 返回的是预测错误的比例：用 == 比较阈值化后的预测与 y", "accuracy is the share of wrong rows: compare the thresholded prediction with y using =="))
    return Verdict.fail(next((m for m in (d(acc, reference["acc"], inputs) for d in ACCURACY) if m), None) or say("accuracy 不是 (y_pred >= 0.5) 与 y 一致的行所占的比例", "accuracy is not the share of rows where (y_pred >= 0.5) matches y"))


def _judge_accuracy_ties(student, reference, inputs) -> Verdict:
    verdict = _judge_accuracy_value(student, reference, inputs)
    if not verdict.passed and "not the share" in verdict.message:
        return Verdict.fail(accuracy_strict(student["acc"], reference["acc"], inputs) or say("y_pred 恰好是 0.5 时 accuracy 判断不对：预测值大于或等于 0.5 都算类别 1（用 >=，不是 >）", "accuracy disagrees when y_pred is exactly 0.5: a prediction of 0.5 or more counts as class 1 (>=, not >)"))
    return verdict


def _judge_accuracy_type(student, reference, inputs) -> Verdict:
    verdict = _judge_accuracy_value(student, reference, inputs)
    if not verdict.passed:
        return verdict
    if student["acc"].kind != "float":
        return Verdict.fail(say(f"accuracy 应返回 Python float，却得到了 {checks.describe(student['acc'])}：用 .item() 或 float(...) 转换", f"accuracy should return a Python float, got {checks.describe(student['acc'])}: convert with .item() or float(...)"))
    return Verdict.ok()


def _grid(context: InputContext) -> dict[str, np.ndarray]:
    return {"x": np.linspace(-10, 10, 41, dtype=np.float32)}


def _matrix(context: InputContext) -> dict[str, np.ndarray]:
    return {"x": context.rng.normal(0, 4, size=(6, 3)).astype(np.float32)}


def _extremes(context: InputContext) -> dict[str, np.ndarray]:
    return {"x": np.array([-1000, -100, -50, -20, 0, 20, 50, 100, 1000], dtype=np.float32)}


# Accuracy sets have a prime number of rows, so no round share (1/2, 3/4) can be right by chance.
CASES = [
    Case("sigmoid", "grid", _grid, _sigmoid_values, _judge_sigmoid),
    Case("sigmoid", "matrix", _matrix, _sigmoid_values, _judge_sigmoid),
    Case("sigmoid", "extremes", _extremes, _sigmoid_values, _judge_sigmoid),
    Case("sigmoid", "gradient", _grid, _sigmoid_gradient, _judge_sigmoid_gradient),
    Case("binary_loss", "random_set", _loss_inputs(50), _loss_values, _judge_loss_value),
    Case("binary_loss", "small_set", _loss_inputs(7), _loss_values, _judge_loss_value),
    Case("binary_loss", "exact_zeros_and_ones", _loss_inputs(20, extremes=True), _loss_with_extremes, _judge_loss_finite),
    Case("binary_loss", "gradient", _loss_inputs(30), _loss_values, _judge_loss_gradient),
    Case("train", "curve_on_course_data", _train_inputs(lr=0.5, epochs=30, data="course"), _train_run, _judge_curve, ISOLATION),
    Case("train", "curve_on_other_data", _train_inputs(lr=2.0, epochs=80, data="other"), _train_run, _judge_curve, ISOLATION),
    Case("train", "final_parameters", _train_inputs(lr=0.3, epochs=50, data="other"), _train_run, _judge_parameters, ISOLATION),
    # The notebook's recipe (seed-2017 start, lr 1.0, 1000 epochs) on students it never shows.
    Case("train", "accuracy_threshold", _train_inputs(lr=1.0, epochs=1000, data="other", rows=100, notebook_init=True), _train_run, _judge_accuracy_threshold, ISOLATION),
    Case("accuracy", "random_set", _accuracy_inputs(41), _accuracy_value, _judge_accuracy_value, ISOLATION),
    Case("accuracy", "small_set", _accuracy_inputs(7), _accuracy_value, _judge_accuracy_value, ISOLATION),
    Case("accuracy", "ties_at_half", _accuracy_inputs(13, ties=True), _accuracy_value, _judge_accuracy_ties, ISOLATION),
    Case("accuracy", "returns_float", _accuracy_inputs(11), _accuracy_value, _judge_accuracy_type, ISOLATION),
]

# Where each case finds the course data: names in the solution's namespace.
DATA_VARIABLES = {"x": "x_data", "y": "y_data"}

# What the feedback page plots: the student's training curve and boundary against the solution's.
CHARTS = [
    LossCurve("losses", loss="binary cross-entropy"),
    LinearBoundary(x="x_data", y="y_data", w="w", b="b", classes=("not admitted", "admitted"), axes=("exam 1 (normalised)", "exam 2 (normalised)")),
]


def _tiny_positive(text: str) -> bool:
    try:
        return 0 < float(text) <= 1e-6
    except ValueError:
        return False


def _bool_kept_for_equality(mutant) -> bool:
    """`name = (a >= b).float()` -> `name = a >= b`, where `name` is only ever compared by == or !=."""
    import ast
    import re

    match = re.fullmatch(r"(\w+) = \(.+ [<>]=? .+\)\.float\(\)", mutant.statement)
    if not match or not mutant.before.endswith(".float()"):
        return False
    name, tree = match.group(1), ast.parse(mutant.source)
    uses = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)]
    compared = {id(operand) for node in ast.walk(tree) if isinstance(node, ast.Compare) and all(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops) for operand in [node.left, *node.comparators]}
    return bool(uses) and all(id(use) in compared for use in uses)


# Mutants of the solution that are correct answers too (autograder validate counts them apart).
EQUIVALENT_MUTANTS = [
    Equivalent(
        "any tiny positive clamp floor is correct (the task asks for 'a tiny positive number'); it only changes the loss at exact 0s and 1s",
        operator="constant", statement=r"\.clamp\(", when=lambda m: _tiny_positive(m.before) and _tiny_positive(m.after),
    ),
    Equivalent(
        "`==` promotes a bool tensor to float, so leaving the thresholded prediction bool gives the same share",
        operator="drop call", when=_bool_kept_for_equality,
    ),
    Equivalent(
        "the train cases accept each recorded loss as a float or a 0-dim tensor, so dropping .item() before append is a correct answer",
        operator="drop call", statement=r"^\w+\.append\(\w+\.item\(\)\)$",
    ),
]
