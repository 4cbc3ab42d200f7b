"""A class's worth of submissions for the similarity report, with the pairs a person would call copied.

Per assignment (k-means and logistic regression):
- independent correct solutions, each written its own way (the course's, loops, vectorised, the
  released solution as the lesson shows it, ...). No two of them may pair: alike is not copied;
- students whose only shared code is the released solution's plus the template's blanks;
- families: an unusual correct solution and copies of it with cosmetic changes only (one name
  renamed, every local name renamed, the functions reordered into one cell, comments and docstrings
  added, line and cell magics and shell lines added, all at once). Every two members of a family
  must pair.

``should_pair`` is the truth; the tests measure the report's precision and recall against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Callable, Mapping

import nbformat

from autograder.definitions import definitions
from tests.conftest import PROJECT
from tests.corpus import honest, kmeans
from tests.corpus.blanks import code

ANSWER_TAG = "otter_answer_cell"


@dataclass(frozen=True)
class Entry:
    """One submission: the source of each answer cell it changed (by the name the blank defines).

    ``family``: entries of one family copy each other; "" for independent work. ``one_cell``: every
    answer is written, in reverse order, in the last answer cell, and the other answer cells hold a comment.
    """

    name: str
    answers: Mapping[str, str]
    family: str = ""
    one_cell: bool = False


@dataclass(frozen=True)
class SimilarityCorpus:
    assignment: str
    entries: list[Entry] = field(default_factory=list)

    def should_pair(self) -> set[tuple[str, str]]:
        """Every two entries of one family, as (first, second) sorted by name."""
        return {
            tuple(sorted((a.name, b.name)))
            for a, b in combinations(self.entries, 2)
            if a.family and a.family == b.family
        }

    def notebooks(self, template: Path) -> dict[str, nbformat.NotebookNode]:
        """Each entry's notebook: the student template with its answer cells replaced."""
        return {entry.name: _filled(nbformat.read(template, as_version=4), entry) for entry in self.entries}


def _filled(notebook: nbformat.NotebookNode, entry: Entry) -> nbformat.NotebookNode:
    cells = {
        name: cell
        for cell in notebook.cells
        if ANSWER_TAG in cell.metadata.get("tags", [])
        for name in definitions([cell.source])
    }
    if entry.one_cell:
        for cell in cells.values():
            cell.source = "# 都写在最后一个单元里 · all of it is in the last answer cell"
        list(cells.values())[-1].source = "\n\n".join(
            entry.answers[name].rstrip("\n") for name in reversed(cells) if name in entry.answers
        )
        return notebook
    for name, source in entry.answers.items():
        cells[name].source = source.rstrip("\n")
    return notebook


# Cosmetic changes a copier makes ------------------------------------------------------------------


def renamed(names: Mapping[str, str]) -> Callable[[str], str]:
    """Rename each name in a source (not attributes: ``.sum`` stays; no name renamed is a keyword argument's)."""

    def rename(source: str) -> str:
        for old, new in names.items():
            source = re.sub(rf"(?<![\w.]){re.escape(old)}\b", new, source)
        return source

    return rename


def commented(source: str) -> str:
    """A docstring under each ``def``, a comment above each ``return`` and one at the top."""
    lines = []
    for line in source.rstrip("\n").splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        if line.lstrip().startswith("return"):
            lines.append(f"{indent}# 返回结果 · the result")
        lines.append(line + ("  # 循环 · loop" if line.rstrip().endswith(":") and "for " in line else ""))
        if line.lstrip().startswith("def "):
            lines.append(f'{indent}    """我自己写的 · My own work, written for this assignment."""')
    return "# 作业答案 · my answer\n" + "\n".join(lines) + "\n"


def line_magics(source: str) -> str:
    """A line magic and a shell line above the code, as a student who likes plain tracebacks adds."""
    return "%xmode Plain\n!echo running\n" + source


def cell_magic(source: str) -> str:
    """The whole cell timed with ``%%time``."""
    return "%%time\n" + source


