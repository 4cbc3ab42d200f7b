"""Hidden cases declared in a line or three.

``Cases`` holds an assignment's defaults (tensors or NumPy arrays, float
tolerances, which reference functions to swap in) and builds each common kind
of case::

    cases = Cases(torch=True)
    CASES = [
        cases.output("activation", "grid", np.linspace(-10, 10, 41), gradient=True),
        cases.training("fit", "steps", data("x"), data("y"), tensor(normal(0, 1, (2, 1)), grad=True),
                       tensor([0.0], grad=True), 0.5, 30, updates={2: "w", 3: "b"}, swap_in=ISOLATION),
    ]

Every builder returns an ordinary ``Case``: its inputs are drawn at release
and stored, its probe calls the student's function on them and records what
the observations ask for, and its judge compares those records with the
solution's.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from autograder import KitError

from autograder.authoring import checks
from autograder.authoring.arguments import Argument, ArgumentError, ArrayArgument, Scope, Value as Literal, as_draw, to_array
from autograder.authoring.parameters import as_argument
from autograder.authoring.cases import Case, InputContext, call_guarded, swapped
from autograder.authoring.checks import Verdict
from autograder.authoring.inplace import Updated
from autograder.authoring.thresholds import FINAL_LOSS, LAST, Threshold, check_bars
from autograder.authoring.model_observations import Forward, LayerShapes, Shapes
from autograder.authoring.observations import Accuracy, After, Call, Curve, Gradient, Observation, Returned
from autograder.authoring.wire import ProbeError

SEED_KEY = "seed"


class DeclarationError(KitError, ValueError):
    """A case declaration that cannot work; the message names the case and the fix."""


@dataclass(frozen=True)
class Declared:
    """How one declared case calls the student's code and what it observes."""

    target: str
    arguments: tuple[Argument, ...]
    observations: tuple[Observation, ...]
    torch: bool
    backward: bool = False

    def for_probing(self) -> "Declared":
        """What a sandbox holds of this case: how to build the arguments and record the
        observations, without what draws the inputs (release) or judges them (the grader)."""
        return replace(self, arguments=tuple(a.for_probing() for a in self.arguments), observations=tuple(o.for_probing() for o in self.observations))

    def make_inputs(self, context: InputContext) -> dict[str, np.ndarray]:
        inputs = {SEED_KEY: np.int64(context.rng.integers(2**31))}
        for index, argument in enumerate(self.arguments):
            inputs.update(_prefixed(f"a{index}", argument.make(context)))
        for observation in self.observations:
            inputs.update(_prefixed(observation.key, observation.make(context)))
        return inputs

    def probe(self, namespace: dict, inputs: Mapping[str, np.ndarray], references: Mapping[str, Callable]) -> dict:
        with swapped(namespace, references):
            _seed(int(inputs[SEED_KEY]))
            scope = Scope(namespace, self.torch)
            try:
                for index, argument in enumerate(self.arguments):
                    scope.built.append(argument.build(_unprefixed(f"a{index}", inputs), scope))
            except ArgumentError as error:
                return {observation.key: ProbeError(str(error)) for observation in self.observations}
            returned = call_guarded(namespace.get(self.target), *scope.built)
            if self.backward:
                _backward(returned)
            call = Call(self.target, returned, scope.built, scope)
            return {observation.key: _recorded(observation, call, _unprefixed(observation.key, inputs)) for observation in self.observations}

    def judge(self, student: Mapping, reference: Mapping, inputs: Mapping[str, np.ndarray]) -> Verdict:
        # Diagnoses see every argument: arrays as stored at release, and the literal ones (a learning
        # rate, an epoch count, a method's name) as the declaration wrote them, since nothing stores those.
        inputs = {**inputs, **{f"a{index}": argument.value for index, argument in enumerate(self.arguments) if isinstance(argument, Literal)}}
        for observation in self.observations:
            verdict = observation.judge(student[observation.key], reference[observation.key], inputs, what=self.target)
            if not verdict.passed:
                return verdict
        return Verdict.ok()


