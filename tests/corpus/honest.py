"""Honest submissions to the logistic-regression assignment, with their fair scores.

Each entry is what a student who really tried might hand in: a correct
answer in one of several styles, or one typical mistake in one question.
Questions an entry leaves out keep the course-style answer, so a mistake
must cost points on its own question only (``train`` and ``accuracy`` are
graded with the reference ``sigmoid`` and ``binary_loss`` swapped in).

``write_corpus`` turns the table into notebooks by filling the blanks of the
released student template; tests grade them, ``examples/submissions`` holds
a demo set. Regenerate that set with::

    .venv/bin/python -m tests.corpus.honest examples/submissions/logistic_regression
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable

import nbformat

from tests.corpus.blanks import BlankCellNotFound, Corpus, Submission, code  # noqa: F401 (re-exported)

POINTS = {"sigmoid": 2.0, "binary_loss": 2.0, "train": 4.0, "accuracy": 2.0}


def _code(source: str) -> str:
    return code(source)


def _scores(**lost_to: float) -> dict[str, float]:
    """Full marks except the questions given, which score what is passed."""
    return {**POINTS, **{question: float(score) for question, score in lost_to.items()}}


# The course's own way of writing each answer: clamp then log, w.data updates.
COURSE_STYLE = {
    "sigmoid": _code("""
        def sigmoid(x):
            return 1 / (1 + torch.exp(-x))
    """),
    "binary_loss": _code("""
        def binary_loss(y_pred, y):
            log_likelihood = y * y_pred.clamp(1e-12).log() + (1 - y) * (1 - y_pred).clamp(1e-12).log()
            return -log_likelihood.mean()
    """),
    "train": _code("""
        def train(x, y, w, b, lr, epochs):
            losses = []
            for epoch in range(epochs):
                y_pred = logistic_regression(x, w, b)
                loss = binary_loss(y_pred, y)
                losses.append(loss.item())
                loss.backward()
                w.data = w.data - lr * w.grad.data
                b.data = b.data - lr * b.grad.data
                w.grad.data.zero_()
                b.grad.data.zero_()
            return losses
    """),
    "accuracy": _code("""
        def accuracy(y_pred, y):
            mask = y_pred.ge(0.5).float()
            return (mask == y).sum().item() / y.shape[0]
    """),
}

BUILTINS = {
    "sigmoid": _code("""
        def sigmoid(x):
            return torch.sigmoid(x)
    """),
    "binary_loss": _code("""
        def binary_loss(y_pred, y):
            eps = 1e-7
            return nn.functional.binary_cross_entropy(y_pred.clamp(eps, 1 - eps), y)
    """),
    "train": _code("""
        def train(x, y, w, b, lr, epochs):
            losses = []
            for _ in range(epochs):
                loss = binary_loss(logistic_regression(x, w, b), y)
                losses.append(loss.item())
                grad_w, grad_b = torch.autograd.grad(loss, [w, b])
                with torch.no_grad():
                    w.sub_(lr * grad_w)
                    b.sub_(lr * grad_b)
            return losses
    """),
    "accuracy": _code("""
        def accuracy(y_pred, y):
            return torch.eq(y_pred >= 0.5, y.bool()).float().mean().item()
    """),
}

TANH_STYLE = {
    "sigmoid": _code("""
        def sigmoid(x):
            # sigma(x) = (1 + tanh(x / 2)) / 2, and tanh never overflows
            return 0.5 * (1 + torch.tanh(x / 2))
    """),
    "binary_loss": _code("""
        def binary_loss(y_pred, y):
            p = torch.clamp(y_pred, min=1e-8)
            not_p = torch.clamp(1 - y_pred, min=1e-8)
            return -torch.mean(y * torch.log(p) + (1 - y) * torch.log(not_p))
    """),
    "train": _code("""
        def train(x, y, w, b, lr, epochs):
            losses = []
            for _ in range(epochs):
                loss = binary_loss(logistic_regression(x, w, b), y)
                losses.append(float(loss))
                loss.backward()
                with torch.no_grad():
                    w -= lr * w.grad
                    b -= lr * b.grad
                w.grad = None
                b.grad = None
            return losses
    """),
    "accuracy": _code("""
        def accuracy(y_pred, y):
            correct = ((y_pred >= 0.5) == (y == 1)).sum().item()
            return correct / len(y)
    """),
}

STABLE_WHERE = {
    "sigmoid": _code("""
        def sigmoid(x):
            # each branch exponentiates only numbers <= 0, so nothing overflows
            exp_neg = torch.exp(torch.clamp(-x, max=0))
            exp_pos = torch.exp(torch.clamp(x, max=0))
            return torch.where(x >= 0, 1 / (1 + exp_neg), exp_pos / (1 + exp_pos))
    """),
    "binary_loss": _code("""
        def binary_loss(y_pred, y):
            tiny = torch.finfo(y_pred.dtype).tiny
            log_right = torch.where(y == 1, y_pred.clamp_min(tiny).log(), (1 - y_pred).clamp_min(tiny).log())
            return -log_right.mean()
    """),
    "train": _code("""
        def train(x, y, w, b, lr, epochs):
            losses = []
            for _ in range(epochs):
                loss = binary_loss(logistic_regression(x, w, b), y)
                losses.append(loss.detach())
                loss.backward()
                w.data.sub_(lr * w.grad)
                b.data.sub_(lr * b.grad)
                w.grad.zero_()
                b.grad.zero_()
            return losses
    """),
    "accuracy": _code("""
        def accuracy(y_pred, y):
            predicted = torch.where(y_pred >= 0.5, 1.0, 0.0)
            return float((predicted == y).float().mean())
    """),
}

OPTIMIZER_STYLE = {
    "sigmoid": _code("""
        def sigmoid(x):
            return nn.Sigmoid()(x)
    """),
    "binary_loss": _code("""
        def binary_loss(y_pred, y):
            # BCELoss clamps its logs at -100, so exact 0s and 1s stay finite
            return nn.BCELoss()(y_pred, y)
    """),
    "train": _code("""
        def train(x, y, w, b, lr, epochs):
            optimizer = torch.optim.SGD([w, b], lr=lr)
            losses = []
            for _ in range(epochs):
                optimizer.zero_grad()
                loss = binary_loss(logistic_regression(x, w, b), y)
                losses.append(loss.item())
                loss.backward()
                optimizer.step()
            return losses
    """),
    "accuracy": _code("""
        def accuracy(y_pred, y):
            hits = (y_pred >= 0.5).eq(y).sum()
            return hits.item() / y.numel()
    """),
}

CORRECT = [
    Submission("correct_course_style", "correct: the course's style, clamp then log, w.data updates"),
    Submission(
        "correct_builtins",
        "correct: torch.sigmoid, F.binary_cross_entropy on clamped input, torch.autograd.grad",
        BUILTINS,
    ),
    Submission(
        "correct_tanh_sigmoid", "correct: sigmoid as 0.5 * (1 + tanh(x / 2)), updates under torch.no_grad()", TANH_STYLE
    ),
    Submission(
        "correct_stable_where",
        "correct: piecewise stable sigmoid with torch.where, losses kept as 0-dim tensors",
        STABLE_WHERE,
    ),
    Submission(
        "correct_optimizer_train", "correct: nn.Sigmoid, nn.BCELoss and torch.optim.SGD in train", OPTIMIZER_STYLE
    ),
]

SIGMOID_MISTAKES = [
    Submission(
        "sigmoid_exp_overflow",
        "sigmoid as exp(x) / (1 + exp(x)): nan for large positive x",
        {
            "sigmoid": _code("""
            def sigmoid(x):
                return torch.exp(x) / (1 + torch.exp(x))
        """)
        },
        _scores(sigmoid=1.5),
    ),
    Submission(
        "sigmoid_wrong_sign",
        "sigmoid as 1 / (1 + exp(x)): the sign inside exp is flipped",
        {
            "sigmoid": _code("""
            def sigmoid(x):
                return 1 / (1 + torch.exp(x))
        """)
        },
        _scores(sigmoid=0.0),
    ),
    Submission(
        "sigmoid_via_numpy",
        "sigmoid computed in NumPy and wrapped back in torch.tensor: no gradient",
        {
            "sigmoid": _code("""
            def sigmoid(x):
                return torch.tensor(1 / (1 + np.exp(-x.detach().numpy())))
        """)
        },
        _scores(sigmoid=1.5),
    ),
    Submission(
        "sigmoid_where_abs_kink",
        "stable sigmoid built on exp(-|x|): autograd takes d|x|/dx = 0 at x = 0, so the gradient there is 0, not 0.25",
        {
            "sigmoid": _code("""
            def sigmoid(x):
                small = torch.exp(-x.abs())
                return torch.where(x >= 0, 1 / (1 + small), small / (1 + small))
        """)
        },
        _scores(sigmoid=1.5),
    ),
]

LOSS_MISTAKES = [
    Submission(
        "loss_sum_not_mean",
        "binary_loss sums over rows instead of averaging",
        {
            "binary_loss": _code("""
            def binary_loss(y_pred, y):
                log_likelihood = y * y_pred.clamp(1e-12).log() + (1 - y) * (1 - y_pred).clamp(1e-12).log()
                return -log_likelihood.sum()
        """)
        },
        _scores(binary_loss=0.0),
    ),
    Submission(
        "loss_no_clamp",
        "binary_loss takes the log without clamping: nan for exact 0s and 1s",
        {
            "binary_loss": _code("""
            def binary_loss(y_pred, y):
                return -(y * torch.log(y_pred) + (1 - y) * torch.log(1 - y_pred)).mean()
        """)
        },
        _scores(binary_loss=1.5),
    ),
    Submission(
        "loss_missing_minus",
        "binary_loss returns the mean log-likelihood, without the minus sign",
        {
            "binary_loss": _code("""
            def binary_loss(y_pred, y):
                log_likelihood = y * y_pred.clamp(1e-12).log() + (1 - y) * (1 - y_pred).clamp(1e-12).log()
                return log_likelihood.mean()
        """)
        },
        _scores(binary_loss=0.0),
    ),
    Submission(
        "loss_swapped_terms",
        "binary_loss pairs log(y_pred) with y = 0 and log(1 - y_pred) with y = 1",
        {
            "binary_loss": _code("""
            def binary_loss(y_pred, y):
                log_likelihood = y * (1 - y_pred).clamp(1e-12).log() + (1 - y) * y_pred.clamp(1e-12).log()
                return -log_likelihood.mean()
        """)
        },
        _scores(binary_loss=0.0),
    ),
    Submission(
        "loss_returns_float",
        "binary_loss ends with .item(): a Python float, no autograd",
        {
            "binary_loss": _code("""
            def binary_loss(y_pred, y):
                log_likelihood = y * y_pred.clamp(1e-12).log() + (1 - y) * (1 - y_pred).clamp(1e-12).log()
                return -log_likelihood.mean().item()
        """)
        },
        _scores(binary_loss=0.0),
    ),
]

TRAIN_MISTAKES = [
    Submission(
        "train_no_zero_grad",
        "train never zeroes the gradients, so they accumulate across epochs",
        {
            "train": _code("""
            def train(x, y, w, b, lr, epochs):
                losses = []
                for epoch in range(epochs):
                    loss = binary_loss(logistic_regression(x, w, b), y)
                    losses.append(loss.item())
                    loss.backward()
                    w.data = w.data - lr * w.grad.data
                    b.data = b.data - lr * b.grad.data
                return losses
        """)
        },
        # The curves and final parameters are wrong; the model it trains still labels the unseen
        # students about as well as the reference (84% against 83%), which is all accuracy_threshold asks.
        _scores(train=1.0),
    ),
    Submission(
        "train_loss_after_update",
        "train records the loss after each update instead of before",
        {
            "train": _code("""
            def train(x, y, w, b, lr, epochs):
                losses = []
                for epoch in range(epochs):
                    loss = binary_loss(logistic_regression(x, w, b), y)
                    loss.backward()
                    w.data = w.data - lr * w.grad.data
                    b.data = b.data - lr * b.grad.data
                    w.grad.data.zero_()
                    b.grad.data.zero_()
                    losses.append(binary_loss(logistic_regression(x, w, b), y).item())
                return losses
        """)
        },
        _scores(train=2.0),
    ),
    Submission(
        "train_rebinds_w",
        "train rebinds w = w - lr * grad to new tensors, so the caller's w and b never change",
        {
            "train": _code("""
            def train(x, y, w, b, lr, epochs):
                losses = []
                for epoch in range(epochs):
                    loss = binary_loss(logistic_regression(x, w, b), y)
                    losses.append(loss.item())
                    loss.backward()
                    with torch.no_grad():
                        w = w - lr * w.grad
                        b = b - lr * b.grad
                    w.requires_grad_()
                    b.requires_grad_()
                return losses
        """)
        },
        _scores(train=2.0),
    ),
    Submission(
        "train_adds_gradient",
        "train adds lr * grad: gradient ascent",
        {
            "train": _code("""
            def train(x, y, w, b, lr, epochs):
                losses = []
                for epoch in range(epochs):
                    loss = binary_loss(logistic_regression(x, w, b), y)
                    losses.append(loss.item())
                    loss.backward()
                    w.data = w.data + lr * w.grad.data
                    b.data = b.data + lr * b.grad.data
                    w.grad.data.zero_()
                    b.grad.data.zero_()
                return losses
        """)
        },
        _scores(train=0.0),
    ),
    Submission(
        "train_inplace_outside_no_grad",
        "train updates w -= lr * w.grad outside torch.no_grad(): autograd refuses",
        {
            "train": _code("""
            def train(x, y, w, b, lr, epochs):
                losses = []
                for epoch in range(epochs):
                    loss = binary_loss(logistic_regression(x, w, b), y)
                    losses.append(loss.item())
                    loss.backward()
                    w -= lr * w.grad
                    b -= lr * b.grad
                    w.grad.zero_()
                    b.grad.zero_()
                return losses
        """)
        },
        _scores(train=0.0),
    ),
]

ACCURACY_MISTAKES = [
    Submission(
        "accuracy_integer_division",
        "accuracy divides the count of correct rows with //, which gives 0",
        {
            "accuracy": _code("""
            def accuracy(y_pred, y):
                mask = y_pred.ge(0.5).float()
                return (mask == y).sum().item() // y.shape[0]
        """)
        },
        _scores(accuracy=0.0),
    ),
    Submission(
        "accuracy_returns_tensor",
        "accuracy returns a 0-dim tensor instead of a Python float",
        {
            "accuracy": _code("""
            def accuracy(y_pred, y):
                mask = y_pred.ge(0.5).float()
                return (mask == y).float().mean()
        """)
        },
        _scores(accuracy=1.5),
    ),
    Submission(
        "accuracy_strict_greater",
        "accuracy thresholds with > 0.5, so a prediction of exactly 0.5 counts as class 0",
        {
            "accuracy": _code("""
            def accuracy(y_pred, y):
                mask = (y_pred > 0.5).float()
                return (mask == y).sum().item() / y.shape[0]
        """)
        },
        _scores(accuracy=1.5),
    ),
    Submission(
        "accuracy_count_not_share",
        "accuracy returns the number of correct rows, not their share",
        {
            "accuracy": _code("""
            def accuracy(y_pred, y):
                mask = y_pred.ge(0.5).float()
                return float((mask == y).sum().item())
        """)
        },
        _scores(accuracy=0.0),
    ),
    Submission(
        "accuracy_broadcast_shapes",
        "accuracy squeezes the predictions to (N,), so comparing with y of shape (N, 1) broadcasts to N x N",
        {
            "accuracy": _code("""
            def accuracy(y_pred, y):
                mask = y_pred.ge(0.5).float().squeeze()
                return (mask == y).float().mean().item()
        """)
        },
        _scores(accuracy=0.0),
    ),
]

SUBMISSIONS = CORRECT + SIGMOID_MISTAKES + LOSS_MISTAKES + TRAIN_MISTAKES + ACCURACY_MISTAKES

# The notebooks bundled in examples/submissions for TAs to look at.
DEMO_NAMES = (
    "correct_course_style",
    "correct_tanh_sigmoid",
    "correct_optimizer_train",
    "sigmoid_exp_overflow",
    "loss_no_clamp",
    "train_no_zero_grad",
    "train_rebinds_w",
    "accuracy_strict_greater",
)


CORPUS = Corpus("logistic_regression", POINTS, COURSE_STYLE, SUBMISSIONS, DEMO_NAMES)


def submission(name: str) -> Submission:
    """The corpus entry called ``name``; raises KeyError listing the known names."""
    return CORPUS.submission(name)


def build_notebook(entry: Submission, template_path: Path) -> nbformat.NotebookNode:
    """The student template with every blank filled from ``entry`` (see Corpus.build)."""
    return CORPUS.build(entry, template_path)


def write_corpus(folder: Path, template_path: Path, *, names: Iterable[str] | None = None) -> list[Path]:
    """Write ``<name>.ipynb`` in ``folder`` for every entry, or only ``names``; return the paths in order."""
    return CORPUS.write(folder, template_path, names=names)


def _main(arguments: list[str]) -> None:
    """Regenerate the bundled demo set: ``python -m tests.corpus.honest FOLDER [TEMPLATE]``."""
    folder = Path(arguments[0]) if arguments else Path("examples/submissions/logistic_regression")
    template = (
        Path(arguments[1])
        if len(arguments) > 1
        else Path("student_template/logistic_regression/logistic_regression.ipynb")
    )
    for path in write_corpus(folder, template, names=DEMO_NAMES):
        print(path)


if __name__ == "__main__":
    _main(sys.argv[1:])
