"""What declared cases tell a student: each language once, blanks named as blanks, and the model
and training slips the kit recognises (a class left blank, a softmax at the end of forward,
decimals where labels belong), plus the instructor's own diagnoses of modules and curves."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from autograder.authoring import Cases, InputContext, checks, model, normal, say, suite, wire
from autograder.authoring.cases import call_guarded, is_blank
from autograder.authoring.language import halves
from autograder.notebook_run import new_shell

cases = Cases(torch=True)


def _judged(case, solution: dict, student: dict) -> checks.Verdict:
    """``case`` judged on ``student``'s namespace against ``solution``'s, as release and grading do."""
    inputs = case.make_inputs(InputContext(rng=np.random.default_rng(5), namespace=solution))
    reference = {key: wire.decode(value) for key, value in suite.probe(case, solution, inputs, {}).items()}
    probed = wire.loads(wire.dumps(suite.probe(case, student, inputs, {})))
    return suite.judge(case, probed, reference, inputs)


def _chinese_only_in_the_first_half(message: str) -> bool:
    chinese, english = halves(message)
    return chinese != english and not any("\u4e00" <= char <= "\u9fff" for char in english)


# Languages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (say("损失曲线", "the loss curve"), ("损失曲线", "the loss curve")),
        (
            say("train 出错了：ValueError: a / b", "train raised ValueError: a / b"),
            ("train 出错了：ValueError: a / b", "train raised ValueError: a / b"),
        ),
        ("ValueError: shapes (2,) / (3,) differ", ("ValueError: shapes (2,) / (3,) differ",) * 2),
        ("train", ("train", "train")),
    ],
)
def test_halves_splits_what_say_joined(text, expected):
    # The second row quotes an exception holding the separator in both halves.
    assert halves(text) == expected


def test_raised_puts_each_half_of_a_kit_explanation_in_its_language():
    message = checks.raised("predict", say("返回的不是 nn.Module", "it returned a list, not an nn.Module"))
    assert message == say("predict：返回的不是 nn.Module", "predict: it returned a list, not an nn.Module")


def test_raised_repeats_an_exception_in_both_languages():
    assert checks.raised("train", "KeyError: 3") == say("train 出错了：KeyError: 3", "train raised KeyError: 3")


@pytest.mark.parametrize(
    "language, expected",
    [("zh", "长度为 3 的列表"), ("en", "a list of 3"), (None, say("长度为 3 的列表", "a list of 3"))],
)
def test_describe_gives_one_language_when_asked(language, expected):
    value = wire.decode(wire.encode([1.0, 2.0, 3.0]))
    assert checks.describe(value, language=language) == expected


def test_a_curve_named_in_both_languages_is_named_once_per_language():
    verdict = checks.diagnose_curve(
        np.array([0.69, 0.60, 0.58, 0.61]),
        np.array([0.69, 0.60, 0.55, 0.52]),
        rtol=1e-3,
        atol=1e-6,
        what=say("train 的损失曲线", "the loss curve of train"),
    )
    assert not verdict.passed and _chinese_only_in_the_first_half(verdict.message)
    assert verdict.message.count("train") == 2, verdict.message


def test_a_mismatch_in_a_matrix_names_its_index_as_plain_numbers():
    student = wire.decode(wire.encode(torch.tensor([[1.0, 2.0], [3.0, 5.0]])))
    reference = wire.decode(wire.encode(torch.tensor([[1.0, 2.0], [3.0, 4.0]])))
    message = checks.compare(student, reference, what="forward").message
    assert "forward[1, 1] is 5" in message and "np.int64" not in message


# Labels --------------------------------------------------------------------------------------


def test_decimals_where_the_reference_has_labels_are_named():
    student = wire.decode(wire.encode(torch.tensor([0.25, 1.0])))
    reference = wire.decode(wire.encode(torch.tensor([1, 0])))
    verdict = checks.compare(student, reference, what="predict")
    assert not verdict.passed and "whole numbers" in verdict.message and "predict[0] is 0.25" in verdict.message


def test_whole_floats_for_labels_still_pass():
    student = wire.decode(wire.encode(torch.tensor([1.0, 0.0])))
    reference = wire.decode(wire.encode(torch.tensor([1, 0])))
    assert checks.compare(student, reference, what="predict").passed


# Blank classes ---------------------------------------------------------------------------------


class BlankNet(nn.Module):
    def __init__(self, sizes): ...

    def forward(self, x): ...


class HalfWrittenNet(nn.Module):
    def __init__(self, sizes): ...

    def forward(self, x):
        return x


class Plain:
    """A class with no methods of its own is not a blank: there is nothing to fill in."""


def test_a_class_whose_methods_are_all_blank_is_a_blank():
    assert is_blank(BlankNet) and call_guarded(BlankNet, 3) is Ellipsis


@pytest.mark.parametrize("cls", [HalfWrittenNet, Plain])
def test_a_class_with_any_written_method_or_none_is_called(cls):
    assert not is_blank(cls)
    assert isinstance(call_guarded(cls) if cls is Plain else call_guarded(cls, 3), cls)


def test_a_blank_class_in_a_notebook_shell_is_recognised():
    # Notebook kernels cannot read a class's source back; its methods' they can.
    shell = new_shell()
    shell.run_cell(
        "from torch import nn\nclass Net(nn.Module):\n    def __init__(self, size):\n        ...\n\n    def "
        "forward(self, x):\n        ...\n"
    )
    shell.run_cell("class Written(nn.Module):\n    def __init__(self, size):\n        super().__init__()\n")
    assert call_guarded(shell.user_ns["Net"], 3) is Ellipsis
    assert call_guarded(shell.user_ns["Written"], 3) is not Ellipsis


# Modules ---------------------------------------------------------------------------------------


class SolutionNet(nn.Module):
    def __init__(self, inputs, hidden, outputs):
        super().__init__()
        self.hidden = nn.Linear(inputs, hidden)
        self.output = nn.Linear(hidden, outputs)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x)))


class SoftmaxNet(SolutionNet):
    def forward(self, x):
        return torch.softmax(super().forward(x), dim=1)


class NoActivationNet(SolutionNet):
    def forward(self, x):
        return self.output(self.hidden(x))


class NoSuperInit(nn.Module):
    def __init__(self, inputs, hidden, outputs):
        self.sizes = (inputs, hidden, outputs)

    def forward(self, x):
        return x


class ModelBlank(nn.Module):
    def __init__(self, inputs, hidden, outputs): ...

    def forward(self, x): ...


MODULE_CASE = cases.module("Net", "sizes", 2, 5, 3, input=normal(0, 2, (6, 2)))


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (SolutionNet, None),
        (ModelBlank, "Net is not written yet"),
        (SoftmaxNet, "each row of the forward output sums to 1"),
        (NoSuperInit, "call super().__init__() first thing in __init__"),
    ],
)
def test_module_cases_name_the_usual_slips(student, message):
    verdict = _judged(MODULE_CASE, {"Net": SolutionNet}, {"Net": student})
    assert verdict.passed is (message is None), verdict.message
    if message:
        assert message in verdict.message and _chinese_only_in_the_first_half(verdict.message)


def test_a_module_diagnosis_explains_an_output_before_the_generic_message():
    def linear_only(student, reference, inputs):
        return say("缺了激活", "the activation is missing") if "forward.w0" in inputs else None

    case = cases.module("Net", "sizes", 2, 5, 3, input=normal(0, 2, (6, 2)), diagnose=[linear_only])
    assert _judged(case, {"Net": SolutionNet}, {"Net": NoActivationNet}).message == say(
        "缺了激活", "the activation is missing"
    )
    assert _judged(case, {"Net": SolutionNet}, {"Net": SolutionNet}).passed


# Training --------------------------------------------------------------------------------------


def _fit(model, x, y, epochs, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = nn.functional.cross_entropy(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def _fit_probabilities(model, x, y, epochs, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = nn.functional.cross_entropy(torch.softmax(model(x), dim=1), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def _blank_fit(model, x, y, epochs, lr): ...


def _first_loss_differs(student, reference, inputs):
    curve = checks.numbers_of(student)
    return (
        say("第一个损失就不同", "the first loss differs from the start")
        if curve is not None and curve[0] != checks.numbers_of(reference)[0]
        else None
    )


TRAINING_CASE = cases.training(
    "fit",
    "curve",
    model("Net", 2, 4, 3),
    normal(0, 1, (12, 2)),
    [0, 1, 2] * 4,
    5,
    0.5,
    updates={0: "model"},
    diagnose=[_first_loss_differs],
)


@pytest.mark.parametrize(
    ("fit", "message"),
    [
        (_fit, None),
        (_blank_fit, "fit is not written yet"),
        (_fit_probabilities, say("第一个损失就不同", "the first loss differs from the start")),
    ],
)
def test_training_cases_name_a_blank_and_run_the_instructors_diagnoses(fit, message):
    verdict = _judged(TRAINING_CASE, {"Net": SolutionNet, "fit": _fit}, {"Net": SolutionNet, "fit": fit})
    assert verdict.passed is (message is None), verdict.message
    if message:
        assert message in verdict.message


def test_accuracy_cases_name_a_blank_training_function():
    case = cases.accuracy(
        "fit",
        "held_out",
        model("Net", 2, 4, 3),
        normal(0, 1, (12, 2)),
        [0, 1, 2] * 4,
        5,
        0.5,
        predict=lambda net, x: net(x).argmax(dim=1),
        held_out=(normal(0, 1, (7, 2)), [0, 1, 2, 0, 1, 2, 0]),
    )
    verdict = _judged(case, {"Net": SolutionNet, "fit": _fit}, {"Net": SolutionNet, "fit": _blank_fit})
    assert not verdict.passed and "fit is not written yet" in verdict.message
