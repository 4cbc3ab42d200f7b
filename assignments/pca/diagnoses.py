"""The typical mistakes of the PCA lesson, explained in both languages.

Students have this file beside their notebook, so it holds words, not answers: ``MESSAGES`` names
each mistake (public checks name one by the wrong value it gives on their fixed inputs, with
``checks.gives``), and the diagnoses here read only the shapes of what came back, the inputs, and
facts a student can check by hand (a direction of length 1, cov @ d = λ d). The hidden cases
(``cases.py``) recognise the value mistakes on any input and say the same words.

A diagnosis gets the student's value and the reference's (decoded ``Value``s) and the inputs
(``a0``, ``a1``, ... in argument order), and returns a message or None.
"""

from __future__ import annotations

import numpy as np

from autograder.authoring import checks, say

MESSAGES = {
    "row_means": say(
        "mean 是每一行（每张图片）的平均值：要对每一列（每个像素）求平均，用 x.mean(axis=0)",
        "the mean is taken along each row (each image): average each column (each pixel) with x.mean(axis=0)",
    ),
    "changes_x": say(
        "center_data 改变了传入的 x：x -= mean 会原地改掉调用者的数据（比如整套图片）；"
        "用 x - mean 得到一个新数组，x 保持原样",
        "center_data changed the x passed in: x -= mean centres the caller's own data (the whole set of "
        "images, say) in place; compute x - mean, a new array, and leave x as it was",
    ),
    "global_mean": say(
        "mean 只有一个数，是所有像素的总平均：每个像素（每一列）要有自己的平均值，用 x.mean(axis=0)",
        "the mean is one number over every pixel: each pixel (column) needs its own mean, x.mean(axis=0)",
    ),
    "not_centred": say(
        "这是没有中心化的数据的 xᵀx / (N-1)：先减去每一列的平均值，再相乘",
        "this is xᵀx / (N-1) of data not centred: subtract each column's mean first, then multiply",
    ),
    "divide_by_n": say(
        "除以了 N：样本协方差要除以 N - 1（和 np.cov 一样）",
        "divided by N: the sample covariance divides by N - 1 (as np.cov does)",
    ),
    "n_by_n": say(
        "得到的是 (N, N) 矩阵，比较的是样本之间而不是像素之间：用 xcᵀ @ xc（形状 (D, D)），或 np.cov(x, rowvar=False)",
        "this is an (N, N) matrix comparing samples, not pixels: "
        "use xcᵀ @ xc (shape (D, D)), or np.cov(x, rowvar=False)",
    ),
    "ascending": say(
        "方差是从小到大排的：np.linalg.eigh 按从小到大返回特征值，要倒过来，先取最大的",
        "the variances come smallest first: np.linalg.eigh returns eigenvalues in ascending order; "
        "reverse them to take the largest first",
    ),
    "std": say(
        "返回的是标准差（方差的平方根）：主方向上的方差就是特征值本身，不要开根号",
        "these are standard deviations (square roots of the variances): "
        "the variance along a direction is the eigenvalue itself, no square root",
    ),
    "not_unit": say(
        "方向的长度不是 1：每个方向（每一行）都应是单位向量，np.linalg.eigh 给出的特征向量已经是",
        "a direction is not of length 1: each direction (row) must be a unit vector, "
        "as np.linalg.eigh's eigenvectors already are",
    ),
    "columns": say(
        "返回的行不是协方差矩阵的特征向量：np.linalg.eigh 把特征向量放在列里（vectors[:, i]），要转置后再按行返回",
        "the rows returned are not eigenvectors of the covariance: np.linalg.eigh puts the eigenvectors "
        "in columns (vectors[:, i]); transpose them to return one per row",
    ),
    "project_not_centred": say(
        "投影前没有减去平均值：主方向是围绕平均值求得的，先算 x - mean，再乘以 directionsᵀ",
        "the mean was not subtracted before projecting: the directions are found around the mean, "
        "so take x - mean, then multiply by directionsᵀ",
    ),
    "reconstruct_no_mean": say(
        "重建时没有把平均值加回去：z @ directions 只是相对于平均值的偏移",
        "the reconstruction leaves out the mean: z @ directions is only the offset from the mean, add it back",
    ),
    "not_cumulative": say(
        "这是每个成分各自的方差占比：要的是前 k 个成分一共保留的占比，用 np.cumsum 累加",
        "these are the shares of each component alone: "
        "the share kept by the first k components adds them up, with np.cumsum",
    ),
    "percent": say(
        "这是百分数：要返回 0 到 1 之间的比例，不要乘以 100",
        "these are percentages: return shares between 0 and 1, without multiplying by 100",
    ),
}


