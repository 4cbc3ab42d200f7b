"""HTML pages: one feedback page per submission and the class summary."""
from __future__ import annotations

from collections import Counter
from html import escape

from autograder.autograder_zip import AutograderZip
from autograder.judging import COMPLETED, Grade
from autograder.svg_charts import boundary_chart, histogram, line_chart

STYLE = """
body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0 auto;max-width:760px;padding:12px;line-height:1.5;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.6rem}
.score{font-size:2rem;font-weight:600}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:6px;text-align:left;vertical-align:top}
.pass{color:#1a7f37}.fail{color:#b42318}.chart{width:100%;height:auto;max-width:640px}
.status{padding:8px;background:#fff4e5;border-left:4px solid #f79009}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:8px;font-size:.85rem}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def feedback_page(grade: Grade, autograder: AutograderZip, *, assignment: str, reference: dict) -> str:
    """What one student sees: scores, what to fix, and their model against the reference."""
    possible = autograder.possible
    parts = [f"<h1>{escape(assignment)} · {escape(grade.file)}</h1>", f'<p class="score" id="total">{grade.total:g} / {possible:g}</p>']
    if grade.status != COMPLETED:
        parts.append(f'<p class="status" id="status">未能评分 · Not graded: {escape(grade.status)}</p>')
    parts.append('<h2>各题得分 · Scores</h2><table id="scores"><tr><th>question</th><th>score</th><th>what to look at</th></tr>')
    for name, question in autograder.questions.items():
        failed = [c for c in grade.cases if c.question == name and not c.passed]
        hints = "".join(f"<li>{escape(c.message)}</li>" for c in _unique_messages(failed)) or "全部通过 · all checks passed"
        css = "pass" if not failed and grade.status == COMPLETED else "fail"
        parts.append(f'<tr class="{css}"><td>{escape(name)}</td><td>{grade.scores.get(name, 0):g} / {question.points:g}</td><td><ul>{hints}</ul></td></tr>' if failed else f'<tr class="{css}"><td>{escape(name)}</td><td>{grade.scores.get(name, 0):g} / {question.points:g}</td><td>{hints}</td></tr>')
    parts.append("</table>")
    parts.extend(_plots(grade.variables or {}, reference))
    if grade.cell_errors:
        items = "".join(f"<li>cell {e.get('cell')}: <code>{escape(str(e.get('error', '')))}</code></li>" for e in grade.cell_errors[:10])
        parts.append(f"<h2>运行出错的单元 · Cells that raised errors</h2><ul>{items}</ul>")
    return _page(f"{assignment} feedback: {grade.file}", "".join(parts))


def _unique_messages(cases):
    seen, unique = set(), []
    for case in cases:
        if case.message not in seen:
            seen.add(case.message)
            unique.append(case)
    return unique


def _plots(student: dict, reference: dict) -> list[str]:
    parts = []
    if reference.get("losses"):
        chart = line_chart({"you": student.get("losses") or [], "reference": reference["losses"]}, title="loss curve", x_label="epoch", y_label="binary cross-entropy")
        note = "" if student.get("losses") else "<p>你的 notebook 没有留下 <code>losses</code> 列表 · your notebook left no <code>losses</code> list to plot.</p>"
        parts.append(f'<h2>损失曲线 · Your loss curve and the reference</h2><div id="loss-curve">{chart}</div>{note}')
    boundary = _boundary(student, reference)
    if boundary:
        parts.append(f'<h2>决策边界 · Decision boundary</h2><div id="boundary">{boundary}</div>')
    return parts


def _boundary(student: dict, reference: dict) -> str:
    x, y = reference.get("x_data"), reference.get("y_data")
    if not x or not y or len(x) != 2 * len(y):
        return ""
    points = [(x[2 * i], x[2 * i + 1], int(y[i] >= 0.5)) for i in range(len(y))]
    lines = {}
    for who, values in (("you", student), ("reference", reference)):
        w, b = values.get("w"), values.get("b")
        if w and b and len(w) == 2 and len(b) == 1:
            lines[who] = (w[0], w[1], b[0])
    return boundary_chart(points, lines, title="decision boundary") if lines else ""


def summary_page(grades: list[Grade], autograder: AutograderZip, *, assignment: str) -> str:
    """The class at a glance: score histogram, pass rates, most common failures."""
    possible = autograder.possible
    totals = [g.total for g in grades]
    bins = [possible * i / 10 for i in range(11)]
    parts = [f"<h1>{escape(assignment)} · class summary</h1>", f"<p>{len(grades)} submissions, mean {sum(totals) / max(len(totals), 1):.2f} / {possible:g}</p>"]
    parts.append(f'<h2>Score histogram</h2><div id="histogram">{histogram(totals, bins=bins, title="scores", x_label="total points")}</div>')
    parts.append('<h2>Per-question pass rate</h2><table id="pass-rates"><tr><th>question</th><th>full marks</th><th>mean score</th></tr>')
    for name, question in autograder.questions.items():
        full = sum(1 for g in grades if abs(g.scores.get(name, 0) - question.points) < 1e-9)
        mean = sum(g.scores.get(name, 0) for g in grades) / max(len(grades), 1)
        parts.append(f"<tr><td>{escape(name)}</td><td>{full / max(len(grades), 1):.0%}</td><td>{mean:.2f} / {question.points:g}</td></tr>")
    parts.append("</table>")
    failures = Counter((c.question, c.message) for g in grades for c in g.cases if not c.passed)
    statuses = Counter(g.status for g in grades if g.status != COMPLETED)
    rows = "".join(f"<tr><td>{count}</td><td>{escape(q)}</td><td>{escape(m)}</td></tr>" for (q, m), count in failures.most_common(15))
    parts.append(f'<h2>Most common failure messages</h2><table id="failures"><tr><th>count</th><th>question</th><th>message</th></tr>{rows}</table>')
    if statuses:
        items = "".join(f"<li>{count} × {escape(status)}</li>" for status, count in statuses.most_common())
        parts.append(f"<h2>Not graded</h2><ul id=\"not-graded\">{items}</ul>")
    return _page(f"{assignment} summary", "".join(parts))
