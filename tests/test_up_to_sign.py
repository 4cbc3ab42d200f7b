"""Directions compared with either sign: ``up_to_sign`` on declared cases and public checks alike.

An eigenvector or a singular vector is right with either sign, so PCA's directions are compared row
by row up to a sign, while a wrong direction, a wrong scale or a flipped variance still fails.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.authoring import Cases, CheckFailed, normal
from autograder.authoring.public import check_output
from tests.test_declared_cases import judged

arrays = Cases(torch=False)

DIRECTIONS = """
def directions(c):
    values, vectors = np.linalg.eigh(c @ c.T)
    return values[::-1], vectors[:, ::-1].T
"""
SIGNED_CASE = arrays.output(
    "directions", "rows", normal(0, 1, (4, 4)), returns=("values", "vectors"), up_to_sign=("vectors",)
)


def _student(rows_expression: str) -> str:
    return DIRECTIONS.replace("vectors[:, ::-1].T", rows_expression)


@pytest.mark.parametrize(
    "flipped", ["-vectors[:, ::-1].T", "vectors[:, ::-1].T * np.array([[1.0], [-1.0], [-1.0], [1.0]])"]
)
def test_a_direction_with_the_other_sign_passes(flipped):
    assert judged(SIGNED_CASE, DIRECTIONS, _student(flipped)).passed


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ("vectors.T", "[1] (vectors)"),  # ascending order: other directions
        ("vectors[:, ::-1]", "[1] (vectors)"),  # columns read as rows
        ("2 * vectors[:, ::-1].T", "[1] (vectors)"),  # not unit length
    ],
)
def test_a_wrong_direction_still_fails(rows, says):
    verdict = judged(SIGNED_CASE, DIRECTIONS, _student(rows))
    assert not verdict.passed and says in verdict.message


def test_only_the_named_items_are_taken_up_to_sign():
    verdict = judged(SIGNED_CASE, DIRECTIONS, DIRECTIONS.replace("return values[::-1],", "return -values[::-1],"))
    assert not verdict.passed and "[0] (values)" in verdict.message


def test_without_up_to_sign_a_flipped_direction_fails():
    case = arrays.output("directions", "exact", normal(0, 1, (4, 4)), returns=("values", "vectors"))
    verdict = judged(case, DIRECTIONS, _student("-vectors[:, ::-1].T"))
    assert not verdict.passed and "[1] (vectors)" in verdict.message


def test_a_single_returned_direction_is_taken_up_to_sign_as_a_whole():
    case = arrays.output("first", "vector", normal(0, 1, (3, 3)), up_to_sign=True)
    solution = "def first(c):\n    return np.linalg.eigh(c @ c.T)[1][:, -1]\n"
    assert judged(case, solution, solution.replace("return ", "return -")).passed
    half_flipped = solution.replace("[:, -1]", "[:, -1] * np.array([1.0, -1.0, 1.0])")
    assert not judged(case, solution, half_flipped).passed


def test_a_public_check_takes_up_to_sign_too():
    expected = np.array([[0.6, 0.8], [0.8, -0.6]])
    check_output(lambda: -expected, expected=expected, what="directions", up_to_sign=True)
    with pytest.raises(CheckFailed, match="directions"):
        check_output(lambda: -expected, expected=expected, what="directions")
    with pytest.raises(CheckFailed, match="directions"):
        check_output(lambda: expected[::-1], expected=expected, what="directions", up_to_sign=True)
