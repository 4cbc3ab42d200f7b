"""Submissions whose graded code is alike beyond chance.

Only the definitions students write (the template's answer cells, read by
``autograder.grading.intake.answer_code``) are compared, by their fingerprints
(``autograder.grading.similarity.fingerprints``: per-function normal forms, so renames, comments, docstrings,
magics and the order of the functions change nothing). What a correct answer is expected to share
is discounted fragment by fragment, not function by function: every fingerprint the solution or
the starter code holds anywhere is dropped, and so is every one that more than ``common_limit``
submissions hold (the lesson's own style). Of the rare fingerprints left, each weighs more the
fewer submissions hold it. Two submissions are alike when the weighted share of their rare
fingerprints they hold in common is high and they share more than a few; groups are what such
pairs link.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from autograder.grading.similarity.fingerprints import every_kgram, fingerprints

MIN_SHARED = 6  # rare fingerprints a pair must share to be flagged
THRESHOLD = 0.5  # weighted share of their rare fingerprints in common
COMMON_SHARE = 0.1  # a fingerprint more than this share of the class holds is the lesson's style...
MIN_COMMON = 10  # ...once more than this many hold it (so a ring of copies in a small class still shows)


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    score: float  # weighted share of rare fingerprints in common, 0-1
    shared: int  # rare fingerprints in common


def common_limit(submissions: int) -> int:
    """The most submissions a fingerprint may be held by and still count as rare."""
    return max(MIN_COMMON, math.ceil(COMMON_SHARE * submissions))


def similar_pairs(codes: dict[str, str], *, solution: str = "", starter: str = "") -> list[Pair]:
    """Pairs of submissions (by file) whose graded code is alike beyond chance, most alike first."""
    expected = every_kgram(solution) | every_kgram(starter)
    marks = {file: fingerprints(code) - expected for file, code in codes.items()}
    holders = Counter(mark for found in marks.values() for mark in found)
    limit = common_limit(len(marks))
    weight = {mark: math.log((1 + len(marks)) / count) for mark, count in holders.items() if count <= limit}
    rare = {file: {mark for mark in found if mark in weight} for file, found in marks.items()}
    in_common = _shared_by_pairs(rare)
    pairs = []
    for (first, second), common in in_common.items():
        if len(common) < MIN_SHARED:
            continue
        either = rare[first] | rare[second]
        score = sum(weight[mark] for mark in common) / sum(weight[mark] for mark in either)
        if score >= THRESHOLD:
            pairs.append(Pair(first, second, round(score, 3), len(common)))
    return sorted(pairs, key=lambda pair: (-pair.score, pair.first, pair.second))


def _shared_by_pairs(rare: dict[str, set[int]]) -> dict[tuple[str, str], set[int]]:
    """(first, second) → the rare fingerprints both hold, for every pair holding one at least.

    Built from who holds each fingerprint, so the work grows with what pairs share, not with the
    square of the class (each fingerprint has at most ``common_limit`` holders).
    """
    holders: dict[int, list[str]] = defaultdict(list)
    for file in sorted(rare):
        for mark in rare[file]:
            holders[mark].append(file)
    shared: dict[tuple[str, str], set[int]] = defaultdict(set)
    for mark, files in holders.items():
        for pair in combinations(files, 2):
            shared[pair].add(mark)
    return shared


def clusters(pairs: list[Pair]) -> list[list[str]]:
    """Groups of files linked by alike pairs, largest first."""
    parent: dict[str, str] = {}

    def root(file: str) -> str:
        while parent.setdefault(file, file) != file:
            parent[file] = parent[parent[file]]
            file = parent[file]
        return file

    for pair in pairs:
        parent[root(pair.first)] = root(pair.second)
    groups: dict[str, list[str]] = {}
    for file in parent:
        groups.setdefault(root(file), []).append(file)
    return sorted(
        (sorted(group) for group in groups.values() if len(group) > 1), key=lambda group: (-len(group), group)
    )
