"""The pages a TA starts from: the index of the class, similar submissions, written answers to mark.

Every text a submission influenced is escaped. The index sorts and filters with one small inline
script; the page's Content-Security-Policy allows that script alone (by its hash) and nothing else.
"""

from __future__ import annotations

from html import escape

from autograder.grading.judging.grade import COMPLETED
from autograder.grading.pages.page_shell import html_page
from autograder.grading.records.class_book import MISSING, UNKNOWN, StudentRow
from autograder.grading.records.written import Answer
from autograder.grading.similarity.similar_pairs import Pair

# Each pair shows two submissions' graded code (up to 20,000 characters each): a large class whose
# code is alike in groups must not make a page of hundreds of megabytes.
MAX_PAIRS_SHOWN = 300
TABLE_STYLE = """
body{max-width:1180px}.scroll{overflow-x:auto}
#students td{overflow-wrap:anywhere}#students td:nth-child(3){min-width:10em;max-width:26em}
#students td:nth-child(1),#students td:nth-child(6){white-space:nowrap}
#students tr.failed{background:#fdecea}#students tr.failed td:nth-child(7){color:#b42318;font-weight:600}
#students tr.missing{background:#eaecf0}#students tr.missing td:nth-child(7){color:#344054;font-weight:600}
#students tr.unknown{background:#fff4e5}#students tr.unknown td:nth-child(7){color:#b54708;font-weight:600}
@media(max-width:600px){
#students thead{display:none}#students,#students tbody{display:block}
#students tr{display:grid;grid-template-columns:auto 1fr auto;column-gap:8px;border-bottom:1px solid #ddd;padding:4px 0}
#students td{border:0;padding:2px 6px;min-width:0;max-width:none}
#students td:nth-child(1){grid-area:1/1;font-weight:600}#students td:nth-child(2){grid-area:1/2}
#students td:nth-child(6){grid-area:1/3;font-weight:600}#students td:nth-child(7){grid-area:2/1/3/4}
#students td:nth-child(3){grid-area:3/1/4/4;font-size:.9rem}
#students td:nth-child(4){grid-area:4/1/5/2}#students td:nth-child(5){grid-area:4/2/5/4}
#students td:nth-child(4):before{content:"得分 · score ";color:#555}#students td:nth-child(5):before{content:"迟交扣分 · late ";color:#555}
}
th{cursor:pointer;white-space:nowrap}th:after{content:" \\2195";color:#999}
input{width:100%;padding:6px;margin:8px 0;font-size:1rem;box-sizing:border-box}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:12px}
.card{border:1px solid #ddd;border-radius:6px;padding:8px}.card h3{margin:0 0 6px;font-size:1rem}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px}@media(max-width:600px){.pair{grid-template-columns:1fr}}
"""  # noqa: E501 - a rule per line, written into every page as it is
SORT_AND_FILTER = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var body = table.tBodies[0];
  table.querySelectorAll("th").forEach(function (header, column) {
    header.addEventListener("click", function () {
      var up = header.dataset.up !== "1";
      header.dataset.up = up ? "1" : "0";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.sort || a.cells[column].textContent;
        var y = b.cells[column].dataset.sort || b.cells[column].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "zh-CN");
        return up ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
var filter = document.getElementById("filter");
if (filter) {
  filter.addEventListener("input", function () {
    var words = filter.value.toLowerCase();
    document.querySelectorAll("table.sortable tbody tr").forEach(function (row) {
      row.style.display = row.textContent.toLowerCase().indexOf(words) >= 0 ? "" : "none";
    });
  });
}
"""


def index_page(rows: list[StudentRow], *, assignment: str, possible: float, pages: dict[str, str]) -> str:
    """Every student (or file) with score, late penalty, status and a link to the feedback page.

    Rows that need a look stand out: missing work, a file graded with a failure (timeout, memory,
    crash, ...), a file no roster student claims. On a phone each row is a card that starts with
    the student, the total and the status."""
    head = "".join(
        f"<th>{label}</th>"
        for label in (
            "学号 · ID",
            "姓名 · name",
            "文件 · file",
            "得分 · score",
            "迟交扣分 · late",
            "总分 · total",
            "状态 · status",
        )
    )
    body = "".join(_index_row(row, possible, pages.get(row.file, "")) for row in rows)
    content = (
        f"<h1>{escape(assignment)} · 全班 · the class</h1>"
        '<p><a href="summary.html">概况 · summary</a> · <a href="similarity.html">相似提交 · similar '
        "submissions</a></p>"
        '<input id="filter" type="search" placeholder="筛选（学号、姓名、状态…）· filter (id, name, status…)">'
        '<div class="scroll"><table class="sortable" '
        f'id="students"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
    )
    return html_page(f"{assignment}: the class", content, style=TABLE_STYLE, script=SORT_AND_FILTER)


def _index_row(row: StudentRow, possible: float, page: str) -> str:
    link = f'<a href="{escape(page)}">{escape(row.file)}</a>' if page else escape(row.file or "—")
    others = f"<br><small>+ {escape(', '.join(row.others))}</small>" if row.others else ""
    note = f'<br><small class="fail">{escape(row.note)}</small>' if row.note else ""
    kind = _row_kind(row.status)
    highlight = f' class="{kind}"' if kind else ""
    return (
        f"<tr{highlight}><td>{escape(row.student_id)}</td><td>{escape(row.name)}</td><td>{link}{others}</td>"
        f'<td data-sort="{row.raw}">{row.raw:g}</td><td data-sort="{row.penalty}">{row.penalty:g}</td>'
        f'<td data-sort="{row.total}">{row.total:g} / {possible:g}</td><td>{escape(row.status)}{note}</td></tr>'
    )


def _row_kind(status: str) -> str:
    """How a row is highlighted: "missing", "unknown" (no roster student claims the file), "failed"
    (graded with a failure: timeout, memory, crash, ...), or "" for a file graded as it should be."""
    if status == MISSING:
        return "missing"
    if status.startswith(UNKNOWN):
        return "unknown"
    return "" if status == COMPLETED else "failed"


def similarity_page(
    pairs: list[Pair],
    clusters: list[list[str]],
    codes: dict[str, str],
    *,
    assignment: str,
    owners: dict[str, str] | None = None,
) -> str:
    """Pairs of alike submissions with their code side by side, and the groups they form; each file
    with whose it is (``owners``: file → the gradebook's student)."""
    owners = owners or {}

    def named(file: str) -> str:
        return f"{owners[file]} · {file}" if owners.get(file) else file

    parts = [
        f"<h1>{escape(assignment)} · 相似提交 · similar submissions</h1>",
        "<p>只比较学生写的函数，先去掉注释、排版和变量名，并忽略模板代码、参考解的代码和多数人相同的写法。相似不等于抄袭：请人工判断。"
        " / Only the functions students wrote are compared, with comments, layout and names taken out, and the "
        "starter code, the"
        " solution's code and what many students write alike ignored. Alike is not copied: judge for yourself.</p>",
    ]
    if not pairs:
        parts.append('<p id="none">没有发现超出偶然的相似 · nothing alike beyond chance</p>')
    if clusters:
        items = "".join(f"<li>{escape(', '.join(map(named, group)))}</li>" for group in clusters)
        parts.append(f'<h2>分组 · Groups</h2><ul id="clusters">{items}</ul>')
    for pair in pairs[:MAX_PAIRS_SHOWN]:
        parts.append(
            f'<h2 class="pair-title">{escape(named(pair.first))} ↔ {escape(named(pair.second))} · '
            f"{pair.score:.0%}（{pair.shared}）</h2>"
            f'<div class="pair"><pre>{escape(codes.get(pair.first, ""))}</pre>'
            f"<pre>{escape(codes.get(pair.second, ''))}</pre></div>"
        )
    if len(pairs) > MAX_PAIRS_SHOWN:
        more = len(pairs) - MAX_PAIRS_SHOWN
        parts.append(
            f'<p class="note" id="more-pairs">另有 {more} 对不太相似的提交没有并排列出，它们都在上面的分组里 · {more} '
            "less alike pairs are not "
            "shown side by side; they are all in the groups above</p>"
        )
    return html_page(f"{assignment}: similar submissions", "".join(parts), style=TABLE_STYLE)


def written_page(question: str, answers: list[Answer], *, assignment: str, points: float, sheet: str) -> str:
    """Every answer to one written question, in the marks sheet's order, under anonymous labels."""
    cards = "".join(
        f'<div class="card"><h3>{escape(answer.label)}</h3>'
        f"<pre>{escape(answer.text) or '（没有作答 · no answer）'}</pre></div>"
        for answer in answers
    )
    return html_page(
        f"{assignment}: {question}",
        f"<h1>{escape(assignment)} · {escape(question)}（{points:g} 分 · points）</h1>"
        f"<p>在 <code>{escape(sheet)}</code> 里按同样的顺序填写分数和评语，然后运行 <code>autograder merge</code>。"
        f" / Enter points and comments in <code>{escape(sheet)}</code>, in the same order, then run <code>autograder "
        "merge</code>.</p>"
        f'<div class="grid" id="answers">{cards}</div>',
        style=TABLE_STYLE,
    )
