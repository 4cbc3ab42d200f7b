"""A graded definition a syntax error kept from being defined: its checks name the line to fix, in
Chinese and English, instead of "not defined (found NoneType)"."""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder.grading.batch import GradeOptions, grade_paths
from autograder.grading.intake.about import About
from autograder.grading.intake.syntax_errors import undefined_by_syntax_errors
from autograder.grading.judging.grade import CaseOutcome, Grade

NAMES = ["update_centroids", "inertia"]


def _notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])


@pytest.mark.parametrize(
    "cells, expected",
    [
        (
            ["def update_centroids(x, labels, centroids)\n    return centroids"],
            {
                "update_centroids": (
                    "第 1 行",
                    "少了冒号",
                    "line 1 (expected ':'): def update_centroids(x, labels, centroids)",
                )
            },
        ),
        (
            [
                "%xmode Plain\nimport numpy as np\n\ndef inertia(x, centroids, labels):\n    return float(((x - "
                "centroids[labels]) ** 2).sum()"
            ],
            {
                "inertia": (
                    "第 5 行",
                    "括号没有闭合",
                    "line 5 ('(' was never closed): return float(((x - centroids[labels]) ** 2).sum()",
                )
            },
        ),
        (
            ["def inertia(x, centroids, labels):\nreturn 0.0"],
            {
                "inertia": (
                    "第 2 行",
                    "需要缩进",
                    "line 2 (expected an indented block after function definition on line 1): return 0.0",
                )
            },
        ),
    ],
    ids=["missing-colon", "unclosed-bracket-after-a-magic", "no-indent"],
)
def test_the_line_and_the_slip_are_named(cells, expected):
    found = undefined_by_syntax_errors(_notebook(*cells), NAMES)
    assert set(found) == set(expected)
    for name, (line_zh, slip_zh, english) in expected.items():
        chinese, _, rest = found[name].partition(" / ")
        assert line_zh in chinese and slip_zh in chinese and english in rest, found[name]


@pytest.mark.parametrize(
    "cells",
    [
        ["def update_centroids(x, labels, centroids):\n    return centroids"],  # no slip
        [
            "def update_centroids(x, labels, centroids)\n    pass",
            "def update_centroids(x, labels, centroids):\n    return centroids",
        ],  # fixed below
        ["def helper(x)\n    return x"],  # not graded
    ],
    ids=["correct", "fixed-in-a-later-cell", "ungraded-helper"],
)
def test_nothing_is_reported_when_the_graded_definition_exists(cells):
    assert undefined_by_syntax_errors(_notebook(*cells), NAMES) == {}


def test_only_the_failed_checks_of_that_question_get_the_message():
    cases = [
        CaseOutcome("update_centroids", "a", 1.0, False, "not defined", True),
        CaseOutcome("inertia", "b", 1.0, False, "wrong", True),
        CaseOutcome("update_centroids", "c", 0.0, True, "", True),
    ]
    grade = About(code="def f(): pass", syntax_errors={"update_centroids": "line 1"}).applied_to(
        Grade("f.ipynb", "d", "Completed", {}, cases=cases)
    )
    assert [case.message for case in grade.cases] == ["line 1", "wrong", ""]
    assert grade.code == "def f(): pass"


def test_a_graded_submission_with_a_missing_colon_says_so(assignment, student_template, tmp_path):
    notebook = nbformat.read(student_template, as_version=4)
    for cell in notebook.cells:
        if cell.source.startswith("def sigmoid(x):"):
            cell.source = "def sigmoid(x)\n    return 1 / (1 + torch.exp(-x))"
    folder = tmp_path / "submissions"
    folder.mkdir()
    nbformat.write(notebook, folder / "colon.ipynb")
    grade_paths([folder], assignment, tmp_path / "out", options=GradeOptions(workers=1))
    kit = json.loads((tmp_path / "out" / "results" / "colon.ipynb.json").read_text(encoding="utf-8"))["extra_data"][
        "kit"
    ]
    messages = {case["message"] for case in kit["cases"] if case["question"] == "sigmoid"}
    assert messages == {
        "sigmoid 没有定义：它所在的单元第 1 行有语法错误（少了冒号 ':'）：def sigmoid(x) / "
        "sigmoid was never defined: its cell has a syntax error on line 1 (expected ':'): def sigmoid(x)"
    }
    page = (tmp_path / "out" / "feedback" / "colon.ipynb.html").read_text(encoding="utf-8")
    assert "sigmoid 没有定义：它所在的单元第 1 行有语法错误" in page and "还没有定义" not in page
