"""``compare``: a returned value against the reference's, checked in the order that teaches (an error or blank, the
kind, the shape, integers for decimals, non-finite values, then the values), with the first failure's message."""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

from autograder.authoring.labels import compare_labels, match_rows
from autograder.authoring.language import halves, say
from autograder.authoring.numeric import (
    ARRAY_KINDS,
    FLOAT32_ATOL,
    FLOAT32_RTOL,
    first_mismatch,
    fmt,
    index_text,
    match_signs,
    nonfinite_positions,
    numbers_of,
)
from autograder.authoring.scale_mistakes import common_diagnoses
from autograder.authoring.unfinished import describe
from autograder.authoring.verdict import Diagnosis, Verdict
from autograder.authoring.wire import Value
from autograder.authoring.wrong_kind import kind_problem


def compare(
    student: Value,
    reference: Value,
    *,
    what: str,
    inputs: Mapping[str, np.ndarray] | None = None,
    rtol: float = FLOAT32_RTOL,
    atol: float = FLOAT32_ATOL,
    relabel: bool = False,
    signs: bool = False,
    diagnoses: Iterable[Diagnosis] = (),
) -> Verdict:
    """Does ``student`` equal the reference's ``reference`` (within float32 tolerance)?

    Checks, in order, and says which failed: an error or blank, the kind (tensor,
    NumPy array, Python number, list), the shape, integer results where floats
    are expected, non-finite values, then the values themselves. A list (a
    returned tuple) is compared item by item. With ``relabel``, integer labels
    count as equal up to renaming the labels (cluster numbers are arbitrary),
    a 2-D float array up to the order of its rows (the centroids of those
    clusters), and other floats as they are. With ``signs``, each row of a 2-D float array (a 1-D
    one as a whole) counts as equal with either sign: directions such as eigenvectors. ``diagnoses`` explain a value or
    shape mismatch before the generic message does.
    """
    inputs = inputs or {}
    zh, en = halves(what)
    problem = kind_problem(student, reference, what)
    if problem:
        return Verdict.fail(problem)
    mine, theirs = numbers_of(student), numbers_of(reference)
    if theirs is None and student.kind == reference.kind == "list":
        return _compare_items(
            student,
            reference,
            what=what,
            inputs=inputs,
            rtol=rtol,
            atol=atol,
            relabel=relabel,
            signs=signs,
            diagnoses=diagnoses,
        )
    if theirs is None:
        return (
            Verdict.ok()
            if student.kind == reference.kind
            else Verdict.fail(
                say(
                    f"{zh} 返回了 {describe(student, language='zh')}",
                    f"{en} returned {describe(student, language='en')}",
                )
            )
        )
    if mine is None:
        return Verdict.fail(
            say(
                f"{zh} 返回的 {describe(student, language='zh')} 不是数值",
                f"{en} returned {describe(student, language='en')}, which holds no numbers",
            )
        )
    if mine.shape != theirs.shape:
        return Verdict.fail(
            _diagnosed(diagnoses, student, reference, inputs)
            or say(
                f"{zh} 的形状是 {tuple(mine.shape)}，应为 {tuple(theirs.shape)}",
                f"{en} has shape {tuple(mine.shape)}, expected {tuple(theirs.shape)}",
            )
        )
    if _integer_for_float(student, reference):
        return Verdict.fail(
            say(
                f"{zh} 得到的是整数，应是小数：是不是用了整数除法或比较结果？",
                f"{en} came out as integers where decimals are expected: integer division, or a comparison left "
                "unconverted?",
            )
        )
    bad = nonfinite_positions(mine)
    unexpected_nonfinite = bool(bad.size) and not nonfinite_positions(theirs).size
    fraction = None if unexpected_nonfinite else _fraction_for_integer(mine, reference)
    if fraction is not None:
        where = index_text(mine.shape, fraction)
        return Verdict.fail(
            say(
                f"{zh}{where} 是 "
                f"{fmt(mine.ravel()[fraction])}，应是整数（类别或下标）：是不是返回了最大值本身，而不是它的位置（argmax）？",
                f"{en}{where} is {fmt(mine.ravel()[fraction])} where whole numbers (labels or indices) are expected: "
                "the largest values themselves instead of their positions (argmax)?",
            )
        )
    if relabel and not unexpected_nonfinite and _is_float(reference):
        if theirs.ndim == 2:
            mine = mine[match_rows(mine, theirs)]  # centroids: the same rows in any order
    elif relabel and not unexpected_nonfinite:
        return compare_labels(mine, theirs, what)
    if signs and not unexpected_nonfinite and _is_float(reference):
        mine = match_signs(mine, theirs)
    where = first_mismatch(mine, theirs, rtol=rtol, atol=atol)
    if where is None and not unexpected_nonfinite:
        return Verdict.ok()
    message = _diagnosed(diagnoses, student, reference, inputs)
    if message:
        return Verdict.fail(message)
    if unexpected_nonfinite:
        index = index_text(mine.shape, int(bad[0]))
        return Verdict.fail(
            say(
                f"{zh}{index} 是 {mine.ravel()[bad[0]]}：出现了 nan 或 inf（溢出、除以 0 或 log(0)？）",
                f"{en}{index} is {mine.ravel()[bad[0]]}: not finite (an overflow, a division by zero or log(0)?)",
            )
        )
    named = common_diagnoses(mine, theirs, inputs, what)
    if named:
        return Verdict.fail(named)
    index = index_text(mine.shape, where)
    return Verdict.fail(
        say(
            f"{zh}{index} 是 {fmt(mine.ravel()[where])}，应为 {fmt(theirs.ravel()[where])}",
            f"{en}{index} is {fmt(mine.ravel()[where])}, expected {fmt(theirs.ravel()[where])}",
        )
    )


