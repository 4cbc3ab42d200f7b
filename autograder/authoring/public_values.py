"""What a public check hands its judge: fresh copies of the arguments for the expected side, values as they
come through the wire, and the arguments as a hidden case's diagnoses see them."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from autograder.authoring import wire


def fresh_copies(arguments: tuple) -> list:
    """Fresh copies of the arguments (tensors keep requires_grad and their .grad), so the expected side
    starts where the student's did."""
    copied = []
    for argument in arguments:
        if hasattr(argument, "detach") and hasattr(argument, "requires_grad"):
            fresh = argument.detach().clone().requires_grad_(argument.requires_grad)
            if getattr(argument, "grad", None) is not None:
                fresh.grad = argument.grad.detach().clone()
            copied.append(fresh)
        else:
            copied.append(copy.deepcopy(argument))
    return copied


def judged_value(value: Any) -> wire.Value:
    """``value`` as a judge sees it: encoded and decoded (number lists become one array)."""
    series = wire.number_series(value) if isinstance(value, (list, tuple)) else None
    return wire.decode(wire.encode(series if series is not None else wire.series_inside(value)))


def diagnosis_inputs(arguments: tuple) -> dict[str, np.ndarray]:
    """The arguments as a diagnosis sees them in a hidden case: ``a0``, ``a1``, ... (arrays, or a literal
    number or string as it is); a DataLoader
    over two tensors as ``a<i>.x``, ``a<i>.y`` and ``a<i>.batch_size``, as ``loader(...)`` stores it."""
    found = {}
    for index, argument in enumerate(arguments):
        tensors = getattr(getattr(argument, "dataset", None), "tensors", None)
        if isinstance(tensors, tuple) and len(tensors) == 2 and isinstance(getattr(argument, "batch_size", None), int):
            found[f"a{index}.x"], found[f"a{index}.y"] = (np.asarray(tensor.detach().numpy()) for tensor in tensors)
            found[f"a{index}.batch_size"] = np.int64(argument.batch_size)
            continue
        if isinstance(argument, (bool, int, float, str)):
            found[f"a{index}"] = argument  # as a hidden case hands its literal arguments over
            continue
        try:
            found[f"a{index}"] = np.asarray(argument.detach().numpy() if hasattr(argument, "detach") else argument)
        except Exception:
            continue
    return found
