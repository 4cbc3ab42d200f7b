"""What a student's notebook gets besides the checks: the identity cell, the export, Otter's cells in
both languages, and the packages the zip declares."""

from __future__ import annotations

import datetime
import re

import nbformat
import pytest

from autograder.authoring.student import identity_problem, zip_name
from autograder.grading.intake.identity import Identity, declared_identity
from autograder.release.localise import localise
from autograder.release.requirements import CPU_INDEX, TORCH_CPU, requirements
from tests.conftest import ASSIGNMENT, PROJECT

CHINESE = re.compile(r"[\u4e00-\u9fff]")
TEMPLATE = PROJECT / "student_template" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


@pytest.mark.parametrize(
    ("name", "number", "pattern", "problem"),
    [
        ("张三", "2023001234", r"\d{10}", None),
        ("", "2023001234", r"\d{10}", "STUDENT_NAME"),
        ("张三", "20230012", r"\d{10}", "STUDENT_ID"),
        ("张三", "  ", r"\S+", "STUDENT_ID"),
        ("Ada", "a1", r"\S+", None),
    ],
)
def test_an_identity_is_checked_against_the_courses_format(name, number, pattern, problem):
    found = identity_problem(name, number, pattern=pattern, example="2023001234")
    assert (found is None) == (problem is None)
    if problem:
        assert problem in found and CHINESE.search(found)


@pytest.mark.parametrize(
    ("number", "stem"),
    [("2023001234", "lab_2023001234_"), ("", "lab_no_id_"), ("../../etc", "lab_.._.._etc_"), ("张三", "lab____2")],
)
def test_the_zip_is_named_after_the_student_and_stays_a_plain_file_name(number, stem):
    name = zip_name("lab", number, now=datetime.datetime(2026, 11, 29, 12, 0))
    assert name.startswith(stem) and name.endswith("_20261129T120000.zip") and "/" not in name


def test_the_released_template_starts_with_the_identity_cell_and_reads_it_back():
    notebook = nbformat.read(TEMPLATE, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].source.startswith("# 初始化 Otter") and code[1].source.startswith("# 姓名与学号")
    assert declared_identity(notebook) is None, "the template's identity is blank"
    code[1].source = (
        code[1]
        .source.replace('STUDENT_NAME = ""', 'STUDENT_NAME = "张三"')
        .replace('STUDENT_ID = ""', 'STUDENT_ID = "2023001"')
    )
    assert declared_identity(notebook) == Identity("张三", "2023001")


def test_otters_own_cells_are_in_both_languages_in_the_template():
    notebook = nbformat.read(TEMPLATE, as_version=4)
    export = [cell for cell in notebook.cells if "export(grader" in cell.source]
    assert len(export) == 1 and "grader.export(" not in export[0].source
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "## 提交 · Submission" in text and "Please save before exporting" not in text
    assert "_在这里写下你的回答" in text, "the written question has a bilingual answer cell"


def test_localise_leaves_other_cells_alone():
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_markdown_cell("## Submission\n\nold")]
    )
    localise(notebook)
    assert notebook.cells[0].source == "x = 1" and notebook.cells[1].source.startswith("## 提交 · Submission")


@pytest.mark.parametrize(
    ("declared", "cells", "local", "expected"),
    [
        (
            None,
            ["import torch\nimport numpy as np\nfrom matplotlib import pyplot"],
            (),
            [CPU_INDEX, TORCH_CPU, "numpy", "matplotlib"],
        ),
        (
            None,
            ["import os, json\nfrom diagnoses import X\nimport sklearn.datasets"],
            ("diagnoses",),
            ["scikit-learn", "numpy"],
        ),
        (["torch==2.13.0", "scipy>=1.10"], ["import pandas"], (), [CPU_INDEX, TORCH_CPU, "scipy>=1.10", "numpy"]),
        (["torch>=2.0"], [], (), ["torch>=2.0", "numpy"]),
    ],
)
def test_the_zip_declares_what_the_notebook_needs(declared, cells, local, expected):
    assert requirements(declared, cells, local=local) == expected
