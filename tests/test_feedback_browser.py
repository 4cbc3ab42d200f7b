"""Feedback and summary pages as a student or TA sees them on a phone, in headless Chromium.

Two honest submissions (one with a typical mistake, one correct) are really
graded; their pages and the class summary are opened at a phone-sized window.
A harness page holds each page in a phone-sized frame and reports what was rendered (the
visible text, the score rows and their colour, the charts' boxes and series),
``--dump-dom`` hands that back, and ``--screenshot`` must give a non-blank PNG.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.grading.batch import GradeOptions, grade_paths
from tests.corpus.honest import POINTS, submission, write_corpus

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason="headless Chromium is not installed (apt-get install chromium; .ci/run does it)"
)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = (390, 844)
MISTAKEN, CORRECT = "loss_no_clamp", "correct_course_style"
POSSIBLE = sum(POINTS.values())
PASS_COLOUR, FAIL_COLOUR = "rgb(26, 127, 55)", "rgb(180, 35, 24)"
# Names from the hidden cases module that must never reach a student.
HIDDEN_NAMES = ("grade_case", "def _judge", "_judge_loss_finite", "ACCURACY_MARGIN", "hidden_cases", "references.json")

# Headless Chromium lays a page out at least 500 px wide whatever --window-size
# says, so the page is probed inside a phone-sized frame of a harness page.
HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{{margin:0}}iframe{{border:0;width:{width}px;height:{height}px}}</style></head><body>
<script>
function probe(frame) {{
  const win = frame.contentWindow, doc = win.document;
  const found = {{
    text: doc.body.innerText,
    viewport: win.innerWidth,
    scrollWidth: doc.documentElement.scrollWidth,
    rows: [...doc.querySelectorAll('#scores tr, #pass-rates tr, #failures tr')].map(row => ({{
      table: row.closest('table').id,
      cells: [...row.cells].map(cell => cell.innerText.trim()),
      colour: win.getComputedStyle(row).color,
    }})),
    charts: [...doc.querySelectorAll('svg')].map(svg => {{
      const box = svg.getBoundingClientRect();
      return {{
        holder: svg.parentElement.id,
        left: box.left, right: box.right, height: box.height,
        texts: [...svg.querySelectorAll('text')].map(t => t.textContent),
        series: [...svg.querySelectorAll('g[id$="-you"], g[id$="-reference"]')].map(mark => ({{
          name: mark.id.split('-').pop(),
          width: mark.getBoundingClientRect().width,
        }})),
      }};
    }}),
  }};
  document.documentElement.setAttribute('data-probe', JSON.stringify(found));
}}
</script>
<iframe onload="probe(this)" src="{page}"></iframe></body></html>"""  # noqa: E501


