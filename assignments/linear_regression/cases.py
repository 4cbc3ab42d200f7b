"""Hidden cases of the linear-regression lesson, declared one per line.

``train`` runs with the solution's ``mse_loss`` and ``gradient_step`` swapped in, and ``degree_losses``
with the solution's ``poly_features``, ``least_squares`` and ``mse_loss``, so a mistake in a part costs
only the part's question. The diagnoses here compute what a mistake gives, on any input; they stay
out of the students' folder (``diagnoses.py`` has the same words).
"""
import numpy as np

from autograder.authoring import (
    Cases, Curves, Equivalent, FittedLine, LossCurve, checks, data, drawn, normal, parameter, reference_bar, tensor,
    uniform,
)

from diagnoses import MESSAGES

cases = Cases(torch=True)
TRAIN_PARTS = ("mse_loss", "gradient_step")
SWEEP_PARTS = ("poly_features", "least_squares", "mse_loss")


def _close(value: np.ndarray, wrong: np.ndarray, *, rtol: float = 1e-4) -> bool:
    return value.shape == wrong.shape and bool(np.allclose(value, wrong, rtol=rtol, atol=1e-6))


# mse_loss ------------------------------------------------------------------------------------------


def mse_mistakes(student, reference, inputs):
    """The usual wrong losses: absolute errors, a square root, no square, shapes broadcast to N x N."""
    value = checks.numbers_of(student)
    y_pred, y = (np.asarray(inputs.get(key), dtype=np.float64) for key in ("a0", "a1"))
    if value is None or value.size != 1 or y_pred.shape != y.shape:
        return None
    errors = y_pred - y
    wrong = {
        "absolute": np.abs(errors).mean(),
        "root": np.sqrt((errors**2).mean()),
        "not_squared": errors.mean(),
        "broadcast": ((y_pred.reshape(-1) - y) ** 2).mean() if y.ndim == 2 and y.shape[1] == 1 else np.nan,
    }
    number = float(value.ravel()[0])
    for mistake, loss in wrong.items():
        if np.isclose(abs(number), abs(loss), rtol=1e-4) and not np.isclose(loss,
                      float(checks.numbers_of(reference).ravel()[0]), rtol=1e-4):
            return MESSAGES[mistake]
    return None


# gradient_step -------------------------------------------------------------------------------------


def step_without_rate(student, reference, inputs):
    """Each parameter moved by its whole gradient: the learning rate left out."""
    if student.kind != "list" or not student.items or float(inputs["a1"]) == 1.0:
        return None
    for index, item in enumerate(student.items):
        after, start, grad = checks.numbers_of(item), inputs.get(f"a0.{index}"), inputs.get(f"a0.{index}.grad")
        if after is None or start is None or grad is None or not _close(after, np.asarray(start,
                                                                        dtype=np.float64) - grad):
            return None
    return MESSAGES["no_rate"]


# poly_features -------------------------------------------------------------------------------------


def features_mistakes(student, reference, inputs):
    """Columns of the powers 1..d (no ones), 0..d-1 (one short), or d..0 (falling)."""
    value, expected = checks.numbers_of(student), checks.numbers_of(reference)
    if value is None or expected is None or expected.ndim != 2 or expected.shape[1] < 2:
        return None
    for mistake, wrong in (("no_ones", expected[:, 1:]), ("one_short", expected[:, :-1]), ("falling", expected[:,
                           ::-1])):
        if _close(value, wrong):
            return MESSAGES[mistake]
    return None


# degree_losses -------------------------------------------------------------------------------------


def _sweep(x_fit, y_fit, x_train, y_train, x_test, y_test, max_degree):
    """Training and held-out losses of polynomials fitted to (x_fit, y_fit), degrees 1..max_degree."""
    losses = []
    for degree in range(1, max_degree + 1):
        powers = lambda x: np.asarray(x, dtype=np.float64).reshape(-1, 1) ** np.arange(degree + 1)
        theta = np.linalg.lstsq(powers(x_fit), np.asarray(y_fit, dtype=np.float64).reshape(-1, 1), rcond=None)[0]
        losses.append([float(((powers(x) @ theta - np.reshape(y, (-1, 1))) ** 2).mean()) for x, y in ((x_train,
                      y_train), (x_test, y_test))])
    return np.array(losses).T


def _two_lists(value) -> np.ndarray | None:
    """The returned (train_losses, test_losses) as one (2, K) array, or None."""
    if value.kind != "list" or len(value.items) != 2:
        return None
    lists = [checks.numbers_of(item) for item in value.items]
    if any(numbers is None or numbers.ndim != 1 for numbers in lists) or lists[0].shape != lists[1].shape:
        return None
    return np.array(lists)


def sweep_mistakes(student, reference, inputs):
    """Theta fitted on the held-out set, or the two lists returned in the other order."""
    value, expected = _two_lists(student), _two_lists(reference)
    if value is None or expected is None or value.shape != expected.shape:
        return None
    if _close(value, expected[::-1], rtol=0.02):
        return MESSAGES["swapped"]
    x_train, y_train, x_test, y_test = (inputs[f"a{index}"] for index in range(4))
    if _close(value, _sweep(x_test, y_test, x_train, y_train, x_test, y_test, int(inputs["a4"])), rtol=0.02):
        return MESSAGES["fitted_on_test"]
    return None


def _course_line(context):
    x = np.asarray(context.namespace["x_train"], dtype=np.float64)
    return np.column_stack([np.ones(len(x)), x[:, 0]])


