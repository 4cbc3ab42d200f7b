"""The course server in a browser, as a student and as a TA use it, at a desktop's and a phone's width.

Playwright drives Debian's headless Chromium against a real server. The student logs in,
downloads the assignment, uploads a notebook and watches it move to graded without reloading,
reads the feedback, drops a second file on the page and is then stopped by the day's cap. The TA
opens the class index, regrades a submission, gives an extension and downloads an export. Every
step leaves a screenshot in the test's folder.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from tests.corpus.honest import write_corpus
from tests.course_server import PASSWORD, STAFF, Server, course_folder, project_with

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason="headless Chromium is not installed (apt-get install chromium; .ci/run does it)"
)

NAME = "logistic_regression"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
STUDENT_OF = {"desktop": "2026001", "phone": "2026002"}
GRADING_S = 180


@pytest.fixture(scope="module")
def server(assignment, tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-server")
    due = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=7)).isoformat(timespec="seconds")
    project = project_with(
        assignment,
        root / "project",
        server={"per_day": 2, "max_upload_mb": 1, "counts": "best"},
        late={"due": due, "penalty": 0.1, "per": "day", "cap": 0.5},
    )
    running = Server(course_folder(project, root / "course"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def correct(student_template, tmp_path_factory) -> Path:
    return write_corpus(
        tmp_path_factory.mktemp("browser-notebooks"), student_template, names=("correct_course_style",)
    )[0]


@pytest.fixture(scope="module")
def chromium():
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


class Shots:
    """Screenshots named after the width and the step, in the test's folder."""

    def __init__(self, page, folder: Path, width: str):
        self.page, self.folder, self.width = page, folder, width

    def take(self, step: str) -> None:
        self.page.screenshot(path=str(self.folder / f"{self.width}-{step}.png"), full_page=True)


def _fits(page) -> bool:
    """Nothing sticks out sideways (a phone would have to scroll to read it)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _log_in(page, server, login: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#login-name", login)
    page.fill("#password", PASSWORD)
    page.click("#login button[type=submit]")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_student_submits_watches_reads_feedback_and_meets_the_cap(server, chromium, correct, tmp_path, width):
    context = chromium.new_context(viewport=WIDTHS[width], accept_downloads=True)
    page = context.new_page()
    shots = Shots(page, tmp_path, width)
    _log_in(page, server, STUDENT_OF[width])
    playwright.expect(page.locator(f"#assignment-{NAME}")).to_contain_text("24 小时内")
    shots.take("1-assignments")
    page.click(f"#assignment-{NAME} h2 a")
    for shown in ("#per-day", "#max-upload", "#storage", "#counts", "#late-policy"):
        playwright.expect(page.locator(shown)).to_be_visible()  # the rules, before any upload
    assert _fits(page)
    shots.take("2-assignment")

    with page.expect_download() as download:
        page.click("#download")
    with zipfile.ZipFile(download.value.path()) as folder:
        assert f"{NAME}/{NAME}.ipynb" in folder.namelist() and f"{NAME}/course_server.json" in folder.namelist()

    page.set_input_files("#file", str(correct))
    page.click("#send")
    playwright.expect(page.locator("#notice")).to_contain_text("received")
    row = page.locator("#history tbody tr").first
    assert any(word in row.locator(".state").inner_text() for word in ("queued", "running"))
    page.evaluate("window.notReloaded = true")
    shots.take("3-queued")
    playwright.expect(row.locator(".state")).to_contain_text("graded", timeout=GRADING_S * 1000)
    assert page.evaluate("window.notReloaded === true")  # the page followed the grading by itself
    playwright.expect(row.locator(".result")).to_contain_text("10 / 10")
    playwright.expect(page.locator("#current-score")).to_contain_text("10 / 10")
    shots.take("4-graded")

    row.locator(".result a").click()
    playwright.expect(page.locator("#total")).to_contain_text("10 / ")  # out of the autograded and written points
    assert _fits(page)
    shots.take("5-feedback")
    page.go_back()

    _drop(page, "too_big.ipynb", size=2 * 2**20)
    playwright.expect(page.locator("#upload-message")).to_contain_text("too large")  # said before anything is sent
    _drop(
        page,
        "second.ipynb",
        nbformat.writes(nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": NAME}})).encode(),
    )
    playwright.expect(page.locator("#notice")).to_contain_text("received")
    playwright.expect(page.locator("#history tbody tr")).to_have_count(2)
    page.set_input_files("#file", str(correct))
    page.click("#send")
    playwright.expect(page.locator("#error")).to_contain_text("at most 2 submissions in 24 hours")
    assert _fits(page)
    shots.take("6-cap")
    context.close()


def _drop(page, name: str, content: bytes = b"", *, size: int = 0) -> None:
    """Drop a file on the page's drop box, as a file dragged from the desktop: ``content``, or ``size`` zero bytes."""
    transfer = page.evaluate_handle(
        "([name, text, size]) => { const t = new DataTransfer();"
        " t.items.add(new File([size ? new Uint8Array(size) : text], name)); return t; }",
        [name, content.decode(), size],
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})