class _ProbeReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.probe = None

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.probe = dict(attrs).get("data-probe")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    command = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", f"--window-size={PHONE[0]},{PHONE[1]}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def render(page: Path, tmp_path: Path) -> dict:
    """What Chromium rendered of ``page`` in a phone-sized frame (see HARNESS)."""
    harness = tmp_path / f"harness-{page.stem}.html"
    harness.write_text(HARNESS.format(width=PHONE[0], height=PHONE[1], page=page.as_uri()), encoding="utf-8")
    done = _chromium(tmp_path, "--allow-file-access-from-files", "--dump-dom", harness.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    reader = _ProbeReader()
    reader.feed(done.stdout)
    assert reader.probe, f"the page's probe did not run: {done.stdout[:300]}"
    return json.loads(reader.probe)


def screenshot(page: Path, tmp_path: Path) -> Path:
    target = tmp_path / f"{page.stem}.png"
    done = _chromium(tmp_path, f"--screenshot={target}", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    return target


@pytest.fixture(scope="module")
def graded(assignment, student_template, shared) -> Path:
    """OUT of a real grade of one mistaken and one correct honest submission, once a session."""

    def grade(scratch: Path) -> str:
        folder, out = scratch / "submissions", scratch / "out"
        write_corpus(folder, student_template, names=(MISTAKEN, CORRECT))
        grade_paths([folder], assignment, out, options=GradeOptions(workers=2))
        return str(out)

    return Path(shared.get("browser-graded", grade, as_json=True))


def _page(out: Path, name: str) -> Path:
    return out / "feedback" / f"{name}.ipynb.html"


def _failure_messages(out: Path, name: str) -> list[str]:
    kit = json.loads((out / "results" / f"{name}.ipynb.json").read_text(encoding="utf-8"))["extra_data"]["kit"]
    return sorted({case["message"] for case in kit["cases"] if not case["passed"]})


@pytest.mark.parametrize("name", [MISTAKEN, CORRECT])
def test_feedback_shows_the_score_and_a_row_per_question(graded, tmp_path, name):
    expected = submission(name).expected
    seen = render(_page(graded, name), tmp_path)
    assert f"{sum(expected.values()):g} / {POSSIBLE:g}" in seen["text"]
    rows = {
        row["cells"][0]: row
        for row in seen["rows"]
        if row["table"] == "scores" and not row["cells"][0].endswith("question")
    }
    assert sorted(rows) == sorted(POINTS)
    for question, row in rows.items():
        assert row["cells"][1] == f"{expected[question]:g} / {POINTS[question]:g}"
        full_marks = expected[question] == POINTS[question]
        assert row["colour"] == (PASS_COLOUR if full_marks else FAIL_COLOUR), question
        assert ("all checks passed" in row["cells"][2]) == full_marks, row["cells"][2]


def test_feedback_of_a_mistake_shows_what_to_fix(graded, tmp_path):
    messages = _failure_messages(graded, MISTAKEN)
    assert messages, "the mistaken submission failed no case"
    seen = render(_page(graded, MISTAKEN), tmp_path)
    row = next(row for row in seen["rows"] if row["table"] == "scores" and row["cells"][0] == "binary_loss")
    for message in messages:
        assert message in row["cells"][2]
    assert "clamp" in row["cells"][2]


@pytest.mark.parametrize("name", [MISTAKEN, CORRECT])
@pytest.mark.parametrize("holder", ["loss-curve", "boundary"])
def test_feedback_plots_you_against_the_reference(graded, tmp_path, name, holder):
    seen = render(_page(graded, name), tmp_path)
    charts = {chart["holder"]: chart for chart in seen["charts"]}
    assert sorted(charts) == ["boundary", "loss-curve"]
    chart = charts[holder]
    assert {"你 · you", "参考解 · reference"} <= set(chart["texts"]), "a legend names both series, in both languages"
    assert {mark["name"] for mark in chart["series"] if mark["width"] > 0} == {"you", "reference"}
    assert chart["height"] > 100


@pytest.mark.parametrize("name", [MISTAKEN, CORRECT])
def test_feedback_of_an_honest_notebook_lists_no_failing_cells(graded, tmp_path, name):
    # The template's export cell (a comment, then grader.export) must not run while grading.
    seen = render(_page(graded, name), tmp_path)
    assert "Cells that raised errors" not in seen["text"]


@pytest.mark.parametrize("name", [MISTAKEN, CORRECT])
def test_feedback_fits_a_phone(graded, tmp_path, name):
    seen = render(_page(graded, name), tmp_path)
    assert seen["viewport"] == PHONE[0]
    assert seen["scrollWidth"] <= seen["viewport"], "the page scrolls sideways"
    assert all(0 <= chart["left"] and chart["right"] <= seen["viewport"] for chart in seen["charts"])


def _hidden_source_lines(assignment) -> list[str]:
    """Lines of the reference solution's functions, as shipped in the zip."""
    with zipfile.ZipFile(assignment.zip_path) as archive:
        references = json.loads(archive.read("files/references.json"))
    lines = (line.strip() for source in references["reference_functions"].values() for line in source.splitlines()[1:])
    return [line for line in lines if len(line) > 15]


@pytest.mark.parametrize("page", [f"feedback/{MISTAKEN}.ipynb.html", f"feedback/{CORRECT}.ipynb.html", "summary.html"])
def test_pages_never_show_hidden_tests_or_the_solution(graded, assignment, page):
    html = (graded / page).read_text(encoding="utf-8")
    solution_lines = _hidden_source_lines(assignment)
    assert solution_lines, "no reference source found to look for"
    leaked = [text for text in (*HIDDEN_NAMES, *solution_lines) if text in html]
    assert not leaked


def test_summary_page_shows_the_class(graded, assignment, tmp_path):
    from autograder.grading.judging.autograder_zip import AutograderZip

    seen = render(graded / "summary.html", tmp_path)
    scores = [sum(submission(name).expected.values()) for name in (MISTAKEN, CORRECT)]
    written = sum(AutograderZip.read(assignment.zip_path).manual_questions().values())
    assert "2 students submitted; 2 files graded" in seen["text"]
    assert f"mean {sum(scores) / 2:.2f} / {POSSIBLE + written:g}; written answers marked for 0 of 2" in seen["text"]
    assert [chart["holder"] for chart in seen["charts"]] == ["histogram"]
    rates = {
        row["cells"][0]: row["cells"][1]
        for row in seen["rows"]
        if row["table"] == "pass-rates" and not row["cells"][0].endswith("question")
    }
    assert rates == {question: ("50%" if question == "binary_loss" else "100%") for question in POINTS}
    failures = [
        row["cells"] for row in seen["rows"] if row["table"] == "failures" and not row["cells"][0].endswith("students")
    ]
    assert {(question, message) for _, question, message in failures} == {
        ("binary_loss", m) for m in _failure_messages(graded, MISTAKEN)
    }
    assert seen["scrollWidth"] <= seen["viewport"]


def _pixels(png: Path):
    from PIL import Image

    with Image.open(png) as image:
        return image.size, list(image.convert("RGB").get_flattened_data())


@pytest.mark.parametrize("page", [f"feedback/{MISTAKEN}.ipynb.html", "summary.html"])
def test_screenshot_at_phone_size_is_not_blank(graded, tmp_path, page):
    size, pixels = _pixels(screenshot(graded / page, tmp_path))
    assert size == PHONE
    inked = sum(1 for r, g, b in pixels if r + g + b < 600)
    assert inked > 0.01 * len(pixels), f"only {inked} non-white pixels"


def test_screenshot_of_a_mistake_shows_red(graded, tmp_path):
    _, pixels = _pixels(screenshot(_page(graded, MISTAKEN), tmp_path))
    red = sum(1 for r, g, b in pixels if r > 140 and g < 90 and b < 90)
    assert red > 50, "the failing row is not drawn in red"
