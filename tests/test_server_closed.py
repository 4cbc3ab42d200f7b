"""An assignment closed to a student, over HTTP against a real server: past their cutoff (an extension
moves it) or closed by staff, the assignment page offered the upload form and its drop box, which the
server then refused. The page and the API now say since when submissions are closed, and that the
grade stands. One server, whose cutoff passed an hour ago; each test has students of its own."""

from __future__ import annotations

import datetime as dt

import nbformat
import pytest

from autograder.grading.records.time_words import clock_time
from autograder.server import database, staff_actions
from autograder.server.closing import Closed
from autograder.server.models import AssignmentState
from tests.course_server import STAFF, Server, Visitor, course_folder, project_with

NAME = "logistic_regression"
CUTOFF = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0) - dt.timedelta(hours=1)
EXTENSION_MINUTES = 3 * 60
EMPTY = nbformat.writes(nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": NAME}})).encode()
UPLOAD_FORM = ('id="upload"', 'id="drop"', 'type="file"')


@pytest.fixture(scope="module")
def server(assignment, tmp_path_factory):
    root = tmp_path_factory.mktemp("closed-server")
    late = {
        "due": (CUTOFF - dt.timedelta(hours=1)).isoformat(),
        "penalty": 0.5,
        "per": "day",
        "cutoff": CUTOFF.isoformat(),
    }
    running = Server(course_folder(project_with(assignment, root / "project", late=late), root / "course"))
    yield running
    running.stop()


def _extend(server, login: str) -> None:
    staff = Visitor.signed_in(server.url, STAFF)
    staff.page(f"/staff/students/{login}")
    granted = staff.post(f"/staff/assignments/{NAME}/extension", {"login": login, "minutes": str(EXTENSION_MINUTES)})
    assert granted.status_code == 303, granted.text[-500:]


def _listed(visitor: Visitor) -> dict:
    return next(row for row in visitor.http.get("/api/assignments").json() if row["name"] == NAME)


def _shown(moment: dt.datetime) -> str:
    return clock_time(moment)


def test_past_the_cutoff_the_page_offers_no_upload_and_says_since_when(server):
    student = Visitor.signed_in(server.url, "2026001")
    listed = _listed(student)
    assert listed["accepting"] is False and listed["is_open"] is True
    since = dt.datetime.fromisoformat(listed["closed_since"])
    assert since == CUTOFF
    page = student.page(f"/assignments/{NAME}").text
    assert not [part for part in UPLOAD_FORM if part in page]
    closed = f"submissions are closed since {_shown(since)} (your cutoff): your current grade stands"
    assert closed in page and f"自 {_shown(since)} 起不再接受提交" in page
    assert closed in listed["closed_text"] and "已关闭 · closed" in student.page("/").text
    refused = student.upload(NAME, "late.ipynb", EMPTY)  # the server still refuses the upload itself
    assert refused.status_code == 403 and "has passed: no more submissions are taken" in refused.text


def test_an_extension_past_now_keeps_the_upload_form(server):
    _extend(server, "2026002")
    student = Visitor.signed_in(server.url, "2026002")
    listed = _listed(student)
    assert listed["accepting"] is True and listed["closed_since"] is None and listed["closed_text"] == ""
    page = student.page(f"/assignments/{NAME}").text
    assert all(part in page for part in UPLOAD_FORM) and 'id="closed"' not in page
    assert student.upload(NAME, "mine.ipynb", EMPTY).status_code == 303


def test_an_assignment_staff_closed_offers_no_upload_even_within_an_extension(server):
    _extend(server, "2026003")
    staff, student = Visitor.signed_in(server.url, STAFF), Visitor.signed_in(server.url, "2026003")
    staff.page(f"/staff/assignments/{NAME}")
    assert staff.post(f"/staff/assignments/{NAME}/open", {"open": "0"}).status_code == 303
    try:
        listed = _listed(student)
        assert listed["accepting"] is False and listed["is_open"] is False
        since = dt.datetime.fromisoformat(listed["closed_since"])
        assert abs(since - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)
        page = student.page(f"/assignments/{NAME}").text
        assert not [part for part in UPLOAD_FORM if part in page]
        assert f"staff closed submissions on {_shown(since)}: your current grade stands" in page
        assert f"助教已于 {_shown(since)} 关闭提交" in page
    finally:
        assert staff.post(f"/staff/assignments/{NAME}/open", {"open": "1"}).status_code == 303
    assert _listed(student)["accepting"] is True


def test_a_cutoff_with_seconds_is_shown_with_them():
    """A cutoff of 15:29:42 shown as 15:29 let a student believe an upload at 15:29:30 came after it."""
    cutoff = dt.datetime(2026, 12, 7, 15, 29, 42, tzinfo=dt.timezone.utc)
    closed = Closed(cutoff, by_staff=False)
    assert "2026-12-07 15:29:42" in closed.notice(dt.timezone.utc)
    assert "2026-12-07 15:29:42" in closed.refusal(dt.timezone.utc)
    assert "2026-12-07 23:29:42" in closed.notice(dt.timezone(dt.timedelta(hours=8)))


def test_taking_back_an_extension_a_submission_used_tells_staff_what_it_costs(server):
    """A submission inside an extension comes after the cutoff once the extension is taken back: it then
    earns nothing and, as the latest, may count. Staff are told, on the page the action leads to."""
    _extend(server, "2026004")
    assert Visitor.signed_in(server.url, "2026004").upload(NAME, "mine.ipynb", EMPTY).status_code == 303
    staff = Visitor.signed_in(server.url, STAFF)
    staff.page("/staff/students/2026004")
    taken = staff.post(f"/staff/assignments/{NAME}/extension", {"login": "2026004", "minutes": "0"})
    assert taken.status_code == 303
    told = f"2026004 有 1 份提交晚于其最终截止时间 {_shown(CUTOFF)}，不计分 · 1 of 2026004&#39;s submissions came after"
    assert told in staff.page(taken.headers["location"]).text
    assert told not in staff.page(taken.headers["location"]).text  # shown once
    _extend(server, "2026005")  # an extension no submission used: nothing to tell
    assert "came after their cutoff" not in staff.page("/staff/students/2026005").text


def test_staff_closing_on_a_whole_minute_is_the_same_moment_on_the_page_and_in_the_api(tmp_path, monkeypatch):
    """Closed at 20:54:00.5, the page said 20:54:00 and the API 20:54:00+00:00, which a client shows as 20:54
    (CI met it once a minute's first second)."""
    engine = database.connect(f"sqlite:///{tmp_path / 'course.db'}")
    database.migrate(engine)
    sessions = database.sessions(engine)
    moment = dt.datetime(2026, 12, 7, 20, 54, 0, 500_000, tzinfo=dt.timezone.utc)
    monkeypatch.setattr(staff_actions, "now", lambda: moment)
    with sessions.begin() as db:
        staff_actions.set_open(db, NAME, False)
    with sessions.begin() as db:
        since = db.get(AssignmentState, NAME).changed_at.replace(tzinfo=dt.timezone.utc)
    engine.dispose()
    listed = dt.datetime.fromisoformat(since.isoformat(timespec="seconds"))  # as the API lists it
    notice = Closed(since, by_staff=True).notice(dt.timezone.utc)
    assert f"staff closed submissions on {clock_time(listed)}: your current grade stands" in notice
