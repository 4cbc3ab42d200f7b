"""The figure every feedback chart is drawn on, and the pieces the chart kinds draw with.

Sized for a phone, text left as text (the reader's browser draws it, Chinese included), the legend
below the plot so it hides no data; the student's series and the reference's have colours of their
own, distinct from the classes' colours. This is the one module of the package that imports
matplotlib: a chart kind imports it inside its ``figure``, so a student's notebook never does.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

__all__ = ["Figure", "MaxNLocator"]

YOU, REFERENCE = "#d95f02", "#1a1a1a"
CLASSES = ("#1b9e77", "#7570b3")
PALETTE = ("#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4", "#666666")
TEN_COLOURS = matplotlib.colormaps["tab10"].colors
MAX_POINTS = 600
MAX_REGION_LABELS = 50
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
# A legend line holds about this many Latin characters at the legend's size; a handle takes about 5.
LEGEND_LINE_CHARS, LEGEND_HANDLE_CHARS = 50, 5


def finite_array(value: Any, *, ndim: int | None = None, columns: int | None = None) -> np.ndarray | None:
    """``value`` as a finite float array of the given shape, or None."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if (
        array.size == 0
        or (ndim is not None and array.ndim != ndim)
        or (columns is not None and array.shape[-1] != columns)
    ):
        return None
    return array if np.all(np.isfinite(array)) else None


def new_figure(*, panels: int = 1) -> tuple[Figure, list]:
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


def legend_below(figure: Figure, axes) -> None:
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if handles:
        figure.legend(
            handles,
            labels,
            loc="upper center",
            ncol=_legend_columns(labels),
            frameon=False,
            fontsize=FONT_PT - 1,
            bbox_to_anchor=(0.5, 0.0),
        )


def _legend_columns(labels: list[str]) -> int:
    """As many columns (at most 3) as fit the figure's width: a wider legend would widen the saved
    chart, and the page scales it down to the screen, text and all."""
    widest = max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label) for label in labels)
    for columns in (3, 2):
        if columns <= len(labels) and columns * (widest + LEGEND_HANDLE_CHARS) <= LEGEND_LINE_CHARS:
            return columns
    return 1


def thinned(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    step = max(1, len(y) // MAX_POINTS)
    return x[::step], y[::step]


def scatter_classes(ax, x: np.ndarray, y: np.ndarray | None, names: tuple[str, ...] = ()) -> None:
    """2-D points, a colour and marker per label (``names`` in the legend, else the label's number)."""
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


def _labelled_points(x: np.ndarray, y: np.ndarray | None) -> list[tuple[np.ndarray, str]]:
    labels = np.zeros(len(x)) if y is None else np.ravel(y)
    return [(x[labels == value], f"类别 {value:g} · class {value:g}") for value in np.unique(labels)]
