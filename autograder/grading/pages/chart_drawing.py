"""Feedback charts drawn with matplotlib as inline SVG: the student's values beside the solution's.

Each chart kind an assignment can declare draws itself (``autograder.authoring.charts``: its
``figure``, ``caption`` and ``page_id``); this module turns the figure into the page's SVG, naming
the student's series and the reference's so the page can tell them apart.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from autograder.authoring.charts import LABELS, LINES_CAPTION, PANELS_CAPTION, Chart
from autograder.grading.pages.chart_figures import svg_text

WHO = {label: who for who, label in LABELS.items()}


@dataclass
class Drawn:
    svg: str
    notes: list[str]
    caption: str = LINES_CAPTION


def draw(chart: Chart, student: dict, reference: dict, *, ident: str) -> Drawn | None:
    """The chart as SVG with notes on what could not be drawn; None when there is nothing to show.

    ``ident`` prefixes the ids of the drawn series ("<ident>-you", "<ident>-reference").
    """
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figure = chart.figure(student, reference, notes)
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
    return Drawn(svg_text(figure), notes, PANELS_CAPTION if panels else chart.caption)
