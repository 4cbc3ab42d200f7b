"""The data of the rnn_trajectory lesson: one flight path of a point-mass aircraft.

The aircraft flies at a constant airspeed. Its bank angle follows a new random target every
40 seconds through a first-order lag, and turns it at the coordinated-turn rate g·tan(bank)/V;
its flight-path angle drifts the same way within a few degrees, so it climbs and descends gently.
Positions are integrated every second and written every 6 seconds, with a little measurement
noise, as ``flight.csv`` of t_s,east_km,north_km,alt_km rows. Six seconds apart, a turn changes
each displacement enough that repeating the last one is a poor forecast: a model must learn the turn. Run ``autograder make-data flight``
to write it; the datasheet is README.md beside this file.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 25
SECONDS = 1800
WRITE_EVERY = 6
AIRSPEED_KM_S = 0.08
GRAVITY_KM_S2 = 9.81e-3
NEW_TARGET_EVERY = 40
LAG_SECONDS = 8.0
MAX_BANK_DEG = 35.0
MAX_CLIMB_DEG = 4.0
NOISE_KM = 0.0005
FILE = "flight.csv"


def _targets(rng: np.random.Generator, largest_deg: float) -> np.ndarray:
    """A target angle (radians) for every second, held for NEW_TARGET_EVERY seconds at a time."""
    held = rng.uniform(-largest_deg, largest_deg, size=SECONDS // NEW_TARGET_EVERY + 1)
    return np.radians(np.repeat(held, NEW_TARGET_EVERY)[:SECONDS])


def _fly(rng: np.random.Generator) -> np.ndarray:
    """Integrate the point mass one second at a time; return its (SECONDS, 3) positions in km."""
    bank_targets = _targets(rng, MAX_BANK_DEG)
    climb_targets = _targets(rng, MAX_CLIMB_DEG)
    bank, climb, heading = 0.0, 0.0, rng.uniform(0.0, 2.0 * np.pi)
    position = np.array([0.0, 0.0, 1.5])
    path = np.empty((SECONDS, 3))
    for second in range(SECONDS):
        bank += (bank_targets[second] - bank) / LAG_SECONDS
        climb += (climb_targets[second] - climb) / LAG_SECONDS
        heading += GRAVITY_KM_S2 * np.tan(bank) / AIRSPEED_KM_S
        ground_speed = AIRSPEED_KM_S * np.cos(climb)
        position = position + [ground_speed * np.sin(heading), ground_speed * np.cos(heading),
                               AIRSPEED_KM_S * np.sin(climb)]
        path[second] = position
    return path


def make_data(folder: Path) -> list[Path]:
    """Write flight.csv into ``folder``; return its path."""
    rng = np.random.default_rng(SEED)
    written = _fly(rng)[WRITE_EVERY - 1::WRITE_EVERY]
    written = written + rng.normal(0.0, NOISE_KM, size=written.shape)
    times = np.arange(1, len(written) + 1) * WRITE_EVERY
    rows = "".join(f"{t},{e:.4f},{n:.4f},{a:.4f}\n" for t, (e, n, a) in zip(times, written))
    path = Path(folder) / FILE
    path.write_text("t_s,east_km,north_km,alt_km\n" + rows, encoding="utf-8")
    return [path]
