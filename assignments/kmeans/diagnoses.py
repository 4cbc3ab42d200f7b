"""The typical mistakes of the k-means lesson, explained in both languages.

Shared by the public checks (students have this file beside their notebook) and the hidden cases,
so a student reads the same cause before and after submitting. Each diagnosis gets the student's
value and the reference's (decoded ``Value``s) and the inputs (``a0``, ``a1``, ... in argument
order), and returns a message or None. Nothing here grades: it explains mistakes, and it holds no
answer (it never runs k-means).
"""
from __future__ import annotations

import numpy as np

from autograder.authoring import checks, say


def _argument(inputs, index: int) -> np.ndarray | None:
    value = inputs.get(f"a{index}")
    return None if value is None else np.asarray(value, dtype=np.float64)


def _squared_distances(x: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    return ((x[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)


def _same(a, b) -> bool:
    return a is not None and b is not None and np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


# assign_clusters ---------------------------------------------------------------------------------


def assign_farthest(student, reference, inputs):
    labels, x, centroids = checks.numbers_of(student), _argument(inputs, 0), _argument(inputs, 1)
    if labels is None or x is None or centroids is None or labels.shape != (len(x),):
        return None
    if np.array_equal(labels, _squared_distances(x, centroids).argmax(axis=1)):
        return say("每个点都分给了最远的质心：要找距离最小的（argmin，不是 argmax）",
                   "every point went to its farthest centroid: pick the smallest distance (argmin, not argmax)")
    return None


def assign_ties_to_larger_index(student, reference, inputs):
    labels, expected = checks.numbers_of(student), checks.numbers_of(reference)
    x, centroids = _argument(inputs, 0), _argument(inputs, 1)
    if labels is None or expected is None or x is None or labels.shape != expected.shape:
        return None
    distances = _squared_distances(x, centroids)
    tied = (distances == distances.min(axis=1, keepdims=True)).sum(axis=1) > 1
    differs = labels != expected
    if differs.any() and tied[differs].all() and (labels[differs] > expected[differs]).all():
        return say("距离完全相同时分错了：一个点到几个质心一样近时，要分给编号最小的那个（np.argmin 就是这样；循环里用 <= 会留下最后一个）",
                   "wrong on exact ties: a point as close to several centroids goes to the smallest index (np.argmin does this; `<=` in a loop keeps the last one)")
    return None


# update_centroids --------------------------------------------------------------------------------


def _empty_clusters(inputs) -> np.ndarray | None:
    labels, centroids = _argument(inputs, 1), _argument(inputs, 2)
    if labels is None or centroids is None:
        return None
    return np.setdiff1d(np.arange(len(centroids)), labels.astype(int))


def update_empty_cluster(student, reference, inputs):
    new, empty = checks.numbers_of(student), _empty_clusters(inputs)
    if new is None or empty is None or not empty.size:
        return None
    if new.ndim == 2 and new.shape[0] == len(_argument(inputs, 2)) - empty.size:
        return say(f"第 {empty.tolist()} 组没有点，结果里就少了这几行：没有点的组也要保留，质心不变",
                   f"cluster(s) {empty.tolist()} have no points and their rows are missing: keep every cluster, an empty one with its old centroid")
    if new.shape != checks.numbers_of(reference).shape:
        return None
    rows = new[empty]
    if not np.all(np.isfinite(rows)):
        return say(f"第 {empty.tolist()} 组没有点，平均值成了 nan：没有点的组应保留原来的质心",
                   f"cluster(s) {empty.tolist()} have no points, so their mean is nan: an empty cluster keeps its old centroid")
    if not _same(rows, checks.numbers_of(reference)[empty]):
        return say(f"第 {empty.tolist()} 组没有点，它的质心应保持不变，而不是 {rows.tolist()}",
                   f"cluster(s) {empty.tolist()} have no points: an empty cluster keeps its old centroid, not {rows.tolist()}")
    return None


# inertia -----------------------------------------------------------------------------------------


def _inertia_parts(student, inputs):
    value = checks.numbers_of(student)
    x, centroids, labels = _argument(inputs, 0), _argument(inputs, 1), _argument(inputs, 2)
    if value is None or value.size != 1 or x is None or centroids is None or labels is None:
        return None
    return float(value.ravel()[0]), x, centroids, labels.astype(int)


def inertia_not_squared(student, reference, inputs):
    parts = _inertia_parts(student, inputs)
    if parts is None:
        return None
    value, x, centroids, labels = parts
    if _same(value, np.sqrt(((x - centroids[labels]) ** 2).sum(axis=1)).sum()):
        return say("这是距离之和，不是平方距离之和：每个距离都要平方（不要开根号）",
                   "this is the sum of distances, not of squared distances: square each distance (no square root)")
    return None


def inertia_mean(student, reference, inputs):
    parts = _inertia_parts(student, inputs)
    if parts is None:
        return None
    value, x, centroids, labels = parts
    if _same(value, ((x - centroids[labels]) ** 2).sum() / len(x)):
        return say("这是平方距离的平均值：惯性是所有点的平方距离之和，不要除以点数",
                   "this is the mean squared distance: the inertia is the sum over all points, not divided by their number")
    return None


def inertia_nearest(student, reference, inputs):
    parts = _inertia_parts(student, inputs)
    if parts is None:
        return None
    value, x, centroids, labels = parts
    if _same(value, _squared_distances(x, centroids).min(axis=1).sum()) and not _same(value, checks.numbers_of(reference)):
        return say("这是到最近质心的距离：惯性要按传入的 labels 计算，每个点到 centroids[labels[i]] 的平方距离",
                   "this uses the nearest centroid: the inertia follows the labels it is given, each point to centroids[labels[i]]")
    return None


# kmeans ------------------------------------------------------------------------------------------


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
    if _same(mine[-1], theirs[-1]) and not _same(mine[0], theirs[0]):
        return say("最后的惯性对了，开始的不对：kmeans 要从 init_centroids(x, k, seed) 出发，并在每次更新质心之后记录惯性",
                   "the last inertia is right but the first is not: start from init_centroids(x, k, seed), and record the inertia after each update of the centroids")
    return None


ASSIGN = (assign_farthest, assign_ties_to_larger_index)
UPDATE = (update_empty_cluster,)
INERTIA = (inertia_not_squared, inertia_mean, inertia_nearest)
KMEANS = (kmeans_history_length, kmeans_other_start)
