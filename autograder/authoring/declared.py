"""One declared case once built: how it draws its inputs, calls the student's code, records what it observes
and judges it against the solution's record."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

import numpy as np

from autograder import KitError
from autograder.authoring.arguments import Argument, ArgumentError, Scope
from autograder.authoring.arguments import Value as Literal
from autograder.authoring.cases import InputContext, call_guarded, swapped
from autograder.authoring.checks import Verdict
from autograder.authoring.observations import Call, Observation
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
        return replace(
            self,
            arguments=tuple(a.for_probing() for a in self.arguments),
            observations=tuple(o.for_probing() for o in self.observations),
        )

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
            return {
                observation.key: _recorded(observation, call, _unprefixed(observation.key, inputs))
                for observation in self.observations
            }

    def judge(self, student: Mapping, reference: Mapping, inputs: Mapping[str, np.ndarray]) -> Verdict:
        # Diagnoses see every argument: arrays as stored at release, and the literal ones (a learning
        # rate, an epoch count, a method's name) as the declaration wrote them, since nothing stores those.
        inputs = {
            **inputs,
            **{
                f"a{index}": argument.value
                for index, argument in enumerate(self.arguments)
                if isinstance(argument, Literal)
            },
        }
        for observation in self.observations:
            verdict = observation.judge(student[observation.key], reference[observation.key], inputs, what=self.target)
            if not verdict.passed:
                return verdict
        return Verdict.ok()


def _prefixed(prefix: str, stored: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {(f"{prefix}.{key}" if key else prefix): np.asarray(value) for key, value in stored.items()}


def _unprefixed(prefix: str, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    found = {key[len(prefix) + 1 :]: value for key, value in inputs.items() if key.startswith(prefix + ".")}
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
