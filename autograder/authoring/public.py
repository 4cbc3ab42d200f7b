"""What a notebook's public tests call: the student's function on small public inputs, judged by the
same code as the hidden cases, with a message in both languages and nothing else.

A public test cell reads::

    def test_squares(square):
        from autograder.authoring.public import check_output
        check_output(square, torch.tensor([-2.0, 0.0, 3.0]), expected=torch.tensor([4.0, 0.0, 9.0]))

Each check calls the function through ``call_guarded`` (a blank says "not written yet"), hands the
result through the wire format, and judges it with ``checks.compare`` or ``checks.diagnose_curve``
and the assignment's own diagnoses, exactly as a hidden case would. ``using`` puts known-good stand-ins
(built from torch's own functions) into the function's globals while it runs, so a check tests one
question alone. A failure raises ``CheckFailed``; importing this module makes Otter show that
message alone, without the test's source line.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from autograder.authoring import checks, wire
from autograder.authoring.cases import call_guarded, swapped
from autograder.authoring.checks import CheckFailed
from autograder.authoring.inplace import judge_update, state_of
from autograder.authoring.language import say
from autograder.authoring.otter_messages import show_check_messages_alone
from autograder.authoring.public_values import diagnosis_inputs, fresh_copies, judged_value
from autograder.authoring.thresholds import FINAL_LOSS, LAST, check_bars, judge_threshold, measured


def check_output(
    function: Any,
    *arguments: Any,
    expected: Any,
    what: str | None = None,
    rtol: float = checks.FLOAT32_RTOL,
    atol: float = checks.FLOAT32_ATOL,
    relabel: bool = False,
    up_to_sign: bool = False,
    using: Mapping[str, Callable] | None = None,
    diagnose: Iterable[checks.Diagnosis] = (),
) -> Any:
    """``function(*arguments)`` must equal ``expected`` (a value, or a callable given copies of the arguments);
    ``relabel`` and ``up_to_sign`` compare as ``Cases.output`` does.

    Returns what the function returned, for further checks.
    """
    name = what or _name(function)
    returned = _call(function, arguments, using)
    reference = expected(*fresh_copies(arguments)) if callable(expected) else expected
    verdict = checks.compare(
        judged_value(returned),
        judged_value(reference),
        what=name,
        inputs=diagnosis_inputs(arguments),
        rtol=rtol,
        atol=atol,
        relabel=relabel,
        signs=up_to_sign,
        diagnoses=tuple(diagnose),
    )
    _raise_unless(verdict)
    return returned


def check_gradient(
    function: Any,
    argument: Any,
    *others: Any,
    expected: Any,
    what: str | None = None,
    rtol: float = 1e-3,
    atol: float = 1e-5,
    using: Mapping[str, Callable] | None = None,
) -> None:
    """The gradient that reaches ``argument`` (a float tensor) through ``function(argument, *others).sum()``."""
    import torch

    name = what or _name(function)
    leaf = argument.detach().clone().requires_grad_(True)
    returned = _call(function, (leaf, *others), using)
    problem = checks.blank_or_error(judged_value(returned), what=name)
    if problem:
        raise CheckFailed(problem)
    try:
        returned.sum().backward()
    except Exception:
        pass
    if not isinstance(leaf.grad, torch.Tensor):
        raise CheckFailed(
            say(
                f"梯度无法穿过 {name}：请只用 torch 运算（不要用 math、NumPy 或 .item()）",
                f"no gradient flows through {name}: build it from torch operations only (not math, NumPy or .item())",
            )
        )
    verdict = checks.compare(
        judged_value(leaf.grad),
        judged_value(expected),
        what=say(f"{name} 的梯度", f"the gradient through {name}"),
        rtol=rtol,
        atol=atol,
    )
    _raise_unless(verdict)


def check_curve(
    function: Any,
    *arguments: Any,
    expected: Any,
    what: str | None = None,
    rtol: float = 1e-3,
    atol: float = 1e-5,
    using: Mapping[str, Callable] | None = None,
) -> Any:
    """A training function's returned losses, step by step against ``expected`` (a list, or a callable
    given copies of the arguments), with the usual loop mistakes named. Returns what it returned."""
    name = what or _name(function)
    reference = expected(*fresh_copies(arguments)) if callable(expected) else expected
    returned = _call(function, arguments, using)
    value = judged_value(returned)
    problem = checks.blank_or_error(value, what=name)
    if problem:
        raise CheckFailed(problem)
    curve = checks.numbers_of(value)
    if curve is None or curve.ndim != 1:
        raise CheckFailed(
            say(
                f"{name} 应返回损失列表（每步一个数），却返回了 {checks.describe(value)}",
                f"{name} should return a list with one loss per step, but returned {checks.describe(value)}",
            )
        )
    _raise_unless(
        checks.diagnose_curve(
            curve,
            np.asarray(reference, dtype=np.float64),
            rtol=rtol,
            atol=atol,
            what=say(f"{name} 的损失曲线", f"the loss curve of {name}"),
        )
    )
    return returned


def check_inplace(
    function: Any,
    *arguments: Any,
    expected: Any,
    updates: Sequence[int] = (0,),
    what: str | None = None,
    rtol: float = checks.FLOAT32_RTOL,
    atol: float = checks.FLOAT32_ATOL,
    using: Mapping[str, Callable] | None = None,
    diagnose: Iterable[checks.Diagnosis] = (),
) -> None:
    """``function(*arguments)`` must update the arguments at positions ``updates`` in place as ``expected``
    does: a callable given copies of the arguments (gradients included) that updates them, such as
    ``lambda params, lr: torch.optim.SGD(params, lr=lr).step()``, or the values those arguments hold
    afterwards, one per position. Returning None is right here; a flipped or scaled step is named."""
    name = what or _name(function)
    before = fresh_copies(arguments)
    if callable(expected):
        updated = fresh_copies(arguments)
        expected(*updated)
        expected = [updated[position] for position in updates]
    returned = _call(function, arguments, using)
    if returned is Ellipsis or isinstance(returned, wire.ProbeError):
        raise CheckFailed(checks.unfinished(judged_value(returned), what=name))
    labels = _parameter_names(function)
    for position, wanted in zip(updates, expected):
        reference, start = judged_value(state_of(wanted)), judged_value(state_of(before[position]))
        old = [item.array for item in start.items] if start.kind == "list" else [start.array]
        label = labels[position] if position < len(labels) else f"#{position}"
        _raise_unless(
            judge_update(
                judged_value(state_of(arguments[position])),
                reference,
                old,
                label=label,
                what=name,
                inputs=diagnosis_inputs(tuple(before)),
                rtol=rtol,
                atol=atol,
                diagnoses=tuple(diagnose),
            )
        )


def check_threshold(
    function: Any,
    *arguments: Any,
    below: Any = None,
    at_least: Any = None,
    measure: Any = LAST,
    label: str = FINAL_LOSS,
    reference: float | None = None,
    what: str | None = None,
    using: Mapping[str, Callable] | None = None,
) -> Any:
    """A number ``function(*arguments)`` reaches must clear the bars, as ``Cases.threshold`` judges it: the
    last number it returns, or ``measure(returned, *arguments)``. A bar set by ``reference_bar(...)``
    needs the solution's value as ``reference=``. Returns what the function returned."""
    name = what or _name(function)
    check_bars(below, at_least, where=f"check_threshold({name})")
    returned = _call(function, arguments, using)
    try:
        number = measured(returned, measure, list(arguments))
    except Exception as error:
        number = wire.ProbeError(f"{type(error).__name__}: {error}")
    _raise_unless(
        judge_threshold(
            judged_value(number), reference_value=reference, below=below, at_least=at_least, label=label, what=name
        )
    )
    return returned


