"""Charts as inline SVG for the pages, and the class summary's histogram.

Every chart is drawn on ``autograder.authoring.chart_canvas``'s figure (sized for a phone, text left
as text); the chart kinds' drawings sit with their declarations in ``autograder.authoring``.
"""

from __future__ import annotations

import io
import re
import warnings

import matplotlib
import numpy as np
from matplotlib.backend_bases import _get_renderer
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograder.authoring.chart_canvas import CLASSES, new_figure


def histogram(values: list[float], *, possible: float) -> str:
    """Scores of a class in ten bins from 0 to ``possible``, as SVG."""
    figure, (ax,) = new_figure()
    bins = np.linspace(0, possible or 1, 11)
    counts, _, bars = ax.hist(np.clip(values, 0, possible or 1), bins=bins, color=CLASSES[0], edgecolor="white")
    ax.bar_label(bars, labels=[f"{c:g}" if c else "" for c in counts])
    ax.set_xlabel("总分 · total points")
    ax.set_ylabel("人数 · students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return svg_text(figure)


def svg_text(figure: Figure) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs a CJK-less host lacks: the browser draws them
        figure.savefig(buffer, format="svg", bbox_inches=_tight_box(figure), metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # Scale with the page: keep the viewBox, let CSS set the size.
    return re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
        r'<svg\1 class="chart" preserveAspectRatio="xMidYMid meet"',
        text,
        count=1,
    )


def _tight_box(figure: Figure):
    """The box ``bbox_inches="tight"`` saves, found without the draw savefig makes first to find it.

    That draw (every artist, with rendering switched off) is there for layout engines, which these
    figures have none of; the box itself comes from each artist's extent, so the same box and the same
    SVG come out, and each chart is drawn once, not twice (a quarter of its time).
    """
    dpi = figure.dpi
    try:
        # The renderer savefig would draw the SVG with (which sets the figure to 72 dpi while it measures).
        renderer = _get_renderer(figure, FigureCanvasSVG(figure).print_svg)
        pad = matplotlib.rcParams["savefig.pad_inches"]
        return figure.get_tightbbox(renderer).padded(pad, pad)
    finally:
        figure.dpi = dpi
