"""The mutator, the forked runner and ``validate`` on the real assignment."""

from __future__ import annotations

import os
import resource
import signal
import textwrap
from pathlib import Path

import nbformat
import pytest

from autograder.assignment import Assignment
from autograder.authoring.suite import load_cases
from autograder.forking import run_forked
from autograder.release.mutation import (
    MutationError,
    equivalence_of,
    format_report,
    mutate,
    question_definitions,
    validate,
)
from autograder.release.source_notebook import SourceNotebook

ROOT = Path(__file__).resolve().parents[1]


def _function(body: str, *, args: str = "a, b") -> str:
    return f"def f({args}):\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


def _bodies(source: str, operator: str) -> list[str]:
    """The mutated bodies (the def line cut off) the given operator produced."""
    return [
        "\n".join(line.strip() for line in m.source.splitlines()[1:]) for m in mutate(source) if m.operator == operator
    ]


# The mutator ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "operator", "expected"),
    [
        ("return a + b", "arithmetic", ["return a - b", "return a * b", "return a / b", "return a ** b"]),
        (
            "a -= b\nreturn a",
            "arithmetic",
            ["a += b\nreturn a", "a *= b\nreturn a", "a /= b\nreturn a", "a **= b\nreturn a"],
        ),
        (
            "return a >= b",
            "comparison",
            ["return a > b", "return a <= b", "return a < b", "return a == b", "return a != b"],
        ),
        ("return -a", "remove minus", ["return a"]),
        ("return a + b", "insert minus", ["return -(a + b)", "return -a + b", "return a + -b"]),
        ("return a * 3", "constant", ["return a * 0", "return a * 4", "return a * -3", "return a * 6"]),
        ("return a * 0", "constant", ["return a * 1"]),
        (
            "return a ** 0.5",
            "constant",
            ["return a ** 0.0", "return a ** 1.5", "return a ** (-0.5)", "return a ** 1.0"],
        ),
        ("a.zero_()\nreturn a", "drop statement", ["pass\nreturn a", "a.zero_()\npass"]),
        ("return g(a, b, 1)", "swap arguments", ["return g(b, a, 1)", "return g(1, b, a)", "return g(a, 1, b)"]),
        ("return a.clamp(min=0).mean()", "drop call", ["return a.clamp(min=0)", "return a.mean()"]),
        ("a.grad.zero_()\nreturn a", "drop call", ["a.grad\nreturn a"]),
    ],
)
def test_each_operator_writes_the_expected_mutants(body, operator, expected):
    assert _bodies(_function(body), operator) == expected


@pytest.mark.parametrize(
    ("body", "operator", "expected"),
    [
        ("with torch.no_grad():\n    a -= b\nreturn a", "drop call", []),  # a call on a module
        ("return torch.exp(a)", "drop call", []),  # takes a positional argument
        ("return g(a, a)", "swap arguments", []),  # the swap changes nothing
        ("return []", "insert minus", []),  # a list is never a number
        ("return -a", "insert minus", []),  # --a would be a
        ('"""Docs."""\nreturn a', "drop statement", ['"""Docs."""\npass']),  # the docstring stays
    ],
)
def test_operators_skip_pointless_sites(body, operator, expected):
    assert _bodies(_function(body), operator) == expected


def test_mutant_count_and_order_are_deterministic():
    source = _function("return a + b")
    first, second = mutate(source), mutate(source)
    # drop the return; 4 operator swaps; a minus before the sum, a and b
    assert len(first) == 8
    assert [m.source for m in first] == [m.source for m in second]


def test_descriptions_name_the_line_counting_the_def_as_one():
    source = "def f(x):\n    # a comment\n    y = x * 2\n    return y\n"
    descriptions = [m.description for m in mutate(source)]
    assert "line 3: x * 2 -> x + 2" in descriptions
    assert "line 4: return y -> pass" in descriptions


def test_mutants_keep_the_function_name_and_compile():
    for mutant in mutate(_function("c = g(a, b)\nreturn -c.mean() >= 0.5 * a")):
        assert mutant.function == "f"
        compile(mutant.source, "<mutant>", "exec")


@pytest.mark.parametrize("source", ["x = 1\n", "def f():\n    pass\ndef g():\n    pass\n"])
def test_mutate_wants_exactly_one_function(source):
    with pytest.raises(MutationError, match="expected one function or class"):
        mutate(source)


