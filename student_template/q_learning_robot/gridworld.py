"""The robot's world: a warehouse floor read from a map, and what one move does.

Cells are numbered row by row from the top-left corner: the cell in row ``r`` and column ``c`` of a
floor ``w`` cells wide is state ``r * w + c``. A move into a shelf or off the floor leaves the robot
where it was and costs a bump; reaching the goal ends the episode.
"""

from __future__ import annotations

import numpy as np

FREE, SHELF, START, GOAL = 0, 1, 2, 3
SYMBOLS = {".": FREE, "#": SHELF, "S": START, "G": GOAL}
ACTIONS = ("up", "right", "down", "left")
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
STEP_REWARD = -1.0  # every move costs time and battery
BUMP_REWARD = -5.0  # driving into a shelf or the wall
GOAL_REWARD = 20.0  # the pick-up point reached


def load_grid(path) -> np.ndarray:
    """The map in ``path`` as an integer array (FREE, SHELF, START, GOAL), one row per line."""
    lines = [line.strip() for line in open(path, encoding="utf-8") if line.strip()]
    unknown = sorted({symbol for line in lines for symbol in line} - set(SYMBOLS))
    if unknown or len({len(line) for line in lines}) != 1:
        raise ValueError(f"{path}: a map is lines of equal length made of . # S G, found {unknown or 'ragged lines'}")
    return np.array([[SYMBOLS[symbol] for symbol in line] for line in lines], dtype=np.int64)


def start_state(grid: np.ndarray) -> int:
    """The state where every episode starts (the cell marked S)."""
    return int(np.flatnonzero(grid == START)[0])


def step(grid: np.ndarray, state: int, action: int) -> tuple[int, float, bool]:
    """Move from ``state`` by ``action`` (0 up, 1 right, 2 down, 3 left): (next state, reward, done)."""
    rows, columns = grid.shape
    row, column = divmod(int(state), columns)
    d_row, d_column = MOVES[int(action)]
    row, column = row + d_row, column + d_column
    if not (0 <= row < rows and 0 <= column < columns) or grid[row, column] == SHELF:
        return int(state), BUMP_REWARD, False
    if grid[row, column] == GOAL:
        return row * columns + column, GOAL_REWARD, True
    return row * columns + column, STEP_REWARD, False
