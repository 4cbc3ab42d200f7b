"""What a declared case hands to a student's function, and where it comes from.

Every argument lives twice. At release, ``make`` draws what it needs (from
the case's seeded generator, or from the solved notebook) as NumPy arrays,
which are stored with the references. When probing, ``build`` turns those
stored arrays into the live object the function receives: a tensor, an
array, a model with loaded weights, a data loader. ``build`` runs beside
student code and sees only the stored arrays, never the solution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Mapping, Sequence

import numpy as np

from autograder.authoring.cases import InputContext, probing_copy


class ArgumentError(ValueError):
    """An argument could not be built from what the student wrote; the message is for the student."""


@dataclass
class Scope:
    """What ``build`` may use: the student's globals (reference functions swapped in),
    whether arrays become tensors, and the arguments built before this one."""

    namespace: dict
    torch: bool
    built: list = field(default_factory=list)


class Argument:
    """One argument of a declared call (see the module docstring)."""

    probed: ClassVar[tuple[str, ...]] = ()  # the fields ``build`` reads: all a sandbox's copy keeps

    def for_probing(self) -> "Argument":
        return probing_copy(self, self.probed)

    def make(self, context: InputContext) -> dict[str, np.ndarray]:
        return {}

    def build(self, stored: Mapping[str, np.ndarray], scope: Scope) -> Any:
        raise NotImplementedError


# Where arrays come from --------------------------------------------------------------------------


class Draw:
    """An array fixed at release."""

    def draw(self, context: InputContext) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True)
class Fixed(Draw):
    value: Any

    def draw(self, context: InputContext) -> np.ndarray:
        return np.asarray(self.value)


@dataclass(frozen=True)
class Random(Draw):
    """A draw from the case's seeded generator: ``method`` is a numpy.random.Generator method."""

    method: str
    parameters: tuple
    shape: tuple[int, ...]

    def draw(self, context: InputContext) -> np.ndarray:
        return np.asarray(getattr(context.rng, self.method)(*self.parameters, size=self.shape))


@dataclass(frozen=True)
class NotebookVariable(Draw):
    """The solution's value of a notebook variable, read after the solution ran."""

    name: str

    def draw(self, context: InputContext) -> np.ndarray:
        if context.namespace is None or self.name not in context.namespace:
            raise LookupError(f"data({self.name!r}): the solution notebook defines no variable {self.name!r}")
        return to_array(context.namespace[self.name], what=f"data({self.name!r})")


@dataclass(frozen=True)
class Drawn(Draw):
    """Any array an instructor's function makes from the case's generator and the solved notebook."""

    make: Callable[[InputContext], Any]

    def draw(self, context: InputContext) -> np.ndarray:
        return np.asarray(self.make(context))


def to_array(value: Any, *, what: str) -> np.ndarray:
    """A tensor, array, list or number as a NumPy array (tensors detached)."""
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    try:
        return np.asarray(value)
    except Exception as error:
        raise TypeError(f"{what} is a {type(value).__name__}, which is not an array") from error


def as_draw(value: Any) -> Draw:
    return value if isinstance(value, Draw) else Fixed(value)


def normal(mean: float, std: float, shape: Sequence[int]) -> Random:
    """Normal draws of ``shape`` from the case's seeded generator."""
    return Random("normal", (mean, std), tuple(shape))


def uniform(low: float, high: float, shape: Sequence[int]) -> Random:
    """Uniform draws in [low, high) of ``shape``."""
    return Random("uniform", (low, high), tuple(shape))


def integers(low: int, high: int, shape: Sequence[int]) -> Random:
    """Integers in [low, high) of ``shape`` (class labels, indices)."""
    return Random("integers", (low, high), tuple(shape))


def data(name: str) -> NotebookVariable:
    """The solution's value of the notebook variable ``name`` (the course data, a split, ...)."""
    return NotebookVariable(name)


def drawn(make: Callable[[InputContext], Any]) -> Drawn:
    """An array made by ``make(context)`` at release (``context.rng``, ``context.namespace``)."""
    return Drawn(make)


# Arguments ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value(Argument):
    """A Python value passed as it is (a learning rate, an epoch count, a flag)."""

    probed: ClassVar[tuple[str, ...]] = ("value",)
    value: Any

    def build(self, stored, scope):
        return self.value


@dataclass(frozen=True)
class ArrayArgument(Argument):
    """An array, passed as a tensor or a NumPy array.

    ``kind`` "auto" follows the case (tensors in a torch assignment). Floats
    become float32 tensors, integers int64, booleans bool.
    """

    probed: ClassVar[tuple[str, ...]] = ("kind", "requires_grad")
    source: Draw
    kind: str = "auto"
    requires_grad: bool = False
    dtype: str | None = None

    def make(self, context):
        array = self.source.draw(context)
        return {"": array.astype(self.dtype) if self.dtype else array}

    def build(self, stored, scope):
        array = stored[""]
        if self.kind == "array" or (self.kind == "auto" and not scope.torch):
            return array.copy()
        return to_tensor(array, requires_grad=self.requires_grad)


def to_tensor(array: np.ndarray, *, requires_grad: bool = False):
    import torch

    if array.dtype.kind == "f":
        tensor = torch.tensor(array, dtype=torch.float32)
    elif array.dtype.kind in "iu":
        tensor = torch.tensor(array, dtype=torch.int64)
    else:
        tensor = torch.tensor(array)
    return tensor.requires_grad_(True) if requires_grad else tensor


def tensor(source: Any, *, grad: bool = False, dtype: str | None = None) -> ArrayArgument:
    """A tensor argument; ``grad=True`` makes it a leaf that requires grad (parameters)."""
    return ArrayArgument(as_draw(source), "tensor", grad, dtype)


def array(source: Any, *, dtype: str | None = None) -> ArrayArgument:
    """A NumPy array argument, even in a torch assignment."""
    return ArrayArgument(as_draw(source), "array", False, dtype)
