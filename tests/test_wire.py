"""Plain data across the sandbox boundary: faithful for honest values, inert for others."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from autograder.authoring import wire


def roundtrip(value) -> wire.Value:
    return wire.loads(wire.dumps({"v": wire.encode(value)}))["v"]


def test_tensor_keeps_values_shape_and_autograd_facts():
    x = torch.tensor([[1.0, -2.0]], requires_grad=True)
    value = roundtrip(x * 2)
    assert value.kind == "tensor" and value.array.tolist() == [[2.0, -4.0]]
    assert value.has_grad_fn and not value.is_leaf and value.torch_dtype == "float32"


def test_zero_dim_tensor_stays_zero_dim():
    assert roundtrip(torch.tensor(0.25)).array.shape == ()


@pytest.mark.parametrize(
    "value, kind", [(None, "none"), (..., "ellipsis"), (1.5, "float"), (3, "int"), (True, "bool"), ("s", "str")]
)
def test_scalars(value, kind):
    assert roundtrip(value).kind == kind


def test_subclasses_are_not_trusted():
    class Liar(float):
        def __eq__(self, other):
            return True

    class LyingTensor(torch.Tensor):
        pass

    assert roundtrip(Liar(0.5)).kind == "other"
    assert roundtrip(torch.zeros(2).as_subclass(LyingTensor)).kind == "other"


def test_list_of_losses():
    value = roundtrip([0.7, 0.6, 0.5])
    assert value.kind == "list" and [item.number for item in value.items] == [0.7, 0.6, 0.5]


@pytest.mark.parametrize(
    "payload, message",
    [
        ("not json", "not JSON"),
        (json.dumps({"v": {"kind": "tensor", "dtype": "object", "shape": [1], "data": ""}}), "wrong type"),
        (json.dumps({"v": {"kind": "tensor", "dtype": "float64", "shape": [2], "data": "AAAA"}}), "does not match"),
        (json.dumps({"v": {"kind": "float", "number": "1"}}), "without a number"),
        (json.dumps({"v": {"kind": "pickle"}}), "unknown"),
    ],
)
def test_forged_payloads_are_rejected(payload, message):
    with pytest.raises(wire.MalformedProbeData, match=message):
        wire.loads(payload)


class _LyingFloat(np.float64):
    def __float__(self):
        return 1.0


class _LyingTensor(torch.Tensor):
    def item(self):
        return 0.0


@pytest.mark.parametrize(
    "value, expected",
    [
        (0.25, 0.25),
        (3, 3.0),
        (torch.tensor(0.5), 0.5),
        (torch.tensor([0.75], requires_grad=True), 0.75),
        (torch.nn.Parameter(torch.tensor(1.5)), 1.5),
        (True, None),
        ("0.5", None),
        (torch.tensor([0.1, 0.2]), None),
        (np.float32(0.5), 0.5),
        (np.int64(4), 4.0),
        (_LyingFloat(0.5), None),
        (torch.tensor(0.5).as_subclass(_LyingTensor), None),
    ],
)
def test_as_number_accepts_numbers_numpy_scalars_and_one_element_tensors_only(value, expected):
    assert wire.as_number(value) == expected


def test_number_series_packs_a_loss_list_into_one_array():
    losses = [0.7, torch.tensor(0.6), 0.5] * 400
    payload = wire.encode(wire.number_series(losses))
    assert payload["kind"] == "ndarray" and len(json.dumps(payload)) < 20_000
    assert roundtrip(wire.number_series(losses)).array.tolist() == pytest.approx([0.7, 0.6, 0.5] * 400)


@pytest.mark.parametrize("value", [[0.5, "x"], [0.5, None], (0.5, [0.4]), {0.5}, 0.5])
def test_number_series_refuses_anything_but_a_list_of_numbers(value):
    assert wire.number_series(value) is None
