"""HTML pages: one feedback page per submission (the class summary is ``class_summary``'s).

Every text a submission can influence (its file name, messages, cell errors)
is escaped, and each page is built in the kit's one shell (``page_shell``), whose
Content-Security-Policy forbids scripts.
Headings are in both of the course's languages; charts come from the
assignment's declarations, each drawn by its kind (``autograder.grading.pages.chart_drawing``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape

from autograder.authoring.charts import Chart
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.grade import COMPLETED, Grade
from autograder.grading.pages import chart_drawing as drawing
from autograder.grading.pages.page_shell import html_page
from autograder.grading.pages.standing import STANDING_END, STANDING_START, Standing, page_with_standing

# What a grading_status starts with, in Chinese, for the student's page.
STATUS_WORDS = {
    "timeout": "超时",
    "memory": "内存超限",
    "crash": "运行崩溃",
    "killed by signal": "被信号终止",
    "not a notebook": "不是 notebook 文件",
    "not a zip or a notebook": "不是 zip 或 notebook 文件",
    "wrong assignment": "交错了作业",
    "zip holds": "zip 里的 notebook 不是一个",
    "too large": "文件超出评分程序读取的上限",
}


@dataclass(frozen=True)
class FeedbackPage:
    """One submission's feedback page, drawn (charts and all) but for its standing, which only the class
    view knows: the page is written once, with it (``standing.page_with_standing``), when the class's rows are."""

    before: str  # the page up to its standing section, storable
    after: str  # the page after it
    autograded: float
    possible: float

    def html(self) -> str:
        """The whole page, headed by the autograded score alone (``standing.page_with_standing`` adds the rest)."""
        return page_with_standing(self, Standing())


def feedback_page(
    grade: Grade, autograder: AutograderZip, *, assignment: str, reference: dict, charts: tuple[Chart, ...] = ()
) -> str:
    """What one student sees, headed by their autograded score alone (see ``draw_feedback``)."""
    return draw_feedback(grade, autograder, assignment=assignment, reference=reference, charts=charts).html()


def draw_feedback(
    grade: Grade, autograder: AutograderZip, *, assignment: str, reference: dict, charts: tuple[Chart, ...] = ()
) -> FeedbackPage:
    """What one student sees: scores, what to fix, and their results against the reference."""
    parts = [f"<h1>{escape(assignment)} · {escape(grade.file)}</h1>", STANDING_START + STANDING_END]
    if grade.status != COMPLETED:
        parts.append(
            f'<p class="status" id="status">未能评分（{_status_words(grade.status)}）· Not graded: '
            f"{escape(grade.status)}</p>"
        )
    parts.append(
        '<h2>各题得分 · Scores</h2><table id="scores"><tr><th>题目 · question</th><th>得分 · score</th><th>要看什么 · '
        "what to "
        "look at</th></tr>"
    )
    for name, question in autograder.questions.items():
        parts.append(_score_row(grade, name, question.points))
    parts.append("</table>")
    parts.extend(_charts(charts, grade.variables or {}, reference))
    if grade.cell_errors:
        items = "".join(
            f"<li>cell {escape(str(e.get('cell')))}: <code>{escape(str(e.get('error', '')))}</code></li>"
            for e in grade.cell_errors[:10]
        )
        parts.append(f"<h2>运行出错的单元 · Cells that raised errors</h2><ul>{items}</ul>")
    page = html_page(f"{assignment} feedback: {grade.file}", "".join(parts))
    # Everything a submission wrote is escaped, so the page holds the empty standing's markers once.
    before, after = page.split(STANDING_START + STANDING_END)
    return FeedbackPage(before, after, grade.total, autograder.possible)


def _score_row(grade: Grade, name: str, points: float) -> str:
    score = grade.scores.get(name, 0)
    failed = [c for c in grade.cases if c.question == name and not c.passed]
    if grade.status != COMPLETED:
        hint, css = f"未评分（{_status_words(grade.status)}）/ not graded: {escape(grade.status)}", "fail"
    elif failed:
        hint, css = (
            "<ul>" + "".join(f"<li>{escape(message)}</li>" for message in _unique(c.message for c in failed)) + "</ul>",
            "fail",
        )
    elif score < points:
        hint, css = "未得满分 · not full marks", "fail"
    else:
        hint, css = "全部通过 · all checks passed", "pass"
    return f'<tr class="{css}"><td>{escape(name)}</td><td>{score:g} / {points:g}</td><td>{hint}</td></tr>'


def _status_words(status: str) -> str:
    return next((words for start, words in STATUS_WORDS.items() if status.startswith(start)), "无法运行")


def _unique(messages) -> list[str]:
    seen: list[str] = []
    for message in messages:
        if message not in seen:
            seen.append(message)
    return seen


def _charts(declared: tuple[Chart, ...], student: dict, reference: dict) -> list[str]:
    parts, used = [], Counter()
    for chart in declared:
        base = chart.page_id
        used[base] += 1
        ident = base if used[base] == 1 else f"{base}-{used[base]}"
        try:
            drawn = drawing.draw(chart, student, reference, ident=ident)
        except Exception as error:  # a chart must never cost the page
            parts.append(
                f'<h2>{escape(chart.title)}</h2><p class="note">画图失败 / the chart could not be drawn '
                f"({escape(type(error).__name__)})</p>"
            )
            continue
        if drawn is None:
            continue
        notes = "".join(f'<p class="note">{escape(note)}</p>' for note in drawn.notes)
        caption = f'<p class="note">{escape(drawn.caption)}</p>'
        parts.append(f'<h2>{escape(chart.title)}</h2><div id="{ident}">{drawn.svg}</div>{caption}{notes}')
    return parts
