"""Attack: what a phase two chooses is quoted back on the feedback page.

Phase two runs the notebook's ``train`` and ``accuracy`` with the reference functions lent, so the
grader drops every string it sends (printed output, exception messages, type names).

Type names were kept when they looked like torch's, NumPy's or Python's own
(``torch.<up to four names of 31 characters>``), and a judge quotes the type of a value it cannot
use ("train should return a list ... but returned a value of type torch.cmV0dXJu..."). A class the
notebook defines can say its ``__module__`` is ``torch`` (or a phase two writes the result pipe
itself): about 120 characters of the sources a message, the whole of ``sigmoid`` and
``binary_loss`` in one submission. Now a type name is shown only if it names a type the grader
itself holds (Python's, NumPy's) or one of the few torch types the kit names.

Numbers were quoted as they came: the judges' messages quote what the student's function returned,
so they can help. A phase two that returns a zero-size array (it costs nothing, and no size cap sees
it) had its shape quoted in full ("accuracy should return a Python float but returned NumPy array
(0, 116, 103, 118, ...)"), one message per hidden case; list lengths and first losses were quoted
the same way. Eight bytes of the reference functions' sources per message, about fifty per
submission: on the course server, where a student submits several times a day, the sources of
``sigmoid`` and ``binary_loss`` arrived within a few submissions. Now a swap-in case's message keeps
only the numbers the grader writes itself (expected values, the inputs' sizes, the messages'
constants) and shows any number the notebook's values round to as "…"
(``autograder.grading.judging.quoted_numbers``); the words, and the expected numbers, still teach.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from autograder.authoring import wire
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.judge import Judge

SECRET = b"return 1 / (1 + torch.exp(-x.clamp(min=-60)))"
BYTES_PER_SHAPE = 7  # numpy caps the product of a zero-size array's other dimensions at 2**63


@pytest.fixture(scope="module")
def judge(releases, tmp_path_factory) -> Judge:
    assignment, _ = releases("logistic_regression")
    support = tmp_path_factory.mktemp("judge")
    autograder = AutograderZip.read(assignment.zip_path)
    autograder.extract_support(support)
    return Judge(autograder, support)


def _swap_in_cases(judge: Judge) -> list:
    cases = []
    for question in judge.autograder.questions.values():
        for graded in question.cases:
            case = next(
                (case for case in judge.module.cases if (case.question, case.name) == (question.name, graded.name)),
                None,
            )
            if case is not None and case.swap_in:
                cases.append(case)
    return cases


def _spelled(chunk: bytes) -> np.ndarray:
    """A zero-size array whose shape spells ``chunk``, one byte per dimension (each + 1, so none is 0)."""
    return np.zeros((0, *(byte + 1 for byte in chunk)), dtype=np.uint8)


def _claimed_types(chunks: list[str]) -> dict:
    """An object of a class that says it is torch's, its name spelling ``chunks``."""
    return {"kind": "other", "type": "torch." + ".".join(chunks)}


def test_a_phase_two_cannot_spell_the_reference_in_type_names(judge):
    cases = _swap_in_cases(judge)
    spelled = base64.b32encode(SECRET).decode().rstrip("=").lower()
    chunks = [f"x{spelled[i : i + 30]}" for i in range(0, len(spelled), 30)]
    probes = {}
    for number, case in enumerate(cases):
        value = _claimed_types(chunks[4 * number : 4 * number + 4] or ["Tensor"])
        probes[case.key] = {"acc": value} if case.question == "accuracy" else {"losses": value, "w": value, "b": value}
    grade = judge.grade(
        "typed.ipynb", "digest", json.dumps({"probes": {}}).encode(), json.dumps({"probes": probes}).encode()
    )

    page = " ".join(outcome.message for outcome in grade.cases)
    assert "a value of type" in page, page  # the judges did describe the values
    assert not [chunk for chunk in chunks if chunk in page], page


