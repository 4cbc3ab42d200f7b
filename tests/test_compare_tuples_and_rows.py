"""What ``compare`` does with tuples, rows and lists inside tuples: declared cases and public checks alike.

A function may return a tuple (centroids, labels, losses): each item is compared, a list of numbers
inside it too, NumPy scalars count as numbers, ``relabel`` takes centroids in any row order, and a
diagnosis may explain a wrong shape. Each test judges a student written here against a solution
written here, as release and grading do.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.authoring import Cases, CheckFailed, normal, say
from autograder.authoring.public import check_output
from tests.test_declared_cases import judged

arrays = Cases(torch=False)

PAIR = "def split(x):\n    return x[:3], x[3:]\n"
PAIR_CASE = arrays.output("split", "halves", normal(0, 1, (6,)))


@pytest.mark.parametrize(
    ("student", "passed", "says"),
    [
        (PAIR, True, ""),
        ("def split(x):\n    return x[:3], x[3:] * 2\n", False, "split[1]"),
        ("def split(x):\n    return x[:3], x[3:], x\n", False, "returned 3 items, expected 2"),
    ],
)
def test_a_returned_tuple_is_compared_item_by_item(student, passed, says):
    verdict = judged(PAIR_CASE, PAIR, student)
    assert verdict.passed is passed
    assert says in verdict.message


CLUSTERS = """
def group(x):
    labels = (x[:, 0] > 0).astype(int)
    centroids = np.array([x[labels == j].mean(axis=0) for j in (0, 1)])
    return centroids, labels, [float(((x - centroids[labels]) ** 2).sum())]
"""
RENAMED = """
def group(x):
    labels = (x[:, 0] <= 0).astype(int)
    centroids = np.array([x[labels == j].mean(axis=0) for j in (0, 1)])
    return centroids, labels, [float(((x - centroids[labels]) ** 2).sum())]
"""
CLUSTER_CASE = arrays.output(
    "group",
    "renamed",
    normal(0, 1, (30, 2)),
    returns=("centroids", "labels", "inertia"),
    relabel=("centroids", "labels"),
)


def test_an_item_named_none_is_not_compared():
    case = arrays.output("group", "inertia_only", normal(0, 1, (30, 2)), returns=(None, None, "inertia"))
    assert judged(
        case, CLUSTERS, CLUSTERS.replace("return centroids, labels,", "return centroids + 1, labels * 0,")
    ).passed
    verdict = judged(case, CLUSTERS, CLUSTERS.replace("** 2).sum())]", "** 2).mean())]"))
    assert not verdict.passed and "[2] (inertia)" in verdict.message


def test_centroids_in_any_row_order_with_labels_renamed_to_match():
    assert judged(CLUSTER_CASE, CLUSTERS, RENAMED).passed


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("x[labels == j].mean(axis=0)", "x[labels == j].mean(axis=0) + 0.5"), "[0] (centroids)[0, 0] is"),
        (
            ("return centroids, labels,", "return centroids, (x[:, 1] > 0).astype(int),"),
            "agree under the best renaming",
        ),
        (
            ("float(((x - centroids[labels]) ** 2).sum())", "float(((x - centroids[labels]) ** 2).mean())"),
            "[2] (inertia)",
        ),
    ],
)
def test_relabelled_items_still_catch_wrong_values(change, says):
    verdict = judged(CLUSTER_CASE, CLUSTERS, CLUSTERS.replace(*change))
    assert not verdict.passed and says in verdict.message


def test_relabel_leaves_a_float_vector_compared_as_values():
    case = arrays.output("scale", "values", normal(0, 1, (5,)), relabel=True)
    verdict = judged(case, "def scale(x):\n    return 2 * x\n", "def scale(x):\n    return 2 * x[::-1]\n")
    assert not verdict.passed and "expected" in verdict.message


def test_a_list_of_numbers_inside_a_returned_tuple_is_compared():
    case = arrays.output("fit", "curve", normal(0, 1, (8,)))
    solution = "def fit(x):\n    return x.mean(), [float(v) for v in np.cumsum(x)]\n"
    assert judged(
        case, solution, "def fit(x):\n    return x.mean(), list(np.cumsum(x))\n"
    ).passed  # np.float64 items are numbers
    verdict = judged(case, solution, "def fit(x):\n    return x.mean(), [float(v) for v in np.cumsum(x[::-1])]\n")
    assert not verdict.passed and "fit[1]" in verdict.message


def _too_short(student, reference, inputs):
    if student.array is not None and student.array.shape[0] < reference.array.shape[0]:
        return say("少了几个值", "some values are missing")
    return None


def test_a_diagnosis_explains_a_wrong_shape():
    case = arrays.output("head", "rows", normal(0, 1, (6,)), diagnose=[_too_short])
    verdict = judged(case, "def head(x):\n    return x[:4]\n", "def head(x):\n    return x[:3]\n")
    assert not verdict.passed and "some values are missing" in verdict.message


def _pair(x):
    return x[:2], [1.0, 2.0]


@pytest.mark.parametrize(
    ("function", "says"),
    [
        (lambda x: (x[:2], [1.0, 2.0]), None),
        (lambda x: (x[:2], [1.0, 3.0]), "[1][1] is 3"),
        (lambda x: (x[:2] + 1, [1.0, 2.0]), "[0][0] is"),
        (lambda x: (x[:2],), "returned 1 items, expected 2"),
    ],
)
def test_a_public_check_compares_a_returned_tuple_item_by_item(function, says):
    x = np.array([1.0, 2.0, 3.0])
    if says is None:
        check_output(function, x, expected=_pair)
        return
    with pytest.raises(CheckFailed, match=says.replace("[", r"\[").replace("]", r"\]")):
        check_output(function, x, expected=_pair)
