"""Thresholds: "the final loss below a bar after N epochs", "accuracy at least a bar". The bar is a number
or is set by the solution's own value, and a failure says the value reached and the bar, in a hidden
case and a public check alike."""

from __future__ import annotations

import pytest
import torch

from autograder.authoring import Cases, CheckFailed, DeclarationError, normal, reference_bar, say, tensor
from autograder.authoring.language import halves
from autograder.authoring.public import check_threshold
from tests.test_declared_cases import TRAIN, _namespace, judged

cases = Cases(torch=True)

X = normal(0, 1, (30, 2))
Y = normal(0, 1, (30, 1))
W = tensor(normal(0, 1, (2, 1)), grad=True)


@pytest.mark.parametrize(
    ("case", "student", "says"),
    [
        (cases.threshold("train", "absolute", X, Y, W, 0.1, 60, below=2.0), TRAIN, None),
        (
            cases.threshold("train", "absolute", X, Y, W, 0.1, 60, below=2.0),
            TRAIN.replace("w -= lr", "w += lr"),
            "it must be below 2",
        ),
        (cases.threshold("train", "solution_bar", X, Y, W, 0.1, 60, below=reference_bar(times=1.01)), TRAIN, None),
        (
            cases.threshold("train", "solution_bar", X, Y, W, 0.1, 60, below=reference_bar(times=1.01)),
            TRAIN.replace("range(epochs)", "range(epochs // 20)"),
            "(the reference solution reaches",
        ),
        (
            cases.threshold("train", "absolute", X, Y, W, 0.1, 60, below=2.0),
            TRAIN.replace("return losses", "losses"),
            "returned None: is a `return` missing?",
        ),
        (
            cases.threshold("train", "absolute", X, Y, W, 0.1, 60, below=2.0),
            "def train(x, y, w, lr, epochs):\n    ...\n",
            "not written yet",
        ),
        (
            cases.threshold("train", "absolute", X, Y, W, 0.1, 60, below=2.0),
            TRAIN.replace("w -= lr * w.grad", "w -= 1e6 * w.grad"),
            "not finite",
        ),
    ],
)
def test_a_threshold_says_the_value_reached_and_the_bar(case, student, says):
    verdict = judged(case, TRAIN, student)
    assert verdict.passed is (says is None)
    if says:
        assert says in verdict.message, verdict.message
        chinese, english = halves(verdict.message)
        assert chinese != english and not any("\u4e00" <= char <= "\u9fff" for char in english)


def test_a_measure_judges_any_number_and_at_least_bounds_it_from_below():
    accuracy = say("留出集准确率", "the held-out accuracy")
    fraction_positive = lambda returned, x, y, w, lr, epochs: torch.tensor(returned[-1] < 10.0).float()  # noqa: E731
    case = cases.threshold("train", "share", X, Y, W, 0.1, 5, at_least=0.5, measure=fraction_positive, label=accuracy)
    assert judged(case, TRAIN, TRAIN).passed
    verdict = judged(case, TRAIN, TRAIN.replace("w -= lr * w.grad", "w -= 1e3 * w.grad"))
    assert not verdict.passed
    assert verdict.message == say(
        "train 之后留出集准确率是 0，应至少为 0.5（参考解达到 1）",
        "after train, the held-out accuracy is 0; it must be at least 0.5 (the reference solution reaches 1)",
    )


def test_a_threshold_without_a_bar_is_refused():
    with pytest.raises(
        DeclarationError, match=r"case train/no_bar: a threshold needs a bar: below=\.\.\. or at_least=\.\.\."
    ):
        cases.threshold("train", "no_bar", X, Y, W, 0.1, 60)


def test_release_refuses_a_bar_its_own_solution_misses():
    from autograder.release.references import CasesFileError

    with pytest.raises(
        CasesFileError,
        match=r"case train/too_strict: the solution fails its own case: .* / after train, the final loss is [\d.]+; it "
        r"must be below 1e-06",
    ):
        judged(cases.threshold("train", "too_strict", X, Y, W, 0.1, 60, below=1e-6), TRAIN, TRAIN)


# The public twin ---------------------------------------------------------------------------------------


def test_check_threshold_judges_like_the_hidden_case():
    x = torch.randn(20, 2, generator=torch.Generator().manual_seed(0))
    y = x @ torch.tensor([[1.0], [-2.0]])
    namespace = _namespace(TRAIN)
    train = namespace["train"]
    w = lambda: torch.zeros(2, 1, requires_grad=True)  # noqa: E731
    assert len(check_threshold(train, x, y, w(), 0.1, 30, below=0.5)) == 30
    with pytest.raises(
        CheckFailed,
        match=r"after train, the final loss is [\d.]+; it must be below 0\.001 \(the reference solution reaches "
        r"0\.0005\)",
    ):
        check_threshold(train, x, y, w(), 0.1, 2, below=reference_bar(times=2.0), reference=0.0005)
    with pytest.raises(CheckFailed, match="not written yet"):
        check_threshold(_namespace("def train(x, y, w, lr, epochs):\n    ...\n")["train"], x, y, w(), 0.1, 2, below=0.5)
