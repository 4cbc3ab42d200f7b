"""Functions that update their arguments in place and return None: an optimiser's step with parameters
that already hold a gradient, a Q-table update. The state they leave is judged, a None return is the
answer's normal shape, and a flipped or scaled step is named, in a hidden case and a public check alike."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.authoring import Cases, CheckFailed, array, integers, normal, parameter, say, uniform
from autograder.authoring.public import check_inplace
from tests.test_declared_cases import _namespace, judged

cases = Cases(torch=True)

SGD = """
def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
"""
SGD_CASE = cases.inplace(
    "sgd_step",
    "two_tensors",
    [
        parameter(normal(0, 1, (3, 2)), grad=normal(0, 1, (3, 2))),
        parameter(normal(0, 1, (2,)), grad=normal(0, 1, (2,))),
    ],
    0.1,
    updates={0: "params"},
)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("p -= lr", "p += lr"), "the change sgd_step makes to params[0] has the wrong sign"),
        (
            ("p -= lr", "p -= 2 * lr"),
            "the change sgd_step makes to params[0] is 2x the reference: check the constant factor",
        ),
        (
            (
                "with torch.no_grad():\n        for p in params:\n            p -= lr * p.grad",
                "for p in params:\n        p = p - lr * p.grad",
            ),
            "params is unchanged after sgd_step: change the tensors passed in, in place",
        ),
        (
            ("with torch.no_grad():\n        for p in params:\n            p -= lr * p.grad", "..."),
            "sgd_step is not written yet",
        ),
        (
            (
                "with torch.no_grad():\n        for p in params:\n            p -= lr * p.grad",
                "for p in params:\n        p.sub_(lr * p.grad)",
            ),
            "an in-place update of a leaf tensor that requires grad",
        ),
        (("for p in params:", "for p in params[:1]:"), "params[1][0] is"),
    ],
)
def test_an_in_place_step_is_judged_by_the_state_it_leaves(change, says):
    student = SGD.replace(*change)
    assert student != SGD
    verdict = judged(SGD_CASE, SGD, student)
    assert not verdict.passed and says in verdict.message, verdict.message


def test_a_correct_in_place_step_passes_though_it_returns_none():
    written_otherwise = SGD.replace("p -= lr * p.grad", "p.copy_(p - lr * p.grad)")
    assert judged(SGD_CASE, SGD, SGD).passed and judged(SGD_CASE, SGD, written_otherwise).passed


def test_parameter_hands_over_a_leaf_tensor_whose_grad_is_filled():
    from autograder.authoring import InputContext
    from autograder.authoring.arguments import Scope

    declared = parameter(normal(0, 1, (4,)), grad=uniform(1, 2, (4,)))
    stored = declared.make(InputContext(rng=np.random.default_rng(1)))
    built = declared.build(stored, Scope({}, torch=True))
    assert built.is_leaf and built.requires_grad and built.dtype == torch.float32
    assert torch.equal(built.grad, torch.tensor(stored["grad"])) and bool((built.grad >= 1).all())
    assert (
        parameter(normal(0, 1, (2,)))
        .build(parameter(normal(0, 1, (2,))).make(InputContext(rng=np.random.default_rng(1))), Scope({}, torch=True))
        .grad
        is None
    )


Q_UPDATE = """
def q_update(q, state, action, reward, next_state, alpha, gamma):
    target = reward + gamma * q[next_state].max()
    q[state, action] += alpha * (target - q[state, action])
