"""A lesson an outside instructor grows from `autograder new` with only the guide: a hand-written SGD step
that updates its parameters in place, a training loop held to a threshold, and two runs overlaid in one
chart. It releases green (the solution passes its public checks, the zip lists what it imports), and
`autograder grade` names each mistake with the kit's own messages."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.assignment import Assignment
from autograder.cli import main
from autograder.release import release
from tests.corpus.blanks import Corpus, Submission, code

NAME = "optimisers"
SETUP = """import torch
torch.manual_seed(0)
x = torch.randn(40, 3)
y = x @ torch.tensor([[1.0], [-2.0], [0.5]])"""
SGD_STEP = """def sgd_step(params, lr):
    # BEGIN SOLUTION
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
    # END SOLUTION"""
SGD_PUBLIC = """def test_sgd_step_matches_torch_optim(sgd_step):
    import torch
    from autograder.authoring.public import check_inplace
    w = torch.tensor([[1.0], [-2.0]], requires_grad=True)
    b = torch.tensor([0.5], requires_grad=True)
    w.grad, b.grad = torch.tensor([[0.2], [-0.4]]), torch.tensor([1.0])
    check_inplace(sgd_step, [w, b], 0.1, expected=lambda params, lr: torch.optim.SGD(params, lr=lr).step())"""
TRAIN = """def train(x, y, lr, epochs):
    # BEGIN SOLUTION
    w = torch.zeros(x.shape[1], 1, requires_grad=True)
    losses = []
    for _ in range(epochs):
        loss = ((x @ w - y) ** 2).mean()
        losses.append(loss.item())
        if w.grad is not None:
            w.grad.zero_()
        loss.backward()
        sgd_step([w], lr)
    return losses
    # END SOLUTION"""
TRAIN_PUBLIC = """def test_train_gets_the_loss_down(train):
    import torch
    from autograder.authoring.public import check_threshold
    xs = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    check_threshold(train, xs, xs @ torch.tensor([[1.0], [2.0], [3.0]]), 0.5, 40, below=0.01)"""
RUNS = """fast_losses = train(x, y, 0.1, 30)
slow_losses = train(x, y, 0.02, 30)"""
CASES = """import torch

from autograder.authoring import Cases, Curves, data, normal, parameter, reference_bar

cases = Cases(torch=True)

CASES = [
    cases.inplace(
        "sgd_step",
        "two_tensors",
        [
            parameter(normal(0, 1, (3, 1)), grad=normal(0, 1, (3, 1))),
            parameter(normal(0, 1, (2,)), grad=normal(0, 1, (2,))),
        ],
        0.1,
        updates={0: "params"},
    ),
    cases.inplace(
        "sgd_step", "large_rate", [parameter(normal(0, 1, (4,)), grad=normal(0, 1, (4,)))], 0.7, updates={0: "params"}
    ),
    cases.threshold(
        "train", "final_loss", data("x"), data("y"), 0.1, 60, below=reference_bar(times=1.05), swap_in=("sgd_step",)
    ),
    cases.training("train", "curve", data("x"), data("y"), 0.05, 8, swap_in=("sgd_step",)),
]

CHARTS = [
    Curves(
        {"lr 0.1": "fast_losses", "lr 0.02": "slow_losses"},
        loss="mean squared error",
        log=True,
        title="两个学习率 · Two learning rates",
    ),
]
"""


def _question(name: str, solution: str, public: str) -> list:
    raw, code_cell = nbformat.v4.new_raw_cell, nbformat.v4.new_code_cell
    return [
        raw(f"# BEGIN QUESTION\nname: {name}\npoints: 2"),
        raw("# BEGIN SOLUTION"),
        code_cell(solution),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code_cell(public),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]


