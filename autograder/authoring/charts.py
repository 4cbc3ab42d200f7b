"""Charts an assignment's feedback pages show, declared in its cases file as ``CHARTS``.

A declaration names the notebook variables a chart needs. The sandbox records
those variables from the student's notebook (and the same ones from the
solution at release); the grader draws the student's next to the solution's.
An assignment that declares no chart gets none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Chart:
    """Base of the chart declarations: ``variables`` are read from the notebook's globals."""

    @property
    def variables(self) -> tuple[str, ...]:
        raise NotImplementedError

    def record(self, namespace: dict) -> dict[str, Any]:
        """What the sandbox keeps from the notebook for this chart (raw values, encoded later)."""
        return {name: namespace.get(name) for name in self.variables}


@dataclass(frozen=True)
class LossCurve(Chart):
    """A number per step (a list): the training loss per epoch, or any curve, labelled with the
    assignment's own quantity (``loss``) and step (``step``: an epoch, an iteration, a batch);
    ``log`` draws the values on a log scale."""

    losses: str = "losses"
    loss: str = "loss"
    title: str = "训练损失 · Training loss"
    step: str = "轮次 · epoch"
    log: bool = False

    @property
    def variables(self):
        return (self.losses,)


@dataclass(frozen=True)
class Curves(Chart):
    """Several curves on one chart, each a number per step: ``curves`` maps the name the legend shows
    to a notebook variable (``{"SGD": "sgd_losses", "Adam": "adam_losses"}``). The student's curve and
    the solution's share a colour, solid and dashed; ``log`` draws the values on a log scale."""

    curves: Mapping[str, str]
    loss: str = "loss"
    title: str = "训练损失 · Training loss"
    step: str = "轮次 · epoch"
    log: bool = False

    def __post_init__(self):
        # Kept as (name, variable) pairs, so the declaration stays hashable like the other charts.
        object.__setattr__(self, "curves", tuple(dict(self.curves).items()))

    @property
    def variables(self):
        return tuple(variable for _, variable in self.curves)


@dataclass(frozen=True)
class LinearBoundary(Chart):
    """Two classes of 2-D points and the lines w0·x0 + w1·x1 + b = 0 of the student and the solution."""

    x: str
    y: str
    w: str
    b: str
    classes: tuple[str, str] = ("0", "1")
    axes: tuple[str, str] = ("x0", "x1")
    title: str = "决策边界 · Decision boundary"

    @property
    def variables(self):
        return (self.x, self.y, self.w, self.b)


@dataclass(frozen=True)
class FittedLine(Chart):
    """1-D regression: the points (x, y) and the lines y = w·x + b of the student and the solution."""

    x: str
    y: str
    w: str
    b: str
    axes: tuple[str, str] = ("x", "y")
    title: str = "拟合直线 · Fitted line"

    @property
    def variables(self):
        return (self.x, self.y, self.w, self.b)


@dataclass(frozen=True)
class Clusters(Chart):
    """2-D points coloured by cluster label, with the centroids of the student and the solution."""

    x: str
    labels: str
    centroids: str
    title: str = "聚类 · Clusters"

    @property
    def variables(self):
        return (self.x, self.labels, self.centroids)


@dataclass(frozen=True)
class DecisionRegions(Chart):
    """2-D labelled points over the class a model predicts at each point of a grid.

    ``predict(namespace, grid)`` is instructor code run on the student's notebook
    (in the sandbox): it gets the grid as a float32 tensor (or an array when
    ``torch`` is False) of shape (resolution², 2) and returns one label per row,
    or one row of class scores per point (the grader takes the largest). Where
    picking the label is itself a question, return the scores: this code sits
    beside the student's, so it must not compute an answer.
    """

    x: str
    y: str
    predict: Callable[[dict, Any], Any]
    resolution: int = 60
    torch: bool = True
    title: str = "决策区域 · Decision regions"

    @property
    def variables(self):
        return (self.x, self.y)

    @property
    def regions_key(self) -> str:
        return f"{self.x}:regions"

    def record(self, namespace):
        recorded = super().record(namespace)
        recorded[self.regions_key] = self.predict_grid(namespace)
        return recorded

    def grid(self, x) -> "Any":
        import numpy as np

        points = np.asarray(x.detach().numpy() if hasattr(x, "detach") else x, dtype=np.float64)
        low, high = points.min(axis=0), points.max(axis=0)
        pad = (high - low) * 0.1
        axes = [np.linspace(low[i] - pad[i], high[i] + pad[i], self.resolution) for i in range(2)]
        xx, yy = np.meshgrid(*axes)
        return np.column_stack([xx.ravel(), yy.ravel()])

    def predict_grid(self, namespace: dict):
        import numpy as np

        x = namespace.get(self.x)
        if x is None:
            return None
        grid = self.grid(x)
        if self.torch:
            import torch

            grid = torch.tensor(grid, dtype=torch.float32)
        with _no_grad(self.torch):
            labels = self.predict(namespace, grid)
        labels = np.asarray(labels.detach().numpy() if hasattr(labels, "detach") else labels, dtype=np.float64)
        if labels.ndim == 2 and labels.shape[1] > 1:
            # Class scores: only which is largest matters, so shifted to a top of 0 they fit float16,
            # and the grid's scores stay within what a notebook may record for its page.
            return np.clip(labels - labels.max(axis=1, keepdims=True), -6e4, 0).astype(np.float16)
        return labels.ravel()


@dataclass(frozen=True)
class Scatter(Chart):
    """2-D points of the notebook's own making (a projection, an embedding) coloured by a label per
    point: the student's points beside the solution's, each drawn where its own notebook put them."""

    points: str
    labels: str
    axes: tuple[str, str] = ("x0", "x1")
    title: str = "散点 · Scatter"

    @property
    def variables(self):
        return (self.points, self.labels)


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


class _no_grad:
    def __init__(self, active: bool):
        self.context = None
        if active:
            import torch

            self.context = torch.no_grad()

    def __enter__(self):
        if self.context:
            self.context.__enter__()

    def __exit__(self, *exc):
        if self.context:
            self.context.__exit__(*exc)


def record(charts, names: tuple[str, ...], namespace: dict) -> dict[str, Any]:
    """The raw values a feedback page needs from a notebook: each chart's record, or (first
    format, no charts) the named variables. A chart whose recording fails records nothing."""
    if not charts:
        return {name: namespace.get(name) for name in names}
    recorded: dict[str, Any] = {}
    for chart in charts:
        try:
            recorded.update(chart.record(namespace))
        except Exception:
            recorded.update(dict.fromkeys(chart.variables))
    return recorded


def repeated_titles(charts) -> list[str]:
    """Titles more than one chart has: a feedback page shows the charts one under another, by title."""
    titles = [chart.title for chart in charts]
    return sorted({title for title in titles if titles.count(title) > 1})


def recorded_variables(charts) -> tuple[str, ...]:
    """Every notebook variable the given charts read, once, in order."""
    names: list[str] = []
    for chart in charts:
        for name in chart.variables:
            if name not in names:
                names.append(name)
    return tuple(names)
