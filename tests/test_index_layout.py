"""The class index as a TA sees it in a browser: found by a TA looking at screenshots.

index.html's table sat in a 760 px column; with the file names Moodle's download gives, the
table ran past the right edge of a 1280 px laptop window, so "total" and "status" (what a TA
opens the page for) were off-screen behind a horizontal scroll bar. On a 390 px phone they still
were, 10-digit student numbers wrapped onto two lines, and a timed-out or missing student's row
looked like any other.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.grading.pages.ta_pages import index_page
from autograder.grading.records.class_book import StudentRow
from autograder.grading.records.late import Lateness

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason="headless Chromium is not installed")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP, PHONE = (1280, 900), (390, 844)

HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{{margin:0}}iframe{{border:0;width:{width}px;height:{height}px}}</style></head><body>
<script>
function probe(frame) {{
  const win = frame.contentWindow, doc = win.document;
  const cells = [...doc.querySelectorAll('#students thead th')].map(th => ({{text: th.innerText, right: th.getBoundingClientRect().right}}));
  const lines = cell => {{ const range = doc.createRange(); range.selectNodeContents(cell); return new Set([...range.getClientRects()].map(box => Math.round(box.top))).size; }};
  const rows = [...doc.querySelectorAll('#students tbody tr')].map(row => ({{
    id: row.cells[0].innerText, background: win.getComputedStyle(row).backgroundColor, idLines: lines(row.cells[0]),
    total: row.cells[5].getBoundingClientRect().right, status: row.cells[6].getBoundingClientRect().right,
    visible: [5, 6].every(column => row.cells[column].getBoundingClientRect().width > 0),
  }}));
  document.documentElement.setAttribute('data-probe', JSON.stringify({{viewport: win.innerWidth, scrollWidth: doc.documentElement.scrollWidth, headers: cells, rows: rows}}));
}}
</script>
<iframe onload="probe(this)" src="{page}"></iframe></body></html>"""  # noqa: E501


class _Probe(HTMLParser):
    probe = None

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.probe = dict(attrs).get("data-probe")


def _rows() -> list[StudentRow]:
    files = [
        ("2023001", "张三", "moodle/张三_1001_assignsubmission_file_/logistic_regression.ipynb"),
        ("2023002", "Li Si", "moodle/Li Si_1002_assignsubmission_file_/lr.ipynb"),
        ("2023005", "钱七", "canvas/qianqi_LATE_2005_9001_logistic_regression.ipynb"),
        ("2023007", "周九", "canvas/zhoujiu_2007_9004_logistic_regression-1.ipynb"),
    ]
    return [
        StudentRow(
            sid, name, file, raw=10.0, late=Lateness(0.5, 7, "7 days late: 50% off"), total=5.0, status="Completed"
        )
        for sid, name, file in files
    ]


def _term_rows() -> list[StudentRow]:
    """A class with 10-digit student numbers and a row of each kind: graded, timed out, missing, unknown."""
    return [
        StudentRow(
            "2023010001",
            "张三",
            "moodle/张三_1001_assignsubmission_file_/logistic_regression.ipynb",
            raw=10.0,
            total=10.0,
            status="Completed",
        ),
        StudentRow(
            "2023010002",
            "Li Si",
            "moodle/Li Si_1002_assignsubmission_file_/lr.ipynb",
            others=("moodle/Li Si_1002_assignsubmission_file_/lr_old.ipynb",),
            raw=9.0,
            total=9.0,
            status="Completed",
            note="2 个文件都写着这个学生 · 2 files name this student",
        ),
        StudentRow(
            "2023010007",
            "周九",
            "canvas/zhoujiu_2007_9004_logistic_regression-1.ipynb",
            status="timeout: the notebook ran past 120 s",
        ),
        StudentRow("2023010008", "欧阳娜娜", status="missing"),
        StudentRow(
            "", "", "stray/unknown_submission_without_a_name.ipynb", raw=4.0, total=4.0, status="unknown student"
        ),
    ]


def _seen(rows: list[StudentRow], tmp_path: Path, size: tuple[int, int]) -> dict:
    """What Chromium laid out of the index of ``rows`` in a frame of ``size`` (see HARNESS)."""
    page = tmp_path / "index.html"
    page.write_text(
        index_page(
            rows,
            assignment="logistic_regression",
            possible=11,
            pages={row.file: f"feedback/{i}.html" for i, row in enumerate(rows)},
        ),
        encoding="utf-8",
    )
    harness = tmp_path / "harness.html"
    harness.write_text(HARNESS.format(width=size[0], height=size[1], page=page.as_uri()), encoding="utf-8")
    done = subprocess.run(
        [
            str(CHROMIUM),
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--window-size={max(size[0], 500)},{size[1]}",
            "--allow-file-access-from-files",
            "--dump-dom",
            harness.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    reader = _Probe()
    reader.feed(done.stdout)
    assert reader.probe, done.stdout[:300]
    return json.loads(reader.probe)


def test_index_total_and_status_are_visible_on_a_laptop(tmp_path):
    seen = _seen(_rows(), tmp_path, LAPTOP)
    offscreen = [header["text"] for header in seen["headers"] if header["right"] > seen["viewport"]]
    assert not offscreen, (
        f"columns past the right edge of a {seen['viewport']} px window: {offscreen} (page is {seen['scrollWidth']} px "
        "wide)"
    )


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_every_rows_total_and_status_are_on_screen_and_ids_on_one_line(size, tmp_path):
    seen = _seen(_term_rows(), tmp_path, size)
    assert seen["scrollWidth"] <= seen["viewport"], (
        f"the page is {seen['scrollWidth']} px wide in a {seen['viewport']} px window"
    )
    for row in seen["rows"]:
        assert row["visible"] and row["total"] <= seen["viewport"] and row["status"] <= seen["viewport"], row
        assert row["idLines"] <= 1, f"student number {row['id']} wraps onto {row['idLines']} lines"


def test_timed_out_missing_and_unknown_rows_stand_out(tmp_path):
    backgrounds = [row["background"] for row in _seen(_term_rows(), tmp_path, LAPTOP)["rows"]]
    graded, _, timed_out, missing, unknown = backgrounds
    assert len({graded, timed_out, missing, unknown}) == 4, backgrounds
