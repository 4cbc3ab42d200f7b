"""The class summary page: how the class did, counted in students.

Each student counts once, with the submission that counts for them (a superseded file is left out),
and at their final score: the autograded points, plus the written marks a TA entered, less what
lateness cost. Files no roster student claims and students with no submission are named apart.
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape

from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.judging.grade import COMPLETED, Grade
from autograder.grading.pages.chart_figures import histogram
from autograder.grading.pages.page_shell import html_page
from autograder.grading.records.class_book import MISSING, UNKNOWN, StudentRow

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?:x)?", re.IGNORECASE)


def summary_page(
    rows: list[StudentRow], grades: list[Grade], autograder: AutograderZip, *, assignment: str, manual: dict[str, float]
) -> str:
    """The class at a glance: who submitted, the final scores' histogram and mean, per-question pass
    rates and the most common mistakes by diagnosis, all over the counted submissions.

    ``rows``: the gradebook by student (``class_book``); ``grades``: every graded file;
    ``manual``: written question → points.
    """
    by_file = {grade.file: grade for grade in grades}
    counted = [row for row in rows if row.file in by_file and not row.status.startswith(UNKNOWN)]
    counted_grades = [by_file[row.file] for row in counted]
    possible = autograder.possible + sum(manual.values())
    totals = [row.total for row in counted]
    mean = sum(totals) / len(totals) if totals else 0.0
    unmarked = _unmarked(counted, manual)
    parts = [
        f"<h1>{escape(assignment)} · 全班概况 · class summary</h1>",
        _who(rows, counted, grades),
        f'<p id="mean">最终得分（含迟交扣分和书面题）平均 {mean:.2f} / {possible:g}{unmarked[0]} · final scores (late '
        "penalties and "
        "written marks included): "
        f"mean {mean:.2f} / {possible:g}{unmarked[1]}</p>",
        f'<h2>分数分布 · Score histogram</h2><div id="histogram">{histogram(totals, possible=possible)}</div>',
    ]
    parts.extend(_pass_rates(counted_grades, autograder))
    parts.extend(_mistakes(counted_grades))
    statuses = Counter(grade.status for grade in counted_grades if grade.status != COMPLETED)
    if statuses:
        items = "".join(f"<li>{count} × {escape(status)}</li>" for status, count in statuses.most_common())
        parts.append(f'<h2>未能评分 · Not graded</h2><ul id="not-graded">{items}</ul>')
    return html_page(f"{assignment} summary", "".join(parts))


def _who(rows: list[StudentRow], counted: list[StudentRow], grades: list[Grade]) -> str:
    """Students who submitted (each once), with the roster's missing, the files no one claims, and
    the files a later one of the same student superseded."""
    missing = sum(1 for row in rows if row.status == MISSING)
    unknown = sum(1 for row in rows if row.status.startswith(UNKNOWN))
    superseded = sum(len(row.others) for row in rows)
    zh, en = [f"{len(counted)} 名学生交了作业"], [f"{len(counted)} students submitted"]
    if missing:
        zh.append(f"{missing} 名学生未交")
        en.append(f"{missing} on the roster did not")
    if unknown:
        zh.append(f"{unknown} 份文件不属于名单上的任何学生，未计入")
        en.append(f"{unknown} files no roster student claims, left out")
    zh.append(
        f"共评分 {len(grades)} 份文件" + (f"，其中 {superseded} 份被同一学生的另一份取代，未计入" if superseded else "")
    )
    en.append(
        f"{len(grades)} files graded"
        + (f", {superseded} of them superseded by another of the same student's and left out" if superseded else "")
    )
    return f'<p id="who">{"；".join(zh)} · {"; ".join(en)}</p>'


def _unmarked(counted: list[StudentRow], manual: dict[str, float]) -> tuple[str, str]:
    """A warning (Chinese, English) when the written answers are not all marked yet: those scores are not final."""
    marked = sum(1 for row in counted if len(row.written) == len(manual))
    if not manual or marked == len(counted):
        return "", ""
    return (
        f"；书面题已批改 {marked} / {len(counted)} 人，其余的分数还不是最终的",
        f"; written answers marked for {marked} of {len(counted)}: the others' scores are not final yet",
    )


def _pass_rates(grades: list[Grade], autograder: AutograderZip) -> list[str]:
    count = max(len(grades), 1)
    parts = [
        '<h2>各题通过率 · Per-question pass rate</h2><table id="pass-rates"><tr><th>题目 · question</th><th>满分比例 '
        "· full "
        "marks</th><th>平均分 · mean score</th></tr>"
    ]
    for name, question in autograder.questions.items():
        full = sum(1 for grade in grades if abs(grade.scores.get(name, 0) - question.points) < 1e-9)
        mean = sum(grade.scores.get(name, 0) for grade in grades) / count
        parts.append(
            f"<tr><td>{escape(name)}</td><td>{full / count:.0%}</td><td>{mean:.2f} / {question.points:g}</td></tr>"
        )
    parts.append("</table>")
    return parts


def _mistakes(grades: list[Grade]) -> list[str]:
    rows = "".join(
        f"<tr><td>{len(files)}</td><td>{escape(question)}</td><td>{escape(example)}</td></tr>"
        for (question, _), (files, example) in _diagnoses(grades)[:15]
    )
    return [
        "<h2>最常见的错误 · Most common mistakes</h2><p "
        'class="note">按诊断归类，数字不同的同一类信息算一条；按学生计，每人只算计分的那份提交 · grouped by '
        "diagnosis (the same message with "
        "other numbers counts once); counted in students, each by the submission that counts</p><table "
        'id="failures"><tr><th>人数 · students</th><th>题目 · question</th>'
        f"<th>信息（一例）· message (one example)</th></tr>{rows}</table>"
    ]


def _diagnoses(grades: list[Grade]) -> list[tuple[tuple[str, str], tuple[set[str], str]]]:
    """Failed cases grouped by question and message with its numbers taken out: (question, shape) →
    (the submissions that got it, one message as it was), most submissions first."""
    groups: dict[tuple[str, str], tuple[set[str], str]] = {}
    for grade in grades:
        for case in grade.cases:
            if not case.passed:
                files, example = groups.setdefault(
                    (case.question, _NUMBER.sub("#", case.message)), (set(), case.message)
                )
                files.add(grade.file)
    return sorted(groups.items(), key=lambda item: (-len(item[1][0]), item[0]))