def _plane_points(context=None):
    """Twelve rows of a design matrix (ones and three features), the same for both arguments of the case."""
    return np.column_stack([np.ones(12), np.random.default_rng(12).normal(0, 1, (12, 3))])


def _on_the_plane(context):
    """Targets exactly on a known plane: the least-squares answer is that plane."""
    return _plane_points() @ np.array([[0.5], [-2.0], [1.0], [3.0]])


CASES = [
    cases.output("mse_loss", "small", uniform(-2, 2, (5, 1)), uniform(-2, 2, (5, 1)), diagnose=[mse_mistakes]),
    cases.output("mse_loss", "gradient", normal(0, 1, (30, 1)), normal(0, 1, (30, 1)), gradient=True,
                 diagnose=[mse_mistakes]),
    cases.output("mse_loss", "course_line",
                 drawn(lambda context: np.asarray(context.namespace["x_train"]) * 1.2 + 0.7), data("y_train"),
                       diagnose=[mse_mistakes]),
    cases.inplace("gradient_step", "line_parameters", [parameter(normal(0, 1, (1,)), grad=normal(0, 1, (1,))),
                  parameter(normal(0, 1, (1,)), grad=normal(0, 1, (1,)))], 0.1,
                  updates={0: "params"}, diagnose=[step_without_rate]),
    cases.inplace("gradient_step", "matrix_and_vector", [parameter(normal(0, 1, (3, 2)), grad=normal(0, 1, (3, 2))),
                  parameter(normal(0, 1, (2,)), grad=normal(0, 1, (2,)))], 0.5,
                  updates={0: "params"}, diagnose=[step_without_rate]),
    cases.inplace("gradient_step", "small_rate", [parameter(normal(0, 2, (4, 1)), grad=normal(0, 1, (4, 1)))], 0.01,
                  updates={0: "params"}, diagnose=[step_without_rate]),
    cases.training("train", "course_line", data("x_train"), data("y_train"), tensor([0.0], grad=True), tensor([0.0],
                   grad=True), 0.5, 30,
                   updates={2: "w", 3: "b"}, swap_in=TRAIN_PARTS),
    cases.training("train", "other_points", uniform(-1, 1, (25, 1)), normal(0, 1, (25, 1)), tensor(normal(0, 1, (1,)),
                   grad=True), tensor(normal(0, 1, (1,)), grad=True), 0.2, 40,
                   updates={2: "w", 3: "b"}, swap_in=TRAIN_PARTS),
    # The notebook's recipe must reach the bottom of the valley, the least-squares line's loss.
    cases.threshold("train", "reaches_least_squares", data("x_train"), data("y_train"), tensor([0.0], grad=True),
                    tensor([0.0], grad=True), 0.1, 100,
                    below=reference_bar(times=1.001), swap_in=TRAIN_PARTS),
    cases.output("least_squares", "three_features", normal(0, 1, (30, 3)), normal(0, 1, (30, 1))),
    cases.output("least_squares", "course_line", drawn(_course_line), data("y_train")),
    cases.output("least_squares", "points_on_a_plane", drawn(_plane_points), drawn(_on_the_plane), atol=1e-4),
    cases.output("poly_features", "cubic", uniform(-1, 1, (7, 1)), 3, diagnose=[features_mistakes]),
    cases.output("poly_features", "course_degree_8", data("x_test"), 8, diagnose=[features_mistakes]),
    cases.output("poly_features", "constant_only", uniform(-2, 2, (5, 1)), 0),
    cases.output("degree_losses", "course_run", data("x_train"), data("y_train"), data("x_test"), data("y_test"), 8,
                 rtol=0.02, atol=1e-4, diagnose=[sweep_mistakes], swap_in=SWEEP_PARTS),
    cases.output("degree_losses", "other_curve", uniform(-1, 1, (12, 1)), normal(0, 1, (12, 1)), uniform(-1, 1, (20,
                 1)), normal(0, 1, (20, 1)), 4,
                 rtol=0.02, atol=1e-4, diagnose=[sweep_mistakes], swap_in=SWEEP_PARTS),
]

# The feedback page: the student's line, loss curve and the two errors by degree beside the solution's.
CHARTS = [
    FittedLine(x="x_train", y="y_train", w="w", b="b", axes=("x = (α − 8°) / 12°", "升力系数 · lift coefficient C_L"),
               title="拟合直线 · The fitted line"),
    LossCurve("losses", loss="均方误差 · mean squared error", log=True, title="梯度下降 · Gradient descent"),
    Curves({"训练 · training": "train_losses", "留出 · held-out": "test_losses"}, loss="均方误差 · mean squared error",
           step="多项式次数 · polynomial degree", log=True, title="训练与留出误差 · Training against held-out error"),
]

# Changes `autograder validate` makes that are still correct answers, with the reason.
EQUIVALENT_MUTANTS = [
    Equivalent("squaring hides the sign: (a - b)² = (b - a)²", function="mse_loss", operator="insert minus",
               before=r"^y_pred - y$"),
    Equivalent("the mean squared error is symmetric in its two arguments", operator="swap arguments",
               before=r"^mse_loss\("),
    Equivalent("a loss kept as a 0-dim tensor is accepted: losses are compared as numbers", operator="drop call",
               before=r"^mse_loss\(.*\)\.item\(\)$|^loss\.item\(\)$"),
    Equivalent("x * w is w * x for these shapes", function="train", operator="swap arguments",
               after=r"^linear_model\(w, x, b\)$"),
    Equivalent("the powers are (N, 1) columns, so their last axis is axis 1", function="poly_features",
               operator="constant", before=r"^1$", after=r"^-1$", when=lambda mutant: "dim=-1" in mutant.source),
]
