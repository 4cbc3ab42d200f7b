"""The data of the nn_module lesson: two interleaving half-moons, which no straight line separates.

Class 0 is the upper moon, class 1 the lower one, shifted so the two interleave;
Gaussian noise blurs the edge. The points are drawn once with a fixed seed and
split at random into a training set and a held-out set, each written as a CSV
file of x0,x1,label rows. Run ``autograder make-data moons`` to write them; the datasheet is
README.md beside this file.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 8
POINTS_PER_MOON = 150
HELD_OUT = 100
NOISE = 0.15
FILES = ("moons_train.csv", "moons_test.csv")


def _moons(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    angles = rng.uniform(0.0, np.pi, size=(2, POINTS_PER_MOON))
    upper = np.column_stack([np.cos(angles[0]), np.sin(angles[0])])
    lower = np.column_stack([1.0 - np.cos(angles[1]), 0.5 - np.sin(angles[1])])
    x = np.vstack([upper, lower]) + rng.normal(0.0, NOISE, size=(2 * POINTS_PER_MOON, 2))
    y = np.repeat([0, 1], POINTS_PER_MOON)
    return x, y


def _write(path: Path, x: np.ndarray, y: np.ndarray) -> None:
    rows = "".join(f"{a:.4f},{b:.4f},{label}\n" for (a, b), label in zip(x, y))
    path.write_text("x0,x1,label\n" + rows, encoding="utf-8")


def make_data(folder: Path) -> list[Path]:
    """Write moons_train.csv and moons_test.csv into ``folder``; return their paths."""
    rng = np.random.default_rng(SEED)
    x, y = _moons(rng)
    order = rng.permutation(len(y))
    held_out, train = order[:HELD_OUT], order[HELD_OUT:]
    paths = [Path(folder) / name for name in FILES]
    _write(paths[0], x[train], y[train])
    _write(paths[1], x[held_out], y[held_out])
    return paths
