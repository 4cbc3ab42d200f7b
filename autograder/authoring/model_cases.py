"""The declarations about models, which ``Cases`` offers beside the ones about functions: a trained model's
accuracy on held-out rows, a model's shapes and output, and the output shape of each layer."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from autograder.authoring import checks
from autograder.authoring.arguments import as_draw, to_array
from autograder.authoring.cases import Case, InputContext
from autograder.authoring.held_out import Accuracy
from autograder.authoring.model_observations import Forward, LayerShapes, Shapes
from autograder.authoring.parameters import as_argument


class ModelCases:
    """The model declarations of ``Cases``; they build their case through its ``_case``."""

    def accuracy(
        self,
        function: str,
        name: str,
        *arguments: Any,
        predict: Callable[..., Any],
        held_out: tuple[Any, Any],
        model: int | Sequence[int] = 0,
        margin: float = 0.02,
        at_least: float | None = None,
        question: str | None = None,
        swap_in: Sequence[str] | None = None,
        points: float | None = None,
    ) -> Case:
        """Train with ``function(*arguments)``, then score the trained model on held-out rows.

        ``predict(*arguments[model], x)`` is the instructor's code that turns the
        trained arguments into labels for ``x`` (held_out = (x, labels)), or into one
        row of class scores per row of ``x``, of which the grader takes the largest.
        It runs in the sandbox, so where picking the label is itself a question,
        return the scores. Passes at or above the solution's share minus ``margin``
        (and at ``at_least``).
        """
        positions = (model,) if isinstance(model, int) else tuple(model)
        x, y = (as_draw(part) for part in held_out)
        observation = Accuracy(predict, positions, x, y, margin, at_least)
        return self._case(
            question or function, name, function, [as_argument(a) for a in arguments], [observation], swap_in, points
        )

    def module(
        self,
        factory: str,
        name: str,
        *init: Any,
        input: Any,
        question: str | None = None,
        rtol: float | None = None,
        atol: float | None = None,
        diagnose: Iterable[checks.Diagnosis] = (),
        swap_in: Sequence[str] | None = None,
        points: float | None = None,
    ) -> Case:
        """A class (an nn.Module subclass) or a function that builds a model, called with ``init``.

        Checks the model's parameter shapes against the solution's, then loads
        weights fixed at release (by position, so layer names may differ) and
        compares ``model(input)`` with the solution's output. ``diagnose``
        explains an output that differs before the generic messages do.
        """
        weights = partial(_reference_weights, factory=factory, init=init)
        forward = Forward(
            as_draw(input),
            rtol=self.rtol if rtol is None else rtol,
            atol=self.atol if atol is None else atol,
            weights=weights,
            diagnoses=tuple(diagnose),
        )
        arguments = [as_argument(value) for value in init]
        return self._case(question or factory, name, factory, arguments, [Shapes(), forward], swap_in, points)

    def layers(
        self,
        factory: str,
        name: str,
        *init: Any,
        input: Any,
        question: str | None = None,
        swap_in: Sequence[str] | None = None,
        points: float | None = None,
    ) -> Case:
        """A class (or a function) that builds a model, called with ``init``: the output shape of each
        layer holding weights when the model runs on ``input``, in the order ``forward`` calls them.

        A wrong shape names the layer, so a missing pooling or padding is found where it happens.
        """
        arguments = [as_argument(value) for value in init]
        return self._case(question or factory, name, factory, arguments, [LayerShapes(as_draw(input))], swap_in, points)


def _reference_weights(context: InputContext, factory: str, init: tuple) -> list[np.ndarray]:
    import torch

    if context.namespace is None or factory not in context.namespace:
        raise LookupError(f"the solution notebook defines no {factory!r}")
    torch.manual_seed(int(context.rng.integers(2**31)))
    module = context.namespace[factory](*init)
    return [to_array(tensor, what=key) for key, tensor in module.state_dict().items()]
