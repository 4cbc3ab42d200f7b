"""Plain data across the sandbox boundary: faithful for honest values, inert for others."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from autograder import plain


def roundtrip(value) -> plain.Value:
    return plain.loads(plain.dumps({"v": plain.encode(value)}))["v"]


def test_tensor_keeps_values_shape_and_autograd_facts():
    x = torch.tensor([[1.0, -2.0]], requires_grad=True)
    value = roundtrip(x * 2)
    assert value.kind == "tensor" and value.array.tolist() == [[2.0, -4.0]]
    assert value.has_grad_fn and not value.is_leaf and value.torch_dtype == "float32"


def test_zero_dim_tensor_stays_zero_dim():
    assert roundtrip(torch.tensor(0.25)).array.shape == ()


@pytest.mark.parametrize("value, kind", [(None, "none"), (..., "ellipsis"), (1.5, "float"), (3, "int"), (True, "bool"), ("s", "str")])
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
    with pytest.raises(plain.MalformedProbeData, match=message):
        plain.loads(payload)
