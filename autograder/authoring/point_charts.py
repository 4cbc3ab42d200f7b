"""Chart kinds of points in the plane: a linear boundary between classes, clusters, and a scatter of
labelled points (decision regions are ``region_charts``'s).

Each kind's ``figure`` imports ``chart_canvas`` (matplotlib) when it draws, never at import.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.authoring.charts import LABELS, Chart


@dataclass(frozen=True)
class LinearBoundary(Chart):
    """Two classes of 2-D points and the lines w0·x0 + w1·x1 + b = 0 of the student and the solution."""

    page_id = "boundary"

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

    def figure(self, student, reference, notes):
        from autograder.authoring import chart_canvas as canvas

        x = canvas.finite_array(reference.get(self.x), ndim=2, columns=2)
        if x is None:
            return None
        y = canvas.finite_array(reference.get(self.y))
        figure, (ax,) = canvas.new_figure()
        canvas.scatter_classes(ax, x, y if y is not None and y.size == len(x) else None, tuple(self.classes))
        low, high = x[:, 0].min(), x[:, 0].max()
        pad = (high - low) * 0.05
        xs = np.linspace(low - pad, high + pad, 50)
        sides = (("reference", reference, "--", canvas.REFERENCE), ("you", student, "-", canvas.YOU))
        for who, values, style, colour in sides:
            w, b = canvas.finite_array(values.get(self.w)), canvas.finite_array(values.get(self.b))
            if w is None or b is None or w.size != 2 or b.size != 1 or abs(w.ravel()[1]) < 1e-12:
                if who == "you":
                    notes.append(
                        f"画不出你的决策边界：`{self.w}` 应有 2 个有限值、`{self.b}` 1 个 / your boundary cannot be "
                        f"drawn: `{self.w}` needs 2 finite values and `{self.b}` one"
                    )
                continue
            w0, w1 = w.ravel()
            ax.plot(xs, -(w0 * xs + b.ravel()[0]) / w1, style, color=colour, linewidth=2.5, label=LABELS[who])
        ax.set_ylim(x[:, 1].min() - (np.ptp(x[:, 1]) or 1) * 0.1, x[:, 1].max() + (np.ptp(x[:, 1]) or 1) * 0.1)
        ax.set_xlabel(self.axes[0])
        ax.set_ylabel(self.axes[1])
        canvas.legend_below(figure, [ax])
        return figure


@dataclass(frozen=True)
class Clusters(Chart):
    """2-D points coloured by cluster label, with the centroids of the student and the solution."""

    page_id = "clusters"

    x: str
    labels: str
    centroids: str
    title: str = "聚类 · Clusters"

    @property
    def variables(self):
        return (self.x, self.labels, self.centroids)

    def figure(self, student, reference, notes):
        from autograder.authoring import chart_canvas as canvas

        x = canvas.finite_array(reference.get(self.x), ndim=2, columns=2)
        if x is None:
            return None
        figure, axes = canvas.new_figure(panels=2)
        for ax, who, values in zip(axes, ("you", "reference"), (student, reference)):
            labels = canvas.finite_array(values.get(self.labels), ndim=1)
            centroids = canvas.finite_array(values.get(self.centroids), ndim=2, columns=2)
            if labels is None or labels.size != len(x):
                ax.scatter(x[:, 0], x[:, 1], s=12, color="#999999", linewidths=0)
                if who == "you":
                    notes.append(
                        f"你的 `{self.labels}` 不是每个点一个标签 / your `{self.labels}` is not one label per point"
                    )
            else:
                for index, value in enumerate(np.unique(labels)[: len(canvas.PALETTE)]):
                    ax.scatter(*x[labels == value].T, s=12, color=canvas.PALETTE[index], alpha=0.75, linewidths=0)
            if centroids is not None:
                ax.scatter(
                    centroids[:, 0],
                    centroids[:, 1],
                    s=160,
                    marker="X",
                    color=canvas.YOU if who == "you" else canvas.REFERENCE,
                    edgecolors="white",
                    linewidths=1.2,
                    label=f"{LABELS[who]}: 质心 · centroids",
                )
            ax.set_title(LABELS[who])
        canvas.legend_below(figure, axes)
        return figure


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

    def figure(self, student, reference, notes):
        """Each panel draws its own notebook's points (a projection: the student's may be mirrored), a
        colour per label."""
        from autograder.authoring import chart_canvas as canvas

        theirs = canvas.finite_array(reference.get(self.points), ndim=2, columns=2)
        if theirs is None:
            return None
        labels = canvas.finite_array(reference.get(self.labels), ndim=1)
        colours = canvas.TEN_COLOURS
        figure, axes = canvas.new_figure(panels=2)
        for ax, who, values in zip(axes, ("you", "reference"), (student, reference)):
            points = theirs if who == "reference" else canvas.finite_array(values.get(self.points), ndim=2, columns=2)
            ax.set_title(LABELS[who])
            if points is None or labels is None or len(points) != labels.size:
                notes.append(
                    f"你的 `{self.points}` 不是每个点两个有限坐标 / your `{self.points}` is not two finite "
                    "coordinates per point"
                )
                continue
            shown = np.arange(0, len(points), max(1, -(-len(points) // canvas.MAX_POINTS)))  # every n-th: a light SVG
            for index, value in enumerate(np.unique(labels)[: len(colours)]):
                chosen = shown[labels[shown] == value]
                ax.scatter(*points[chosen].T, s=10, color=colours[index], alpha=0.8, linewidths=0, label=f"{value:g}")
            ax.set_ylabel(self.axes[1])
        axes[-1].set_xlabel(self.axes[0])  # under the lower panel only: above, it would run into that panel's title
        canvas.legend_below(figure, axes)
        return figure
