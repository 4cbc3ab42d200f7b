"""Hidden cases of the linear-regression lesson, declared one per line."""
from autograder.authoring import Cases, Equivalent, FittedLine, LossCurve, data, normal, tensor, uniform

# Tensors in, float32 tolerances; train is graded with the solution's model and loss.
cases = Cases(torch=True)
ISOLATION = ("linear_model", "mse_loss")

CASES = [
    cases.output("linear_model", "course_points", data("x_train"), tensor([2.0]), tensor([1.0])),
    cases.output("linear_model", "random_weights", normal(0, 3, (7, 1)), normal(0, 1, (1,)), normal(0, 1, (1,)), gradient=True),
    cases.output("mse_loss", "small", uniform(-2, 2, (5, 1)), uniform(-2, 2, (5, 1))),
    cases.output("mse_loss", "gradient", normal(0, 1, (30, 1)), normal(0, 1, (30, 1)), gradient=True),
    cases.training("train", "course_curve", data("x_train"), data("y_train"),
                   tensor(normal(0, 1, (1,)), grad=True), tensor([0.0], grad=True), 0.01, 40,
                   updates={2: "w", 3: "b"}, swap_in=ISOLATION),
    cases.training("train", "other_points", uniform(-1, 1, (25, 1)), normal(0, 1, (25, 1)),
                   tensor([0.5], grad=True), tensor([-0.5], grad=True), 0.1, 60,
                   updates={2: "w", 3: "b"}, swap_in=ISOLATION),
]

# The feedback page: the student's loss curve and fitted line beside the solution's.
CHARTS = [
    LossCurve("losses", loss="mean squared error"),
    FittedLine(x="x_train", y="y_train", w="w", b="b"),
]

# Changes `autograder validate` makes that are still correct answers, with the reason.
EQUIVALENT_MUTANTS = [
    Equivalent("squaring hides the sign: (a - b)² = (b - a)²", function="mse_loss", operator="insert minus", before=r"^y_pred - y$"),
    Equivalent("the mean squared error is symmetric in its two arguments", function="train", operator="swap arguments", before=r"^mse_loss\("),
    Equivalent("x * w is w * x for these shapes", function="train", operator="swap arguments", after=r"^linear_model\(w, x, b\)$"),
    Equivalent("a loss kept as a 0-dim tensor is accepted: the curve is compared as numbers", function="train", operator="drop call", before=r"\.item\(\)$"),
]
