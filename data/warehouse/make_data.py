"""The floor of the Q-learning lesson: a small warehouse the robot crosses, the same on every run.

``warehouse.txt`` is a map, one row of the floor a line: ``#`` a shelf (the robot cannot enter it),
``.`` free floor, ``S`` the robot's charging dock (where every episode starts) and ``G`` the
pick-up point (the goal). Shelves are drawn at random with a fixed seed; a draw that walls the goal
off from the dock is drawn again, so the goal can always be reached. An instructor may replace the
file with any map of the same format: every reference is recomputed from the file present at release.

``autograder make-data warehouse`` (and release, when the file is missing) calls ``make_data``; the
datasheet is README.md beside this file.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np

SEED = 7
ROWS, COLUMNS = 6, 8
SHELVES = 12
DOCK, PICKUP = (5, 0), (0, 7)


def _reachable(floor: np.ndarray) -> bool:
    """Whether the pick-up point can be reached from the dock through free floor."""
    seen, queue = {DOCK}, deque([DOCK])
    while queue:
        row, column = queue.popleft()
        for d_row, d_column in ((-1, 0), (0, 1), (1, 0), (0, -1)):
            cell = (row + d_row, column + d_column)
            if 0 <= cell[0] < ROWS and 0 <= cell[1] < COLUMNS and floor[cell] != "#" and cell not in seen:
                seen.add(cell)
                queue.append(cell)
    return PICKUP in seen


def generate_floor(*, seed: int = SEED) -> np.ndarray:
    """The map as a (6, 8) array of one-character strings, the same for the same seed."""
    rng = np.random.default_rng(seed)
    while True:
        floor = np.full((ROWS, COLUMNS), ".")
        floor[DOCK], floor[PICKUP] = "S", "G"
        free = [index for index in range(ROWS * COLUMNS) if floor.flat[index] == "."]
        floor.flat[rng.choice(free, size=SHELVES, replace=False)] = "#"
        if _reachable(floor):
            return floor


def make_data(folder: Path) -> list[Path]:
    """Write ``warehouse.txt`` into ``folder``; return its path."""
    path = Path(folder) / "warehouse.txt"
    path.write_text("".join("".join(row) + "\n" for row in generate_floor()), encoding="utf-8")
    return [path]
