"""The chart kind of a route on a floor of cells: the robot's grid world with its blocked cells, start
and goal, and each notebook's route as arrows from cell to cell.

Its ``figure`` imports ``chart_canvas`` (matplotlib) when it draws, never at import.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.authoring.charts import LABELS, Chart

FLOOR, BLOCKED = "#f4f4f4", "#4d4d4d"
START_COLOUR, GOAL_COLOUR = "#1f78b4", "#1b9e77"
MAX_ARROWS = 200  # a route longer than this is drawn by its first moves only: a light SVG


@dataclass(frozen=True)
class GridPath(Chart):
    """A route on a floor of cells (a robot's grid world): ``grid`` is a 2-D map of integers and ``path``
    the cells the route visits in order, each numbered row by row (``row * width + column``). Each panel
    draws the floor, its ``blocked`` cells dark, the ``start`` and ``goal`` cells marked, and its own
    notebook's route as arrows from cell to cell."""

    grid: str
    path: str
    blocked: int = 1
    start: int = 2
    goal: int = 3
    title: str = "路线 · Route"

    @property
    def variables(self):
        return (self.grid, self.path)

    def figure(self, student, reference, notes):
        from autograder.authoring import chart_canvas as canvas

        grid = canvas.finite_array(reference.get(self.grid), ndim=2)
        if grid is None:
            return None
        figure, axes = canvas.new_figure(panels=2)
        for ax, who, values in zip(axes, ("you", "reference"), (student, reference)):
            self._floor(ax, grid)
            ax.set_title(LABELS[who])
            route = _route(canvas.finite_array(values.get(self.path), ndim=1), grid.size)
            if route is None:
                if who == "you":
                    notes.append(
                        f"画不出你的路线：`{self.path}` 应是地图里格子的编号列表 / your route cannot be drawn: "
                        f"`{self.path}` should be a list of the floor's cell numbers"
                    )
                continue
            colour = canvas.YOU if who == "you" else canvas.REFERENCE
            _arrows(ax, route, grid.shape[1], colour, f"{LABELS[who]}: {len(route) - 1} 步 · moves")
        canvas.legend_below(figure, axes)
        return figure

    def _floor(self, ax, grid: np.ndarray) -> None:
        from matplotlib.colors import ListedColormap

        ax.imshow(grid == self.blocked, cmap=ListedColormap([FLOOR, BLOCKED]), vmin=0, vmax=1)
        ax.set_xticks(np.arange(-0.5, grid.shape[1]), minor=True)
        ax.set_yticks(np.arange(-0.5, grid.shape[0]), minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5, alpha=1)
        ax.grid(which="major", visible=False)
        ax.tick_params(which="both", length=0)
        _mark(ax, grid, self.start, "S", START_COLOUR)
        _mark(ax, grid, self.goal, "G", GOAL_COLOUR)


def _route(route: np.ndarray | None, cells: int) -> np.ndarray | None:
    """The route as whole cell numbers within the floor, or None."""
    if route is None or np.any(route != np.round(route)) or route.min() < 0 or route.max() >= cells:
        return None
    return route.astype(np.int64)[: MAX_ARROWS + 1]


def _mark(ax, grid: np.ndarray, value: int, text: str, colour: str) -> None:
    for row, column in zip(*np.nonzero(grid == value)):
        ax.text(column, row, text, ha="center", va="center", color=colour, fontsize=13, fontweight="bold")


def _arrows(ax, route: np.ndarray, width: int, colour: str, label: str) -> None:
    rows, columns = np.divmod(route, width)
    ax.plot(columns, rows, "-", color=colour, linewidth=1.5, alpha=0.6, label=label)
    for index in range(len(route) - 1):
        if route[index] != route[index + 1]:  # a bump leaves the robot where it was: no arrow
            ax.annotate(
                "",
                xy=(columns[index + 1], rows[index + 1]),
                xytext=(columns[index], rows[index]),
                arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.8, "shrinkA": 4, "shrinkB": 4},
            )
