"""Arguments a function updates in place (parameters that already hold a gradient, and lists of them), and
how any declared value becomes an argument (``as_argument``).

An optimiser's step, ``sgd_step(params, lr)``, reads each ``p.grad`` and changes ``p``; it needs
leaf tensors whose ``.grad`` is filled, as after ``loss.backward()``. ``parameter`` builds one
from two draws fixed at release (its values and its gradient); a list of arguments, such as
``[parameter(...), parameter(...)]``, reaches the function as a list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from autograder.authoring.arguments import Argument, ArrayArgument, Draw, Fixed, Value, as_draw, to_tensor


@dataclass(frozen=True)
class Parameter(Argument):
    """A float tensor that requires grad, with ``.grad`` set to a second draw (None: no gradient yet)."""

    probed: ClassVar[tuple[str, ...]] = ()
    values: Draw
    grad: Draw | None = None

    def make(self, context):
        stored = {"": self.values.draw(context).astype("float32")}
        if self.grad is not None:
            stored["grad"] = self.grad.draw(context).astype("float32")
        return stored

    def build(self, stored, scope):
        tensor = to_tensor(stored[""], requires_grad=True)
        if "grad" in stored:
            tensor.grad = to_tensor(stored["grad"])
        return tensor


def parameter(values: Any, *, grad: Any = None) -> Parameter:
    """A parameter tensor (requires grad) whose ``.grad`` already holds ``grad``:
    ``parameter(normal(0, 1, (3, 2)), grad=normal(0, 1, (3, 2)))``."""
    return Parameter(as_draw(values), None if grad is None else as_draw(grad))


@dataclass(frozen=True)
class Items(Argument):
    """A list of arguments, built in order and passed as a Python list (a list of parameters)."""

    probed: ClassVar[tuple[str, ...]] = ("items",)
    items: tuple[Argument, ...]

    def for_probing(self) -> "Items":
        return Items(tuple(item.for_probing() for item in self.items))

    def make(self, context):
        stored = {}
        for index, item in enumerate(self.items):
            for key, value in item.make(context).items():
                stored[f"{index}.{key}" if key else f"{index}"] = value
        return stored

    def build(self, stored, scope):
        return [item.build(_item(stored, index), scope) for index, item in enumerate(self.items)]


def _item(stored, index: int) -> dict:
    prefix = f"{index}"
    found = {key[len(prefix) + 1 :]: value for key, value in stored.items() if key.startswith(prefix + ".")}
    if prefix in stored:
        found[""] = stored[prefix]
    return found


def items(*arguments: Any) -> Items:
    """A list argument whose items are declared arguments: ``items(parameter(...), parameter(...))``
    (a plain ``[...]`` of them is read the same way)."""
    return Items(tuple(as_argument(argument) for argument in arguments))


def as_argument(value: Any) -> Argument:
    """A declared argument: Arguments as they are, draws and arrays as arrays, a list holding
    declared arguments as a list of them, the rest as values."""
    if isinstance(value, Argument):
        return value
    if isinstance(value, Draw):
        return ArrayArgument(value)
    if isinstance(value, (list, tuple)) and any(isinstance(item, (Argument, Draw)) for item in value):
        return items(*value)
    if isinstance(value, (list, tuple, np.ndarray)):
        return ArrayArgument(Fixed(np.asarray(value)))
    return Value(value)