def _fraction_for_integer(mine: np.ndarray, reference: Value) -> int | None:
    """Flat index of the first non-whole number in ``mine`` when the reference holds integers, else None."""
    integer = reference.array.dtype.kind in "iu" if reference.kind in ARRAY_KINDS else reference.kind == "int"
    if not integer:
        return None
    hits = np.flatnonzero(np.isfinite(mine) & (mine != np.round(mine)))
    return int(hits[0]) if hits.size else None


def _diagnosed(
    diagnoses: Iterable[Diagnosis], student: Value, reference: Value, inputs: Mapping[str, np.ndarray]
) -> str | None:
    """The first message a diagnosis gives, or None."""
    return next(
        (message for message in (diagnosis(student, reference, inputs) for diagnosis in diagnoses) if message), None
    )


def _compare_items(
    student: Value,
    reference: Value,
    *,
    what: str,
    inputs,
    rtol: float,
    atol: float,
    relabel: bool,
    signs: bool,
    diagnoses: Iterable[Diagnosis],
) -> Verdict:
    """A returned list or tuple, item by item: its length, then each item as ``compare`` would."""
    diagnoses = tuple(diagnoses)
    zh, en = halves(what)
    if len(student.items) != len(reference.items):
        return Verdict.fail(
            _diagnosed(diagnoses, student, reference, inputs)
            or say(
                f"{zh} 返回了 {len(student.items)} 个值，应为 {len(reference.items)} 个",
                f"{en} returned {len(student.items)} items, expected {len(reference.items)}",
            )
        )
    for index, (mine, theirs) in enumerate(zip(student.items, reference.items)):
        verdict = compare(
            mine,
            theirs,
            what=say(f"{zh}[{index}]", f"{en}[{index}]"),
            inputs=inputs,
            rtol=rtol,
            atol=atol,
            relabel=relabel,
            signs=signs,
        )
        if not verdict.passed:
            return Verdict.fail(_diagnosed(diagnoses, student, reference, inputs) or verdict.message)
    return Verdict.ok()


def _is_float(value: Value) -> bool:
    if value.kind in ARRAY_KINDS:
        return value.array.dtype.kind == "f"
    return value.kind == "float"


def _integer_for_float(student: Value, reference: Value) -> bool:
    def is_integer(value: Value) -> bool:
        if value.kind in ARRAY_KINDS:
            return value.array.dtype.kind in "iub"
        return value.kind in ("int", "bool")

    return (
        _is_float(reference)
        and is_integer(student)
        and not np.array_equal(np.asarray(numbers_of(student)), np.asarray(numbers_of(reference)))
    )