def every_change(names: Mapping[str, str]) -> Callable[[str], str]:
    rename = renamed(names)
    return lambda source: line_magics(commented(rename(source)))


def copies(
    original: Entry, changes: Mapping[str, Callable[[str], str]], *, one_cell: tuple[str, ...] = ()
) -> list[Entry]:
    """The original and one copy per change (named ``<original>__<change>``), all of one family."""
    family = original.name
    entries = [Entry(original.name, original.answers, family)]
    for label, change in changes.items():
        entries.append(
            Entry(
                f"{family}__{label}",
                {name: change(source) for name, source in original.answers.items()},
                family,
                one_cell=label in one_cell,
            )
        )
    return entries


def _same(source: str) -> str:
    return source


def released_solution(assignment: str) -> dict[str, str]:
    """The released solution's answer to each question, as the lesson shows it (name → source)."""
    notebook = nbformat.read(PROJECT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    return definitions(
        cell.source for cell in notebook.cells if "otter_assign_solution_cell" in cell.metadata.get("tags", [])
    )


# k-means --------------------------------------------------------------------------------------------

KMEANS_SOLUTION = released_solution("kmeans")

KMEANS_NORMS = {
    "assign_clusters": code("""
        def assign_clusters(x, centroids):
            gaps = np.linalg.norm(x[:, np.newaxis] - centroids, axis=2)
            return np.argmin(gaps, axis=1)
    """),
    "update_centroids": code("""
        def update_centroids(x, labels, centroids):
            result = np.copy(centroids).astype(float)
            for c in np.unique(labels):
                result[c] = np.mean(x[labels == c], axis=0)
            return result
    """),
    "inertia": code("""
        def inertia(x, centroids, labels):
            per_point = np.sum((x - centroids[labels]) ** 2, axis=1)
            return float(np.sum(per_point))
    """),
    "kmeans": code("""
        def kmeans(x, k, iters, seed):
            centroids = init_centroids(x, k, seed)
            history = []
            for step in range(iters):
                labels = assign_clusters(x, centroids)
                centroids = update_centroids(x, labels, centroids)
                history += [inertia(x, centroids, labels)]
            return centroids, labels, history
    """),
}

KMEANS_COMPREHENSIONS = {
    "assign_clusters": code("""
        def assign_clusters(x, centroids):
            return np.array([min(range(len(centroids)), key=lambda j: ((p - centroids[j]) ** 2).sum()) for p in x])
    """),
    "update_centroids": code("""
        def update_centroids(x, labels, centroids):
            means = [x[labels == j].mean(axis=0) if (labels == j).any() else centroids[j] for j in range(centroids.shape[0])]
            return np.stack(means)
    """),  # noqa: E501
    "inertia": code("""
        def inertia(x, centroids, labels):
            return float(sum(((p - centroids[l]) ** 2).sum() for p, l in zip(x, labels)))
    """),
    "kmeans": code("""
        def kmeans(x, k, iters, seed):
            centroids, history = init_centroids(x, k, seed), []
            for _ in range(iters):
                labels = assign_clusters(x, centroids)
                centroids = update_centroids(x, labels, centroids)
                history.append(inertia(x, centroids, labels))
            return centroids, labels, history
    """),
}

# Unusual correct solutions: the originals that families copy.
KMEANS_EINSUM = Entry(
    "kmeans_einsum",
    {
        "assign_clusters": code("""
        def assign_clusters(x, centroids):
            diff = x[:, None, :] - centroids[None, :, :]
            sq = np.einsum("ijk,ijk->ij", diff, diff)
            order = np.argsort(sq, axis=1, kind="stable")
            return order[:, 0]
    """),
        "update_centroids": code("""
        def update_centroids(x, labels, centroids):
            k, dims = centroids.shape
            onehot = np.eye(k)[labels]
            sizes = onehot.sum(axis=0)
            totals = onehot.T @ x
            safe = np.where(sizes[:, None] > 0, sizes[:, None], 1)
            return np.where(sizes[:, None] > 0, totals / safe, centroids)
    """),
        "inertia": code("""
        def inertia(x, centroids, labels):
            residual = x - np.take(centroids, labels, axis=0)
            return float(np.einsum("ij,ij->", residual, residual))
    """),
        "kmeans": code("""
        def kmeans(x, k, iters, seed):
            current = init_centroids(x, k, seed)
            trace = np.empty(iters)
            for it in range(iters):
                assignment = assign_clusters(x, current)
                current = update_centroids(x, assignment, current)
                trace[it] = inertia(x, current, assignment)
            return current, assignment, list(trace)
    """),
    },
)

KMEANS_PLAIN_PYTHON = Entry(
    "kmeans_plain_python",
    {
        "assign_clusters": code("""
        def assign_clusters(x, centroids):
            out = []
            for point in x.tolist():
                dists = [sum((a - b) ** 2 for a, b in zip(point, c)) for c in centroids.tolist()]
                out.append(dists.index(min(dists)))
            return np.array(out, dtype=int)
    """),
        "update_centroids": code("""
        def update_centroids(x, labels, centroids):
            groups = {j: [] for j in range(len(centroids))}
            for point, label in zip(x, labels):
                groups[int(label)].append(point)
            rows = [np.mean(groups[j], axis=0) if groups[j] else centroids[j] for j in sorted(groups)]
            return np.vstack(rows)
    """),
        "inertia": code("""
        def inertia(x, centroids, labels):
            acc = 0.0
            for i in range(len(x)):
                delta = x[i] - centroids[labels[i]]
                acc = acc + float(delta @ delta)
            return acc
    """),
        "kmeans": code("""
        def kmeans(x, k, iters, seed):
            c = init_centroids(x, k, seed)
            scores = []
            n = 0
            while True:
                if n == iters:
                    break
                lab = assign_clusters(x, c)
                c = update_centroids(x, lab, c)
                scores.append(inertia(x, c, lab))
                n += 1
            return c, lab, scores
    """),
    },
)

KMEANS_SORTED = Entry(
    "kmeans_sorted_groups",
    {
        "assign_clusters": code("""
        def assign_clusters(x, centroids):
            cross = x @ centroids.T
            lengths = (centroids * centroids).sum(axis=1)
            return np.argmax(2 * cross - lengths, axis=1)
    """),
        "update_centroids": code("""
        def update_centroids(x, labels, centroids):
            order = np.argsort(labels, kind="stable")
            found, starts = np.unique(labels[order], return_index=True)
            sums = np.add.reduceat(x[order], starts, axis=0)
            counts = np.diff(np.append(starts, len(labels)))
            moved = centroids.astype(float).copy()
            moved[found] = sums / counts[:, None]
            return moved
    """),
        "inertia": code("""
        def inertia(x, centroids, labels):
            return float(np.square(x - centroids[labels]).sum(axis=None))
    """),
        "kmeans": code("""
        def kmeans(x, k, iters, seed):
            state = {"centroids": init_centroids(x, k, seed), "history": []}
            for _ in range(iters):
                state["labels"] = assign_clusters(x, state["centroids"])
                state["centroids"] = update_centroids(x, state["labels"], state["centroids"])
                state["history"].append(inertia(x, state["centroids"], state["labels"]))
            return state["centroids"], state["labels"], state["history"]
    """),
    },
)

KMEANS = SimilarityCorpus(
    "kmeans",
    [
        Entry("course_style", kmeans.COURSE_STYLE),
        Entry("loops", kmeans.LOOPS),
        Entry("vectorised", kmeans.VECTORISED),
        Entry("as_the_lesson_shows", KMEANS_SOLUTION),
        Entry(
            "as_the_lesson_shows_other_names",
            {
                name: renamed({"distances": "d", "labels": "lab", "history": "inertias"})(source)
                for name, source in KMEANS_SOLUTION.items()
            },
        ),
        Entry("norms", KMEANS_NORMS),
        Entry("comprehensions", KMEANS_COMPREHENSIONS),
        # The false alarm: the released solution's assign_clusters and the template's blanks.
        Entry("solution_assign_only", {"assign_clusters": KMEANS_SOLUTION["assign_clusters"]}),
        Entry("solution_assign_only_too", {"assign_clusters": KMEANS_SOLUTION["assign_clusters"]}),
        Entry(
            "solution_assign_and_own_update",
            {
                "assign_clusters": KMEANS_SOLUTION["assign_clusters"],
                "update_centroids": code("""
        def update_centroids(x, labels, centroids):
            fresh = centroids.copy()
            for cluster in range(centroids.shape[0]):
                chosen = labels == cluster
                if chosen.sum() > 0:
                    fresh[cluster] = x[chosen].sum(axis=0) / chosen.sum()
            return fresh
    """),
            },
        ),
        Entry(
            "solution_assign_and_own_inertia",
            {
                "assign_clusters": KMEANS_SOLUTION["assign_clusters"],
                "inertia": code("""
        def inertia(x, centroids, labels):
            squared = (x - centroids[labels]) ** 2
            return squared.sum().item()
    """),
            },
        ),
        *copies(
            KMEANS_EINSUM,
            {
                "one_name": renamed({"sq": "squares"}),
                "all_names": renamed(
                    {
                        "x": "pts",
                        "centroids": "centres",
                        "diff": "delta",
                        "sq": "d2",
                        "order": "ranked",
                        "k": "n_clusters",
                        "dims": "d",
                        "onehot": "member",
                        "sizes": "n",
                        "totals": "s",
                        "safe": "denom",
                        "residual": "r",
                        "current": "c",
                        "trace": "hist",
                        "it": "i",
                        "assignment": "lab",
                    }
                ),
                "reordered": _same,
                "comments": commented,
                "magics": line_magics,
                # Not only cosmetic: one line of kmeans written another way.
                "one_line_changed": lambda source: source.replace("trace = np.empty(iters)", "trace = np.zeros(iters)"),
            },
            one_cell=("reordered",),
        ),
        *copies(
            KMEANS_PLAIN_PYTHON,
            {
                "all_names_and_comments": lambda source: commented(
                    renamed(
                        {
                            "out": "result",
                            "dists": "d",
                            "point": "p",
                            "groups": "bins",
                            "rows": "new_rows",
                            "acc": "total",
                            "delta": "diff",
                            "scores": "history",
                            "lab": "labels",
                        }
                    )(source)
                ),
                "cell_magic": cell_magic,
                "reordered": _same,
            },
            one_cell=("reordered",),
        ),
        *copies(
            KMEANS_SORTED,
            {
                "one_name": renamed({"cross": "dots"}),
                "every_change": every_change(
                    {
                        "cross": "xc",
                        "lengths": "norms",
                        "order": "idx",
                        "found": "present",
                        "starts": "begin",
                        "sums": "total",
                        "counts": "sizes",
                        "moved": "out",
                        "state": "s",
                    }
                ),
            },
        ),
    ],
)


# Logistic regression ------------------------------------------------------------------------------

LOGISTIC_SOLUTION = released_solution("logistic_regression")

LOGISTIC_ANALYTIC = Entry(
    "logistic_analytic_gradient",
    {
        "sigmoid": code("""
        def sigmoid(x):
            e = torch.exp(-torch.abs(x))
            return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    """),
        "binary_loss": code("""
        def binary_loss(y_pred, y):
            safe = torch.clip(y_pred, 1e-9, 1 - 1e-9)
            terms = torch.xlogy(y, safe) + torch.xlogy(1 - y, 1 - safe)
            return -terms.sum() / y.numel()
    """),
        "train": code("""
        def train(x, y, w, b, lr, epochs):
            history = []
            n = x.shape[0]
            for _ in range(epochs):
                with torch.no_grad():
                    p = logistic_regression(x, w, b)
                    history.append(float(binary_loss(p, y)))
                    err = (p - y) / n
                    w.sub_(lr * (x.T @ err))
                    b.sub_(lr * err.sum(dim=0))
            return history
    """),
        "accuracy": code("""
        def accuracy(y_pred, y):
            guesses = torch.floor(y_pred + 0.5)
            return guesses.eq(y).double().mean().item()
    """),
    },
)

LOGISTIC_LOG1P = Entry(
    "logistic_log1p",
    {
        "sigmoid": code("""
        def sigmoid(x):
            return torch.exp(-torch.log1p(torch.exp(-x.clamp(min=-80))))
    """),
        "binary_loss": code("""
        def binary_loss(y_pred, y):
            eps = torch.tensor(1e-10)
            positive = y * torch.log(torch.maximum(y_pred, eps))
            negative = (1 - y) * torch.log1p(-torch.minimum(y_pred, 1 - eps))
            return torch.neg(positive + negative).mean()
    """),
        "train": code("""
        def train(x, y, w, b, lr, epochs):
            out = []
            for epoch in range(epochs):
                cost = binary_loss(logistic_regression(x, w, b), y)
                torch.autograd.backward(cost)
                out.append(cost.detach().item())
                for param in (w, b):
                    param.data.add_(param.grad, alpha=-lr)
                    param.grad.detach_()
                    param.grad.zero_()
            return out
    """),
        "accuracy": code("""
        def accuracy(y_pred, y):
            flags = [int(p >= 0.5) == int(t) for p, t in zip(y_pred.flatten().tolist(), y.flatten().tolist())]
            return sum(flags) / len(flags)
    """),
    },
)

LOGISTIC = SimilarityCorpus(
    "logistic_regression",
    [
        Entry("course_style", honest.COURSE_STYLE),
        Entry("builtins", honest.BUILTINS),
        Entry("tanh", honest.TANH_STYLE),
        Entry("stable_where", honest.STABLE_WHERE),
        Entry("optimizer", honest.OPTIMIZER_STYLE),
        Entry("as_the_lesson_shows", LOGISTIC_SOLUTION),
        Entry("solution_sigmoid_and_loss_only", {name: LOGISTIC_SOLUTION[name] for name in ("sigmoid", "binary_loss")}),
        Entry(
            "solution_sigmoid_and_own_train",
            {
                "sigmoid": LOGISTIC_SOLUTION["sigmoid"],
                "train": code("""
        def train(x, y, w, b, lr, epochs):
            recorded = []
            for i in range(epochs):
                if w.grad is not None:
                    w.grad.zero_()
                    b.grad.zero_()
                current = binary_loss(logistic_regression(x, w, b), y)
                current.backward()
                recorded.append(current.item())
                w.data -= lr * w.grad
                b.data -= lr * b.grad
            return recorded
    """),
            },
        ),
        *copies(
            LOGISTIC_ANALYTIC,
            {
                # The evasion: a verbatim copy with one parameter renamed (sigmoid(x) -> sigmoid(z)).
                "one_name": lambda source: renamed({"x": "z"})(source) if source.startswith("def sigmoid") else source,
                "all_names": renamed(
                    {
                        "x": "inputs",
                        "e": "exp_neg",
                        "safe": "q",
                        "terms": "ll",
                        "history": "losses",
                        "n": "count",
                        "p": "probs",
                        "err": "residual",
                        "guesses": "labels",
                    }
                ),
                "magics": line_magics,
                "comments": commented,
                "reordered": _same,
            },
            one_cell=("reordered",),
        ),
        *copies(
            LOGISTIC_LOG1P,
            {
                "every_change": every_change(
                    {
                        "eps": "tiny",
                        "positive": "pos",
                        "negative": "neg",
                        "out": "losses",
                        "cost": "loss",
                        "param": "tensor",
                        "flags": "hits",
                    }
                ),
                "cell_magic": cell_magic,
            },
        ),
    ],
)

CORPORA = (KMEANS, LOGISTIC)