def test_a_phase_two_cannot_spell_the_reference_in_the_numbers_of_its_messages(judge):
    cases = _swap_in_cases(judge)
    chunks = [SECRET[i : i + BYTES_PER_SHAPE] for i in range(0, len(SECRET), BYTES_PER_SHAPE)]
    probes = {}
    for case, chunk in zip(cases, chunks):
        value = wire.encode(_spelled(chunk))
        probes[case.key] = (
            {"acc": value}
            if case.question == "accuracy"
            else {"losses": value, "w": wire.encode(np.zeros((2, 1))), "b": wire.encode(np.zeros(1))}
        )
    grade = judge.grade(
        "spelled.ipynb", "digest", json.dumps({"probes": {}}).encode(), json.dumps({"probes": probes}).encode()
    )

    page = " ".join(outcome.message for outcome in grade.cases if not outcome.passed)
    shapes = re.findall(r"\(0, ([\d, ]+)\)", page)
    read = b"".join(bytes(int(number) - 1 for number in shape.split(", ")) for shape in dict.fromkeys(shapes))
    assert not read, f"{len(read)} bytes of the secret came back from {len(cases)} cases' messages: {read!r}"


def test_a_swap_in_message_still_teaches_with_the_graders_numbers(judge):
    """A loss curve of the wrong length: the message says how many entries it should have, not how many it had."""
    curves = [case for case in _swap_in_cases(judge) if case.question == "train" and case.name.startswith("curve")]
    assert curves, "logistic_regression has no swap-in loss-curve case to look at"
    probes = {
        case.key: {"losses": wire.encode([0.5] * 37), "w": wire.encode(np.zeros((2, 1))), "b": wire.encode(np.zeros(1))}
        for case in curves
    }
    grade = judge.grade(
        "short.ipynb", "digest", json.dumps({"probes": {}}).encode(), json.dumps({"probes": probes}).encode()
    )

    messages = [outcome.message for outcome in grade.cases if outcome.name in {case.name for case in curves}]
    assert len(messages) == len(curves) and all(
        re.search(r"has … entries, expected one per epoch \(\d+\)", message) for message in messages
    ), messages
    assert not [message for message in messages if "37" in message], messages


@pytest.mark.parametrize("chosen", [4660, 51966])
def test_a_phase_two_cannot_spell_numbers_in_an_unreadable_report(judge, chosen):
    """Its report is the notebook's to write (it may patch the writer or write the pipe itself), and JSON's
    error quoted where it broke: "(Expecting value: line 1 column 4661 (char 4660))", a number of its choice."""
    committed = json.dumps({"probes": {}}).encode()
    broken = judge.grade("broken.ipynb", "digest", committed, b" " * chosen + b"x")
    nested = judge.grade("nested.ipynb", "digest", committed, b"[" * 100_000)
    assert broken.status.startswith("crash:") and nested.status.startswith("crash:"), (broken.status, nested.status)
    assert not re.search(r"\d", broken.status + nested.status), (broken.status, nested.status)


def test_a_phase_two_cannot_spell_the_reference_in_an_unknown_kind(judge):
    """A value of a kind the wire format does not know was quoted ("returned data that could not be read
    (unknown probe value kind 'qgnhefhc...')"): 38 letters of the notebook's choice a case, no digits to scrub."""
    spelled = "".join(chr(ord("a") + nibble) for byte in SECRET for nibble in divmod(byte, 16))
    chunks = [spelled[i : i + 36] for i in range(0, len(spelled), 36)]
    probes = {}
    for number, case in enumerate(_swap_in_cases(judge)):
        value = {"kind": "q" + chunks[number % len(chunks)]}
        probes[case.key] = {"acc": value} if case.question == "accuracy" else {"losses": value, "w": value, "b": value}
    revealed = json.dumps({"probes": probes}).encode()
    grade = judge.grade("kinds.ipynb", "digest", json.dumps({"probes": {}}).encode(), revealed)

    page = " ".join(outcome.message for outcome in grade.cases)
    assert probes and not any(chunk in page for chunk in chunks), page