"""
Q_CASE = Cases(torch=False).inplace(
    "q_update", "one_step", array(uniform(0, 1, (5, 4))), 2, 1, 1.0, 3, 0.5, 0.9, updates={0: "q"}
)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            ("alpha * (target - q[state, action])", "alpha * (q[state, action] - target)"),
            "the change q_update makes to q has the wrong sign",
        ),
        (
            ("q[state, action] +=", "q = q.copy()\n    q[state, action] +="),
            "q is unchanged after q_update: change the array passed in",
        ),
        (("q[next_state].max()", "q[next_state].min()"), "q[2, 1] is"),
    ],
)
def test_a_numpy_table_updated_in_place_is_judged_the_same_way(change, says):
    verdict = judged(Q_CASE, Q_UPDATE, Q_UPDATE.replace(*change))
    assert not verdict.passed and says in verdict.message, verdict.message


def test_a_diagnosis_receives_the_literal_arguments_as_written():
    def forgot_the_learning_rate(student, reference, inputs):
        assert inputs["a1"] == 2 and inputs["a5"] == 0.5 and inputs["a6"] == 0.9  # state, alpha, gamma
        return say("没乘学习率", "the step is not scaled by alpha") if inputs["a5"] == 0.5 else None

    case = Cases(torch=False).inplace(
        "q_update",
        "one_step",
        array(uniform(0, 1, (5, 4))),
        2,
        1,
        1.0,
        3,
        0.5,
        0.9,
        updates={0: "q"},
        diagnose=[forgot_the_learning_rate],
    )
    verdict = judged(case, Q_UPDATE, Q_UPDATE.replace("alpha * (target", "(target"))
    assert not verdict.passed and verdict.message == say("没乘学习率", "the step is not scaled by alpha")


def test_inplace_wants_the_arguments_it_updates():
    from autograder.authoring import DeclarationError

    with pytest.raises(DeclarationError, match=r"case sgd_step/none: inplace\(\) needs updates="):
        cases.inplace("sgd_step", "none", [parameter(normal(0, 1, (2,)))], 0.1, updates={})


# The public twin ---------------------------------------------------------------------------------------


def _parameters() -> list:
    first = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    second = torch.tensor([0.25, -1.0], requires_grad=True)
    first.grad, second.grad = torch.tensor([[0.1, 0.2], [-0.3, 0.4]]), torch.tensor([1.0, -1.0])
    return [first, second]


def _torch_sgd(params, lr):
    torch.optim.SGD(params, lr=lr).step()


@pytest.mark.parametrize(
    ("student", "says"),
    [
        (SGD, None),
        (SGD.replace("p -= lr", "p += lr"), "the change sgd_step makes to params[0] has the wrong sign"),
        (SGD.replace("p -= lr", "p -= 0.5 * lr"), "is 0.5x the reference"),
        ("def sgd_step(params, lr):\n    ...\n", "sgd_step is not written yet"),
        (
            "def sgd_step(params, lr):\n    return [p - lr * p.grad for p in params]\n",
            "params is unchanged after sgd_step",
        ),
    ],
)
def test_check_inplace_compares_with_a_library_step(student, says):
    step = _namespace(student)["sgd_step"]
    if says is None:
        check_inplace(step, _parameters(), 0.5, expected=_torch_sgd)
        return
    with pytest.raises(CheckFailed) as failure:
        check_inplace(step, _parameters(), 0.5, expected=_torch_sgd)
    assert says in str(failure.value)


def test_check_inplace_takes_the_values_the_arguments_should_hold():
    table = np.zeros((3, 2))
    expected = table.copy()
    expected[1, 0] = 0.5 * (1.0 + 0.9 * 0.0)
    update = _namespace(Q_UPDATE)["q_update"]
    check_inplace(update, table, 1, 0, 1.0, 2, 0.5, 0.9, expected=[expected])
    with pytest.raises(CheckFailed, match="q is unchanged after q_update"):
        check_inplace(update, np.zeros((3, 2)), 1, 0, 0.0, 2, 0.5, 0.9, expected=[expected])


def test_a_list_argument_may_mix_draws_and_parameters():
    case = cases.inplace("bump", "indices", [integers(0, 3, (4,)), parameter(normal(0, 1, (3,)))], updates={0: "pair"})
    solution = "def bump(pair):\n    with torch.no_grad():\n        pair[1][pair[0]] += 1.0\n"
    assert judged(case, solution, solution).passed
    assert not judged(case, solution, solution.replace("+= 1.0", "-= 1.0")).passed
