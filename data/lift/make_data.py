"""The data of the linear-regression lesson: a wing section's lift coefficient against its angle of attack.

A wind-tunnel run in miniature. The lift coefficient C_L rises in a straight line with the angle
of attack alpha (about 0.105 per degree, 0.25 at zero angle, as thin-airfoil theory says for a
cambered section), then rounds over and drops as the wing stalls past about 12 degrees. The
training run measures ten angles spread evenly from -4 to 20 degrees (each set within 0.6 degrees);
a second run measures forty angles drawn at random over the same range, held out to judge the
fits. Every measurement carries Gaussian noise. Each file is a CSV of alpha_deg,cl rows. Run
``autograder make-data lift`` to write them; the datasheet is README.md beside this file.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 140
TRAIN_ANGLES, HELD_OUT_ANGLES = 10, 40
LOWEST, HIGHEST = -4.0, 20.0  # degrees
NOISE = 0.07
FILES = ("lift_train.csv", "lift_test.csv")


def lift_coefficient(alpha: np.ndarray) -> np.ndarray:
    """C_L at ``alpha`` degrees: a straight line that rounds over smoothly into stall past 12 degrees."""
    past_stall = 1.5 * np.log1p(np.exp((alpha - 12.0) / 1.5))  # about max(0, alpha - 12), without a corner
    return 0.25 + 0.105 * alpha - 0.03 * past_stall**2


def _write(path: Path, alpha: np.ndarray, cl: np.ndarray) -> None:
    rows = "".join(f"{a:.4f},{c:.4f}\n" for a, c in zip(alpha, cl))
    path.write_text("alpha_deg,cl\n" + rows, encoding="utf-8")


def make_data(folder: Path) -> list[Path]:
    """Write lift_train.csv and lift_test.csv into ``folder``; return their paths."""
    rng = np.random.default_rng(SEED)
    train = np.linspace(LOWEST, HIGHEST, TRAIN_ANGLES) + rng.uniform(-0.6, 0.6, TRAIN_ANGLES)
    held_out = np.sort(rng.uniform(LOWEST, HIGHEST, HELD_OUT_ANGLES))
    measured = [lift_coefficient(alpha) + rng.normal(0.0, NOISE, alpha.shape) for alpha in (train, held_out)]
    paths = [Path(folder) / name for name in FILES]
    _write(paths[0], train, measured[0])
    _write(paths[1], held_out, measured[1])
    return paths
