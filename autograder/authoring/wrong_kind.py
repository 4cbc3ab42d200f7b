"""The first thing a comparison checks: whether a returned value is the kind of thing the reference is (a tensor, a
NumPy array, a number, a list), with the fix when it is not."""

from __future__ import annotations

from autograder.authoring.language import halves, say
from autograder.authoring.numeric import ARRAY_KINDS, NUMBER_KINDS
from autograder.authoring.unfinished import describe, unfinished
from autograder.authoring.wire import Value


def kind_problem(student: Value, reference: Value, what: str) -> str | None:
    """Why ``student`` is not the kind of thing the reference is, or None."""
    problem = unfinished(student, what=what)
    if problem:
        return problem
    zh, en = halves(what)
    expected = reference.kind
    if expected == "tensor" and student.kind != "tensor":
        if student.kind in ("ndarray", "npscalar"):
            return say(
                f"{zh} 返回了 NumPy 数组：请全程用 torch 运算，结果才是张量",
                f"{en} returned a NumPy array: use torch operations throughout so the result stays a tensor",
            )
        return say(
            f"{zh} 应返回张量，却返回了 {describe(student, language='zh')}",
            f"{en} should return a tensor but returned {describe(student, language='en')}",
        )
    if expected in ("ndarray", "npscalar") and student.kind == "tensor":
        return say(
            f"{zh} 返回了 torch 张量：本题用 NumPy，应返回数组",
            f"{en} returned a torch tensor: this question works in NumPy, so return an array",
        )
    if expected in ("ndarray", "npscalar") and student.kind not in ARRAY_KINDS + NUMBER_KINDS:
        return say(
            f"{zh} 应返回 NumPy 数组，却返回了 {describe(student, language='zh')}",
            f"{en} should return a NumPy array but returned {describe(student, language='en')}",
        )
    if expected in ("float", "int") and student.kind == "tensor":
        return say(
            f"{zh} 应返回 Python 数字，却返回了张量：用 .item() 或 float(...) 转换",
            f"{en} should return a Python number, not a tensor: convert with .item() or float(...)",
        )
    if expected in NUMBER_KINDS and student.kind not in NUMBER_KINDS + ("npscalar",):
        return say(
            f"{zh} 应返回一个数，却返回了 {describe(student, language='zh')}",
            f"{en} should return a number but returned {describe(student, language='en')}",
        )
    if expected == "list" and student.kind not in ("list", "tensor", "ndarray"):
        return say(
            f"{zh} 应返回列表，却返回了 {describe(student, language='zh')}",
            f"{en} should return a list but returned {describe(student, language='en')}",
        )
    return None