NET = """class Net(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, x):
        return self.layers(torch.relu(x))
"""


def test_a_class_is_mutated_inside_its_methods():
    mutants = mutate(NET)
    assert mutants and all(m.function == "Net" for m in mutants)
    for mutant in mutants:
        compile(mutant.source, "<mutant>", "exec")
        assert mutant.source.startswith("class Net(nn.Module):")  # a method is never dropped whole
    descriptions = {m.description for m in mutants}
    assert (
        "line 4: nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 2)) -> nn.Sequential(nn.Linear(2, "
        "hidden), nn.Linear(hidden, 2))" in descriptions
    )
    assert "line 7: torch.relu(x) -> x" in descriptions
    assert "line 4: 2 -> 3" in descriptions


# Declared equivalents ------------------------------------------------------------

LOSS = _function("p = y_pred.clamp(min=1e-12).log()\nreturn -(y * p).mean()", args="y_pred, y")
ACCURACY = _function(
    "predicted = (y_pred >= 0.5).float()\nreturn (predicted == y).float().mean().item()", args="y_pred, y"
)
ACCURACY_MEAN = _function("predicted = (y_pred >= 0.5).float()\nreturn predicted.mean().item()", args="y_pred, y")
TRAIN = _function("losses = []\nlosses.append(loss.item())\nreturn losses", args="loss")


@pytest.mark.parametrize(
    ("source", "description", "equivalent"),
    [
        (LOSS, "line 2: 1e-12 -> 2e-12", "clamp floor"),
        (LOSS, "line 2: 1e-12 -> 0.0", None),
        (LOSS, "line 2: 1e-12 -> 1.000000000001", None),
        (ACCURACY, "line 2: (y_pred >= 0.5).float() -> y_pred >= 0.5", "bool prediction"),
        (ACCURACY_MEAN, "line 2: (y_pred >= 0.5).float() -> y_pred >= 0.5", None),  # bool.mean() fails
        (ACCURACY, "line 3: (predicted == y).float() -> predicted == y", None),
        (TRAIN, "line 3: loss.item() -> loss", "tensor loss"),
    ],
)
def test_logistic_regressions_declared_equivalents_match_only_their_mutants(source, description, equivalent):
    declared = load_cases(ROOT / "assignments" / "logistic_regression" / "cases.py").equivalents
    names = {"clamp floor": declared[0], "bool prediction": declared[1], "tensor loss": declared[2]}
    mutant = next(m for m in mutate(source) if m.description == description)
    assert equivalence_of(mutant, declared) is (names[equivalent] if equivalent else None)


def test_every_operator_the_mutator_uses_has_a_declarable_name():
    from autograder.authoring.mutants import OPERATORS

    sources = [_function("c = g(a, b, 1)\nd = -c.mean() >= 0.5 * a\nreturn torch.relu(d)"), NET]
    assert {mutant.operator for source in sources for mutant in mutate(source)} == set(OPERATORS)


def test_an_equivalent_with_an_unknown_operator_names_the_ones_there_are():
    from autograder.authoring import Equivalent

    with pytest.raises(
        ValueError, match="operator='swap argument' is no operator validate uses; use one of .*'swap arguments'"
    ):
        Equivalent("symmetric", operator="swap argument")


def test_the_report_lists_each_survivor_with_its_operator_and_an_entry_that_declares_it():
    from autograder.authoring import Equivalent
    from autograder.release.mutation.scoring import MutationReport, QuestionScore

    source = _function("return (a - b) ** 2 + h('s.*')")
    survivors = [m for m in mutate(source) if m.operator in ("insert minus", "constant")]
    report = MutationReport("lesson", [QuestionScore("q", "f", total=len(survivors), survivors=survivors)], 1.0, 2)
    text = format_report(report)
    entries = [line.strip().rstrip(",") for line in text.splitlines() if line.strip().startswith("Equivalent(")]
    assert len(entries) == len(survivors)
    for mutant, entry in zip(survivors, entries):
        assert f"{mutant.description}  [operator {mutant.operator!r}]" in text
        declared = eval(entry, {"Equivalent": Equivalent})
        assert declared.matches(mutant), entry
        assert [other for other in survivors if declared.matches(other)] == [mutant], (
            "an entry matches its own mutant only"
        )


# Questions and their functions ---------------------------------------------------


