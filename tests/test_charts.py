"""Feedback charts say how to tell the student's result from the reference's: line styles on one
plot, panels when the chart draws the two one above the other."""

from __future__ import annotations

import re

import numpy as np
import pytest

from autograder.authoring import Clusters, DecisionRegions, LossCurve, Scatter
from autograder.authoring.chart_canvas import WIDTH_IN
from autograder.authoring.charts import LINES_CAPTION, PANELS_CAPTION
from autograder.grading.pages.chart_drawing import draw

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


def test_regions_recorded_as_class_scores_are_drawn_by_their_largest_class():
    """A chart's predict may return scores, so the sandbox holds no code that picks a class (nn_module's
    predict question); what it records is small, and the page draws the class of the largest score."""
    chart = DecisionRegions(
        x="x",
        y="y",
        predict=lambda namespace, grid: np.column_stack([-grid[:, 0], grid[:, 0]]) * 1e5,
        resolution=4,
        torch=False,
    )
    recorded = {"x": POINTS, "y": [0, 1, 0, 1]}
    scores = chart.predict_grid(recorded)
    assert scores.dtype == np.float16 and scores.shape == (16, 2)
    assert np.array_equal(scores.argmax(axis=1), (chart.grid(np.array(POINTS))[:, 0] > 0).astype(int))
    drawn = draw(
        chart,
        {**recorded, chart.regions_key: scores.tolist()},
        {**recorded, chart.regions_key: (np.arange(16) % 2).tolist()},
        ident="regions",
    )
    assert drawn.caption == PANELS_CAPTION and drawn.notes == []


def test_regions_that_cannot_be_drawn_are_noted_on_the_students_panel():
    chart = DecisionRegions(x="x", y="y", predict=lambda namespace, grid: grid[:, 0] > 0.5, resolution=4)
    recorded = {"x": POINTS, "y": [0, 1, 0, 1]}
    drawn = draw(
        chart, {**recorded, chart.regions_key: None}, {**recorded, chart.regions_key: [0] * 16}, ident="regions"
    )
    assert drawn.caption == PANELS_CAPTION and any("cannot be drawn" in note for note in drawn.notes)


def _scatter_colours(svg: str, panel: int) -> set[str]:
    """The fill colours of the points the panel-th axes draws."""
    group = re.split(r'<g id="axes_\d">', svg)[panel]
    return set(re.findall(r"fill: (#[0-9a-f]{6})", group)) - {"#ffffff"}


def test_a_scatter_draws_each_notebooks_own_points_a_colour_per_label():
    """PCA's projection: the student's points may be mirrored (a direction's sign), so each panel draws its
    own notebook's points, not the reference's coloured by the student's labels as the clusters chart does."""
    chart = Scatter(points="z2", labels="y", title="两个主成分 · Two components")
    labels = list(range(10)) * 3
    reference = {"z2": [[float(label), float(index)] for index, label in enumerate(labels)], "y": labels}
    mirrored = {"z2": [[-x, y] for x, y in reference["z2"]], "y": labels}
    drawn = draw(chart, mirrored, reference, ident="scatter")
    assert drawn.caption == PANELS_CAPTION and drawn.notes == []
    assert len(_scatter_colours(drawn.svg, 1)) == len(_scatter_colours(drawn.svg, 2)) == 10
    student_ticks, reference_ticks = (
        re.findall(r"<text[^>]*>([^<]*)</text>", re.split(r'<g id="axes_\d">', drawn.svg)[panel]) for panel in (1, 2)
    )
    assert any(tick.startswith("−") for tick in student_ticks), (
        "the student's panel does not show its own, mirrored points"
    )
    assert not any(tick.startswith("−") for tick in reference_ticks)


