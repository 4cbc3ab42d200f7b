"""Drawers of the charts of points in the plane: a linear boundary between classes, clusters, a scatter of
labelled points and decision regions."""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from autograder.authoring.charts import Clusters, DecisionRegions, LinearBoundary, Scatter
from autograder.authoring.labels import predicted_labels
from autograder.grading.pages.chart_figures import (
    LABELS,
    MAX_POINTS,
    MAX_REGION_LABELS,
    PALETTE,
    REFERENCE,
    YOU,
    KindDrawing,
    finite_array,
    legend_below,
    new_figure,
)


def _labelled_points(x: np.ndarray, y: np.ndarray | None) -> list[tuple[np.ndarray, str]]:
    labels = np.zeros(len(x)) if y is None else np.ravel(y)
    return [(x[labels == value], f"类别 {value:g} · class {value:g}") for value in np.unique(labels)]


def _scatter_classes(ax, x: np.ndarray, y: np.ndarray | None, names: tuple[str, ...] = ()) -> None:
    markers = ("o", "^", "s", "D")
    for index, (points, label) in enumerate(_labelled_points(x, y)):
        name = names[index] if index < len(names) else label
        ax.scatter(
            points[:, 0],
            points[:, 1],
            s=18,
            marker=markers[index % len(markers)],
            color=PALETTE[index % len(PALETTE)],
            alpha=0.75,
            label=name,
            linewidths=0,
        )


def _linear_boundary(chart: LinearBoundary, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    x = finite_array(reference.get(chart.x), ndim=2, columns=2)
    if x is None:
        return None
    y = finite_array(reference.get(chart.y))
    figure, (ax,) = new_figure()
    _scatter_classes(ax, x, y if y is not None and y.size == len(x) else None, tuple(chart.classes))
    low, high = x[:, 0].min(), x[:, 0].max()
    pad = (high - low) * 0.05
    xs = np.linspace(low - pad, high + pad, 50)
    for who, values, style, colour in (("reference", reference, "--", REFERENCE), ("you", student, "-", YOU)):
        w, b = finite_array(values.get(chart.w)), finite_array(values.get(chart.b))
        if w is None or b is None or w.size != 2 or b.size != 1 or abs(w.ravel()[1]) < 1e-12:
            if who == "you":
                notes.append(
                    f"画不出你的决策边界：`{chart.w}` 应有 2 个有限值、`{chart.b}` 1 个 / your boundary cannot be "
                    f"drawn: `{chart.w}` needs 2 finite values and `{chart.b}` one"
                )
            continue
        w0, w1 = w.ravel()
        ax.plot(xs, -(w0 * xs + b.ravel()[0]) / w1, style, color=colour, linewidth=2.5, label=LABELS[who])
    ax.set_ylim(x[:, 1].min() - (np.ptp(x[:, 1]) or 1) * 0.1, x[:, 1].max() + (np.ptp(x[:, 1]) or 1) * 0.1)
    ax.set_xlabel(chart.axes[0])
    ax.set_ylabel(chart.axes[1])
    legend_below(figure, [ax])
    return figure


def _clusters(chart: Clusters, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    x = finite_array(reference.get(chart.x), ndim=2, columns=2)
    if x is None:
        return None
    figure, axes = new_figure(panels=2)
    for ax, who, values in zip(axes, ("you", "reference"), (student, reference)):
        labels = finite_array(values.get(chart.labels), ndim=1)
        centroids = finite_array(values.get(chart.centroids), ndim=2, columns=2)
        if labels is None or labels.size != len(x):
            ax.scatter(x[:, 0], x[:, 1], s=12, color="#999999", linewidths=0)
            if who == "you":
                notes.append(
                    f"你的 `{chart.labels}` 不是每个点一个标签 / your `{chart.labels}` is not one label per point"
                )
        else:
            for index, value in enumerate(np.unique(labels)[: len(PALETTE)]):
                ax.scatter(*x[labels == value].T, s=12, color=PALETTE[index], alpha=0.75, linewidths=0)
        if centroids is not None:
            ax.scatter(
                centroids[:, 0],
                centroids[:, 1],
                s=160,
                marker="X",
                color=YOU if who == "you" else REFERENCE,
                edgecolors="white",
                linewidths=1.2,
                label=f"{LABELS[who]}: 质心 · centroids",
            )
        ax.set_title(LABELS[who])
    legend_below(figure, axes)
    return figure


def _scatter(chart: Scatter, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    """Each panel draws its own notebook's points (a projection: the student's may be mirrored), a colour per label."""
    theirs = finite_array(reference.get(chart.points), ndim=2, columns=2)
    if theirs is None:
        return None
    labels = finite_array(reference.get(chart.labels), ndim=1)
    colours = matplotlib.colormaps["tab10"].colors
    figure, axes = new_figure(panels=2)
    for ax, who, values in zip(axes, ("you", "reference"), (student, reference)):
        points = theirs if who == "reference" else finite_array(values.get(chart.points), ndim=2, columns=2)
        ax.set_title(LABELS[who])
        if points is None or labels is None or len(points) != labels.size:
            notes.append(
                f"你的 `{chart.points}` 不是每个点两个有限坐标 / your `{chart.points}` is not two finite coordinates "
                "per point"
            )
            continue
        shown = np.arange(0, len(points), max(1, -(-len(points) // MAX_POINTS)))  # every n-th point: a light SVG
        for index, value in enumerate(np.unique(labels)[: len(colours)]):
            chosen = shown[labels[shown] == value]
            ax.scatter(*points[chosen].T, s=10, color=colours[index], alpha=0.8, linewidths=0, label=f"{value:g}")
        ax.set_ylabel(chart.axes[1])
    axes[-1].set_xlabel(chart.axes[0])  # under the lower panel only: above, it would run into that panel's title
    legend_below(figure, axes)
    return figure


def _decision_regions(chart: DecisionRegions, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    x = finite_array(reference.get(chart.x), ndim=2, columns=2)
    if x is None:
        return None
    y = finite_array(reference.get(chart.y))
    grid = chart.grid(x)
    side = chart.resolution
    figure, axes = new_figure(panels=2)
    for ax, who, values in zip(axes, ("you", "reference"), (student, reference)):
        recorded = finite_array(values.get(chart.regions_key))
        regions = predicted_labels(recorded) if recorded is not None and recorded.ndim <= 2 else None
        # Class labels: a handful of values. A submission's huge range would cost a level each to draw.
        if (
            regions is not None
            and regions.size == side * side
            and np.all(np.isfinite(regions))
            and regions.max() - regions.min() <= MAX_REGION_LABELS
        ):
            ax.contourf(
                grid[:, 0].reshape(side, side),
                grid[:, 1].reshape(side, side),
                regions.reshape(side, side),
                levels=np.arange(regions.min() - 0.5, regions.max() + 1.5),
                colors=["#d9f0e8", "#e4e2f3", "#fbe0ef", "#e5f2d6"],
                alpha=0.9,
            )
        elif who == "you":
            notes.append("画不出你的模型的决策区域 / your model's decision regions cannot be drawn")
        _scatter_classes(ax, x, y if y is not None and y.size == len(x) else None)
        ax.set_title(LABELS[who])
    legend_below(figure, axes)
    return figure


# Each kind this module draws (two panels, yours above the reference's, are captioned as such when drawn).
KINDS = {
    LinearBoundary: KindDrawing(_linear_boundary),
    Clusters: KindDrawing(_clusters),
    Scatter: KindDrawing(_scatter),
    DecisionRegions: KindDrawing(_decision_regions),
}
