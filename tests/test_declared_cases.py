"""Declared cases on their own: a solution and a student written here, judged as release and grading do.

Each test declares one case, computes its references on a solution's namespace
(as release does), then probes and judges a student's namespace through the
wire (as the Otter path does), and checks the verdict and what it says.
"""

from __future__ import annotations

import linecache
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.authoring import Cases, built, data, integers, loader, model, normal, tensor, uniform, wire
from autograder.authoring.suite import CasesModule, Suite, judge, probe
from autograder.release.references import CasesFileError, compute_references
from autograder.sandbox.probe_plan import ProbeCase

cases = Cases(torch=True)
arrays = Cases(torch=False)


def _namespace(source: str) -> dict:
    """Run ``source`` as a notebook cell would: its lines stay readable by inspect (IPython keeps them too)."""
    source = textwrap.dedent(source)
    filename = f"<cell-{abs(hash(source))}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"torch": torch, "nn": torch.nn, "np": np, "F": torch.nn.functional}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def judged(case, solution: str, student: str):
    """The verdict on ``student`` for ``case``, with references computed on ``solution``.

    The student is probed with what a sandbox holds of the case (``ProbeCase.of``: no input
    builders, no judge), so every test here also shows that copy records what the case needs.
    """
    solution_namespace = _namespace(solution)
    references = compute_references(
        CasesModule(Path("cases.py"), [case]), solution_namespace, [textwrap.dedent(solution)], seed=7
    )
    stored = Suite([case], references)
    inputs = stored.inputs(case)
    payload = probe(ProbeCase.of(case), _namespace(student), inputs, stored.reference_functions(case))
    return judge(case, wire.loads(wire.dumps(payload)), stored.expected(case), inputs)


LOSS = "def loss(p, y):\n    return ((p - y) ** 2).mean()\n"
LOSS_CASE = cases.output("loss", "values", uniform(-1, 1, (12, 1)), uniform(-1, 1, (12, 1)))


@pytest.mark.parametrize(
    ("student", "passed", "says"),
    [
        (LOSS, True, ""),
        ("def loss(p, y):\n    return ((y - p) ** 2).mean()\n", True, ""),
        ("def loss(p, y):\n    return ((p - y) ** 2).sum()\n", False, "12x the reference: a sum instead of a mean?"),
        ("def loss(p, y):\n    return -((p - y) ** 2).mean()\n", False, "wrong sign"),
        ("def loss(p, y):\n    return ((p - y) ** 2).mean().item()\n", False, "should return a tensor"),
        ("def loss(p, y):\n    return ((p - y) ** 2).detach().numpy().mean()\n", False, "NumPy"),
        ("def loss(p, y):\n    ((p - y) ** 2).mean()\n", False, "is a `return` missing?"),
        ("def loss(p, y):\n    ...\n", False, "not written yet"),
        ("def loss(p, y):\n    return ((p - y) ** 2)\n", False, "has shape (12, 1), expected ()"),
        ("def loss(p, y):\n    return p.log().mean()\n", False, "not finite"),
        ("def loss(p, y):\n    raise ValueError('nope')\n", False, "raised ValueError: nope"),
        ("loss = 3\n", False, "not defined as a function"),
    ],
)
def test_output_says_what_is_wrong(student, passed, says):
    verdict = judged(LOSS_CASE, LOSS, student)
    assert verdict.passed is passed
    assert says in verdict.message
    if not passed:
        chinese, english = verdict.message.split(" / ", 1)
        assert any("\u4e00" <= char <= "\u9fff" for char in chinese), "the message starts in Chinese"


def test_output_compares_the_gradient_when_asked():
    case = cases.output("loss", "gradient", normal(0, 1, (8, 1)), normal(0, 1, (8, 1)), gradient=True)
    assert judged(case, LOSS, LOSS).passed
    detached = "def loss(p, y):\n    return torch.tensor(((p - y) ** 2).mean().item(), requires_grad=True)\n"
    verdict = judged(case, LOSS, detached)
    assert not verdict.passed and "no gradient flows through loss" in verdict.message


def test_integer_results_where_floats_belong_are_named():
    case = arrays.output("share", "counts", integers(0, 2, (10,)), integers(0, 2, (10,)))
    solution = "def share(a, b):\n    return np.array([np.mean(a == b)])\n"
    verdict = judged(case, solution, "def share(a, b):\n    return np.array([np.sum(a == b) // len(a)])\n")
    assert not verdict.passed and "integer division" in verdict.message


