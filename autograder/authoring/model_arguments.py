"""Arguments built from torch objects when probing: a model with loaded weights, an object made
from other arguments (an optimiser over a model's parameters), a data loader over two arrays.

Like every argument (``autograder.authoring.arguments``), each is drawn as NumPy arrays at release
and built into the live object beside student code, from the stored arrays only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Sequence

import numpy as np

from autograder.authoring.arguments import Argument, ArgumentError, Draw, as_draw, to_array, to_tensor
from autograder.authoring.language import say


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
            raise ArgumentError(
                say(
                    f"{self.name}{self.init} 出错了：{type(error).__name__}: {error}",
                    f"{self.name}{self.init} raised {type(error).__name__}: {error}",
                )
            ) from error
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
        raise ArgumentError(
            say(
                f"{what} 不是 nn.Module（返回了 {type(module).__name__}）",
                f"{what} is not an nn.Module (got a {type(module).__name__})",
            )
        )
    keys = list(state().keys())
    shapes, expected = parameter_shapes(module), [tuple(w.shape) for w in weights]
    if shapes != expected:
        raise ArgumentError(
            say(
                f"{what} 的参数形状是 {shapes}，应为 {expected}：检查每层的输入输出大小",
                f"{what} has parameters of shapes {shapes}, expected {expected}: check each layer's input and output "
                "sizes",
            )
        )
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
    """``factory(*arguments[uses])``, made when probing: ``built(lambda m: torch.optim.SGD(m.parameters(), lr=0.1),
    0)``."""
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