def test_a_scatter_notes_points_it_cannot_draw():
    chart = Scatter(points="z2", labels="y")
    reference = {"z2": POINTS, "y": [0, 1, 0, 1]}
    drawn = draw(chart, {"z2": [[0.0, 0.0, 1.0]] * 4, "y": [0, 1, 0, 1]}, reference, ident="scatter")
    assert any("`z2` is not two finite coordinates per point" in note for note in drawn.notes)


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
    titles = [
        title
        for title in re.findall(r"<text[^>]*>([^<]*)</text>", drawn.svg)
        if title in ("你 · you", "参考解 · reference")
    ]
    (you_x, you_y), (reference_x, reference_y) = ((float(x), float(y)) for x, y in panels)
    assert titles == ["你 · you", "参考解 · reference"]
    assert you_x == reference_x and you_y < reference_y, "the student's panel is not drawn above the reference's"
    assert drawn.caption.startswith("上：你的结果；下：参考解") and "top: yours; bottom: the reference" in drawn.caption


# Several curves in one chart, titles, log scale ----------------------------------------------------

OPTIMISERS = {"SGD": "sgd_losses", "momentum": "momentum_losses", "Adam": "adam_losses"}
LOSSES = {"sgd_losses": [1.0, 0.6, 0.4], "momentum_losses": [1.0, 0.3, 0.1], "adam_losses": [1.0, 0.2, 0.05]}


def test_overlaid_curves_draw_each_side_of_each_curve_in_its_colour():
    from autograder.authoring import Curves
    from autograder.authoring.curve_charts import CURVES_CAPTION

    chart = Curves(OPTIMISERS, title="三种优化器 · Three optimisers", loss="MSE")
    drawn = draw(chart, {**LOSSES, "adam_losses": [1.0, 0.9, 0.8]}, LOSSES, ident="opt")
    assert drawn.caption == CURVES_CAPTION and drawn.notes == []
    ids = re.findall(r'<g id="(opt-(?:you|reference)(?:-\d)?)"', drawn.svg)
    assert sorted(ids) == sorted(
        ["opt-reference", "opt-you", "opt-reference-2", "opt-you-2", "opt-reference-3", "opt-you-3"]
    ), "every series once, each id unique"
    for name in OPTIMISERS:
        assert f"你 · you: {name}" in drawn.svg and f"参考解 · reference: {name}" in drawn.svg
    assert chart.variables == ("sgd_losses", "momentum_losses", "adam_losses")
    assert chart.record({**LOSSES, "other": 1}) == LOSSES


def test_a_missing_curve_is_noted_and_the_others_drawn():
    from autograder.authoring import Curves

    drawn = draw(Curves(OPTIMISERS), {"sgd_losses": [1.0, 0.5, 0.2]}, LOSSES, ident="opt")
    assert len(drawn.notes) == 2 and "`momentum_losses`" in drawn.notes[0] and 'id="opt-you"' in drawn.svg


@pytest.mark.parametrize(
    ("chart", "student", "scale", "noted"),
    [
        ("curves", LOSSES, "log", False),
        ("curves", {**LOSSES, "adam_losses": [1.0, 0.0, -0.5]}, "linear", True),
        ("one", LOSSES, "log", False),
    ],
)
def test_a_log_scale_is_drawn_when_every_value_is_positive(chart, student, scale, noted):
    from autograder.authoring import Curves

    declared = Curves(OPTIMISERS, log=True) if chart == "curves" else LossCurve("sgd_losses", log=True)
    notes: list[str] = []
    figure = declared.figure(student, LOSSES, notes)
    assert figure.axes[0].get_yscale() == scale
    assert any("log scale gave way to a linear one" in note for note in notes) is noted


def test_release_refuses_two_charts_with_one_title(tmp_path):
    from autograder.authoring import Curves
    from autograder.authoring.suite import CasesModule
    from autograder.release.pipeline import ReleaseError, _check_charts

    charts = (LossCurve("losses"), Curves(OPTIMISERS), LossCurve("accuracies", title="准确率 · Accuracy"))
    with pytest.raises(
        ReleaseError,
        match=r"cases\.py: several charts in CHARTS have the title '训练损失 · Training loss'; "
        r"give each its own title=",
    ):
        _check_charts(CasesModule(tmp_path / "cases.py", [], charts))
    _check_charts(
        CasesModule(
            tmp_path / "cases.py", [], (LossCurve("losses"), Curves(OPTIMISERS, title="三种优化器 · Three optimisers"))
        )
    )


