"""Charts an assignment's feedback pages show, declared in its cases file as ``CHARTS``.

A declaration names the notebook variables a chart needs. The sandbox records
those variables from the student's notebook (and the same ones from the
solution at release); the grader draws the student's next to the solution's.
An assignment that declares no chart gets none.

A chart kind is one class, declared in one place: a subclass of ``Chart`` in
``curve_charts``, ``point_charts``, ``region_charts`` or ``grid_charts`` (or a
module of its own, imported by this package's ``__init__``), holding what it
records, its ``figure`` (how the feedback page draws it), its ``caption`` and
its ``page_id``. The pages draw whatever ``Chart`` they are given. Figures are
drawn with ``chart_canvas``, which a kind imports inside ``figure``: students'
notebooks import this package, and matplotlib costs them nothing until a page
is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

# Who drew a series: the student's and the reference's labels, in the legend and the panels' titles.
LABELS = {"you": "你 · you", "reference": "参考解 · reference"}
# How to tell the student's result from the reference's: by line style on one plot, by panel
# when the chart draws the two one above the other (see chart_canvas.new_figure).
LINES_CAPTION = "你的结果：橙色实线；参考解：黑色虚线 / yours: orange, solid; the reference: black, dashed"
PANELS_CAPTION = "上：你的结果；下：参考解 / top: yours; bottom: the reference"


@dataclass(frozen=True)
class Chart:
    """Base of the chart declarations: ``variables`` are read from the notebook's globals.

    ``caption`` tells the student's series from the reference's when both are on one plot (a chart
    drawn as two panels is captioned as such by the page); ``page_id`` names the chart's element on
    the feedback page.
    """

    caption: ClassVar[str] = LINES_CAPTION
    page_id: ClassVar[str] = "chart"

    @property
    def variables(self) -> tuple[str, ...]:
        raise NotImplementedError

    def record(self, namespace: dict) -> dict[str, Any]:
        """What the sandbox keeps from the notebook for this chart (raw values, encoded later)."""
        return {name: namespace.get(name) for name in self.variables}

    def figure(self, student: dict, reference: dict, notes: list[str]):
        """The chart drawn from the recorded values (nested lists) as a matplotlib ``Figure``; None
        when there is nothing to show. It must cope with anything a notebook left behind: values of the
        wrong shape, non-finite or missing are left out and noted in ``notes``, never raised."""
        raise NotImplementedError(f"{type(self).__name__} has no figure: a chart kind draws itself")


def record(charts, names: tuple[str, ...], namespace: dict) -> dict[str, Any]:
    """The raw values a feedback page needs from a notebook: each chart's record, or (first
    format, no charts) the named variables. A chart whose recording fails records nothing."""
    if not charts:
        return {name: namespace.get(name) for name in names}
    recorded: dict[str, Any] = {}
    for chart in charts:
        try:
            recorded.update(chart.record(namespace))
        except Exception:
            recorded.update(dict.fromkeys(chart.variables))
    return recorded


def repeated_titles(charts) -> list[str]:
    """Titles more than one chart has: a feedback page shows the charts one under another, by title."""
    titles = [chart.title for chart in charts]
    return sorted({title for title in titles if titles.count(title) > 1})


def recorded_variables(charts) -> tuple[str, ...]:
    """Every notebook variable the given charts read, once, in order."""
    names: list[str] = []
    for chart in charts:
        for name in chart.variables:
            if name not in names:
                names.append(name)
    return tuple(names)
