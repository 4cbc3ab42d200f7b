"""The points of the k-means lesson: three blobs in the plane, the same on every run.

``blobs.csv`` holds one point a line, ``x0,x1``, 180 points drawn around three
centres and shuffled, so the file does not give the clusters away by its order.
An instructor may replace it with any 2-D data set of the same format: every
reference is recomputed from the file present at release.

``autograder make-data blobs`` (and release, when the file is missing) calls ``make_data``; the
datasheet is README.md beside this file.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 2024
CENTRES = ((-4.0, -2.0), (3.0, -3.0), (0.5, 4.0))
POINTS_PER_BLOB = 60
SPREAD = 1.1  # standard deviation of each blob; three apart at this spread, touching at the edges


def generate_points(*, seed: int = SEED) -> np.ndarray:
    """The points, shape (180, 2), the same for the same seed."""
    rng = np.random.default_rng(seed)
    blobs = [rng.normal(centre, SPREAD, size=(POINTS_PER_BLOB, 2)) for centre in CENTRES]
    points = np.concatenate(blobs)
    return points[rng.permutation(len(points))]


def make_data(folder: Path) -> list[Path]:
    """Write ``blobs.csv`` into ``folder``; return its path."""
    path = Path(folder) / "blobs.csv"
    rows = "".join(f"{a:.4f},{b:.4f}\n" for a, b in generate_points())
    path.write_text("x0,x1\n" + rows, encoding="utf-8")
    return [path]
