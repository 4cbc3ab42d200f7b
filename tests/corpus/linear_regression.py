"""Honest submissions to the linear-regression assignment, with their fair scores.

Each entry is a correct answer in one of several styles, or one typical mistake of the lesson in one
question; the other questions keep the course's answer. ``train`` is graded with the solution's
``mse_loss`` and ``gradient_step`` swapped in, and ``degree_losses`` with the solution's
``poly_features``, ``least_squares`` and ``mse_loss``, so a mistake in a part costs only its own
question. ``train`` has three cases: the loss curve and final parameters on the course's points and
on other points, and the final loss reaching the least-squares line's (a threshold).

Regenerate the demo set with::

    .venv/bin/python -m tests.corpus.linear_regression examples/submissions/linear_regression
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.corpus.blanks import Corpus, Submission, code

POINTS = {
    "mse_loss": 2.0,
    "gradient_step": 2.0,
    "train": 2.0,
    "least_squares": 2.0,
    "poly_features": 1.0,
    "degree_losses": 1.0,
}


def _scores(**given: float) -> dict[str, float]:
    return {**POINTS, **{question: float(score) for question, score in given.items()}}


COURSE_STYLE = {
    "mse_loss": code("""
        def mse_loss(y_pred, y):
            return torch.mean((y_pred - y) ** 2)
    """),
    "gradient_step": code("""
        def gradient_step(params, lr):
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
    """),
    "train": code("""
        def train(x, y, w, b, lr, epochs):
            losses = []
            for epoch in range(epochs):
                y_pred = linear_model(x, w, b)
                loss = mse_loss(y_pred, y)
                losses.append(loss.item())
                loss.backward()
                gradient_step([w, b], lr)
                w.grad.zero_()
                b.grad.zero_()
            return losses
    """),
    "least_squares": code("""
        def least_squares(X, y):
            return torch.linalg.solve(X.T @ X, X.T @ y)
    """),
    "poly_features": code("""
        def poly_features(x, degree):
            return torch.cat([x ** k for k in range(degree + 1)], dim=1)
    """),
    "degree_losses": code("""
        def degree_losses(x_train, y_train, x_test, y_test, max_degree):
            train_losses, test_losses = [], []
            for degree in range(1, max_degree + 1):
                X_train = poly_features(x_train, degree)
                theta = least_squares(X_train, y_train)
                train_losses.append(mse_loss(X_train @ theta, y_train).item())
                test_losses.append(mse_loss(poly_features(x_test, degree) @ theta, y_test).item())
            return train_losses, test_losses
    """),
}

LIBRARY = {
    "mse_loss": code("""
        def mse_loss(y_pred, y):
            return torch.nn.functional.mse_loss(y_pred, y)
    """),
    "gradient_step": code("""
        def gradient_step(params, lr):
            for p in params:
                p.data.sub_(lr * p.grad)
    """),
    "train": code("""
        def train(x, y, w, b, lr, epochs):
            losses = []
            for _ in range(epochs):
                loss = mse_loss(linear_model(x, w, b), y)
                losses.append(float(loss))
                loss.backward()
                gradient_step([w, b], lr)
                w.grad = None
                b.grad = None
            return losses
    """),
    "least_squares": code("""
        def least_squares(X, y):
            return torch.linalg.lstsq(X, y).solution
    """),
    "poly_features": code("""
        def poly_features(x, degree):
            return torch.vander(x.squeeze(1), degree + 1, increasing=True)
    """),
    "degree_losses": code("""
        def degree_losses(x_train, y_train, x_test, y_test, max_degree):
            thetas = [least_squares(poly_features(x_train, d), y_train) for d in range(1, max_degree + 1)]
            train_losses = [mse_loss(poly_features(x_train, d + 1) @ t, y_train).item() for d, t in enumerate(thetas)]
            test_losses = [mse_loss(poly_features(x_test, d + 1) @ t, y_test).item() for d, t in enumerate(thetas)]
            return (train_losses, test_losses)
    """),
}

INVERSE = {
    "mse_loss": code("""
        def mse_loss(y_pred, y):
            return (y_pred - y).pow(2).sum() / y.numel()
    """),
    "gradient_step": code("""
        def gradient_step(params, lr):
            for p in params:
                p.data = p.data - lr * p.grad
    """),
    "train": code("""
        def train(x, y, w, b, lr, epochs):
            losses = []
            for _ in range(epochs):
                for p in (w, b):
                    if p.grad is not None:
                        p.grad.zero_()
                loss = mse_loss(linear_model(x, w, b), y)
                losses.append(loss.detach())
                loss.backward()
                gradient_step([w, b], lr)
            return losses
    """),
    "least_squares": code("""
        def least_squares(X, y):
            return torch.linalg.inv(X.T @ X) @ X.T @ y
    """),
    "poly_features": code("""
        def poly_features(x, degree):
            return x ** torch.arange(degree + 1)
    """),
    "degree_losses": code("""
        def degree_losses(x_train, y_train, x_test, y_test, max_degree):
            losses = {"train": [], "test": []}
            degree = 1
            while degree <= max_degree:
                theta = least_squares(poly_features(x_train, degree), y_train)
                losses["train"].append(float(mse_loss(poly_features(x_train, degree) @ theta, y_train)))
                losses["test"].append(float(mse_loss(poly_features(x_test, degree) @ theta, y_test)))
                degree += 1
            return losses["train"], losses["test"]
    """),
}

OPTIMISER = {
    "mse_loss": code("""
        def mse_loss(y_pred, y):
            return torch.nn.MSELoss()(y_pred, y)
    """),
    "gradient_step": code("""
        def gradient_step(params, lr):
            # plain SGD takes exactly the step p <- p - lr * p.grad
            torch.optim.SGD(params, lr=lr).step()
    """),
    "least_squares": code("""
        def least_squares(X, y):
            return torch.linalg.pinv(X) @ y
    """),
    "poly_features": code("""
        def poly_features(x, degree):
            columns = [torch.ones_like(x)]
            for _ in range(degree):
                columns.append(columns[-1] * x)
            return torch.cat(columns, dim=1)
    """),
}

CORRECT = [
    Submission(
        "correct_course_style",
        "correct: a mean of squares, updates under torch.no_grad(), the normal equations by torch.linalg.solve",
    ),
    Submission(
        "correct_library",
        "correct: F.mse_loss, p.data.sub_, grads set to None, torch.linalg.lstsq, "
        "torch.vander(increasing=True), comprehensions",
        LIBRARY,
    ),
    Submission(
        "correct_inverse",
        "correct: a sum over numel, p.data rebound, grads zeroed before backward, losses kept as tensors, (X^T "
        "X)^-1 X^T y, broadcast powers",
        INVERSE,
    ),
    Submission(
        "correct_optimiser_step",
        "correct: nn.MSELoss, torch.optim.SGD's step, the pseudo-inverse, powers built by repeated products",
        OPTIMISER,
    ),
]


def _returns(question: str, parameters: str, body: str) -> dict[str, str]:
    """An answer to ``question`` of one line: ``def question(parameters): return body``."""
    return {question: code(f"def {question}({parameters}):\n    return {body}\n")}


MSE_MISTAKES = [
    Submission(
        "mse_sum_not_mean",
        "mse_loss sums the squared errors instead of averaging them",
        _returns("mse_loss", "y_pred, y", "((y_pred - y) ** 2).sum()"),
        _scores(mse_loss=0.0),
    ),
    Submission(
        "mse_absolute_errors",
        "mse_loss averages absolute errors: the mean absolute error",
        _returns("mse_loss", "y_pred, y", "(y_pred - y).abs().mean()"),
        _scores(mse_loss=0.0),
    ),
    Submission(
        "mse_square_root",
        "mse_loss takes the square root: the root mean squared error",
        _returns("mse_loss", "y_pred, y", "torch.sqrt(((y_pred - y) ** 2).mean())"),
        _scores(mse_loss=0.0),
    ),
    Submission(
        "mse_not_squared",
        "mse_loss averages the errors without squaring them, so they cancel",
        _returns("mse_loss", "y_pred, y", "(y_pred - y).mean()"),
        _scores(mse_loss=0.0),
    ),
    Submission(
        "mse_squeezed_prediction",
        "mse_loss squeezes y_pred to (N,), which broadcasts against y of shape (N, 1) to N x N",
        _returns("mse_loss", "y_pred, y", "((y_pred.squeeze() - y) ** 2).mean()"),
        _scores(mse_loss=0.0),
    ),
    Submission(
        "mse_returns_float",
        "mse_loss ends with .item(): a Python float, no gradient",
        _returns("mse_loss", "y_pred, y", "((y_pred - y) ** 2).mean().item()"),
        _scores(mse_loss=0.0),
    ),
]


def _step(body: str) -> dict[str, str]:
    return {"gradient_step": code("def gradient_step(params, lr):\n" + body)}


STEP_MISTAKES = [
    Submission(
        "step_gradient_ascent",
        "gradient_step adds lr * grad: it climbs the loss",
        _step("    with torch.no_grad():\n        for p in params:\n            p += lr * p.grad\n"),
        _scores(gradient_step=0.0),
    ),
    Submission(
        "step_rebinds_name",
        "gradient_step writes p = p - lr * p.grad: a new local tensor, the caller's parameters never change",
        _step("    with torch.no_grad():\n        for p in params:\n            p = p - lr * p.grad\n"),
        _scores(gradient_step=0.0),
    ),
    Submission(
        "step_outside_no_grad",
        "gradient_step updates a leaf that requires grad in place while autograd records: PyTorch refuses",
        _step("    for p in params:\n        p -= lr * p.grad\n"),
        _scores(gradient_step=0.0),
    ),
    Submission(
        "step_forgets_rate",
        "gradient_step subtracts the whole gradient, leaving out the learning rate",
        _step("    with torch.no_grad():\n        for p in params:\n            p -= p.grad\n"),
        _scores(gradient_step=0.0),
    ),
]


def _train(loop: str) -> dict[str, str]:
    head = "def train(x, y, w, b, lr, epochs):\n    losses = []\n    for _ in range(epochs):\n"
    return {"train": code(head + loop + "    return losses\n")}


TRAIN_MISTAKES = [
    Submission(
        "train_no_zero_grad",
        "train never zeroes the gradients, so each backward adds onto all the earlier ones",
        _train(
            "        loss = mse_loss(linear_model(x, w, b), y)\n        losses.append(loss.item())\n        "
            "loss.backward()\n        gradient_step([w, b], lr)\n"
        ),
        _scores(train=0.0),
    ),
    Submission(
        "train_loss_after_update",
        "train records the loss after each update instead of before: the curve is one step ahead, the line is right",
        _train(
            "        loss = mse_loss(linear_model(x, w, b), y)\n        loss.backward()\n        gradient_step([w, "
            "b], lr)\n"
            "        w.grad.zero_()\n        b.grad.zero_()\n        losses.append(mse_loss(linear_model(x, w, b), "
            "y).item())\n"
        ),
        _scores(train=0.66667),
    ),
    Submission(
        "train_zeroes_before_step",
        "train zeroes the gradients between backward and the step, so every step is zero and nothing is learnt",
        _train(
            "        loss = mse_loss(linear_model(x, w, b), y)\n        losses.append(loss.item())\n        "
            "loss.backward()\n"
            "        w.grad.zero_()\n        b.grad.zero_()\n        gradient_step([w, b], lr)\n"
        ),
        _scores(train=0.0),
    ),
]


LEAST_SQUARES_MISTAKES = [
    Submission(
        "ls_returns_lstsq_result",
        "least_squares returns the whole result of torch.linalg.lstsq, not its .solution",
        _returns("least_squares", "X, y", "torch.linalg.lstsq(X, y)"),
        _scores(least_squares=0.0),
    ),
    Submission(
        "ls_in_numpy",
        "least_squares solves in NumPy and returns an array",
        _returns("least_squares", "X, y", "np.linalg.solve(X.numpy().T @ X.numpy(), X.numpy().T @ y.numpy())"),
        _scores(least_squares=0.0),
    ),
    Submission(
        "ls_squeezed_targets",
        "least_squares squeezes y, so theta comes back of shape (p,) instead of (p, 1)",
        _returns("least_squares", "X, y", "torch.linalg.solve(X.T @ X, X.T @ y.squeeze(1))"),
        _scores(least_squares=0.0),
    ),
    Submission(
        "ls_no_transpose_on_y",
        "least_squares solves X^T X theta = y, leaving X^T out on the right: the shapes do not match",
        _returns("least_squares", "X, y", "torch.linalg.solve(X.T @ X, y)"),
        _scores(least_squares=0.0),
    ),
]


FEATURE_MISTAKES = [
    Submission(
        "poly_no_ones_column",
        "poly_features starts at x^1: no column of ones for the intercept",
        _returns("poly_features", "x, degree", "torch.cat([x ** k for k in range(1, degree + 1)], dim=1)"),
        _scores(poly_features=0.0),
    ),
    Submission(
        "poly_one_column_short",
        "poly_features stops at x^(degree - 1): range(degree) leaves the top power out",
        _returns("poly_features", "x, degree", "torch.cat([x ** k for k in range(degree)], dim=1)"),
        _scores(poly_features=0.0),
    ),
    # Only degree 0, a single column of ones, reads the same in either order.
    Submission(
        "poly_vander_falling",
        "poly_features uses torch.vander without increasing=True: the powers fall from x^degree to 1",
        _returns("poly_features", "x, degree", "torch.vander(x.squeeze(1), degree + 1)"),
        _scores(poly_features=0.33333),
    ),
]


def _sweep(
    *, fit: str = "train", degrees: str = "range(1, max_degree + 1)", returned: str = "train_losses, test_losses"
) -> dict[str, str]:
    """degree_losses fitting theta on the ``fit`` set over ``degrees``, returning ``returned``."""
    return {
        "degree_losses": code(f"""
        def degree_losses(x_train, y_train, x_test, y_test, max_degree):
            train_losses, test_losses = [], []
            for degree in {degrees}:
                theta = least_squares(poly_features(x_{fit}, degree), y_{fit})
                train_losses.append(mse_loss(poly_features(x_train, degree) @ theta, y_train).item())
                test_losses.append(mse_loss(poly_features(x_test, degree) @ theta, y_test).item())
            return {returned}
    """)
    }


SWEEP_MISTAKES = [
    Submission(
        "sweep_fits_on_test",
        "degree_losses fits theta on the held-out set, so the held-out error no longer shows overfitting",
        _sweep(fit="test"),
        _scores(degree_losses=0.0),
    ),
    Submission(
        "sweep_lists_swapped",
        "degree_losses returns (test_losses, train_losses)",
        _sweep(returned="test_losses, train_losses"),
        _scores(degree_losses=0.0),
    ),
    Submission(
        "sweep_starts_at_degree_zero",
        "degree_losses runs over range(max_degree): degrees 0 to max_degree - 1 instead of 1 to max_degree",
        _sweep(degrees="range(max_degree)"),
        _scores(degree_losses=0.0),
    ),
]

MISTAKES = MSE_MISTAKES + STEP_MISTAKES + TRAIN_MISTAKES + LEAST_SQUARES_MISTAKES + FEATURE_MISTAKES + SWEEP_MISTAKES

DEMO_NAMES = (
    "correct_course_style",
    "correct_library",
    "mse_square_root",
    "step_rebinds_name",
    "train_no_zero_grad",
    "ls_returns_lstsq_result",
    "poly_vander_falling",
    "sweep_fits_on_test",
)

CORPUS = Corpus("linear_regression", POINTS, COURSE_STYLE, CORRECT + MISTAKES, DEMO_NAMES)


def _main(arguments: list[str]) -> None:
    """Regenerate the bundled demo set: ``python -m tests.corpus.linear_regression FOLDER [TEMPLATE]``."""
    folder = Path(arguments[0]) if arguments else Path("examples/submissions/linear_regression")
    default = Path("student_template/linear_regression/linear_regression.ipynb")
    template = Path(arguments[1]) if len(arguments) > 1 else default
    for path in CORPUS.write(folder, template, names=DEMO_NAMES):
        print(path)


if __name__ == "__main__":
    _main(sys.argv[1:])
