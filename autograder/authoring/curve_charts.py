"""Chart kinds of numbers along a line: loss curves (one or several) and a fitted line.

Each kind's ``figure`` imports ``chart_canvas`` (matplotlib) when it draws, never at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from autograder.authoring.charts import LABELS, Chart

# Several curves in one chart: a colour per curve, the student's solid and the reference's dashed.
CURVES_CAPTION = (
    "每条曲线一种颜色：实线是你的结果，虚线是参考解 / "
    "a colour per curve: solid lines are yours, dashed lines the reference's"
)


@dataclass(frozen=True)
class LossCurve(Chart):
    """A number per step (a list): the training loss per epoch, or any curve, labelled with the
    assignment's own quantity (``loss``) and step (``step``: an epoch, an iteration, a batch);
    ``log`` draws the values on a log scale."""

    page_id = "loss-curve"

    losses: str = "losses"
    loss: str = "loss"
    title: str = "训练损失 · Training loss"
    step: str = "轮次 · epoch"
    log: bool = False

    @property
    def variables(self):
        return (self.losses,)

    def figure(self, student, reference, notes):
        from autograder.authoring import chart_canvas as canvas

        return _step_curves(self, [("", self.losses, (canvas.YOU, canvas.REFERENCE))], student, reference, notes)


@dataclass(frozen=True)
class Curves(Chart):
    """Several curves on one chart, each a number per step: ``curves`` maps the name the legend shows
    to a notebook variable (``{"SGD": "sgd_losses", "Adam": "adam_losses"}``). The student's curve and
    the solution's share a colour, solid and dashed; ``log`` draws the values on a log scale."""

    caption = CURVES_CAPTION

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

    def figure(self, student, reference, notes):
        from autograder.authoring import chart_canvas as canvas

        lines = [
            (name, variable, (canvas.PALETTE[index % len(canvas.PALETTE)],) * 2)
            for index, (name, variable) in enumerate(self.curves)
        ]
        return _step_curves(self, lines, student, reference, notes)


def _step_curves(chart: LossCurve | Curves, lines, student: dict, reference: dict, notes: list[str]):
    """Curves of a number per step, each (legend name, variable, (the student's colour, the
    reference's)): the reference's dashed, the student's solid; on a log scale when the chart asks
    and every value is positive."""
    from autograder.authoring import chart_canvas as canvas

    plotted = []
    figure, (ax,) = canvas.new_figure()
    for name, variable, (mine_colour, theirs_colour) in lines:
        named = f": {name}" if name else ""
        theirs = canvas.finite_array(reference.get(variable), ndim=1)
        mine = canvas.finite_array(student.get(variable), ndim=1)
        if theirs is not None:
            ax.plot(
                *canvas.thinned(np.arange(1, len(theirs) + 1), theirs),
                "--",
                color=theirs_colour,
                linewidth=2,
                label=LABELS["reference"] + named,
            )
            plotted.append(theirs)
        if mine is not None:
            steps = np.arange(1, len(mine) + 1)
            ax.plot(*canvas.thinned(steps, mine), color=mine_colour, linewidth=2, label=LABELS["you"] + named)
            plotted.append(mine)
        else:
            notes.append(
                f"你的 notebook 没有留下可画的 `{variable}` 列表 / your notebook left no `{variable}` list to plot"
            )
    if not plotted:
        return None
    if chart.log and all(np.all(values > 0) for values in plotted):
        ax.set_yscale("log")
    elif chart.log:
        notes.append(
            "有不大于 0 的值，无法用对数坐标，改用线性坐标 / some values are not above 0, so the log scale gave way "
            "to a linear one"
        )
    ax.set_xlabel(chart.step)
    ax.set_ylabel(chart.loss)
    ax.xaxis.set_major_locator(canvas.MaxNLocator(integer=True))
    canvas.legend_below(figure, [ax])
    return figure


@dataclass(frozen=True)
class FittedLine(Chart):
    """1-D regression: the points (x, y) and the lines y = w·x + b of the student and the solution."""

    page_id = "fitted-line"

    x: str
    y: str
    w: str
    b: str
    axes: tuple[str, str] = ("x", "y")
    title: str = "拟合直线 · Fitted line"

    @property
    def variables(self):
        return (self.x, self.y, self.w, self.b)

    def figure(self, student, reference, notes):
        from autograder.authoring import chart_canvas as canvas

        x, y = canvas.finite_array(reference.get(self.x)), canvas.finite_array(reference.get(self.y))
        if x is None or y is None or x.size != y.size:
            return None
        x, y = x.ravel(), y.ravel()
        figure, (ax,) = canvas.new_figure()
        ax.scatter(x, y, s=20, color=canvas.CLASSES[0], alpha=0.8, label="数据 · data", linewidths=0)
        xs = np.linspace(x.min(), x.max(), 50)
        sides = (("reference", reference, "--", canvas.REFERENCE), ("you", student, "-", canvas.YOU))
        for who, values, style, colour in sides:
            w, b = canvas.finite_array(values.get(self.w)), canvas.finite_array(values.get(self.b))
            if w is None or b is None or w.size != 1 or b.size != 1:
                if who == "you":
                    notes.append(
                        f"画不出你的拟合直线：`{self.w}` 和 `{self.b}` 应各是一个有限值 / your line cannot be drawn: "
                        f"`{self.w}` and "
                        f"`{self.b}` should each be one finite number"
                    )
                continue
            ax.plot(xs, w.ravel()[0] * xs + b.ravel()[0], style, color=colour, linewidth=2.5, label=LABELS[who])
        ax.set_xlabel(self.axes[0])
        ax.set_ylabel(self.axes[1])
        canvas.legend_below(figure, [ax])
        return figure
