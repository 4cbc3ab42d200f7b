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

from typing import Any, Callable, Iterable, Mapping, Sequence

from autograder.authoring import checks
from autograder.authoring.arguments import Argument, ArrayArgument
from autograder.authoring.cases import Case
from autograder.authoring.declared import DeclarationError, Declared
from autograder.authoring.inplace import Updated
from autograder.authoring.model_cases import ModelCases
from autograder.authoring.observations import After, Curve, Gradient, Observation, Returned
from autograder.authoring.parameters import as_argument
from autograder.authoring.thresholds import FINAL_LOSS, LAST, Threshold, check_bars

__all__ = ["Cases", "DeclarationError"]


class Cases(ModelCases):
    """Builds declared cases with an assignment's defaults.

    Parameters:
        torch: arrays reach the student's functions as tensors (float32, int64);
            False passes NumPy arrays (a NumPy lesson).
        rtol, atol: tolerances for returned values; float32 arithmetic in another
            order differs by about 1e-6.
        swap_in: reference functions put in place of the student's while a case
            runs, so a question is graded on its own (override per case).
    """

    def __init__(
        self,
        *,
        torch: bool = True,
        rtol: float = checks.FLOAT32_RTOL,
        atol: float = checks.FLOAT32_ATOL,
        swap_in: Sequence[str] = (),
    ):
        self.torch, self.rtol, self.atol, self.swap_in = torch, rtol, atol, tuple(swap_in)

    def output(
        self,
        function: str,
        name: str,
        *arguments: Any,
        question: str | None = None,
        returns: Sequence[str | None] | None = None,
        gradient: bool = False,
        relabel: bool | Sequence[str] = False,
        up_to_sign: bool | Sequence[str] = False,
        rtol: float | None = None,
        atol: float | None = None,
        diagnose: Iterable[checks.Diagnosis] = (),
        swap_in: Sequence[str] | None = None,
        points: float | None = None,
    ) -> Case:
        """``function(*arguments)`` against the solution's: type, shape and values.

        ``returns`` names the items of a returned tuple, each compared on its own
        (an item named None is not compared);
        ``relabel`` compares integer labels up to renaming (True, or the names in
        ``returns`` it applies to); ``up_to_sign`` takes each row of a 2-D float array (a 1-D one
        as a whole) with either sign, for directions such as eigenvectors (True, or names in
        ``returns``); ``gradient`` also compares the gradient that
        reaches each float argument through ``result.sum()``.
        """
        tolerances = {"rtol": self.rtol if rtol is None else rtol, "atol": self.atol if atol is None else atol}
        built = [as_argument(argument) for argument in arguments]
        if gradient:
            built = [_requiring_grad(argument) for argument in built]
        relabelled = set(returns or ()) if relabel is True else set(relabel or ())
        signed = set(returns or ()) if up_to_sign is True else set(up_to_sign or ())
        if returns:
            observations = [
                Returned(
                    index,
                    f"[{index}] ({label})",
                    relabel=label in relabelled,
                    signs=label in signed,
                    diagnoses=tuple(diagnose),
                    key=f"returned.{label}",
                    **tolerances,
                )
                for index, label in enumerate(returns)
                if label is not None
            ]
        else:
            observations = [
                Returned(relabel=relabel is True, signs=up_to_sign is True, diagnoses=tuple(diagnose), **tolerances)
            ]
        if gradient:
            observations += [
                Gradient(index, key=f"gradient.{index}")
                for index, argument in enumerate(built)
                if getattr(argument, "requires_grad", False)
            ]
        return self._case(question or function, name, function, built, observations, swap_in, points, backward=gradient)

    def training(
        self,
        function: str,
        name: str,
        *arguments: Any,
        question: str | None = None,
        losses: int | str | None = "return",
        updates: Mapping[int, str] = (),
        rtol: float = 1e-3,
        atol: float = 1e-4,
        diagnose: Iterable[checks.Diagnosis] = (),
        swap_in: Sequence[str] | None = None,
        points: float | None = None,
    ) -> Case:
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
            observations.append(
                Curve(None if losses == "return" else int(losses), rtol=rtol, diagnoses=tuple(diagnose))
            )
        observations += [
            After(int(position), label, rtol=rtol, atol=atol, key=f"after.{position}")
            for position, label in dict(updates).items()
        ]
        if not observations:
            raise DeclarationError(
                f"case {question or function}/{name}: training() observes nothing; give losses= or updates="
            )
        return self._case(question or function, name, function, built, observations, swap_in, points)

    def inplace(
        self,
        function: str,
        name: str,
        *arguments: Any,
        updates: Mapping[int, str],
        question: str | None = None,
        rtol: float | None = None,
        atol: float | None = None,
        diagnose: Iterable[checks.Diagnosis] = (),
        swap_in: Sequence[str] | None = None,
        points: float | None = None,
    ) -> Case:
        """A function that updates its arguments in place and returns None (an optimiser's step, a
        Q-table update): each argument ``updates`` names ({0: "params"}) is compared after the call
        with the solution's after the same call; when they differ, the change the call made is
        compared with the solution's, so a flipped sign or a scaled step is named. ``diagnose``
        explains a difference before those messages.
        """
        if not updates:
            raise DeclarationError(
                f"case {question or function}/{name}: inplace() needs updates={{position: name}} for the arguments the "
                "function changes"
            )
        tolerances = {"rtol": self.rtol if rtol is None else rtol, "atol": self.atol if atol is None else atol}
        observations = [
            Updated(int(position), label, diagnoses=tuple(diagnose), key=f"updated.{position}", **tolerances)
            for position, label in dict(updates).items()
        ]
        return self._case(
            question or function,
            name,
            function,
            [as_argument(argument) for argument in arguments],
            observations,
            swap_in,
            points,
        )

    def threshold(
        self,
        function: str,
        name: str,
        *arguments: Any,
        below: Any = None,
        at_least: Any = None,
        measure: str | Callable[..., Any] = LAST,
        label: str = FINAL_LOSS,
        question: str | None = None,
        swap_in: Sequence[str] | None = None,
        points: float | None = None,
    ) -> Case:
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
        return self._case(
            question or function,
            name,
            function,
            [as_argument(argument) for argument in arguments],
            [observation],
            swap_in,
            points,
        )

    def _case(self, question, name, target, arguments, observations, swap_in, points, *, backward=False) -> Case:
        keys = [observation.key for observation in observations]
        if len(set(keys)) != len(keys):
            raise DeclarationError(f"case {question}/{name}: two observations share a key {keys}")
        declared = Declared(target, tuple(arguments), tuple(observations), self.torch, backward)
        swaps = self.swap_in if swap_in is None else tuple(swap_in)
        return Case(
            question,
            name,
            declared.make_inputs,
            declared.probe,
            declared.judge,
            tuple(s for s in swaps if s != target),
            points=points,
            calls=target,
        )


def _requiring_grad(argument: Argument) -> Argument:
    if isinstance(argument, ArrayArgument) and argument.kind != "array":
        return ArrayArgument(argument.source, "tensor", True, argument.dtype)
    return argument
