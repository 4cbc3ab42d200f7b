"""The chart kind of a model's decision regions: 2-D labelled points over the class it predicts on a grid.

Its ``figure`` imports ``chart_canvas`` (matplotlib) when it draws, never at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from autograder.authoring.charts import LABELS, Chart
from autograder.authoring.labels import predicted_labels

REGION_COLOURS = ["#d9f0e8", "#e4e2f3", "#fbe0ef", "#e5f2d6"]


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

    page_id = "regions"

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
        points = np.asarray(x.detach().numpy() if hasattr(x, "detach") else x, dtype=np.float64)
        low, high = points.min(axis=0), points.max(axis=0)
        pad = (high - low) * 0.1
        axes = [np.linspace(low[i] - pad[i], high[i] + pad[i], self.resolution) for i in range(2)]
        xx, yy = np.meshgrid(*axes)
        return np.column_stack([xx.ravel(), yy.ravel()])

    def predict_grid(self, namespace: dict):
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

    def figure(self, student, reference, notes):
        from autograder.authoring import chart_canvas as canvas

        x = canvas.finite_array(reference.get(self.x), ndim=2, columns=2)
        if x is None:
            return None
        y = canvas.finite_array(reference.get(self.y))
        grid = self.grid(x)
        side = self.resolution
        figure, axes = canvas.new_figure(panels=2)
        for ax, who, values in zip(axes, ("you", "reference"), (student, reference)):
            recorded = canvas.finite_array(values.get(self.regions_key))
            regions = predicted_labels(recorded) if recorded is not None and recorded.ndim <= 2 else None
            # Class labels: a handful of values. A submission's huge range would cost a level each to draw.
            if (
                regions is not None
                and regions.size == side * side
                and np.all(np.isfinite(regions))
                and regions.max() - regions.min() <= canvas.MAX_REGION_LABELS
            ):
                ax.contourf(
                    grid[:, 0].reshape(side, side),
                    grid[:, 1].reshape(side, side),
                    regions.reshape(side, side),
                    levels=np.arange(regions.min() - 0.5, regions.max() + 1.5),
                    colors=REGION_COLOURS,
                    alpha=0.9,
                )
            elif who == "you":
                notes.append("画不出你的模型的决策区域 / your model's decision regions cannot be drawn")
            canvas.scatter_classes(ax, x, y if y is not None and y.size == len(x) else None)
            ax.set_title(LABELS[who])
        canvas.legend_below(figure, axes)
        return figure


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
