"""Class and cluster labels: read from a model's predictions, compared when their numbering is arbitrary."""

from __future__ import annotations

import itertools

import numpy as np

from autograder.authoring.language import halves, say
from autograder.authoring.verdict import Verdict


def predicted_labels(predicted: np.ndarray) -> np.ndarray:
    """One label per example from what a prediction gave: its labels as they are, or, for an
    (examples, classes) array of scores, the class with the largest score in each row."""
    predicted = np.asarray(predicted, dtype=np.float64)
    if predicted.ndim == 2 and predicted.shape[1] > 1:
        return predicted.argmax(axis=1).astype(np.float64)
    return predicted.ravel()


def compare_labels(mine: np.ndarray, theirs: np.ndarray, what: str) -> Verdict:
    """Equal up to a one-to-one renaming of the labels."""
    mapping: dict[float, float] = {}
    for a, b in zip(mine.ravel(), theirs.ravel()):
        if mapping.setdefault(float(a), float(b)) != float(b):
            break
    else:
        if len(set(mapping.values())) == len(mapping):
            return Verdict.ok()
    agreement = best_relabelled_agreement(mine, theirs)
    zh, en = halves(what)
    return Verdict.fail(
        say(
            f"{zh} 与参考的分组不一致（重新编号后也只有 {agreement:.0%} 相同）",
            f"{en} groups the points differently from the reference ({agreement:.0%} agree under the best renaming of "
            "the labels)",
        )
    )


def best_relabelled_agreement(mine: np.ndarray, theirs: np.ndarray) -> float:
    """Share of positions that agree under the best one-to-one renaming of ``mine``'s labels."""
    mine, theirs = np.ravel(mine), np.ravel(theirs)
    if mine.size == 0:
        return 1.0
    own, other = np.unique(mine), np.unique(theirs)
    if len(own) > 8:  # keep the search small: greedy beyond 8 labels
        return float(np.mean(mine == theirs))
    best = 0
    for chosen in itertools.permutations(other, min(len(own), len(other))):
        renamed = dict(zip(own, chosen))
        best = max(best, sum(renamed.get(a) == b for a, b in zip(mine, theirs)))
    return best / mine.size


def match_rows(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray | None:
    """The permutation of ``mine``'s rows that lies closest to ``theirs`` (None when shapes differ)."""
    if mine.shape != theirs.shape or mine.ndim != 2:
        return None
    rows = mine.shape[0]
    if rows <= 8:
        orders = itertools.permutations(range(rows))
        return np.array(min(orders, key=lambda order: float(np.abs(mine[list(order)] - theirs).sum())))
    order, free = [], set(range(rows))
    for target in theirs:
        nearest = min(free, key=lambda i: float(np.abs(mine[i] - target).sum()))
        order.append(nearest)
        free.discard(nearest)
    return np.array(order)