def _prefixed(prefix: str, stored: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {(f"{prefix}.{key}" if key else prefix): np.asarray(value) for key, value in stored.items()}


def _unprefixed(prefix: str, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    found = {key[len(prefix) + 1:]: value for key, value in inputs.items() if key.startswith(prefix + ".")}
    if prefix in inputs:
        found[""] = inputs[prefix]
    return found


def _seed(seed: int) -> None:
    """Seed every generator a student's code may draw from, so a call repeats exactly."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)


def _backward(returned: Any) -> None:
    try:
        returned.sum().backward()
    except Exception:
        pass  # the Gradient observation reports that no gradient arrived


def _recorded(observation: Observation, call: Call, stored: Mapping[str, np.ndarray]) -> Any:
    try:
        return observation.record(call, stored)
    except Exception as error:
        return ProbeError(f"{type(error).__name__}: {error}")


class Cases:
    """Builds declared cases with an assignment's defaults.

    Parameters:
        torch: arrays reach the student's functions as tensors (float32, int64);
            False passes NumPy arrays (a NumPy lesson).
        rtol, atol: tolerances for returned values; float32 arithmetic in another
            order differs by about 1e-6.
        swap_in: reference functions put in place of the student's while a case
            runs, so a question is graded on its own (override per case).
    """

    def __init__(self, *, torch: bool = True, rtol: float = checks.FLOAT32_RTOL, atol: float = checks.FLOAT32_ATOL, swap_in: Sequence[str] = ()):
        self.torch, self.rtol, self.atol, self.swap_in = torch, rtol, atol, tuple(swap_in)

    def output(self, function: str, name: str, *arguments: Any, question: str | None = None, returns: Sequence[str | None] | None = None, gradient: bool = False, relabel: bool | Sequence[str] = False, up_to_sign: bool | Sequence[str] = False, rtol: float | None = None, atol: float | None = None, diagnose: Iterable[checks.Diagnosis] = (), swap_in: Sequence[str] | None = None, points: float | None = None) -> Case:
        """``function(*arguments)`` against the solution's: type, shape and values.

        ``returns`` names the items of a returned tuple, each compared on its own
        (an item named None is not compared);
        ``relabel`` compares integer labels up to renaming (True, or the names in
        ``returns`` it applies to); ``up_to_sign`` takes each row of a 2-D float array (a 1-D one
        as a whole) with either sign, for directions such as eigenvectors (True, or names in
        ``returns``); ``gradient`` also compares the gradient that
        reaches each float argument through ``result.sum()``.
        """
        tolerances = dict(rtol=self.rtol if rtol is None else rtol, atol=self.atol if atol is None else atol)
        built = [as_argument(argument) for argument in arguments]
        if gradient:
            built = [_requiring_grad(argument) for argument in built]
        relabelled = set(returns or ()) if relabel is True else set(relabel or ())
        signed = set(returns or ()) if up_to_sign is True else set(up_to_sign or ())
        if returns:
            observations = [Returned(index, f"[{index}] ({label})", relabel=label in relabelled, signs=label in signed, diagnoses=tuple(diagnose), key=f"returned.{label}", **tolerances) for index, label in enumerate(returns) if label is not None]
        else:
            observations = [Returned(relabel=relabel is True, signs=up_to_sign is True, diagnoses=tuple(diagnose), **tolerances)]
        if gradient:
            observations += [Gradient(index, key=f"gradient.{index}") for index, argument in enumerate(built) if getattr(argument, "requires_grad", False)]
        return self._case(question or function, name, function, built, observations, swap_in, points, backward=gradient)

    def training(self, function: str, name: str, *arguments: Any, question: str | None = None, losses: int | str | None = "return", updates: Mapping[int, str] = (), rtol: float = 1e-3, atol: float = 1e-4, diagnose: Iterable[checks.Diagnosis] = (), swap_in: Sequence[str] | None = None, points: float | None = None) -> Case:
        """A training function from fixed starting values: its loss curve and the parameters it leaves.

        ``losses`` says where the curve is: "return" (the returned list), an index
        into a returned tuple, or None. ``updates`` maps argument positions to the
        names messages use ({2: "w", 3: "b"}, or {0: "model"}): tensors updated in
        place, or models whose weights are compared after training. ``diagnose``
        explains a curve that departs from the solution's before the generic
        messages do.
        """
        built = [as_argument(argument) for argument in arguments]
        observations: list[Observation] = []
        if losses is not None:
            observations.append(Curve(None if losses == "return" else int(losses), rtol=rtol, diagnoses=tuple(diagnose)))
        observations += [After(int(position), label, rtol=rtol, atol=atol, key=f"after.{position}") for position, label in dict(updates).items()]
        if not observations:
            raise DeclarationError(f"case {question or function}/{name}: training() observes nothing; give losses= or updates=")
        return self._case(question or function, name, function, built, observations, swap_in, points)

    def inplace(self, function: str, name: str, *arguments: Any, updates: Mapping[int, str], question: str | None = None, rtol: float | None = None, atol: float | None = None, diagnose: Iterable[checks.Diagnosis] = (), swap_in: Sequence[str] | None = None, points: float | None = None) -> Case:
        """A function that updates its arguments in place and returns None (an optimiser's step, a
        Q-table update): each argument ``updates`` names ({0: "params"}) is compared after the call
        with the solution's after the same call; when they differ, the change the call made is
        compared with the solution's, so a flipped sign or a scaled step is named. ``diagnose``
        explains a difference before those messages.
        """
        if not updates:
            raise DeclarationError(f"case {question or function}/{name}: inplace() needs updates={{position: name}} for the arguments the function changes")
        tolerances = dict(rtol=self.rtol if rtol is None else rtol, atol=self.atol if atol is None else atol)
        observations = [Updated(int(position), label, diagnoses=tuple(diagnose), key=f"updated.{position}", **tolerances) for position, label in dict(updates).items()]
        return self._case(question or function, name, function, [as_argument(argument) for argument in arguments], observations, swap_in, points)

    def threshold(self, function: str, name: str, *arguments: Any, below: Any = None, at_least: Any = None, measure: str | Callable[..., Any] = LAST, label: str = FINAL_LOSS, question: str | None = None, swap_in: Sequence[str] | None = None, points: float | None = None) -> Case:
        """A number the call reaches must clear a bar: ``below`` it, ``at_least`` it, or both. A bar is a
        number, or ``reference_bar(times=..., plus=...)``, set by the solution's own value on this case.
        ``measure`` picks the number: "last" (the last number returned: a loss curve's final loss, a
        returned accuracy) or ``measure(returned, *arguments)``, run beside the student's code.
        ``label`` names it in messages (both languages, ``say``).
        """
        try:
            check_bars(below, at_least, where=f"case {question or function}/{name}")
        except ValueError as error:
            raise DeclarationError(str(error)) from error
        observation = Threshold(measure, label, below, at_least)
        return self._case(question or function, name, function, [as_argument(argument) for argument in arguments], [observation], swap_in, points)

    def accuracy(self, function: str, name: str, *arguments: Any, predict: Callable[..., Any], held_out: tuple[Any, Any], model: int | Sequence[int] = 0, margin: float = 0.02, at_least: float | None = None, question: str | None = None, swap_in: Sequence[str] | None = None, points: float | None = None) -> Case:
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
        return self._case(question or function, name, function, [as_argument(a) for a in arguments], [observation], swap_in, points)

    def module(self, factory: str, name: str, *init: Any, input: Any, question: str | None = None, rtol: float | None = None, atol: float | None = None, diagnose: Iterable[checks.Diagnosis] = (), swap_in: Sequence[str] | None = None, points: float | None = None) -> Case:
        """A class (an nn.Module subclass) or a function that builds a model, called with ``init``.

        Checks the model's parameter shapes against the solution's, then loads
        weights fixed at release (by position, so layer names may differ) and
        compares ``model(input)`` with the solution's output. ``diagnose``
        explains an output that differs before the generic messages do.
        """
        weights = lambda context: _reference_weights(context, factory, init)
        forward = Forward(as_draw(input), rtol=self.rtol if rtol is None else rtol, atol=self.atol if atol is None else atol, weights=weights, diagnoses=tuple(diagnose))
        arguments = [as_argument(value) for value in init]
        return self._case(question or factory, name, factory, arguments, [Shapes(), forward], swap_in, points)

    def layers(self, factory: str, name: str, *init: Any, input: Any, question: str | None = None, swap_in: Sequence[str] | None = None, points: float | None = None) -> Case:
        """A class (or a function) that builds a model, called with ``init``: the output shape of each
        layer holding weights when the model runs on ``input``, in the order ``forward`` calls them.

        A wrong shape names the layer, so a missing pooling or padding is found where it happens.
        """
        arguments = [as_argument(value) for value in init]
        return self._case(question or factory, name, factory, arguments, [LayerShapes(as_draw(input))], swap_in, points)

    def _case(self, question, name, target, arguments, observations, swap_in, points, *, backward=False) -> Case:
        keys = [observation.key for observation in observations]
        if len(set(keys)) != len(keys):
            raise DeclarationError(f"case {question}/{name}: two observations share a key {keys}")
        declared = Declared(target, tuple(arguments), tuple(observations), self.torch, backward)
        swaps = self.swap_in if swap_in is None else tuple(swap_in)
        return Case(question, name, declared.make_inputs, declared.probe, declared.judge, tuple(s for s in swaps if s != target), points=points, calls=target)


def _requiring_grad(argument: Argument) -> Argument:
    if isinstance(argument, ArrayArgument) and argument.kind != "array":
        return ArrayArgument(argument.source, "tensor", True, argument.dtype)
    return argument


def _reference_weights(context: InputContext, factory: str, init: tuple) -> list[np.ndarray]:
    import torch

    if context.namespace is None or factory not in context.namespace:
        raise LookupError(f"the solution notebook defines no {factory!r}")
    torch.manual_seed(int(context.rng.integers(2**31)))
    module = context.namespace[factory](*init)
    return [to_array(tensor, what=key) for key, tensor in module.state_dict().items()]
