"""The class index as a TA sees it in a browser: found by a TA looking at screenshots.

index.html's table sits in a 760 px column; with the file names Moodle's download gives, the
table runs past the right edge of a 1280 px laptop window, so "total" and "status" (what a TA
opens the page for) are off-screen behind a horizontal scroll bar.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.grading.class_book import StudentRow
from autograder.grading.late import Lateness
from autograder.grading.ta_pages import index_page

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason="headless Chromium is not installed")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAPTOP = (1280, 900)

HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{{margin:0}}iframe{{border:0;width:{width}px;height:{height}px}}</style></head><body>
<script>
function probe(frame) {{
  const win = frame.contentWindow, doc = win.document;
  const cells = [...doc.querySelectorAll('#students thead th')].map(th => ({{text: th.innerText, right: th.getBoundingClientRect().right}}));
  document.documentElement.setAttribute('data-probe', JSON.stringify({{viewport: win.innerWidth, scrollWidth: doc.documentElement.scrollWidth, headers: cells}}));
}}
</script>
<iframe onload="probe(this)" src="{page}"></iframe></body></html>"""


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
    return [StudentRow(sid, name, file, raw=10.0, late=Lateness(0.5, 7, "7 days late: 50% off"), total=5.0, status="Completed") for sid, name, file in files]


def test_index_total_and_status_are_visible_on_a_laptop(tmp_path):
    rows = _rows()
    page = tmp_path / "index.html"
    page.write_text(index_page(rows, assignment="logistic_regression", possible=11, pages={row.file: f"feedback/{i}.html" for i, row in enumerate(rows)}), encoding="utf-8")
    harness = tmp_path / "harness.html"
    harness.write_text(HARNESS.format(width=LAPTOP[0], height=LAPTOP[1], page=page.as_uri()), encoding="utf-8")
    done = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={LAPTOP[0]},{LAPTOP[1]}",
                           "--allow-file-access-from-files", "--dump-dom", harness.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    reader = _Probe()
    reader.feed(done.stdout)
    assert reader.probe, done.stdout[:300]
    seen = json.loads(reader.probe)
    offscreen = [header["text"] for header in seen["headers"] if header["right"] > seen["viewport"]]
    assert not offscreen, f"columns past the right edge of a {seen['viewport']} px window: {offscreen} (page is {seen['scrollWidth']} px wide)"
