"""Reloading a page does not repeat what made it, over HTTP against a real server. "Regrade all"
answered its POST with the page, so a reload posted it again and queued the whole class again; a new
token, a new first-login link, an added student and a changed password did the same. Every action
now answers with a redirect to a page (POST, redirect, GET), which shows its notice or secret once.
Each test has students of its own."""

from __future__ import annotations

import re

import httpx
import nbformat
import pytest
from sqlalchemy import func, select

from autograder.server.course import Course
from autograder.server.models import Job
from tests.course_server import (
    PASSWORD,
    STAFF,
    Visitor,
    plain_server,
    submitted_id,
)

NAME = "logistic_regression"
NEW_PASSWORD = "another-long-password"
TOKEN = re.compile(r'<code id="token">([^<]+)</code>')
# A notebook of the assignment with no cells: graded at once, 0 points.
EMPTY = nbformat.writes(nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": NAME}})).encode()


@pytest.fixture(scope="module")
def server(assignment, tmp_path_factory):
    with plain_server(assignment, tmp_path_factory.mktemp("reloads-server")) as running:
        yield running


def _with_form(server, login: str) -> Visitor:
    """``login`` signed in, holding the CSRF token their session's forms carry."""
    visitor = Visitor.signed_in(server.url, login)
    visitor.page("/account/password")
    return visitor


def _jobs(server) -> int:
    course = Course(server.folder)
    try:
        with course.sessions() as db:
            return db.scalar(select(func.count()).select_from(Job))
    finally:
        course.engine.dispose()


def test_regrade_all_redirects_and_a_reload_queues_nothing(server):
    student, staff = _with_form(server, "2026001"), _with_form(server, STAFF)
    student.graded(submitted_id(student.upload(NAME, "mine.ipynb", EMPTY)))
    regraded = staff.post(f"/staff/assignments/{NAME}/regrade")
    assert regraded.status_code == 303, regraded.text[-500:]
    target = regraded.headers["location"]
    queued = int(re.fullmatch(rf"/staff/assignments/{NAME}\?regraded=(\d+)", target).group(1))
    assert queued >= 1
    jobs = _jobs(server)
    for _ in range(2):  # following the redirect, then a reload
        shown = staff.page(target)
        assert shown.status_code == 200 and f"{queued} submissions queued to be graded again" in shown.text
    assert _jobs(server) == jobs


def test_a_new_token_is_shown_once_after_a_redirect(server):
    student = _with_form(server, "2026002")
    made = student.post("/tokens", {"assignment": NAME})
    assert made.status_code == 303 and made.headers["location"] == f"/assignments/{NAME}"
    token = TOKEN.search(student.page(f"/assignments/{NAME}").text).group(1)
    listed = student.http.get("/api/tokens").json()
    assert httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"}).json()["login"] == "2026002"
    reloaded = student.page(f"/assignments/{NAME}")
    assert reloaded.status_code == 200 and not TOKEN.search(reloaded.text)
    assert student.http.get("/api/tokens").json() == listed  # no other token was made


@pytest.mark.parametrize(
    "login, path, data, shown",
    [
        (STAFF, f"/staff/assignments/{NAME}/regrade", {}, "queued to be graded again"),
        (STAFF, f"/staff/assignments/{NAME}/open", {"open": "1"}, ""),
        (STAFF, f"/staff/assignments/{NAME}/extension", {"login": "2026003", "minutes": "60"}, ""),
        (STAFF, "/staff/accounts/add", {"student_id": "2026301", "name": "迟到"}, "added 迟到 (2026301)"),
        (STAFF, "/staff/accounts/2026004/first-login", {}, "old password, sessions and tokens no longer work"),
        ("2026005", "/tokens", {"assignment": NAME}, 'id="token"'),
        (
            "2026006",
            "/account/password",
            {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "your password is changed",
        ),
        ("2026007", "/logout", {}, ""),
    ],
)
def test_every_action_answers_its_post_with_a_redirect_to_a_page(server, login, path, data, shown):
    visitor = _with_form(server, login)
    done = visitor.post(path, data)
    assert done.status_code == 303, done.text[-500:]
    page = visitor.page(done.headers["location"])
    assert page.status_code == 200 and shown in page.text
