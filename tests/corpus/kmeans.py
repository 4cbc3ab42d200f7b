"""Honest submissions to the k-means assignment, with their fair scores.

Each entry is a correct answer in one of several styles, or one typical mistake of the lesson in
one question; the other questions keep the course's answer. The kmeans cases run with the
solution's helpers swapped in, so a helper's mistake costs only its own question. kmeans has
four cases: the clusters on the course data up to renaming (1 point), the inertia after each
iteration from the notebook's start (1.5), a run where a cluster stays empty (0.5), and the
inertia never rising, with its last value that of the centroids and labels returned (1).

Regenerate the demo set with::

    .venv/bin/python -m tests.corpus.kmeans examples/submissions/kmeans
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.corpus.blanks import Corpus, Submission, code

POINTS = {"assign_clusters": 2.0, "update_centroids": 2.0, "inertia": 2.0, "kmeans": 4.0}


def _scores(**given: float) -> dict[str, float]:
    return {**POINTS, **{question: float(score) for question, score in given.items()}}


COURSE_STYLE = {
    "assign_clusters": code("""
        def assign_clusters(x, centroids):
            distances = ((x[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
            return np.argmin(distances, axis=1)
    """),
    "update_centroids": code("""
        def update_centroids(x, labels, centroids):
            new = centroids.copy()
            for j in range(len(centroids)):
                if np.any(labels == j):
                    new[j] = x[labels == j].mean(axis=0)
            return new
    """),
    "inertia": code("""
        def inertia(x, centroids, labels):
            return float(((x - centroids[labels]) ** 2).sum())
    """),
    "kmeans": code("""
        def kmeans(x, k, iters, seed):
            centroids = init_centroids(x, k, seed)
            history = []
            for _ in range(iters):
                labels = assign_clusters(x, centroids)
                centroids = update_centroids(x, labels, centroids)
                history.append(inertia(x, centroids, labels))
            return centroids, labels, history
    """),
}

LOOPS = {
    "assign_clusters": code("""
        def assign_clusters(x, centroids):
            labels = np.zeros(len(x), dtype=int)
            for i, point in enumerate(x):
                best = np.inf
                for j, centroid in enumerate(centroids):
                    distance = np.sum((point - centroid) ** 2)
                    if distance < best:  # strictly closer: a tie keeps the smaller index
                        best = distance
                        labels[i] = j
            return labels
    """),
    "update_centroids": code("""
        def update_centroids(x, labels, centroids):
            new = []
            for j in range(len(centroids)):
                members = x[labels == j]
                new.append(members.mean(axis=0) if len(members) > 0 else centroids[j])
            return np.array(new)
    """),
    "inertia": code("""
        def inertia(x, centroids, labels):
            total = 0.0
            for point, label in zip(x, labels):
                total += np.sum((point - centroids[label]) ** 2)
            return total
    """),
    "kmeans": code("""
        def kmeans(x, k, iters, seed):
            centroids = init_centroids(x, k, seed)
            history = []
            step = 0
            while step < iters:
                labels = assign_clusters(x, centroids)
                centroids = update_centroids(x, labels, centroids)
                history.append(float(inertia(x, centroids, labels)))
                step += 1
            return (centroids, labels, history)
    """),
}

VECTORISED = {
    "assign_clusters": code("""
        def assign_clusters(x, centroids):
            # |x - c|^2 = |x|^2 - 2 x.c + |c|^2, all pairs at once
            squared = (x ** 2).sum(axis=1)[:, None] - 2 * x @ centroids.T + (centroids ** 2).sum(axis=1)[None, :]
            return squared.argmin(axis=1)
    """),
    "update_centroids": code("""
        def update_centroids(x, labels, centroids):
            k = len(centroids)
            sums = np.zeros((k, x.shape[1]))
            np.add.at(sums, labels, x)
            counts = np.bincount(labels, minlength=k)
            new = np.array(centroids, dtype=float)
            filled = counts > 0
            new[filled] = sums[filled] / counts[filled, None]
            return new
    """),
    "inertia": code("""
        def inertia(x, centroids, labels):
            return float(np.linalg.norm(x - centroids[labels]) ** 2)
    """),
    "kmeans": code("""
        def kmeans(x, k, iters, seed):
            centroids = init_centroids(x, k, seed)
            history = np.zeros(iters)
            for i in range(iters):
                labels = assign_clusters(x, centroids)
                centroids = update_centroids(x, labels, centroids)
                history[i] = inertia(x, centroids, labels)
            return centroids, labels, history
    """),
}

CORRECT = [
    Submission("correct_course_style", "correct: broadcasting and argmin, a loop over clusters that skips empty ones"),
    Submission(
        "correct_loops",
        "correct: Python loops throughout, strict < keeps ties at the smaller index, inertia as a NumPy float",
        LOOPS,
    ),
    Submission(
        "correct_vectorised",
        "correct: |x|^2 - 2x.c + |c|^2 distances, np.add.at and bincount means, inertia as a squared norm, history as "
        "an array",
        VECTORISED,
    ),
]

MISTAKES = [
    Submission(
        "assign_farthest",
        "assign_clusters takes argmax: every point goes to its farthest centroid",
        {
            "assign_clusters": code("""
            def assign_clusters(x, centroids):
                distances = ((x[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
                return np.argmax(distances, axis=1)
        """)
        },
        _scores(assign_clusters=0.0),
    ),
    Submission(
        "assign_ties_to_last",
        "assign_clusters loops with <=, so a point exactly as far from two centroids goes to the larger index",
        {
            "assign_clusters": code("""
            def assign_clusters(x, centroids):
                labels = np.zeros(len(x), dtype=int)
                best = np.full(len(x), np.inf)
                for j, centroid in enumerate(centroids):
                    distance = ((x - centroid) ** 2).sum(axis=1)
                    closer = distance <= best
                    labels[closer] = j
                    best[closer] = distance[closer]
                return labels
        """)
        },
        _scores(assign_clusters=1.5),
    ),
    Submission(
        "update_empty_is_nan",
        "update_centroids takes the mean of every cluster: an empty cluster's centroid becomes nan",
        {
            "update_centroids": code("""
            def update_centroids(x, labels, centroids):
                return np.array([x[labels == j].mean(axis=0) for j in range(len(centroids))])
        """)
        },
        _scores(update_centroids=1.5),
    ),
    Submission(
        "inertia_not_squared",
        "inertia adds the distances instead of the squared distances",
        {
            "inertia": code("""
            def inertia(x, centroids, labels):
                return float(np.linalg.norm(x - centroids[labels], axis=1).sum())
        """)
        },
        _scores(inertia=0.0),
    ),
    Submission(
        "inertia_mean",
        "inertia averages the squared distances instead of adding them",
        {
            "inertia": code("""
            def inertia(x, centroids, labels):
                return float(((x - centroids[labels]) ** 2).sum(axis=1).mean())
        """)
        },
        _scores(inertia=0.0),
    ),
    Submission(
        "kmeans_stops_early",
        "kmeans breaks out of the loop once the centroids stop moving, so history is shorter than iters",
        {
            "kmeans": code("""
            def kmeans(x, k, iters, seed):
                centroids = init_centroids(x, k, seed)
                history = []
                for _ in range(iters):
                    labels = assign_clusters(x, centroids)
                    new = update_centroids(x, labels, centroids)
                    history.append(inertia(x, new, labels))
                    if np.allclose(new, centroids):
                        break
                    centroids = new
                return centroids, labels, history
        """)
        },
        _scores(kmeans=2.0),
    ),
    Submission(
        "kmeans_inertia_before_update",
        "kmeans records the inertia of the old centroids, before updating them",
        {
            "kmeans": code("""
            def kmeans(x, k, iters, seed):
                centroids = init_centroids(x, k, seed)
                history = []
                for _ in range(iters):
                    labels = assign_clusters(x, centroids)
                    history.append(inertia(x, centroids, labels))
                    centroids = update_centroids(x, labels, centroids)
                return centroids, labels, history
        """)
        },
        _scores(kmeans=1.0),
    ),
    Submission(
        "kmeans_first_points_start",
        "kmeans starts from the first k points instead of init_centroids(x, k, seed)",
        {
            "kmeans": code("""
            def kmeans(x, k, iters, seed):
                centroids = x[:k].copy()
                history = []
                for _ in range(iters):
                    labels = assign_clusters(x, centroids)
                    centroids = update_centroids(x, labels, centroids)
                    history.append(inertia(x, centroids, labels))
                return centroids, labels, history
        """)
        },
        _scores(kmeans=2.0),
    ),
]

DEMO_NAMES = (
    "correct_course_style",
    "correct_vectorised",
    "assign_ties_to_last",
    "update_empty_is_nan",
    "inertia_mean",
    "kmeans_stops_early",
)

CORPUS = Corpus("kmeans", POINTS, COURSE_STYLE, CORRECT + MISTAKES, DEMO_NAMES)


def _main(arguments: list[str]) -> None:
    """Regenerate the bundled demo set: ``python -m tests.corpus.kmeans FOLDER [TEMPLATE]``."""
    folder = Path(arguments[0]) if arguments else Path("examples/submissions/kmeans")
    template = Path(arguments[1]) if len(arguments) > 1 else Path("student_template/kmeans/kmeans.ipynb")
    for path in CORPUS.write(folder, template, names=DEMO_NAMES):
        print(path)


if __name__ == "__main__":
    _main(sys.argv[1:])
