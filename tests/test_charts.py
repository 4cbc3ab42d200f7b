"""Feedback charts say how to tell the student's result from the reference's: line styles on one
plot, panels when the chart draws the two one above the other."""
from __future__ import annotations

import re

import numpy as np

from autograder.authoring import Clusters, DecisionRegions, LossCurve
from autograder.grading.charts import LINES_CAPTION, PANELS_CAPTION, WIDTH_IN, draw

POINTS = [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]


def test_a_loss_curve_is_told_apart_by_line_style():
    chart = LossCurve("losses")
    drawn = draw(chart, {"losses": [1.0, 0.5, 0.2]}, {"losses": [1.0, 0.4, 0.1]}, ident="loss")
    assert drawn.caption == LINES_CAPTION and 'id="loss-you"' in drawn.svg


def test_decision_regions_are_told_apart_by_panel():
    chart = DecisionRegions(x="x", y="y", predict=lambda namespace, grid: grid[:, 0] > 0.5, resolution=4)
    regions = {chart.regions_key: (np.arange(16) % 2).tolist()}
    recorded = {"x": POINTS, "y": [0, 1, 0, 1]}
    drawn = draw(chart, {**recorded, **regions}, {**recorded, **regions}, ident="regions")
    assert drawn.caption == PANELS_CAPTION and drawn.notes == []


def test_regions_that_cannot_be_drawn_are_noted_on_the_students_panel():
    chart = DecisionRegions(x="x", y="y", predict=lambda namespace, grid: grid[:, 0] > 0.5, resolution=4)
    recorded = {"x": POINTS, "y": [0, 1, 0, 1]}
    drawn = draw(chart, {**recorded, chart.regions_key: None}, {**recorded, chart.regions_key: [0] * 16}, ident="regions")
    assert drawn.caption == PANELS_CAPTION and any("cannot be drawn" in note for note in drawn.notes)


def test_a_long_legend_does_not_widen_the_chart():
    """The page scales a chart to the screen's width: a legend wider than the plot would shrink its text."""
    chart = Clusters(x="x", labels="labels", centroids="centroids")
    values = {"x": POINTS, "labels": [0, 1, 0, 1], "centroids": [[0.0, 0.5], [1.0, 0.5]]}
    drawn = draw(chart, values, values, ident="clusters")
    width = float(re.search(r'viewBox="0 0 ([0-9.]+) ', drawn.svg).group(1))
    assert width <= WIDTH_IN * 72, f"the chart is {width:.0f} pt wide, its figure {WIDTH_IN * 72:.0f} pt"


def test_the_panels_caption_says_where_each_panel_is_drawn():
    chart = Clusters(x="x", labels="labels", centroids="centroids")
    values = {"x": POINTS, "labels": [0, 1, 0, 1], "centroids": [[0.0, 0.5], [1.0, 0.5]]}
    drawn = draw(chart, values, values, ident="clusters")
    # Each panel's background is its axes group's first path: "M left bottom ..." in SVG units, y downwards.
    panels = re.findall(r'<g id="axes_\d">\s*<g id="patch_\d">\s*<path d="M ([\d.]+) ([\d.]+)', drawn.svg)
    titles = [title for title in re.findall(r"<text[^>]*>([^<]*)</text>", drawn.svg) if title in ("你 · you", "参考解 · reference")]
    (you_x, you_y), (reference_x, reference_y) = ((float(x), float(y)) for x, y in panels)
    assert titles == ["你 · you", "参考解 · reference"]
    assert you_x == reference_x and you_y < reference_y, "the student's panel is not drawn above the reference's"
    assert drawn.caption.startswith("上：你的结果；下：参考解") and "top: yours; bottom: the reference" in drawn.caption
