"""The contract of a hand-written probe: one that stops at a blank or an error hands back what
``call_guarded`` gave, alone or under any key, and the student reads "not written yet" or the error,
not which results the probe did not get to."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.authoring import Case, Verdict, call_guarded, checks, suite, wire
from tests.test_declared_cases import _namespace

SOLUTION = "def q_update(q, reward):\n    q[0] += reward\n    return q\n"


def _probe_returning(early):
    """A probe that calls ``q_update`` and returns ``early(result)`` when the call gave a blank or an error."""

    def probe(namespace, inputs, references):
        result = call_guarded(namespace.get("q_update"), np.array(inputs["q"]), 1.0)
        if result is Ellipsis or isinstance(result, wire.ProbeError):
            return early(result)
        return {"table": result, "first": float(result[0])}

    return probe


def _judge(student, reference, inputs):
    return checks.compare(student["table"], reference["table"], what="q_update")


@pytest.mark.parametrize(
    "early",
    [lambda result: result, lambda result: {"table": result}, lambda result: {"status": result}],
    ids=["bare", "one key", "other key"],
)
@pytest.mark.parametrize(
    ("student", "says"),
    [
        ("def q_update(q, reward):\n    ...\n", "q_update is not written yet"),
        ("def q_update(q, reward):\n    raise KeyError(3)\n", "q_update raised KeyError: 3"),
    ],
)
def test_a_probe_that_returns_early_says_what_stopped_it(early, student, says):
    case = Case(
        "q_update", "one", lambda context: {"q": np.zeros(3)}, _probe_returning(early), _judge, calls="q_update"
    )
    inputs = case.make_inputs(None)
    expected = {key: wire.decode(value) for key, value in suite.probe(case, _namespace(SOLUTION), inputs, {}).items()}
    probed = wire.loads(wire.dumps(suite.probe(case, _namespace(student), inputs, {})))
    verdict = suite.judge(case, probed, expected, inputs)
    assert not verdict.passed and says in verdict.message and "lack" not in verdict.message, verdict.message


def test_results_a_finished_call_lacks_are_still_named():
    case = Case(
        "q_update",
        "one",
        lambda context: {"q": np.zeros(3)},
        lambda namespace, inputs, references: {"table": np.zeros(3)},
        lambda *_: Verdict.ok(),
    )
    verdict = suite.judge(
        case,
        {"table": wire.decode(wire.encode(np.zeros(3)))},
        {"table": wire.Value("ndarray"), "first": wire.Value("float")},
        {},
    )
    assert "could not be checked: its results lack ['first']" in verdict.message
