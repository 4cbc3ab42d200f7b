"""The typical mistakes of the k-means lesson, explained in both languages.

Students have this file beside their notebook, so it holds words, not answers: ``MESSAGES`` names
each mistake (public checks name one by the wrong value it gives on their fixed inputs, with
``checks.gives``), and the few diagnoses here read only the inputs and the returned shapes. The hidden cases
(``cases.py``) recognise the same mistakes on any input and say the same words, so a student
reads one cause before and after submitting.

A diagnosis gets the student's value and the reference's (decoded ``Value``s) and the inputs
(``a0``, ``a1``, ... in argument order), and returns a message or None.
"""
from __future__ import annotations

import numpy as np

from autograder.authoring import checks, say

MESSAGES = {
    "farthest": say("每个点都分给了最远的质心：要找距离最小的（argmin，不是 argmax）",
                    "every point went to its farthest centroid: pick the smallest distance (argmin, not argmax)"),
    "ties": say("距离完全相同时分错了：一个点到几个质心一样近时，要分给编号最小的那个（np.argmin 就是这样；循环里用 <= 会留下最后一个）",
                "wrong on exact ties: a point as close to several centroids goes to the smallest index (np.argmin does this; `<=` in a loop keeps the last one)"),
    "not_squared": say("这是距离之和，不是平方距离之和：每个距离都要平方（不要开根号）",
                       "this is the sum of distances, not of squared distances: square each distance (no square root)"),
    "mean": say("这是平方距离的平均值：惯性是所有点的平方距离之和，不要除以点数",
                "this is the mean squared distance: the inertia is the sum over all points, not divided by their number"),
    "nearest": say("这是到最近质心的距离：惯性要按传入的 labels 计算，每个点到 centroids[labels[i]] 的平方距离",
                   "this uses the nearest centroid: the inertia follows the labels it is given, each point to centroids[labels[i]]"),
}


# update_centroids: which clusters are empty is read off the labels alone ---------------------------


def update_empty_cluster(student, reference, inputs):
    new, labels, centroids = checks.numbers_of(student), inputs.get("a1"), inputs.get("a2")
    if new is None or labels is None or centroids is None:
        return None
    empty = np.setdiff1d(np.arange(len(centroids)), np.asarray(labels).astype(int))
    if not empty.size:
        return None
    if new.ndim == 2 and new.shape[0] == len(centroids) - empty.size:
        return say(f"第 {empty.tolist()} 组没有点，结果里就少了这几行：没有点的组也要保留，质心不变",
                   f"cluster(s) {empty.tolist()} have no points and their rows are missing: keep every cluster, an empty one with its old centroid")
    if new.shape != np.shape(centroids):
        return None
    rows = new[empty]
    if not np.all(np.isfinite(rows)):
        return say(f"第 {empty.tolist()} 组没有点，平均值成了 nan：没有点的组应保留原来的质心",
                   f"cluster(s) {empty.tolist()} have no points, so their mean is nan: an empty cluster keeps its old centroid")
    if not np.allclose(rows, np.asarray(centroids, dtype=np.float64)[empty]):
        return say(f"第 {empty.tolist()} 组没有点，它的质心应保持不变，而不是 {rows.tolist()}",
                   f"cluster(s) {empty.tolist()} have no points: an empty cluster keeps its old centroid, not {rows.tolist()}")
    return None


# kmeans: the inertia list against the reference's -------------------------------------------------


def _history(value):
    """The inertia list: the whole returned tuple's third item, or the item itself."""
    if value.kind == "list" and len(value.items) == 3:
        value = value.items[2]
    numbers = checks.numbers_of(value)
    if numbers is None or numbers.ndim != 1 or value.kind in ("ndarray", "tensor") and value.array.dtype.kind != "f":
        return None
    return numbers


def kmeans_history_length(student, reference, inputs):
    mine, theirs = _history(student), _history(reference)
    if mine is None or theirs is None or mine.size == theirs.size:
        return None
    if mine.size == theirs.size + 1:
        return say("惯性多记了一个：只记每次迭代之后的值，不要记初始质心的惯性",
                   "one inertia too many: record the value after each iteration only, not the one of the starting centroids")
    if mine.size < theirs.size:
        return say(f"只记了 {mine.size} 次迭代的惯性，应有 {theirs.size} 个：即使提前收敛也要做满 iters 次，不要 break",
                   f"the inertia of {mine.size} iterations, expected {theirs.size}: run all iters iterations even after it converges, no break")
    return None


def kmeans_other_start(student, reference, inputs):
    mine, theirs = _history(student), _history(reference)
    if mine is None or theirs is None or mine.size != theirs.size or not mine.size:
        return None
    if np.isclose(mine[-1], theirs[-1], rtol=1e-6) and not np.isclose(mine[0], theirs[0], rtol=1e-6):
        return say("最后的惯性对了，开始的不对：kmeans 要从 init_centroids(x, k, seed) 出发，并在每次更新质心之后记录惯性",
                   "the last inertia is right but the first is not: start from init_centroids(x, k, seed), and record the inertia after each update of the centroids")
    return None


UPDATE = (update_empty_cluster,)
KMEANS = (kmeans_history_length, kmeans_other_start)