def _items(value, count: int) -> list | None:
    """The numbers of each item of a returned tuple of ``count`` items, or None."""
    if value.kind != "list" or len(value.items) != count:
        return None
    return [checks.numbers_of(item) for item in value.items]


# center_data: which axis the mean was taken along, read off its shape ---------------------------


def center_mean_shape(student, reference, inputs):
    parts, x = _items(student, 2), inputs.get("a0")
    if parts is None or parts[1] is None or x is None or np.ndim(x) != 2:
        return None
    rows, columns = np.shape(x)
    if parts[1].size == 1 and columns > 1:
        return MESSAGES["global_mean"]
    if parts[1].shape == (rows,) and rows != columns:
        return MESSAGES["row_means"]
    return None


# covariance: its shape says which products were taken ---------------------------------------------


def covariance_shape(student, reference, inputs):
    value, x = checks.numbers_of(student), inputs.get("a0")
    if value is None or x is None or np.ndim(x) != 2:
        return None
    rows, columns = np.shape(x)
    return MESSAGES["n_by_n"] if value.shape == (rows, rows) and rows != columns else None


# principal_directions: facts anyone can check of what came back ---------------------------------
# A public check hands these the whole returned tuple; a hidden case compares each item on its own
# and hands them that item. Either way the variances are the 1-D array and the directions the 2-D one.


def _returned(value, ndim: int):
    """The array of ``ndim`` dimensions in a returned (variances, directions) tuple, or the item itself."""
    found = [checks.numbers_of(item) for item in value.items] if value.kind == "list" else [checks.numbers_of(value)]
    return next((array for array in found if array is not None and array.ndim == ndim), None)


def directions_ascending(student, reference, inputs):
    variances = _returned(student, 1)
    if variances is None or variances.size < 2:
        return None
    return MESSAGES["ascending"] if np.all(np.diff(variances) >= 0) and variances[-1] > variances[0] else None


def directions_standard_deviations(student, reference, inputs):
    mine, theirs = _returned(student, 1), _returned(reference, 1)
    if mine is None or theirs is None or mine.shape != theirs.shape:
        return None
    roots = np.sqrt(np.clip(theirs, 0, None))
    if np.allclose(mine, roots, rtol=1e-4, atol=1e-6) and not np.allclose(theirs, roots, rtol=1e-4):
        return MESSAGES["std"]
    return None


def directions_not_unit(student, reference, inputs):
    directions = _returned(student, 2)
    if directions is None or not np.all(np.isfinite(directions)):
        return None
    return MESSAGES["not_unit"] if not np.allclose(np.linalg.norm(directions, axis=1), 1.0, atol=1e-4) else None


def directions_not_eigenvectors(student, reference, inputs):
    directions, cov = _returned(student, 2), inputs.get("a0")
    if (
        directions is None
        or cov is None
        or directions.shape[1] != np.shape(cov)[0]
        or not np.all(np.isfinite(directions))
    ):
        return None
    directions = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    images = directions @ np.asarray(cov, dtype=np.float64).T
    # cov @ d is a multiple of d exactly when nothing is left after taking d's part out.
    left = images - (images * directions).sum(axis=1, keepdims=True) * directions
    scale = max(1.0, float(np.abs(cov).max()))
    return MESSAGES["columns"] if np.any(np.linalg.norm(left, axis=1) > 1e-3 * scale) else None


# variance_kept: shares, not percentages -------------------------------------------------------------


def kept_percent(student, reference, inputs):
    value = checks.numbers_of(student)
    if value is None or value.ndim != 1 or not value.size or not np.all(np.isfinite(value)):
        return None
    return MESSAGES["percent"] if 50 < value.max() <= 100 + 1e-6 else None


def x_changed(student, reference, inputs):
    """The argument x, after the call, no longer holds what was passed in: centred in place."""
    after, before = checks.numbers_of(student), np.asarray(inputs["a0"], dtype=np.float64)
    if after is None or after.shape != before.shape or np.array_equal(after, before):
        return None
    return MESSAGES["changes_x"]


CENTER = (center_mean_shape,)
COVARIANCE = (covariance_shape,)
DIRECTIONS = (directions_ascending, directions_standard_deviations, directions_not_unit, directions_not_eigenvectors)
KEPT = (kept_percent,)