def _notebook(*cells):
    raw, code = nbformat.v4.new_raw_cell, nbformat.v4.new_code_cell
    return nbformat.v4.new_notebook(cells=[raw(c[4:]) if c.startswith("raw:") else code(c) for c in cells])


def _definitions(notebook):
    return question_definitions(SourceNotebook.parse(Path("test.ipynb"), notebook))


def test_question_definitions_reads_the_solution_cell_of_each_question():
    notebook = _notebook(
        "def helper(x):\n    return x",
        "raw:# BEGIN QUESTION\nname: q1\npoints: 2",
        "raw:# BEGIN SOLUTION",
        "def double(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION",
        "raw:# END SOLUTION",
        "raw:# BEGIN TESTS",
        "def test_double(double):\n    assert double(1) == 2",
        "raw:# END TESTS",
        "raw:# END QUESTION",
    )
    assert _definitions(notebook) == {"q1": "def double(x):\n    # BEGIN SOLUTION\n    return 2 * x\n"}


def test_question_definitions_wants_the_function_named_like_the_question():
    notebook = _notebook(
        "raw:# BEGIN QUESTION\nname: q1",
        "raw:# BEGIN SOLUTION",
        "def one():\n    return 1\ndef two():\n    return 2",
        "raw:# END SOLUTION",
        "raw:# END QUESTION",
    )
    with pytest.raises(MutationError, match="name one of them 'q1'"):
        _definitions(notebook)


# Forked runner -------------------------------------------------------------------


def _forever() -> dict:
    while True:
        pass


def _segfault() -> dict:
    os.kill(os.getpid(), signal.SIGSEGV)
    return {}


def _raises() -> dict:
    raise ValueError("boom")


def test_run_forked_returns_results_in_job_order_and_contains_side_effects():
    shared = {"value": 1}

    def change(n):
        def job():
            shared["value"] = n  # happens in the child only
            return {"n": n}

        return job

    outcomes = run_forked([change(n) for n in range(5)], workers=2, timeout=30)
    assert [outcome.result for outcome in outcomes] == [{"n": n} for n in range(5)]
    assert shared == {"value": 1}


@pytest.mark.parametrize(
    ("job", "problem"),
    [
        (_forever, "ran longer than 0.5 s"),
        (_segfault, "crashed (SIGSEGV)"),
        (_raises, "crashed (exit code 70, ValueError raised)"),
    ],
)
def test_run_forked_reports_jobs_that_never_answer(job, problem):
    [outcome] = run_forked([job], workers=1, timeout=0.5)
    assert outcome.result is None
    assert outcome.problem == problem


def test_run_forked_works_with_descriptors_numbered_past_1024():
    """A long-running server holds many descriptors: select() refuses any numbered 1024 or more."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1100:
        pytest.skip(f"RLIMIT_NOFILE's hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1100), hard))
    held = []
    try:
        while not held or held[-1] < 1030:
            held.append(os.open(os.devnull, os.O_RDONLY))
        [outcome] = run_forked([lambda: {"answer": 42}], workers=1, timeout=30)
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert outcome.result == {"answer": 42}


# The real assignment -------------------------------------------------------------


def test_hidden_cases_catch_mutants_of_the_accuracy_solution():
    report = validate(Assignment.find("logistic_regression", ROOT), questions=("accuracy",))
    [score] = report.questions
    assert score.function == "accuracy"
    assert score.total > 10
    assert score.score >= 0.9, f"survivors: {score.survivors}"
    assert score.equivalent_caught == [], "a case rejects a mutant the table calls correct"
    assert "accuracy" in format_report(report)


def test_validate_names_the_questions_it_can_mutate():
    with pytest.raises(MutationError, match="questions with one: sigmoid, binary_loss, train, accuracy"):
        validate(Assignment.find("logistic_regression", ROOT), questions=("nonexistent",))


def test_the_report_keeps_long_question_names_apart_from_their_definitions():
    from autograder.release.mutation.scoring import MutationReport, QuestionScore

    report = MutationReport(
        "lesson",
        [
            QuestionScore("build_sequential", "build_sequential", total=17, caught=17),
            QuestionScore("q", "f", total=4, caught=3),
        ],
        1.0,
        2,
    )
    rows = format_report(report).splitlines()
    assert rows[2].split() == ["build_sequential", "build_sequential", "17", "0", "17", "100%"]
    assert rows[3].split()[:2] == ["q", "f"] and len(rows[3].split("  below")[0]) == len(rows[2])