def test_arrays_not_tensors_in_a_numpy_lesson():
    case = arrays.output("double", "values", normal(0, 1, (4,)))
    verdict = judged(case, "def double(x):\n    return 2 * x\n", "def double(x):\n    return torch.tensor(2 * x)\n")
    assert not verdict.passed and "this question works in NumPy" in verdict.message


LABELS = "def group(x):\n    return (x[:, 0] > 0).astype(int)\n"


def test_labels_are_compared_up_to_renaming():
    case = arrays.output("group", "relabelled", normal(0, 1, (30, 2)), relabel=True)
    assert judged(case, LABELS, "def group(x):\n    return (x[:, 0] <= 0).astype(int)\n").passed
    verdict = judged(case, LABELS, "def group(x):\n    return (x[:, 1] > 0).astype(int)\n")
    assert not verdict.passed and "agree under the best renaming" in verdict.message


def test_tuples_are_compared_item_by_item():
    case = arrays.output("stats", "parts", normal(5, 2, (20,)), returns=("mean", "spread"))
    solution = "def stats(x):\n    return x.mean(), x.std()\n"
    assert judged(case, solution, solution).passed
    verdict = judged(case, solution, "def stats(x):\n    return x.mean(), x.var()\n")
    assert not verdict.passed and "[1] (spread)" in verdict.message


TRAIN = """
def step_loss(x, y, w):
    return ((x @ w - y) ** 2).mean()

def train(x, y, w, lr, epochs):
    losses = []
    for _ in range(epochs):
        loss = step_loss(x, y, w)
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    return losses
"""
TRAIN_CASE = cases.training(
    "train",
    "curve",
    normal(0, 1, (20, 2)),
    normal(0, 1, (20, 1)),
    tensor(normal(0, 1, (2, 1)), grad=True),
    0.1,
    12,
    updates={2: "w"},
    swap_in=("step_loss",),
)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("w.grad.zero_()", "pass"), "matches for one step, then drifts"),
        (("w -= lr * w.grad", "w += lr * w.grad"), "rises instead of falling"),
        (
            ("        w.grad.zero_()\n", "        w.grad.zero_()\n        losses[-1] = step_loss(x, y, w).item()\n"),
            "shifted by one step",
        ),
        (("for _ in range(epochs):", "for _ in range(epochs - 1):"), "one loss short"),
        (
            (
                "        with torch.no_grad():\n            w -= lr * w.grad",
                "        w = (w - lr * w.grad).detach().requires_grad_()",
            ),
            None,
        ),
    ],
)
def test_training_names_the_usual_loop_mistakes(change, says):
    student = TRAIN.replace(*change)
    assert student != TRAIN
    verdict = judged(TRAIN_CASE, TRAIN, student)
    assert not verdict.passed
    if says:
        assert says in verdict.message


def test_training_is_graded_with_the_swapped_in_reference():
    broken_helper = TRAIN.replace("return ((x @ w - y) ** 2).mean()", "return ((x @ w - y) ** 2).sum()")
    assert judged(TRAIN_CASE, TRAIN, broken_helper).passed, "a mistake in step_loss must not cost train"


NET = """
class Net(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.first = nn.Linear(2, hidden)
        self.second = nn.Linear(hidden, 3)

    def forward(self, x):
        return self.second(torch.relu(self.first(x)))
"""


@pytest.mark.parametrize(
    ("student", "passed", "says"),
    [
        (NET, True, ""),
        (NET.replace("self.first", "self.a").replace("self.second", "self.b"), True, ""),
        (
            "def Net(hidden):\n    return nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 3))\n",
            True,
            "",
        ),
        (NET.replace("torch.relu(self.first(x))", "self.first(x)"), False, "forward output"),
        (NET.replace("nn.Linear(hidden, 3)", "nn.Linear(hidden, 2)"), False, "parameters of shapes"),
        (NET.replace("return self.second", "self.second"), False, "is a `return` missing?"),
    ],
)
def test_a_module_is_judged_by_its_shapes_then_its_forward(student, passed, says):
    case = cases.module("Net", "forward", 8, input=normal(0, 1, (5, 2)))
    verdict = judged(case, NET, student)
    assert verdict.passed is passed, verdict.message
    assert says in verdict.message


FIT = (
    NET
    + """
def fit(model, loader, optimizer):
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total
"""
)