def test_a_stray_entry_in_charts_is_refused_with_every_kind_named(tmp_path):
    from autograder.authoring.suite import SuiteError, load_cases

    path = tmp_path / "cases.py"
    path.write_text('CASES = []\nCHARTS = ["losses"]\n', encoding="utf-8")
    with pytest.raises(
        SuiteError,
        match=r"cases\.py: CHARTS must hold chart declarations \(LossCurve, Curves, FittedLine, GridPath, "
        r"LinearBoundary, Clusters, Scatter, DecisionRegions\)",
    ):
        load_cases(path)


def test_every_chart_kind_an_assignment_can_declare_draws_itself_with_a_caption_and_an_id():
    """A kind is one class: the pages draw any ``Chart`` by its own ``figure``, ``caption`` and ``page_id``."""
    import autograder.authoring as authoring
    from autograder.authoring.charts import Chart

    kinds = Chart.__subclasses__()
    assert {"LossCurve", "Curves", "Scatter", "DecisionRegions"} <= {kind.__name__ for kind in kinds}
    undrawn = sorted(kind.__name__ for kind in kinds if kind.figure is Chart.figure)
    assert not undrawn, f"give {undrawn} a figure(student, reference, notes) beside its declaration"
    assert all(kind.caption and kind.page_id for kind in kinds)
    unexported = sorted(kind.__name__ for kind in kinds if getattr(authoring, kind.__name__, None) is not kind)
    assert not unexported, f"export {unexported} from autograder/authoring/__init__.py, where cases.py imports them"


def test_a_kind_without_a_figure_says_it_needs_one():
    from autograder.authoring.charts import Chart

    with pytest.raises(NotImplementedError, match="LossCurve has no figure: a chart kind draws itself"):
        Chart.figure(LossCurve("losses"), {}, {}, [])


def test_importing_the_authoring_api_leaves_matplotlib_unloaded():
    """Students' notebooks import the package for their checks: the charts' drawing costs them nothing."""
    import subprocess
    import sys

    code = "import sys, autograder.authoring; print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_a_grid_path_draws_the_floor_and_each_notebooks_route_as_arrows():
    from autograder.authoring import GridPath

    chart = GridPath(grid="grid", path="path", title="学到的路线 · The learnt route")
    grid = [[2, 0, 0], [0, 1, 3]]  # S . . / . # G
    reference = {"grid": grid, "path": [0, 1, 2, 5]}
    student = {"grid": grid, "path": [0, 3, 3, 0, 1, 2, 5]}  # down, a bump into the shelf, back up, round
    drawn = draw(chart, student, reference, ident="route")
    assert drawn.caption == PANELS_CAPTION and drawn.notes == []
    student_panel, reference_panel = re.split(r'<g id="axes_\d">', drawn.svg)[1:3]
    # one arrow per move to another cell: the bump draws none
    assert student_panel.count('id="patch_') - reference_panel.count('id="patch_') == 5 - 3
    assert "6 步 · moves" in drawn.svg and "3 步 · moves" in drawn.svg
    assert all(panel.count(">S<") == 1 and panel.count(">G<") == 1 for panel in (student_panel, reference_panel))


@pytest.mark.parametrize("path", [[0, 1, 9], [0, 1.5], [], "left"])
def test_a_grid_path_notes_a_route_it_cannot_draw(path):
    from autograder.authoring import GridPath

    chart = GridPath(grid="grid", path="path")
    reference = {"grid": [[2, 0, 0], [0, 1, 3]], "path": [0, 1, 2, 5]}
    drawn = draw(chart, {"path": path}, reference, ident="route")
    assert any("`path` should be a list of the floor's cell numbers" in note for note in drawn.notes)
