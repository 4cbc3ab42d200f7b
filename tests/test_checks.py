"""The comparison helpers: verdicts and the mistakes they name."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.authoring import wire
from autograder.authoring.checks import diagnose_curve, expect_scalar_tensor, expect_tensor, first_mismatch

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
