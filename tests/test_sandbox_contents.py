"""What a sandbox holds of each assignment's hidden cases answers none of them.

A notebook can reach every function in its process, so each function of the cases file the
probe plan carries (a probe, a helper it calls, a ``predict``, a chart's code) is tried here
as the student's answer to every hidden case: called as the student's function would be, and
with a namespace in which every name is the first argument (how a chart's ``predict(namespace,
grid)`` would be turned into a ``predict(model, x)``). None may pass. nn_module's accuracy
check and chart once picked the label with ``argmax``, which is its predict question's answer.
"""

from __future__ import annotations

import collections
import gc
import sys
import types

import pytest

from autograder.authoring import wire
from autograder.authoring.suite import judge, probe, reference_globals
from autograder.grading.grading_folder import GradingFolder
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.sandbox.probe_plan import ProbePlan

pytestmark = pytest.mark.slow
ASSIGNMENTS = ("logistic_regression", "kmeans", "nn_module", "digits_cnn")


def _held_functions(plan: ProbePlan) -> list[types.FunctionType]:
    """The functions reachable from ``plan`` that came by value: those of no loaded module."""
    modules = {id(vars(module)) for module in list(sys.modules.values()) if hasattr(module, "__dict__")}
    found, seen, todo = {}, set(), [plan]
    while todo:
        thing = todo.pop()
        if id(thing) in seen or id(thing) in modules or isinstance(thing, (type, types.ModuleType)):
            continue
        seen.add(id(thing))
        if isinstance(thing, types.FunctionType):
            if id(thing.__globals__) in modules:
                continue  # the kit's or a library's: what is shipped anyway
            found[id(thing)] = thing
        todo.extend(gc.get_referents(thing))
    return list(found.values())


def _namespace_first(function):
    """``function(namespace, x)`` called as ``f(model, ..., x)``: every name in the namespace is the model."""
    return lambda *arguments: function(collections.defaultdict(lambda: arguments[0]), arguments[-1])


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_function_a_sandbox_holds_answers_a_hidden_case(name, releases):
    assignment, _ = releases(name)
    with GradingFolder(AutograderZip.read(assignment.zip_path)) as folder:
        stored = folder.judge().suite
        held = _held_functions(ProbePlan.loads(folder.worker_setup(assignment).plan))
    assert held, "the plan carries no function of the cases file: this test would prove nothing"
    answered = []
    for case in stored.cases:
        inputs, expected, lent = stored.inputs(case), stored.expected(case), stored.reference_functions(case)
        for function in held:
            for answer in (function, _namespace_first(function)):
                namespace = {**reference_globals(), case.calls or case.question: answer}
                student = wire.loads(wire.dumps(probe(case, namespace, inputs, lent)))
                if judge(case, student, expected, inputs).passed:
                    answered.append((case.key, function.__qualname__))
    assert answered == []
