"""Feedback charts drawn with matplotlib as inline SVG: the student's values beside the solution's.

Each chart an assignment declares (``autograder.authoring.charts``) has a
drawer here. Drawers get the recorded values as nested lists and must cope
with anything a notebook left behind: values of the wrong shape, non-finite
or missing ones are left out and noted, never raised. Legends sit below the
plot so they hide no data; the student's line and the reference's have
colours of their own, distinct from the classes' colours.
"""
from __future__ import annotations

import io
import logging
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any, Callable


import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograder.authoring.charts import Chart, Clusters, Curves, DecisionRegions, FittedLine, LinearBoundary, LossCurve, Scatter
from autograder.authoring.labels import predicted_labels

YOU, REFERENCE = "#d95f02", "#1a1a1a"
CLASSES = ("#1b9e77", "#7570b3")
PALETTE = ("#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4", "#666666")
MAX_POINTS = 600
# Fonts missing from this machine are fine (browsers draw the text); say nothing of them.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
matplotlib.rcParams["svg.hashsalt"] = "autograder"  # ids in the SVG stay the same from run to run
# Text stays text: the reader's browser draws it with its own fonts (Chinese included).
matplotlib.rcParams["svg.fonttype"] = "none"
# Sized for a phone: a 5-inch figure fills a 390-px screen at about its own scale, so 13-point
# labels stay about 13 px tall there.
WIDTH_IN, HEIGHT_IN, FONT_PT = 5.0, 3.4, 13
BOTTOM_IN = 0.55
# Chinese labels are laid out with a CJK font where one is installed; the reader's browser draws them either way.
matplotlib.rcParams["font.family"] = ["DejaVu Sans", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif"]
MAX_REGION_LABELS = 50
# A legend line holds about this many Latin characters at the legend's size; a handle takes about 5.
LEGEND_LINE_CHARS, LEGEND_HANDLE_CHARS = 50, 5
LABELS = {"you": "你 · you", "reference": "参考解 · reference"}
_WHO = {label: who for who, label in LABELS.items()}


# How to tell the student's result from the reference's: by line style on one plot, by panel
# when the chart draws the two one above the other (clusters, decision regions: see _figure).
LINES_CAPTION = "你的结果：橙色实线；参考解：黑色虚线 / yours: orange, solid; the reference: black, dashed"
PANELS_CAPTION = "上：你的结果；下：参考解 / top: yours; bottom: the reference"
# Several curves in one chart: a colour per curve, the student's solid and the reference's dashed.
CURVES_CAPTION = "每条曲线一种颜色：实线是你的结果，虚线是参考解 / a colour per curve: solid lines are yours, dashed lines the reference's"


@dataclass
class Drawn:
    svg: str
    notes: list[str]
    caption: str = LINES_CAPTION


def draw(chart: Chart, student: dict, reference: dict, *, ident: str) -> Drawn | None:
    """The chart as SVG with notes on what could not be drawn; None when there is nothing to show.

    ``ident`` prefixes the ids of the drawn series ("<ident>-you", "<ident>-reference").
    """
    drawer = DRAWERS.get(type(chart))
    if drawer is None:
        return None
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figure = drawer(chart, student, reference, notes)
    if figure is None:
        return None
    drawn: dict[str, int] = {}
    for ax in figure.axes:
        for artist in [*ax.lines, *ax.collections]:
            who = _WHO.get(str(artist.get_label()).split(":")[0])
            if who:
                # A chart of several curves draws several series of each: the later ones are numbered.
                drawn[who] = drawn.get(who, 0) + 1
                artist.set_gid(f"{ident}-{who}" + (f"-{drawn[who]}" if drawn[who] > 1 else ""))
    panels = [ax.get_title() for ax in figure.axes] == [LABELS["you"], LABELS["reference"]]
    caption = PANELS_CAPTION if panels else CURVES_CAPTION if isinstance(chart, Curves) else LINES_CAPTION
    return Drawn(_svg(figure), notes, caption)


def histogram(values: list[float], *, possible: float) -> str:
    """Scores of a class in ten bins from 0 to ``possible``, as SVG."""
    figure, (ax,) = _figure()
    bins = np.linspace(0, possible or 1, 11)
    counts, _, bars = ax.hist(np.clip(values, 0, possible or 1), bins=bins, color=CLASSES[0], edgecolor="white")
    ax.bar_label(bars, labels=[f"{c:g}" if c else "" for c in counts])
    ax.set_xlabel("总分 · total points")
    ax.set_ylabel("人数 · students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _svg(figure)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs a CJK-less host lacks: the browser draws them
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    # Scale with the page: keep the viewBox, let CSS set the size.
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart" preserveAspectRatio="xMidYMid meet"', text, count=1)


def _array(value: Any, *, ndim: int | None = None, columns: int | None = None) -> np.ndarray | None:
    """``value`` as a finite float array of the given shape, or None."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if array.size == 0 or (ndim is not None and array.ndim != ndim) or (columns is not None and array.shape[-1] != columns):
        return None
    return array if np.all(np.isfinite(array)) else None


def _figure(*, panels: int = 1) -> tuple[Figure, list]:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN * (1 if panels == 1 else 1.9)))
    # Two panels sit one above the other: side by side they would be too small on a phone.
    axes = [figure.add_subplot(panels, 1, index + 1) for index in range(panels)]
    # Fixed room below the axes for tick labels and an axis label, above the legend, and between
    # stacked panels. No layout engine: the tight bounding box at save time already keeps every label
    # and the legend in the picture, and a second layout pass cost a third of each chart's time.
    figure.subplots_adjust(bottom=BOTTOM_IN / figure.get_figheight(), hspace=0.3)
    for ax in axes:
        ax.grid(alpha=0.25)
        ax.ticklabel_format(style="plain", useOffset=False)
        ax.tick_params(labelsize=FONT_PT - 1)
        ax.xaxis.label.set_size(FONT_PT)
        ax.yaxis.label.set_size(FONT_PT)
        ax.title.set_size(FONT_PT)
    return figure, axes


def _legend(figure: Figure, axes) -> None:
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if handles:
        figure.legend(handles, labels, loc="upper center", ncol=_legend_columns(labels), frameon=False, fontsize=FONT_PT - 1, bbox_to_anchor=(0.5, 0.0))


def _legend_columns(labels: list[str]) -> int:
    """As many columns (at most 3) as fit the figure's width: a wider legend would widen the saved
    chart, and the page scales it down to the screen, text and all."""
    widest = max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label) for label in labels)
    for columns in (3, 2):
        if columns <= len(labels) and columns * (widest + LEGEND_HANDLE_CHARS) <= LEGEND_LINE_CHARS:
            return columns
    return 1


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    step = max(1, len(y) // MAX_POINTS)
    return x[::step], y[::step]


def _step_curves(chart: LossCurve | Curves, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    """One curve of a number per step (the student's orange, the reference's black) or several (a
    colour each): the reference's dashed, the student's solid; on a log scale when the chart asks
    and every value is positive."""
    if isinstance(chart, Curves):
        lines = [(name, variable, (PALETTE[index % len(PALETTE)],) * 2) for index, (name, variable) in enumerate(chart.curves)]
    else:
        lines = [("", chart.losses, (YOU, REFERENCE))]
    plotted = []
    figure, (ax,) = _figure()
    for name, variable, (mine_colour, theirs_colour) in lines:
        named = f": {name}" if name else ""
        theirs, mine = _array(reference.get(variable), ndim=1), _array(student.get(variable), ndim=1)
        if theirs is not None:
            ax.plot(*_thin(np.arange(1, len(theirs) + 1), theirs), "--", color=theirs_colour, linewidth=2, label=LABELS["reference"] + named)
            plotted.append(theirs)
        if mine is not None:
            ax.plot(*_thin(np.arange(1, len(mine) + 1), mine), color=mine_colour, linewidth=2, label=LABELS["you"] + named)
            plotted.append(mine)
        else:
            notes.append(f"你的 notebook 没有留下可画的 `{variable}` 列表 / your notebook left no `{variable}` list to plot")
    if not plotted:
        return None
    if chart.log and all(np.all(values > 0) for values in plotted):
        ax.set_yscale("log")
    elif chart.log:
        notes.append("有不大于 0 的值，无法用对数坐标，改用线性坐标 / some values are not above 0, so the log scale gave way to a linear one")
    ax.set_xlabel(chart.step)
    ax.set_ylabel(chart.loss)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _legend(figure, [ax])
    return figure


def _labelled_points(x: np.ndarray, y: np.ndarray | None) -> list[tuple[np.ndarray, str]]:
    labels = np.zeros(len(x)) if y is None else np.ravel(y)
    return [(x[labels == value], f"类别 {value:g} · class {value:g}") for value in np.unique(labels)]


def _scatter_classes(ax, x: np.ndarray, y: np.ndarray | None, names: tuple[str, ...] = ()) -> None:
    markers = ("o", "^", "s", "D")
    for index, (points, label) in enumerate(_labelled_points(x, y)):
        name = names[index] if index < len(names) else label
        ax.scatter(points[:, 0], points[:, 1], s=18, marker=markers[index % len(markers)], color=PALETTE[index % len(PALETTE)], alpha=0.75, label=name, linewidths=0)


def _linear_boundary(chart: LinearBoundary, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    x = _array(reference.get(chart.x), ndim=2, columns=2)
    if x is None:
        return None
    y = _array(reference.get(chart.y))
    figure, (ax,) = _figure()
    _scatter_classes(ax, x, y if y is not None and y.size == len(x) else None, tuple(chart.classes))
    low, high = x[:, 0].min(), x[:, 0].max()
    pad = (high - low) * 0.05
    xs = np.linspace(low - pad, high + pad, 50)
    for who, values, style, colour in (("reference", reference, "--", REFERENCE), ("you", student, "-", YOU)):
        w, b = _array(values.get(chart.w)), _array(values.get(chart.b))
        if w is None or b is None or w.size != 2 or b.size != 1 or abs(w.ravel()[1]) < 1e-12:
            if who == "you":
                notes.append(f"画不出你的决策边界：`{chart.w}` 应有 2 个有限值、`{chart.b}` 1 个 / your boundary cannot be drawn: `{chart.w}` needs 2 finite values and `{chart.b}` one")
            continue
        w0, w1 = w.ravel()
        ax.plot(xs, -(w0 * xs + b.ravel()[0]) / w1, style, color=colour, linewidth=2.5, label=LABELS[who])
    ax.set_ylim(x[:, 1].min() - (np.ptp(x[:, 1]) or 1) * 0.1, x[:, 1].max() + (np.ptp(x[:, 1]) or 1) * 0.1)
    ax.set_xlabel(chart.axes[0])
    ax.set_ylabel(chart.axes[1])
    _legend(figure, [ax])
    return figure


def _fitted_line(chart: FittedLine, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    x, y = _array(reference.get(chart.x)), _array(reference.get(chart.y))
    if x is None or y is None or x.size != y.size:
        return None
    x, y = x.ravel(), y.ravel()
    figure, (ax,) = _figure()
    ax.scatter(x, y, s=20, color=CLASSES[0], alpha=0.8, label="数据 · data", linewidths=0)
    xs = np.linspace(x.min(), x.max(), 50)
    for who, values, style, colour in (("reference", reference, "--", REFERENCE), ("you", student, "-", YOU)):
        w, b = _array(values.get(chart.w)), _array(values.get(chart.b))
        if w is None or b is None or w.size != 1 or b.size != 1:
            if who == "you":
                notes.append(f"画不出你的拟合直线：`{chart.w}` 和 `{chart.b}` 应各是一个有限值 / your line cannot be drawn: `{chart.w}` and `{chart.b}` should each be one finite number")
            continue
        ax.plot(xs, w.ravel()[0] * xs + b.ravel()[0], style, color=colour, linewidth=2.5, label=LABELS[who])
    ax.set_xlabel(chart.axes[0])
    ax.set_ylabel(chart.axes[1])
    _legend(figure, [ax])
    return figure


def _clusters(chart: Clusters, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    x = _array(reference.get(chart.x), ndim=2, columns=2)
    if x is None:
        return None
    figure, axes = _figure(panels=2)
    for ax, who, values in zip(axes, ("you", "reference"), (student, reference)):
        labels = _array(values.get(chart.labels), ndim=1)
        centroids = _array(values.get(chart.centroids), ndim=2, columns=2)
        if labels is None or labels.size != len(x):
            ax.scatter(x[:, 0], x[:, 1], s=12, color="#999999", linewidths=0)
            if who == "you":
                notes.append(f"你的 `{chart.labels}` 不是每个点一个标签 / your `{chart.labels}` is not one label per point")
        else:
            for index, value in enumerate(np.unique(labels)[: len(PALETTE)]):
                ax.scatter(*x[labels == value].T, s=12, color=PALETTE[index], alpha=0.75, linewidths=0)
        if centroids is not None:
            ax.scatter(centroids[:, 0], centroids[:, 1], s=160, marker="X", color=YOU if who == "you" else REFERENCE, edgecolors="white", linewidths=1.2, label=f"{LABELS[who]}: 质心 · centroids")
        ax.set_title(LABELS[who])
    _legend(figure, axes)
    return figure


def _scatter(chart: Scatter, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    """Each panel draws its own notebook's points (a projection: the student's may be mirrored), a colour per label."""
    theirs = _array(reference.get(chart.points), ndim=2, columns=2)
    if theirs is None:
        return None
    labels = _array(reference.get(chart.labels), ndim=1)
    colours = matplotlib.colormaps["tab10"].colors
    figure, axes = _figure(panels=2)
    for ax, who, values in zip(axes, ("you", "reference"), (student, reference)):
        points = theirs if who == "reference" else _array(values.get(chart.points), ndim=2, columns=2)
        ax.set_title(LABELS[who])
        if points is None or labels is None or len(points) != labels.size:
            notes.append(f"你的 `{chart.points}` 不是每个点两个有限坐标 / your `{chart.points}` is not two finite coordinates per point")
            continue
        shown = np.arange(0, len(points), max(1, -(-len(points) // MAX_POINTS)))  # every n-th point: a light SVG
        for index, value in enumerate(np.unique(labels)[: len(colours)]):
            chosen = shown[labels[shown] == value]
            ax.scatter(*points[chosen].T, s=10, color=colours[index], alpha=0.8, linewidths=0, label=f"{value:g}")
        ax.set_xlabel(chart.axes[0])
        ax.set_ylabel(chart.axes[1])
    _legend(figure, axes)
    return figure


def _decision_regions(chart: DecisionRegions, student: dict, reference: dict, notes: list[str]) -> Figure | None:
    x = _array(reference.get(chart.x), ndim=2, columns=2)
    if x is None:
        return None
    y = _array(reference.get(chart.y))
    grid = chart.grid(x)
    side = chart.resolution
    figure, axes = _figure(panels=2)
    for ax, who, values in zip(axes, ("you", "reference"), (student, reference)):
        recorded = _array(values.get(chart.regions_key))
        regions = predicted_labels(recorded) if recorded is not None and recorded.ndim <= 2 else None
        # Class labels: a handful of values. A submission's huge range would cost a level each to draw.
        if regions is not None and regions.size == side * side and np.all(np.isfinite(regions)) and regions.max() - regions.min() <= MAX_REGION_LABELS:
            ax.contourf(grid[:, 0].reshape(side, side), grid[:, 1].reshape(side, side), regions.reshape(side, side), levels=np.arange(regions.min() - 0.5, regions.max() + 1.5), colors=["#d9f0e8", "#e4e2f3", "#fbe0ef", "#e5f2d6"], alpha=0.9)
        elif who == "you":
            notes.append("画不出你的模型的决策区域 / your model's decision regions cannot be drawn")
        _scatter_classes(ax, x, y if y is not None and y.size == len(x) else None)
        ax.set_title(LABELS[who])
    _legend(figure, axes)
    return figure


DRAWERS: dict[type, Callable[..., Figure | None]] = {
    LossCurve: _step_curves,
    Curves: _step_curves,
    LinearBoundary: _linear_boundary,
    FittedLine: _fitted_line,
    Clusters: _clusters,
    Scatter: _scatter,
    DecisionRegions: _decision_regions,
}
