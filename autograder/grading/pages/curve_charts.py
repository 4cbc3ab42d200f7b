"""Drawers of the charts of numbers along a line: loss curves (one or several) and a fitted line."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograder.authoring.charts import Curves, FittedLine, LossCurve
from autograder.grading.pages.chart_figures import (
    CLASSES,
    CURVES_CAPTION,
    LABELS,
    PALETTE,
    REFERENCE,
    YOU,
    KindDrawing,
    finite_array,
    legend_below,
    new_figure,
    thinned,
)


def _step_curves(chart: LossCurve | Curves, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    """One curve of a number per step (the student's orange, the reference's black) or several (a
    colour each): the reference's dashed, the student's solid; on a log scale when the chart asks
    and every value is positive."""
    if isinstance(chart, Curves):
        lines = [
            (name, variable, (PALETTE[index % len(PALETTE)],) * 2)
            for index, (name, variable) in enumerate(chart.curves)
        ]
    else:
        lines = [("", chart.losses, (YOU, REFERENCE))]
    plotted = []
    figure, (ax,) = new_figure()
    for name, variable, (mine_colour, theirs_colour) in lines:
        named = f": {name}" if name else ""
        theirs, mine = finite_array(reference.get(variable), ndim=1), finite_array(student.get(variable), ndim=1)
        if theirs is not None:
            ax.plot(
                *thinned(np.arange(1, len(theirs) + 1), theirs),
                "--",
                color=theirs_colour,
                linewidth=2,
                label=LABELS["reference"] + named,
            )
            plotted.append(theirs)
        if mine is not None:
            ax.plot(
                *thinned(np.arange(1, len(mine) + 1), mine), color=mine_colour, linewidth=2, label=LABELS["you"] + named
            )
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
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    legend_below(figure, [ax])
    return figure


def _fitted_line(chart: FittedLine, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    x, y = finite_array(reference.get(chart.x)), finite_array(reference.get(chart.y))
    if x is None or y is None or x.size != y.size:
        return None
    x, y = x.ravel(), y.ravel()
    figure, (ax,) = new_figure()
    ax.scatter(x, y, s=20, color=CLASSES[0], alpha=0.8, label="数据 · data", linewidths=0)
    xs = np.linspace(x.min(), x.max(), 50)
    for who, values, style, colour in (("reference", reference, "--", REFERENCE), ("you", student, "-", YOU)):
        w, b = finite_array(values.get(chart.w)), finite_array(values.get(chart.b))
        if w is None or b is None or w.size != 1 or b.size != 1:
            if who == "you":
                notes.append(
                    f"画不出你的拟合直线：`{chart.w}` 和 `{chart.b}` 应各是一个有限值 / your line cannot be drawn: "
                    f"`{chart.w}` and "
                    f"`{chart.b}` should each be one finite number"
                )
            continue
        ax.plot(xs, w.ravel()[0] * xs + b.ravel()[0], style, color=colour, linewidth=2.5, label=LABELS[who])
    ax.set_xlabel(chart.axes[0])
    ax.set_ylabel(chart.axes[1])
    legend_below(figure, [ax])
    return figure


# Each kind this module draws, with the caption that tells the student's series from the reference's.
KINDS = {
    LossCurve: KindDrawing(_step_curves),
    Curves: KindDrawing(_step_curves, CURVES_CAPTION),
    FittedLine: KindDrawing(_fitted_line),
}
