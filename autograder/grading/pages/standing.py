"""A feedback page's standing: the final score at its head, and what makes it up (the autograded score,
the written marks a TA entered, what lateness cost). Only the class view knows it, so a drawn page
(``feedback_page.FeedbackPage``) gets it when the class's rows are written, and a page an earlier run
wrote has it replaced in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from autograder.authoring.language import say
from autograder.grading.records.late import Lateness, shown_time
from autograder.grading.text import storable


@dataclass(frozen=True)
class Standing:
    """What a feedback page adds to the autograded score: written questions (name → points) with the
    marks a TA entered, and what lateness cost."""

    manual: dict = field(default_factory=dict)
    marks: dict = field(default_factory=dict)
    late: Lateness = Lateness()


# A page's standing (its headline, written marks, lateness) sits between these, so that the class view can
# update a page written by an earlier run or by the course server when its standing changes.
STANDING_START, STANDING_END = "<!-- standing -->", "<!-- /standing -->"


def standing_section(autograded: float, possible: float, standing: Standing) -> str:
    """The headline score and what makes it up: the autograded score, written marks and lateness.

    The headline is the final score out of every point of the assignment, written questions
    included, so it and the breakdown under it always agree (a written answer not marked yet
    counts 0 until it is)."""
    written = sum(mark.points for mark in standing.marks.values())
    out_of = possible + sum(standing.manual.values())
    final = round((autograded + written) * (1 - standing.late.fraction), 5)
    parts = [f'<p class="score" id="total">{final:g} / {out_of:g}</p>']
    if standing.manual:
        parts.append(_written_table(standing))
    parts.append(_late_notice(standing.late))
    if standing.manual or standing.late.fraction:
        late = (
            (f"，迟交扣 {standing.late.fraction:.0%}", f", {standing.late.fraction:.0%} off for lateness")
            if standing.late.fraction
            else ("", "")
        )
        breakdown = say(
            f"自动评分 {autograded:g} / {possible:g} + 书面题 {written:g} / {sum(standing.manual.values()):g}{late[0]}",
            f"autograded {autograded:g} / {possible:g} + written {written:g} / "
            f"{sum(standing.manual.values()):g}{late[1]}",
        )
        parts.append(
            f'<p id="final">总分 · final score: <strong>{final:g} / {out_of:g}</strong>（{escape(breakdown)}）</p>'
        )
    return "".join(parts)


def _written_table(standing: Standing) -> str:
    rows = []
    for question, points in standing.manual.items():
        mark = standing.marks.get(question)
        got = f"{mark.points:g} / {points:g}" if mark else f"待批改 · not marked yet / {points:g}"
        rows.append(
            f"<tr><td>{escape(question)}</td><td>{got}</td><td>{escape(mark.comment) if mark else ''}</td></tr>"
        )
    return (
        '<h2>书面题 · Written answers</h2><table id="written">'
        "<tr><th>题目 · question</th><th>得分 · score</th><th>评语 · comment</th></tr>"
        f"{''.join(rows)}</table>"
    )


def _late_notice(late: Lateness) -> str:
    """Why lateness cost points, with the times it was judged on; for work on time, those times."""
    if late.reason:
        return f'<p class="status" id="late">{escape(late.reason)}</p>'
    if late.submitted and late.due:
        submitted, due = shown_time(late.submitted), shown_time(late.due)
        on_time = say(f"按时提交：提交于 {submitted}，截止 {due}", f"on time: submitted {submitted}, due {due}")
        return f'<p class="note" id="on-time">{escape(on_time)}</p>'
    return ""


def with_standing(page: str, section: str) -> str:
    """``page`` with its standing section replaced by ``section`` (pages without one are returned as they are)."""
    start, end = page.find(STANDING_START), page.find(STANDING_END)
    if start < 0 or end < start:
        return page
    return page[: start + len(STANDING_START)] + storable(section) + page[end:]


def page_with_standing(page, standing: Standing) -> str:
    """The whole of ``page`` (a drawn ``FeedbackPage``), headed by ``standing``."""
    section = standing_section(page.autograded, page.possible, standing)
    return page.before + STANDING_START + storable(section) + STANDING_END + page.after
