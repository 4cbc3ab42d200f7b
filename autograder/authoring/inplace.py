"""Functions that update their arguments in place and return None: an optimiser's step, a Q-table update.

What such a function does is the state it leaves its arguments in, so that is what is judged: each
updated argument after the call against the solution's after the same call. A None return is the
answer's normal shape here, not a missing ``return``. When the values differ, the change the call
made is compared with the solution's change, so the kit's usual messages (a flipped sign, a step
twice as large, a sum for a mean) name what went wrong with the update itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

import numpy as np

from autograder.authoring import checks
from autograder.authoring.language import halves, say
from autograder.authoring.observations import Observation, diagnosed
from autograder.authoring.wire import ProbeError, Value

# A change is a new float32 value less an old one: a step twice the size comes out 2x the reference's
# to about 1e-6, not exactly.
CHANGE_RTOL = 1e-4


def state_of(argument: Any) -> Any:
    """What an updated argument holds after the call: a tensor or array as it is (encoded later),
    a list of them as a list, a model as its weights in ``state_dict`` order."""
    if callable(getattr(argument, "state_dict", None)):
        return [tensor.detach().clone() for tensor in argument.state_dict().values()]
    if isinstance(argument, (list, tuple)):
        return list(argument)
    return argument


@dataclass(frozen=True)
class Updated(Observation):
    """Argument ``argument`` after an in-place call, judged by its values and by the change the call made."""

    probed: ClassVar[tuple[str, ...]] = ("argument",)
    argument: int = 0
    label: str = ""
    rtol: float = checks.FLOAT32_RTOL
    atol: float = checks.FLOAT32_ATOL
    diagnoses: tuple = ()
    key: str = ""

    def record(self, call, stored):
        if isinstance(call.returned, ProbeError) or call.returned is Ellipsis:
            return call.returned  # a blank or an error says more than arguments left as they were
        return state_of(call.arguments[self.argument])

    def judge(self, student, reference, inputs, *, what):
        before = stored_before(inputs, f"a{self.argument}", reference)
        return judge_update(
            student,
            reference,
            before,
            label=self.label or f"#{self.argument}",
            what=what,
            inputs=inputs,
            rtol=self.rtol,
            atol=self.atol,
            diagnoses=self.diagnoses,
        )


def stored_before(inputs: Mapping[str, Any], key: str, reference: Value) -> list:
    """The values an updated argument held before the call, item by item as ``judge_update`` compares them."""
    if reference.kind == "list":
        return [inputs.get(f"{key}.{index}") for index in range(len(reference.items))]
    return [inputs.get(key)]


def judge_update(
    student: Value,
    reference: Value,
    before: list,
    *,
    label: str,
    what: str,
    inputs: Mapping[str, Any],
    rtol: float,
    atol: float,
    diagnoses=(),
) -> checks.Verdict:
    """Does the argument ``label`` hold, after ``what``, what the solution left in it (see the module docstring)?

    ``before`` holds its values before the call (a list: one entry, or one per item of a list).
    """
    problem = checks.unfinished(student, what=what) if student.kind in ("error", "ellipsis") else None
    if problem:
        return checks.Verdict.fail(problem)
    mine, theirs = _items(student), _items(reference)
    if len(mine) != len(theirs):
        return checks.Verdict.fail(
            say(
                f"{what} 之后 {label} 有 {len(mine)} 项，应为 {len(theirs)} 项：原地更新每一项，不要增删",
                f"after {what}, {label} holds {len(mine)} items, expected {len(theirs)}: update each item in place, "
                "adding or removing none",
            )
        )
    if all(_same(item, old) for item, old in zip(mine, before)) and not all(
        _same(item, old) for item, old in zip(theirs, before)
    ):
        return checks.Verdict.fail(_unchanged(theirs[0].kind, label=label, what=what))
    for index, (item, expected, old) in enumerate(zip(mine, theirs, before)):
        name = f"{label}[{index}]" if reference.kind == "list" else label
        verdict = checks.compare(item, expected, what=name, rtol=rtol, atol=atol)
        if verdict.passed:
            continue
        return diagnosed(diagnoses, student, reference, inputs) or checks.Verdict.fail(
            _change_named(item, expected, old, name=name, what=what) or verdict.message
        )
    return checks.Verdict.ok()


def _unchanged(kind: str, *, label: str, what: str) -> str:
    """The message for an argument left as it was; a NumPy array is updated otherwise than a tensor."""
    if kind == "ndarray":
        return say(
            f"{what} 之后 {label} 没有变化：要原地修改传入的数组（如 q[i, j] += ... 或 q[...] = 新值），"
            "而不是复制它或给局部变量重新赋值",
            f"{label} is unchanged after {what}: change the array passed in, in place (q[i, j] += ..., "
            "or q[...] = new values), not a copy or a local name rebound to a new one",
        )
    return say(
        f"{what} 之后 {label} 没有变化：要原地修改传入的张量（在 torch.no_grad() 下 p -= ...，"
        "或 p.data、p.copy_(...)），而不是给局部变量重新赋值",
        f"{label} is unchanged after {what}: change the tensors passed in, in place (p -= ... under "
        "torch.no_grad(), or p.data, p.copy_(...)), not a local name rebound to a new one",
    )


def _items(value: Value) -> list[Value]:
    return list(value.items) if value.kind == "list" else [value]


def _same(value: Value, before: Any) -> bool:
    return (
        before is not None
        and value.array is not None
        and value.array.shape == np.shape(before)
        and bool(np.array_equal(value.array, before))
    )


def _change_named(student: Value, reference: Value, before: Any, *, name: str, what: str) -> str | None:
    """The kit's message for how the change ``what`` made to ``name`` differs from the solution's, or None."""
    mine, theirs = checks.numbers_of(student), checks.numbers_of(reference)
    if before is None or mine is None or theirs is None or mine.shape != theirs.shape or mine.shape != np.shape(before):
        return None
    start = np.asarray(before, dtype=np.float64)
    zh, en = halves(name)
    # No inputs: their row counts would read a step scaled by a parameter's size as a sum for a mean.
    return checks.common_diagnoses(
        mine - start,
        theirs - start,
        {},
        say(f"{what} 对 {zh} 的改变量", f"the change {what} makes to {en}"),
        rtol=CHANGE_RTOL,
    )