def call(function: Any, *arguments: Any, what: str | None = None, using: Mapping[str, Callable] | None = None) -> Any:
    """``function(*arguments)`` for a check to look at; a blank, a missing return or an exception
    fails the check with its message (the known PyTorch errors explained) instead of a traceback."""
    name = what or _name(function)
    returned = _call(function, arguments, using)
    problem = (
        checks.blank_or_error(judged_value(returned), what=name)
        if returned is None or returned is Ellipsis or isinstance(returned, wire.ProbeError)
        else None
    )
    if problem:
        raise CheckFailed(problem)
    return returned


def check_that(condition: bool, chinese: str, english: str) -> None:
    """A plain condition, failing with the message in both languages."""
    if not condition:
        raise CheckFailed(say(chinese, english))


def _name(function: Any) -> str:
    return getattr(function, "__name__", "the function")


def _parameter_names(function: Any) -> list[str]:
    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return []


def _call(function: Any, arguments: tuple, using: Mapping[str, Callable] | None) -> Any:
    namespace = getattr(function, "__globals__", None)
    if using and isinstance(namespace, dict):
        with swapped(namespace, dict(using)):
            return call_guarded(function, *arguments)
    return call_guarded(function, *arguments)


def _raise_unless(verdict: checks.Verdict) -> None:
    if not verdict.passed:
        raise CheckFailed(verdict.message)


show_check_messages_alone()