def _write_lesson(root: Path) -> Assignment:
    """`autograder new`, then the instructor's own notebook and cases."""
    result = CliRunner().invoke(main, ["--root", str(root), "new", NAME, "--title", "优化器 · Optimisers"])
    assert result.exit_code == 0, result.output
    folder = root / "assignments" / NAME
    notebook = nbformat.read(folder / f"{NAME}.ipynb", as_version=4)
    markdown, code_cell = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    notebook.cells[2:] = [
        code_cell(SETUP),
        markdown("## 1. SGD"),
        *_question("sgd_step", SGD_STEP, SGD_PUBLIC),
        markdown("## 2. 训练 · Training"),
        *_question("train", TRAIN, TRAIN_PUBLIC),
        code_cell(RUNS),
    ]
    nbformat.write(notebook, folder / f"{NAME}.ipynb")
    (folder / "cases.py").write_text(CASES, encoding="utf-8")
    return Assignment.find(NAME, root)


def _solution(source: str) -> str:
    return code("\n".join(line for line in textwrap.dedent(source).splitlines() if "SOLUTION" not in line))


CORPUS = Corpus(
    NAME,
    {"sgd_step": 2.0, "train": 2.0},
    {"sgd_step": _solution(SGD_STEP), "train": _solution(TRAIN)},
    [
        Submission("correct", "the course's answers"),
        Submission(
            "sgd_ascends",
            "sgd_step adds the gradient",
            {"sgd_step": _solution(SGD_STEP).replace("p -= lr", "p += lr")},
            {"sgd_step": 0.0},
        ),
        Submission(
            "train_rebuilds_w",
            "train starts from a new w every epoch",
            {
                "train": _solution(TRAIN).replace(
                    "    for _ in range(epochs):\n",
                    "    for _ in range(epochs):\n        w = torch.zeros(x.shape[1], 1, requires_grad=True)\n",
                )
            },
            {"train": 0.0},
        ),
    ],
)


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    root = tmp_path_factory.mktemp("lesson")
    assignment = _write_lesson(root)
    return assignment, release(assignment)


@pytest.mark.slow
def test_the_lesson_releases_green_with_its_in_place_and_threshold_cases(lesson):
    assignment, report = lesson
    assert report.solution_scores == report.points == {"sgd_step": 2.0, "train": 2.0}
    assert report.template_scores == {"sgd_step": 0.0, "train": 0.0}
    assert report.solution_public_failures is None and report.warnings == []
    sgd = next(question for question in report.mutation.questions if question.question == "sgd_step")
    assert sgd.total > 5 and sgd.score == 1.0, f"the in-place cases catch every mutant of the step: {sgd.survivors}"


@pytest.mark.slow
def test_the_kit_grades_the_lesson_and_names_each_mistake(lesson, tmp_path):
    assignment, _ = lesson
    template = assignment.student_dir / f"{NAME}.ipynb"
    CORPUS.write(tmp_path / "in", template)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["--root", str(assignment.root), "grade", str(tmp_path / "in"), "-a", NAME, "-o", str(out), "--workers", "1"],
    )
    assert result.exit_code == 0, result.output
    for entry in CORPUS.entries:
        results = json.loads((out / "results" / f"{entry.name}.ipynb.json").read_text(encoding="utf-8"))
        scores = {test["name"]: test["score"] for test in results["tests"] if "score" in test}
        assert scores == entry.expected, entry.name
    assert "the change sgd_step makes to params[0] has the wrong sign" in _output(out, "sgd_ascends", "sgd_step")
    assert "it must be below" in _output(
        out, "train_rebuilds_w", "train"
    ) and "the reference solution reaches" in _output(out, "train_rebuilds_w", "train")
    page = (out / "feedback" / "correct.ipynb.html").read_text(encoding="utf-8")
    assert "两个学习率 · Two learning rates" in page and "你 · you: lr 0.02" in page


def _output(out: Path, entry: str, question: str) -> str:
    results = json.loads((out / "results" / f"{entry}.ipynb.json").read_text(encoding="utf-8"))
    return next(test["output"] for test in results["tests"] if test["name"] == question)
