"""Honest submissions to the PCA assignment, with their fair scores.

Each entry is a correct answer in one of several styles, or one typical mistake of the lesson in
one question; the other questions keep the course's answer. Every question has three hidden cases
of equal weight. covariance runs with the solution's center_data swapped in; the other questions take
what they need as arguments, so a mistake costs only its own question. A direction counts with
either sign, so an SVD or np.linalg.eig that returns other signs than the course's earns full marks.

Regenerate the demo set with::

    .venv/bin/python -m tests.corpus.pca examples/submissions/pca
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.corpus.blanks import Corpus, Submission, code

POINTS = {
    "center_data": 1.0,
    "covariance": 2.0,
    "principal_directions": 3.0,
    "project_onto": 1.5,
    "reconstruct": 1.5,
    "variance_kept": 1.0,
}


def _scores(**given: float) -> dict[str, float]:
    return {**POINTS, **{question: float(score) for question, score in given.items()}}


COURSE_STYLE = {
    "center_data": code("""
        def center_data(x):
            mean = x.mean(axis=0)
            return x - mean, mean
    """),
    "covariance": code("""
        def covariance(x):
            centred, mean = center_data(x)
            return centred.T @ centred / (len(x) - 1)
    """),
    "principal_directions": code("""
        def principal_directions(cov, k):
            values, vectors = np.linalg.eigh(cov)
            values, vectors = values[::-1], vectors[:, ::-1]
            return values[:k], fix_signs(vectors[:, :k].T)
    """),
    "project_onto": code("""
        def project_onto(x, mean, directions):
            return (x - mean) @ directions.T
    """),
    "reconstruct": code("""
        def reconstruct(z, mean, directions):
            return z @ directions + mean
    """),
    "variance_kept": code("""
        def variance_kept(variances):
            return np.cumsum(variances) / np.sum(variances)
    """),
}

LIBRARY = {
    "center_data": code("""
        def center_data(x):
            mean = np.average(x, axis=0)
            return np.subtract(x, mean), mean
    """),
    "covariance": code("""
        def covariance(x):
            return np.cov(x, rowvar=False)
    """),
    "principal_directions": code("""
        def principal_directions(cov, k):
            # a covariance matrix is symmetric and positive semi-definite: its SVD is its eigendecomposition,
            # largest first; the signs are the SVD's own
            u, s, vt = np.linalg.svd(cov)
            return s[:k], vt[:k]
    """),
    "project_onto": code("""
        def project_onto(x, mean, directions):
            return np.einsum("nd,kd->nk", x - mean, directions)
    """),
    "reconstruct": code("""
        def reconstruct(z, mean, directions):
            return np.dot(z, directions) + mean[None, :]
    """),
    "variance_kept": code("""
        def variance_kept(variances):
            total = variances.sum()
            return np.array([variances[:k].sum() / total for k in range(1, len(variances) + 1)])
    """),
}

LOOPS = {
    "center_data": code("""
        def center_data(x):
            mean = np.zeros(x.shape[1])
            for j in range(x.shape[1]):
                mean[j] = sum(x[:, j]) / len(x)
            centred = x.copy()
            for i in range(len(x)):
                centred[i] = x[i] - mean
            return centred, mean
    """),
    "covariance": code("""
        def covariance(x):
            centred, _ = center_data(x)
            d = x.shape[1]
            cov = np.zeros((d, d))
            for i in range(d):
                for j in range(d):
                    cov[i, j] = np.dot(centred[:, i], centred[:, j]) / (len(x) - 1)
            return cov
    """),
    "principal_directions": code("""
        def principal_directions(cov, k):
            values, vectors = np.linalg.eig(cov)
            values, vectors = values.real, vectors.real
            order = np.argsort(-values)[:k]
            directions = np.array([vectors[:, i] / np.linalg.norm(vectors[:, i]) for i in order])
            return values[order], directions
    """),
    "project_onto": code("""
        def project_onto(x, mean, directions):
            z = np.zeros((len(x), len(directions)))
            for i in range(len(x)):
                for j in range(len(directions)):
                    z[i, j] = np.dot(x[i] - mean, directions[j])
            return z
    """),
    "reconstruct": code("""
        def reconstruct(z, mean, directions):
            rebuilt = np.tile(mean, (len(z), 1))
            for j in range(len(directions)):
                rebuilt = rebuilt + np.outer(z[:, j], directions[j])
            return rebuilt
    """),
    "variance_kept": code("""
        def variance_kept(variances):
            kept, running = [], 0.0
            for value in variances:
                running += value
                kept.append(running / np.sum(variances))
            return np.array(kept)
    """),
}

CORRECT = [
    Submission(
        "correct_course_style",
        "correct: x.mean(axis=0), xcᵀxc / (N-1), eigh reversed with fix_signs, matrix products, cumsum",
    ),
    Submission(
        "correct_library",
        "correct: np.cov(rowvar=False), the SVD of the covariance with its own signs, einsum, np.dot",
        LIBRARY,
    ),
    Submission(
        "correct_loops",
        "correct: Python loops, np.linalg.eig sorted by hand and normalised without fix_signs, a running total",
        LOOPS,
    ),
]

MISTAKES = [
    Submission(
        "center_row_means",
        "center_data averages each row (axis=1): one mean per image instead of one per pixel",
        {
            "center_data": code("""
            def center_data(x):
                mean = x.mean(axis=1)
                return x - mean[:, None], mean
        """)
        },
        _scores(center_data=0.25),
    ),
    Submission(
        "center_global_mean",
        "center_data subtracts one mean over every entry instead of each column's",
        {
            "center_data": code("""
            def center_data(x):
                mean = x.mean()
                return x - mean, mean
        """)
        },
        _scores(center_data=0.25),
    ),
    Submission(
        "center_in_place",
        "center_data subtracts the mean from x in place (x -= mean), centring the caller's own array",
        {
            "center_data": code("""
            def center_data(x):
                mean = x.mean(axis=0)
                x -= mean
                return x, mean
        """)
        },
        _scores(center_data=0.75),
        says="center_data changed the x passed in",
    ),
    Submission(
        "cov_divide_by_n",
        "covariance divides by N instead of N - 1",
        {
            "covariance": code("""
            def covariance(x):
                centred, _ = center_data(x)
                return centred.T @ centred / len(x)
        """)
        },
        _scores(covariance=0.0),
    ),
    Submission(
        "cov_not_centred",
        "covariance multiplies the raw data, never subtracting the mean",
        {
            "covariance": code("""
            def covariance(x):
                return x.T @ x / (len(x) - 1)
        """)
        },
        _scores(covariance=0.0),
    ),
    Submission(
        "cov_between_samples",
        "covariance calls np.cov(x) without rowvar=False: an (N, N) matrix between samples",
        {
            "covariance": code("""
            def covariance(x):
                return np.cov(x)
        """)
        },
        _scores(covariance=0.0),
    ),
    Submission(
        "pd_ascending",
        "principal_directions keeps eigh's ascending order: the k smallest eigenvalues and their vectors",
        {
            "principal_directions": code("""
            def principal_directions(cov, k):
                values, vectors = np.linalg.eigh(cov)
                return values[:k], fix_signs(vectors[:, :k].T)
        """)
        },
        _scores(principal_directions=0.0),
    ),
    Submission(
        "pd_rows_of_eigh",
        "principal_directions takes rows of eigh's matrix, whose eigenvectors are its columns",
        {
            "principal_directions": code("""
            def principal_directions(cov, k):
                values, vectors = np.linalg.eigh(cov)
                return values[::-1][:k], fix_signs(vectors[::-1][:k])
        """)
        },
        _scores(principal_directions=0.0),
    ),
    Submission(
        "pd_standard_deviations",
        "principal_directions returns the square roots of the eigenvalues, the standard deviations",
        {
            "principal_directions": code("""
            def principal_directions(cov, k):
                values, vectors = np.linalg.eigh(cov)
                values, vectors = values[::-1], vectors[:, ::-1]
                return np.sqrt(np.clip(values[:k], 0, None)), fix_signs(vectors[:, :k].T)
        """)
        },
        _scores(principal_directions=0.0),
    ),
    Submission(
        "project_not_centred",
        "project_onto multiplies the raw data by the directions, never subtracting the mean",
        {
            "project_onto": code("""
            def project_onto(x, mean, directions):
                return x @ directions.T
        """)
        },
        _scores(project_onto=0.0),
    ),
    Submission(
        "reconstruct_without_mean",
        "reconstruct forgets to add the mean back",
        {
            "reconstruct": code("""
            def reconstruct(z, mean, directions):
                return z @ directions
        """)
        },
        _scores(reconstruct=0.0),
    ),
    Submission(
        "kept_not_cumulative",
        "variance_kept gives each component's own share, not the share the first k keep together "
        "(right only for one component)",
        {
            "variance_kept": code("""
            def variance_kept(variances):
                return variances / variances.sum()
        """)
        },
        _scores(variance_kept=0.33333),
    ),
    Submission(
        "kept_percent",
        "variance_kept returns percentages instead of shares",
        {
            "variance_kept": code("""
            def variance_kept(variances):
                return 100 * np.cumsum(variances) / np.sum(variances)
        """)
        },
        _scores(variance_kept=0.0),
    ),
]

DEMO_NAMES = (
    "correct_course_style",
    "correct_library",
    "cov_divide_by_n",
    "pd_ascending",
    "project_not_centred",
    "kept_not_cumulative",
)

CORPUS = Corpus("pca", POINTS, COURSE_STYLE, CORRECT + MISTAKES, DEMO_NAMES)


def _main(arguments: list[str]) -> None:
    """Regenerate the bundled demo set: ``python -m tests.corpus.pca FOLDER [TEMPLATE]``."""
    folder = Path(arguments[0]) if arguments else Path("examples/submissions/pca")
    template = Path(arguments[1]) if len(arguments) > 1 else Path("student_template/pca/pca.ipynb")
    for path in CORPUS.write(folder, template, names=DEMO_NAMES):
        print(path)


if __name__ == "__main__":
    _main(sys.argv[1:])
