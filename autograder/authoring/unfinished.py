"""Messages for what is not an answer yet: a blank, a missing return, an exception (with advice for
the PyTorch errors students meet), and a short description of any returned value."""

from __future__ import annotations

from autograder.authoring.language import halves, say
from autograder.authoring.numeric import ARRAY_KINDS, NUMBER_KINDS
from autograder.authoring.wire import Value


def describe(value: Value, *, language: str | None = None) -> str:
    """A short, student-facing description of what a function returned.

    ``language`` "zh" or "en" gives one half, to embed in that half of a ``say``
    message; None gives both.
    """

    def words(chinese: str, english: str) -> str:
        return {"zh": chinese, "en": english}.get(language or "", say(chinese, english))

    if value.kind == "ellipsis":
        return words("`...`（还没有填写）", "`...` (the blank is not filled in yet)")
    if value.kind == "none":
        return words("None（是不是漏了 return？）", "None (is a `return` missing?)")
    if value.kind == "error":
        text = dict(zip(("zh", "en"), halves(value.text))).get(language or "", value.text)
        return words(f"一个异常：{text}", f"an error: {text}")
    if value.kind in ARRAY_KINDS:
        name = {"tensor": "tensor", "ndarray": "NumPy array", "npscalar": "NumPy scalar"}[value.kind]
        return f"{name} {tuple(value.array.shape)}"
    if value.kind in NUMBER_KINDS:
        return f"{value.kind} {value.number:g}"
    if value.kind == "list":
        return words(f"长度为 {len(value.items)} 的列表", f"a list of {len(value.items)}")
    return words(f"{value.type_name or value.kind} 类型的值", f"a value of type {value.type_name or value.kind}")


# PyTorch errors students meet while learning, with what to do about them.
KNOWN_ERRORS = (
    (
        "a leaf Variable that requires grad is being used in an in-place operation",
        "在需要梯度的叶子张量上做了原地修改：在 with torch.no_grad(): 里更新，或更新 .data",
        "an in-place update of a leaf tensor that requires grad: update it under `with torch.no_grad():`, or update "
        "`.data`",
    ),
    (
        "Trying to backward through the graph a second time",
        "对同一张计算图反向传播了两次：每一步都要重新计算损失",
        "backward ran twice through the same graph: compute the loss afresh at every step",
    ),
    (
        "element 0 of tensors does not require grad",
        "损失与参数之间的梯度断了：参数要 requires_grad=True，计算中不要 .detach()、.item() 或 NumPy",
        "the loss does not depend on anything that requires grad: parameters need requires_grad=True, and no "
        ".detach(), .item() or NumPy on the way",
    ),
    (
        "mat1 and mat2 shapes cannot be multiplied",
        "矩阵乘法的形状不匹配：检查每层的输入、输出大小",
        "matrix shapes do not match: check each layer's input and output sizes",
    ),
)


def explain_error(text: str) -> tuple[str, str] | None:
    """(Chinese, English) advice for a known PyTorch error message, or None."""
    return next(((chinese, english) for found, chinese, english in KNOWN_ERRORS if found in text), None)


def raised(what: str, text: str) -> str:
    """The message for a call of ``what`` that failed with ``text``.

    ``text`` is an exception's message (the same in both languages), or an
    explanation the kit wrote with ``say`` (each half goes to its language).
    """
    (what_zh, what_en), (text_zh, text_en) = halves(what), halves(text)
    advice = explain_error(text) if text_zh == text_en else None
    if advice:
        return say(f"{what_zh} 出错了：{advice[0]}（{text}）", f"{what_en} raised an error: {advice[1]} ({text})")
    if text_zh == text_en:
        return say(f"{what_zh} 出错了：{text}", f"{what_en} raised {text}")
    return say(f"{what_zh}：{text_zh}", f"{what_en}: {text_en}")


def unfinished(value: Value, *, what: str) -> str | None:
    """What is wrong when ``value`` is an error, a blank still holding ``...`` or a missing return; else None."""
    what_zh, what_en = halves(what)
    if value.kind == "error":
        return raised(what, value.text)
    if value.kind == "ellipsis":
        return say(f"{what_zh} 还没有写（仍是 `...`）", f"{what_en} is not written yet (the blank still holds `...`)")
    if value.kind == "none":
        return say(f"{what_zh} 返回了 None：是不是漏了 return？", f"{what_en} returned None: is a `return` missing?")
    return None


# The name cases files written before ``unfinished`` call.
blank_or_error = unfinished
