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
from autograder.authoring.language import say


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


@dataclass(frozen=True)
class Model(Argument):
    """An instance of the notebook's class (or factory) ``name``, with fixed weights.

    At release the solution's ``name(*init)`` is built under the case's seed and
    its weights are stored; when probing, the namespace's ``name`` (the student's,
    or the reference when swapped in) is built and those weights are loaded into
    it by position, so layer names may differ from the solution's.
    """

    probed: ClassVar[tuple[str, ...]] = ("name", "init")
    name: str
    init: tuple = ()

    def make(self, context):
        import torch

        if context.namespace is None or self.name not in context.namespace:
            raise LookupError(f"model({self.name!r}): the solution notebook defines no {self.name!r}")
        torch.manual_seed(int(context.rng.integers(2**31)))
        module = context.namespace[self.name](*self.init)
        return {f"{index}": to_array(value, what=key) for index, (key, value) in enumerate(module.state_dict().items())}

    def build(self, stored, scope):
        target = scope.namespace.get(self.name)
        if not callable(target):
            raise ArgumentError(say(f"{self.name} 还没有定义", f"{self.name} is not defined"))
        try:
            module = target(*self.init)
        except Exception as error:
            raise ArgumentError(say(f"{self.name}{self.init} 出错了：{type(error).__name__}: {error}", f"{self.name}{self.init} raised {type(error).__name__}: {error}")) from error
        load_weights(module, [stored[str(index)] for index in range(len(stored))], what=f"{self.name}{self.init}")
        return module


def model(name: str, *init: Any) -> Model:
    """The notebook's ``name(*init)`` with weights fixed at release (see Model)."""
    return Model(name, tuple(init))


def parameter_shapes(module: Any) -> list[tuple[int, ...]]:
    """Shapes of a module's state, in registration order."""
    return [tuple(value.shape) for value in module.state_dict().values()]


def load_weights(module: Any, weights: Sequence[np.ndarray], *, what: str) -> None:
    """Load ``weights`` into ``module``'s state by position; ArgumentError when shapes differ."""
    import torch

    state = getattr(module, "state_dict", None)
    if not callable(state):
        raise ArgumentError(say(f"{what} 不是 nn.Module（返回了 {type(module).__name__}）", f"{what} is not an nn.Module (got a {type(module).__name__})"))
    keys = list(state().keys())
    shapes, expected = parameter_shapes(module), [tuple(w.shape) for w in weights]
    if shapes != expected:
        raise ArgumentError(say(f"{what} 的参数形状是 {shapes}，应为 {expected}：检查每层的输入输出大小", f"{what} has parameters of shapes {shapes}, expected {expected}: check each layer's input and output sizes"))
    module.load_state_dict({key: torch.tensor(weight) for key, weight in zip(keys, weights)})


@dataclass(frozen=True)
class Built(Argument):
    """An object instructor code builds when probing, from arguments built before it
    (an optimizer over a model's parameters, a loss function)."""

    probed: ClassVar[tuple[str, ...]] = ("factory", "uses")
    factory: Callable[..., Any]
    uses: tuple[int, ...] = ()

    def build(self, stored, scope):
        try:
            return self.factory(*[scope.built[index] for index in self.uses])
        except IndexError as error:
            raise LookupError(f"built(...) uses argument {self.uses}, which comes later or does not exist") from error


def built(factory: Callable[..., Any], *uses: int) -> Built:
    """``factory(*arguments[uses])``, made when probing: ``built(lambda m: torch.optim.SGD(m.parameters(), lr=0.1), 0)``."""
    return Built(factory, tuple(uses))


@dataclass(frozen=True)
class Loader(Argument):
    """A torch DataLoader over two arrays, in a fixed order (no shuffling)."""

    probed: ClassVar[tuple[str, ...]] = ("batch_size",)
    x: Draw
    y: Draw
    batch_size: int

    def make(self, context):
        # The batch size is stored too, so a diagnosis can tell a mean over batches from one over rows.
        return {"x": self.x.draw(context), "y": self.y.draw(context), "batch_size": np.int64(self.batch_size)}

    def build(self, stored, scope):
        from torch.utils.data import DataLoader, TensorDataset

        dataset = TensorDataset(to_tensor(stored["x"]), to_tensor(stored["y"]))
        return DataLoader(dataset, batch_size=self.batch_size, shuffle=False)


def loader(x: Any, y: Any, *, batch_size: int) -> Loader:
    """A DataLoader over (x, y) in a fixed order, ``batch_size`` rows at a time."""
    return Loader(as_draw(x), as_draw(y), batch_size)


def as_argument(value: Any) -> Argument:
    """A declared argument: Arguments as they are, draws and arrays as arrays, a list holding
    declared arguments as a list of them, the rest as values."""
    if isinstance(value, Argument):
        return value
    if isinstance(value, Draw):
        return ArrayArgument(value)
    if isinstance(value, (list, tuple)) and any(isinstance(item, (Argument, Draw)) for item in value):
        from autograder.authoring.parameters import items

        return items(*value)
    if isinstance(value, (list, tuple, np.ndarray)):
        return ArrayArgument(Fixed(np.asarray(value)))
    return Value(value)