def test_models_optimizers_and_loaders_are_built_when_probing():
    case = cases.training(
        "fit",
        "one_epoch",
        model("Net", 8),
        loader(normal(0, 1, (40, 2)), integers(0, 3, (40,)), batch_size=10),
        built(lambda m: torch.optim.SGD(m.parameters(), lr=0.1), 0),
        losses=None,
        updates={0: "model"},
        swap_in=("Net",),
    )
    assert judged(case, FIT, FIT).passed
    verdict = judged(case, FIT, FIT.replace("optimizer.zero_grad()", "pass"))
    assert not verdict.passed and "model" in verdict.message
    assert judged(case, FIT, FIT.replace("class Net", "class Other")).passed, "the reference Net is swapped in"


@pytest.mark.parametrize(
    "predict",
    [
        lambda w, x: (x @ w > 0).float(),
        # a row of class scores per example: the grader takes the largest, so the sandbox holds no code that picks a
        # label
        lambda w, x: torch.cat([-(x @ w), x @ w], dim=1),
    ],
    ids=["labels", "class scores"],
)
def test_accuracy_on_held_out_rows_against_the_solutions(predict):
    solution = "def fit(w, x, y):\n    w.data = torch.linalg.lstsq(x, y).solution\n"
    case = cases.accuracy(
        "fit",
        "held_out",
        tensor([[0.0], [0.0]]),
        data("x"),
        data("y"),
        model=0,
        predict=predict,
        held_out=(data("x_test"), data("labels")),
    )
    rng = np.random.default_rng(0)
    x, x_test = rng.normal(size=(50, 2)).astype(np.float32), rng.normal(size=(50, 2)).astype(np.float32)
    setup = (
        f"x = torch.tensor({x.tolist()})\ny = x[:, :1] - x[:, 1:]\nx_test = "
        f"torch.tensor({x_test.tolist()})\nlabels = ((x_test[:, 0] - x_test[:, 1]) > 0).float()\n"
    )
    assert judged(case, setup + solution, setup + solution).passed
    verdict = judged(case, setup + solution, setup + "def fit(w, x, y):\n    w.data = w.data * 0\n")
    assert not verdict.passed and "held-out rows right" in verdict.message


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (cases.output("missing", "x", [1.0]), "calls 'missing', which the solution notebook never defines"),
        (
            cases.output("loss", "x", data("nowhere"), [1.0]),
            r"data\('nowhere'\): the solution notebook defines no variable 'nowhere'",
        ),
        (cases.output("loss", "x", [1.0, 2.0], [1.0], swap_in=("absent",)), "swap in 'absent'"),
        (cases.output("loss", "x", [1.0, 2.0, 3.0], [1.0, 2.0]), "the solution fails its own case"),
    ],
)
def test_a_case_that_cannot_work_on_the_solution_is_reported(case, message):
    with pytest.raises(CasesFileError, match=message):
        compute_references(CasesModule(Path("cases.py"), [case]), _namespace(LOSS), [LOSS], seed=7)


def test_inputs_that_hold_another_cases_answer_are_refused():
    """A sandbox holds every case's inputs: one that is another case's expected output is that answer, there for the
    taking."""
    solution = "def double(x):\n    return x * 2\n\ntwice = torch.tensor([[2.0], [4.0], [6.0], [8.0]])\n"
    first = cases.output("double", "values", [[1.0], [2.0], [3.0], [4.0]])
    second = cases.output("double", "again", data("twice"))
    with pytest.raises(
        CasesFileError, match=r"case double/again: its input 'a0' is the solution's 'returned' in case double/values"
    ):
        compute_references(CasesModule(Path("cases.py"), [first, second]), _namespace(solution), [solution], seed=7)


def test_inputs_do_not_depend_on_the_other_cases():
    first = cases.output("loss", "a", uniform(-1, 1, (3, 1)), uniform(-1, 1, (3, 1)))
    second = cases.output("loss", "b", uniform(-1, 1, (3, 1)), uniform(-1, 1, (3, 1)))
    alone = compute_references(CasesModule(Path("c.py"), [second]), _namespace(LOSS), [LOSS], seed=7)
    together = compute_references(CasesModule(Path("c.py"), [first, second]), _namespace(LOSS), [LOSS], seed=7)
    assert alone.cases["loss/b"].inputs == together.cases["loss/b"].inputs