@pytest.mark.parametrize("width", WIDTHS)
def test_a_ta_follows_the_class_regrades_extends_and_exports(server, chromium, correct, tmp_path, width):
    student = chromium.new_context(viewport=WIDTHS["desktop"])
    page = student.new_page()
    login = {"desktop": "2026003", "phone": "2026004"}[width]
    _log_in(page, server, login)
    page.goto(f"{server.url}/assignments/{NAME}")
    page.set_input_files("#file", str(correct))
    page.click("#send")
    playwright.expect(page.locator("#history tbody tr .state").first).to_contain_text(
        "graded", timeout=GRADING_S * 1000
    )
    student.close()

    context = chromium.new_context(viewport=WIDTHS[width], accept_downloads=True)
    page = context.new_page()
    shots = Shots(page, tmp_path, width)
    _log_in(page, server, STAFF)
    playwright.expect(page.locator(f"#assignment-{NAME}")).to_be_visible()
    shots.take("1-staff")
    page.click(f"#assignment-{NAME} >> text=全班成绩")
    playwright.expect(page.locator("#students")).to_contain_text(login)
    shots.take("2-class-index")

    page.goto(f"{server.url}/staff/students/{login}")
    page.click("button.regrade")
    playwright.expect(page.locator(f"#assignment-{NAME} tbody tr").first).to_contain_text(
        re.compile("queued|running")
    )  # being graded again
    shots.take("3-regrade")

    page.goto(f"{server.url}/staff/assignments/{NAME}")
    page.fill("#ext-login", login)
    page.fill("#ext-minutes", "1440")
    page.click("#extension button[type=submit]")
    playwright.expect(page.locator(f"#assignment-{NAME}")).to_contain_text("extended by 1440 minutes")
    shots.take("4-extension")

    page.goto(f"{server.url}/staff/assignments/{NAME}")
    with page.expect_download() as download:
        page.click("#downloads >> text=canvas.csv")
    sheet = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "SIS User ID" in sheet and login in sheet
    assert _fits(page)
    shots.take("5-manage")
    context.close()


def test_the_counts_mark_moves_live_to_a_newer_submission_that_counts(server, chromium, correct, tmp_path):
    """Under ``counts: best`` a blank notebook counts until a better one is graded; the page moves the mark without
    reloading."""
    context = chromium.new_context(viewport=WIDTHS["desktop"])
    page = context.new_page()
    _log_in(page, server, "2026005")
    page.goto(f"{server.url}/assignments/{NAME}")
    _drop(
        page,
        "blank.ipynb",
        nbformat.writes(nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": NAME}})).encode(),
    )
    older = page.locator("#history tbody tr").first
    playwright.expect(older.locator(".state")).to_contain_text("graded", timeout=GRADING_S * 1000)
    playwright.expect(older.locator(".counts")).to_have_count(1)

    page.set_input_files("#file", str(correct))
    page.click("#send")
    playwright.expect(page.locator("#history tbody tr")).to_have_count(2)
    page.evaluate("window.notReloaded = true")
    newer, older = page.locator("#history tbody tr").first, page.locator("#history tbody tr").nth(1)
    assert newer.locator(".counts").count() == 0
    playwright.expect(newer.locator(".state")).to_contain_text("graded", timeout=GRADING_S * 1000)
    playwright.expect(newer.locator(".counts")).to_have_count(1)
    playwright.expect(older.locator(".counts")).to_have_count(0)
    newer_id = newer.get_attribute("data-id")
    playwright.expect(page.locator("#current-score")).to_contain_text(
        f"10 / 10（第 {newer_id} 号提交 · submission {newer_id}）"
    )
    assert page.evaluate("window.notReloaded === true")
    Shots(page, tmp_path, "desktop").take("counts-moved")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_ta_adds_a_late_student_and_gives_a_new_link_when_they_forget_their_password(
    server, chromium, tmp_path, width
):
    late = {"desktop": "2026201", "phone": "2026202"}[width]
    context = chromium.new_context(viewport=WIDTHS[width])
    page = context.new_page()
    shots = Shots(page, tmp_path, width)
    _log_in(page, server, STAFF)
    page.click("text=账号 · Accounts")
    playwright.expect(page.locator("#accounts")).to_contain_text("2026001")
    assert _fits(page)
    shots.take("1-accounts")
    page.fill("#add-id", late)
    page.fill("#add-name", "迟到的同学")
    page.fill("#add-section", "2")
    page.click("#add-student button[type=submit]")
    playwright.expect(page.locator("#notice")).to_contain_text(f"added 迟到的同学 ({late})")
    playwright.expect(page.locator(f'#accounts tr[data-login="{late}"] .account-state')).to_contain_text(
        "first login pending"
    )
    link = page.locator("#issued-link").inner_text()
    assert _fits(page)
    shots.take("2-added")

    student = chromium.new_context(viewport=WIDTHS[width]).new_page()
    assert link.startswith(
        "http://127.0.0.1:8000/first-login/"
    )  # the course's address (--url), which this server is not on
    student.goto(server.url + urlsplit(link).path)
    student.fill("#password", PASSWORD)
    student.fill("#confirm", PASSWORD)
    student.click("#first-login button[type=submit]")
    playwright.expect(student.locator(f"#assignment-{NAME}")).to_be_visible()  # signed in, on their assignments
    student.click("text=修改密码 · Password")
    student.fill("#current", PASSWORD)
    student.fill("#password", "a-newer-long-password")
    student.fill("#confirm", "a-newer-long-password")
    student.click("#change-password button[type=submit]")
    playwright.expect(student.locator("#notice")).to_contain_text("your password is changed")
    assert _fits(student)
    student.screenshot(path=str(tmp_path / f"{width}-3-student-changed-password.png"), full_page=True)

    page.reload()
    page.locator(f'#accounts tr[data-login="{late}"] button.reissue').click()
    playwright.expect(page.locator("#notice")).to_contain_text(
        f"{late}'s old password, sessions and tokens no longer work"
    )
    assert page.locator("#issued-link").inner_text() != link
    shots.take("4-new-link")
    student.goto(f"{server.url}/assignments/{NAME}")
    playwright.expect(student.locator("#login-name")).to_be_visible()  # the forgotten password's session is over
    context.close()
    student.context.close()
