"""Feedback charts drawn with matplotlib as inline SVG: the student's values beside the solution's.

Each chart kind an assignment can declare (``autograder.authoring.charts``) has its drawer here,
in ``curve_charts``, ``point_charts`` or ``grid_charts``, listed in that module's ``KINDS`` with the caption that
tells the student's series from the reference's: a new kind is its declaration and one drawer
there. Drawers get the recorded values as nested lists and must cope with anything a notebook left
behind: values of the wrong shape, non-finite or missing ones are left out and noted, never raised.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from autograder.authoring.charts import Chart
from autograder.grading.pages import curve_charts, grid_charts, point_charts
from autograder.grading.pages.chart_figures import LABELS, LINES_CAPTION, PANELS_CAPTION, WHO, KindDrawing, svg_text

KINDS: dict[type, KindDrawing] = {**curve_charts.KINDS, **point_charts.KINDS, **grid_charts.KINDS}
DRAWERS = {kind: drawing.draw for kind, drawing in KINDS.items()}


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
            who = WHO.get(str(artist.get_label()).split(":")[0])
            if who:
                # A chart of several curves draws several series of each: the later ones are numbered.
                drawn[who] = drawn.get(who, 0) + 1
                artist.set_gid(f"{ident}-{who}" + (f"-{drawn[who]}" if drawn[who] > 1 else ""))
    panels = [ax.get_title() for ax in figure.axes] == [LABELS["you"], LABELS["reference"]]
    caption = PANELS_CAPTION if panels else KINDS[type(chart)].caption
    return Drawn(svg_text(figure), notes, caption)
