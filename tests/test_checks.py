"""The comparison helpers: verdicts and the mistakes they name."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.authoring import wire
from autograder.authoring.checks import diagnose_curve, expect_scalar_tensor, expect_tensor, first_mismatch, gives

REFERENCE = np.array([0.69, 0.60, 0.55, 0.52, 0.50, 0.49])


def tensor(array) -> wire.Value:
    return wire.decode(wire.encode(__import__("torch").tensor(array)))


@pytest.mark.parametrize(
    "curve, message",
    [
        (REFERENCE, None),
        (REFERENCE[:-1], "one loss short"),
        (np.append(REFERENCE, 0.48), "one loss too many"),
        (REFERENCE + 0.1, "starts at"),
        (np.append(REFERENCE[1:], 0.485), "shifted by one step"),
        (np.array([0.69, 0.75, 0.82, 0.90, 0.99, 1.10]), "rises instead of falling"),
        (np.array([0.69, 0.60, 0.58, 0.61, 0.66, 0.72]), "matches for one step, then drifts"),
        (np.array([0.69, 0.60, 0.45, 0.30, 0.20, 0.15]), "matches for one step, then drifts"),
        (np.array([0.69, 0.60, 0.55, 0.40, 0.30, 0.25]), "matches for 2 steps"),
        (np.array([0.69, 0.65, 0.60, 0.56, 0.53, 0.51]), "off after the first update"),
        (np.array([0.69, np.nan, 0.5, 0.5, 0.5, 0.5]), "non-finite"),
    ],
)
def test_curve_diagnosis(curve, message):
    verdict = diagnose_curve(curve, REFERENCE, rtol=1e-3, atol=1e-6)
    assert verdict.passed is (message is None)
    if message:
        assert message in verdict.message


def test_first_mismatch_finds_the_index():
    assert first_mismatch([1.0, 2.0, 3.0], [1.0, 2.0, 3.5]) == 2
    assert first_mismatch([1.0, 2.0], [1.0, 2.0]) is None


@pytest.mark.parametrize(
    "value, message",
    [
        (wire.Value("ellipsis"), "not written yet"),
        (wire.Value("none"), "return"),
        (wire.decode(wire.encode(np.zeros(3))), "NumPy array"),
        (tensor([[1.0, 2.0]]), "returned shape (1, 2)"),
    ],
)
def test_expect_tensor_messages(value, message):
    verdict = expect_tensor(value, what="sigmoid", shape=(2,))
    assert not verdict.passed and message in verdict.message


def test_scalar_tensor_wants_zero_dims():
    assert expect_scalar_tensor(tensor(1.5), what="loss").passed
    assert "0-dim" in expect_scalar_tensor(tensor([1.5]), what="loss").message


TABLE = [[1.0, 0.0], [0.0, 2.0]]


def value(python) -> wire.Value:
    return wire.decode(wire.encode(python))


@pytest.mark.parametrize(
    "wrong, student, named",
    [
        (1.5, 1.5, True),
        (1.5, 1.50001, True),
        (1.5, np.float32(1.5), True),
        (1.5, "tensor:[1.5]", True),  # one number in any shape: a (1,) tensor for a scalar
        (1.5, 1.6, False),
        (1.5, [1.5, 1.5], False),
        ([1, 0, 1, 0], np.array([1, 0, 1, 0]), True),
        ([1, 0, 1, 0], [1, 0, 1, 0], True),
        ([1, 0, 1, 0], np.array([1, 0, 1, 1]), False),
        ([1, 0, 1, 0], np.array([[1, 0], [1, 0]]), False),  # the same numbers in another shape are another mistake
        ([1, 0], np.array([]), False),
        (0.0, float("nan"), False),
        (0.0, None, False),
        (0.0, "a string", False),
        # a returned tuple of lists, as (train_losses, test_losses), each list a series as the judge sees it
        (([0.3, 0.1], [0.2, 0.4]), (np.array([0.3, 0.1]), np.array([0.2, 0.4])), True),
        (([0.3, 0.1], [0.2, 0.4]), (np.array([0.2, 0.4]), np.array([0.3, 0.1])), False),
        (([0.3, 0.1], [0.2, 0.4]), (np.array([0.3, 0.1]), np.array([0.2])), False),
        # items of different shapes, as (q_table, returns): each item matched on its own
        ((TABLE, [-3.0, 8.0, 9.0]), (np.array(TABLE), np.array([-3.0, 8.0, 9.0])), True),
        ((TABLE, [-3.0, 8.0, 9.0]), (np.array(TABLE), np.array([-3.0, 8.0, 8.0])), False),
        ((TABLE, [-3.0, 8.0, 9.0]), (np.array(TABLE).reshape(1, 4), np.array([-3.0, 8.0, 9.0])), False),
        ((TABLE, [-3.0, 8.0, 9.0]), [-3.0, 8.0, 9.0], False),
    ],
)
def test_gives_names_a_mistake_by_its_wrong_value_only(wrong, student, named):
    if isinstance(student, str) and student == "tensor:[1.5]":
        student = __import__("torch").tensor([1.5])
    diagnosis = gives(wrong, "MESSAGE")
    assert diagnosis(value(student), value(wrong), {}) == ("MESSAGE" if named else None)


def _optimised_losses(optimiser, *, created_every_epoch: bool = False, zeroed: bool = True) -> np.ndarray:
    """Twelve full-batch steps of least squares with a torch optimiser, written right or with one slip."""
    import torch

    generator = torch.Generator().manual_seed(0)
    x = torch.randn(40, 3, generator=generator)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    w = torch.zeros(3, 1, requires_grad=True)
    make = lambda: optimiser([w])  # noqa: E731
    step, losses = make(), []
    for _ in range(12):
        step = make() if created_every_epoch else step
        loss = ((x @ w - y) ** 2).mean()
        losses.append(loss.item())
        if zeroed:
            step.zero_grad()
        loss.backward()
        step.step()
    return np.array(losses)


@pytest.mark.parametrize(
    "slip", [{"created_every_epoch": True}, {"zeroed": False}], ids=["optimiser created every epoch", "no zero_grad"]
)
def test_a_curve_that_drifts_after_one_step_names_both_things_a_step_carries_over(slip):
    import torch

    momentum = lambda parameters: torch.optim.SGD(parameters, lr=0.05, momentum=0.9)  # noqa: E731
    verdict = diagnose_curve(_optimised_losses(momentum, **slip), _optimised_losses(momentum), rtol=1e-3, atol=1e-6)
    assert "matches for one step, then drifts" in verdict.message
    assert (
        "zero_grad" in verdict.message
        and "optimiser (with its momentum or running averages) created once" in verdict.message
    )
