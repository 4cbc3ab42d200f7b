"""Accounts after ``--init``, over HTTP against a real server: a student who joins late (on the staff
page, and from a roster with ``serve --add-students``), a new first-login link for one who lost theirs
or forgot their password (the old password, sessions and tokens stop), and a password changed by
its owner. Each test has students of its own."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from autograder.cli import main
from autograder.server.accounts import FAILURES_PER_ADDRESS, FAILURES_PER_ADDRESS_AND_LOGIN, token_hash
from autograder.server.course import Course
from autograder.server.known_devices import DEVICE_COOKIE
from autograder.server.models import Submission, User
from tests.course_server import PASSWORD, ROSTER, STAFF, Server, Visitor, course_folder, plain_server, project_with

NAME = "logistic_regression"
NEW_PASSWORD = "another-long-password"


@pytest.fixture(scope="module")
def server(assignment, tmp_path_factory):
    with plain_server(assignment, tmp_path_factory.mktemp("accounts-server")) as running:
        yield running


def _signed_in(server, login: str, password: str = PASSWORD) -> Visitor:
    visitor = Visitor(server.url)
    assert visitor.log_in(login, password).status_code == 303
    return visitor


def _links(course) -> dict[str, str]:
    with (course / "first_logins.csv").open(encoding="utf-8-sig") as handle:
        return {row["login"]: row["first_login_link"] for row in csv.DictReader(handle)}


def _set_password(server, link: str, password: str) -> Visitor:
    visitor = Visitor(server.url)
    path = httpx.URL(link).path
    visitor.page(path)
    done = visitor.post(path, {"password": password, "confirm": password})
    assert done.status_code == 303, done.text[-500:]
    return visitor


def test_staff_add_a_late_student_whose_link_is_appended_and_works_once(server):
    staff = _signed_in(server, STAFF)
    before = (server.folder / "first_logins.csv").read_bytes()
    staff.page("/staff/accounts")
    added = staff.post("/staff/accounts/add", {"student_id": "2026101", "name": "迟到", "section": "2"})
    assert added.status_code == 303 and added.headers["location"] == "/staff/accounts"  # a reload adds no one
    shown = staff.page("/staff/accounts").text
    link = _links(server.folder)["2026101"]
    assert link in shown and "added 迟到 (2026101)" in shown  # shown to the TA once, and kept in the links file
    assert link not in staff.page("/staff/accounts").text
    assert (server.folder / "first_logins.csv").read_bytes().startswith(before)  # no earlier row changed
    assert "2026101,迟到,2" in (server.folder / "roster.csv").read_text(
        encoding="utf-8-sig"
    )  # the class view lists them

    student = _set_password(server, link, NEW_PASSWORD)
    assert "我的作业" in student.page("/").text
    assert Visitor(server.url).page(httpx.URL(link).path).status_code == 404  # used once

    again = staff.post("/staff/accounts/add", {"student_id": "2026101", "name": "又一个"})
    assert again.status_code == 409 and "has an account already" in again.text
    bad = staff.post("/staff/accounts/add", {"student_id": "20 26", "name": "x"})
    assert bad.status_code == 400 and "without spaces" in bad.text


def test_a_new_link_ends_the_old_password_sessions_and_tokens(server):
    student = _signed_in(server, "2026002")
    with zipfile.ZipFile(io.BytesIO(student.http.get(f"/assignments/{NAME}/download").content)) as folder:
        api_token = json.loads(folder.read(f"{NAME}/course_server.json"))["token"]
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert httpx.get(f"{server.url}/api/me", headers=bearer).status_code == 200

    staff = _signed_in(server, STAFF)
    staff.page("/staff/accounts")
    assert staff.post("/staff/accounts/2026002/first-login").status_code == 303
    issued = staff.page("/staff/accounts")
    assert "no longer work" in issued.text
    link = issued.text.split('id="issued-link">')[1].split("<")[0]

    assert student.http.get("/").status_code == 303  # the session ended: back to the login page
    assert httpx.get(f"{server.url}/api/me", headers=bearer).status_code == 401
    assert Visitor(server.url).log_in("2026002", PASSWORD).status_code == 401
    _set_password(server, link, NEW_PASSWORD)
    assert _signed_in(server, "2026002", NEW_PASSWORD).page("/").status_code == 200
    token = httpx.URL(link).path.rsplit("/", 1)[1]
    logged = "".join(server.log)
    assert "GET /first-login/… HTTP" in logged and token not in logged  # the access log keeps no usable link


def test_a_student_changes_their_password_and_their_other_sessions_end(server):
    here, elsewhere = _signed_in(server, "2026004"), _signed_in(server, "2026004")
    here.page("/account/password")
    wrong = here.post(
        "/account/password", {"current": "not-the-password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert wrong.status_code == 400 and "current password is wrong" in wrong.text
    short = here.post("/account/password", {"current": PASSWORD, "password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 8 characters" in short.text
    changed = here.post("/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 303 and changed.headers["location"] == "/account/password"
    assert "logged out everywhere else" in here.page("/account/password").text
    assert "logged out everywhere else" not in here.page("/account/password").text  # shown once
    assert here.page("/").status_code == 200 and elsewhere.http.get("/").status_code == 303
    assert Visitor(server.url).log_in("2026004", PASSWORD).status_code == 401
    assert _signed_in(server, "2026004", NEW_PASSWORD)


def test_guessing_the_current_password_is_rate_limited_as_logins_are(server):
    """Whoever holds a session (a lab computer left signed in) could try current passwords on the
    change form without end, each an Argon2 check, and take the account once one was right."""
    thief = _signed_in(server, "2026008")
    thief.page("/account/password")
    guess = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    for number in range(5):
        wrong = thief.post("/account/password", {**guess, "current": f"guess-{number}"})
        assert wrong.status_code == 400 and "current password is wrong" in wrong.text
    stopped = thief.post("/account/password", {**guess, "current": PASSWORD})
    assert stopped.status_code == 429 and "too many wrong passwords" in stopped.text
    thief.post("/logout")
    assert thief.log_in("2026008", PASSWORD).status_code == 429  # the same count as this browser's logins
    assert Visitor(server.url).log_in("2026008", PASSWORD).status_code == 303  # the owner, elsewhere, is not shut out


@pytest.mark.parametrize(
    "path, data",
    [
        ("/staff/accounts/add", {"student_id": "2026199"}),
        ("/staff/accounts/2026005/first-login", {}),
        ("/account/password", {"current": PASSWORD, "password": "x" * 12, "confirm": "x" * 12}),
    ],
)
def test_account_changes_need_the_forms_csrf_token(server, path, data):
    staff = _signed_in(server, STAFF)
    forged = staff.http.post(path, data=data)  # no csrf field: what another site's form would send
    assert forged.status_code == 403 and "form expired" in forged.text


def test_the_accounts_page_does_not_exist_for_students(server):
    student = _signed_in(server, "2026006")
    assert student.page("/staff/accounts").status_code == 404
    student.page("/")  # the session's form token, so only the staff check can refuse
    assert student.post("/staff/accounts/2026007/first-login").status_code == 404
    assert student.post("/staff/accounts/add", {"student_id": "2026198"}).status_code == 404


def test_add_students_appends_the_new_ones_and_leaves_every_other_row(assignment, tmp_path):
    course = course_folder(
        project_with(assignment, tmp_path / "project"), tmp_path / "course", first_login=("2026001",)
    )
    before = (course / "first_logins.csv").read_bytes()
    late = tmp_path / "late.csv"
    late.write_text(ROSTER.splitlines()[0] + "\n2026001,张三,1\n2026301,新一,2\n2026302,新二,1\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["serve", str(course), "--add-students", str(late)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert (
        "added 2 students: 2026301, 2026302" in done.output
        and "already had an account, left as it was: 2026001" in done.output
    )
    after = (course / "first_logins.csv").read_bytes()
    assert after.startswith(before) and after.count(b"\r\n") == before.count(b"\r\n") + 2
    links = _links(course)
    opened = Course(course)
    with opened.sessions() as db:
        users = {user.login: user for user in db.scalars(select(User))}
    opened.engine.dispose()
    for login in ("2026301", "2026302"):
        assert (
            users[login].first_login_hash == token_hash(links[login].rsplit("/", 1)[1])
            and users[login].password_hash is None
        )
    assert users["2026001"].first_login_hash is not None and links["2026001"] in before.decode("utf-8-sig")  # untouched
    again = CliRunner().invoke(main, ["serve", str(course), "--add-students", str(late)], catch_exceptions=False)
    assert "added 0 students" in again.output and (course / "first_logins.csv").read_bytes() == after


def test_add_students_refuses_a_roster_row_without_a_student_number(assignment, tmp_path):
    course = course_folder(project_with(assignment, tmp_path / "project"), tmp_path / "course")
    late = tmp_path / "late.csv"
    late.write_text("学号,姓名\n,无号\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["serve", str(course), "--add-students", str(late)])
    assert refused.exit_code == 1 and f"{late}: '无号' has no student number" in refused.output


def _stored_submission(course_folder_path, login: str) -> int:
    """A row for a submission of ``login``'s, with no job: nothing grades it, it only has to exist."""
    course = Course(course_folder_path)
    try:
        with course.sessions.begin() as db:
            owner = db.scalar(select(User).where(User.login == login))
            row = Submission(user_id=owner.id, assignment=NAME, stored="uploads/none.ipynb", state="graded")
            db.add(row)
            db.flush()
            return row.id
    finally:
        course.engine.dispose()


@pytest.mark.parametrize(
    "path",
    [
        "/staff/accounts/add",
        "/staff/accounts/2026007/first-login",
        f"/staff/assignments/{NAME}/open",
        f"/staff/assignments/{NAME}/regrade",
        f"/staff/assignments/{NAME}/extension",
        "/staff/submissions/{own}/regrade",
    ],
)
def test_staff_actions_do_not_exist_for_a_student_even_without_the_forms_token(server, path):
    """Without a form token a student was told "the form expired" (403), which says the action exists
    (and, for their own submission, read their form first); staff actions are 404 to them either way."""
    student = _signed_in(server, "2026009")
    own = _stored_submission(server.folder, "2026009")
    refused = student.http.post(path.format(own=own), data={"open": "0", "login": "2026009", "minutes": "600"})
    assert refused.status_code == 404, refused.text[-300:]


def test_a_link_cannot_put_its_own_words_on_a_staff_page(server):
    """The assignment page took its notice from the address, so a link sent to a TA showed any words in
    the page's green notice box ("all grades checked: nothing to do"); only the regrade count comes in it now."""
    staff = _signed_in(server, STAFF)
    forged = staff.http.get(f"/staff/assignments/{NAME}", params={"notice": "成绩已全部核对 · all grades checked"})
    assert forged.status_code == 200 and "all grades checked" not in forged.text
    counted = staff.http.get(f"/staff/assignments/{NAME}", params={"regraded": "3"})
    assert "3 submissions queued to be graded again" in counted.text


def test_a_classmate_behind_the_same_address_cannot_lock_out_a_browser_its_student_logged_in_on(assignment, tmp_path):
    """A campus sends a whole class through one address: thirty wrong guesses there block the address,
    but not a browser an account has logged in on with its present password (a server of its own: the
    address stays blocked for 15 minutes)."""
    running = Server(course_folder(project_with(assignment, tmp_path / "project"), tmp_path / "course"))
    try:
        owner, newcomer, guesser = (Visitor(running.url) for _ in range(3))
        assert owner.log_in("2026003").status_code == 303
        owner.page("/")
        assert owner.post("/logout").status_code == 303
        guesses = ["2026003"] * FAILURES_PER_ADDRESS_AND_LOGIN
        guesses += [f"2026{number:03d}" for number in range(100, 100 + FAILURES_PER_ADDRESS - len(guesses))]
        for login in guesses:
            assert guesser.log_in(login, "a-wrong-guess").status_code == 401
        assert guesser.log_in("2026005").status_code == 429  # the address is blocked
        assert newcomer.log_in("2026003").status_code == 429  # and so is a browser no one logged in on
        newcomer.http.cookies.set(DEVICE_COOKIE, "a-forged-note")
        assert newcomer.log_in("2026003").status_code == 429
        assert owner.log_in("2026004").status_code == 429  # the note is for 2026003 only
        assert owner.log_in("2026003").status_code == 303
        owner.page("/account/password")
        changed = owner.post(
            "/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        )
        assert changed.status_code == 303, changed.text[-500:]
        owner.page("/")
        owner.post("/logout")
        assert owner.log_in("2026003", NEW_PASSWORD).status_code == 303  # the change noted the new password here
        owner.page("/")
        owner.post("/logout")
        for _ in range(FAILURES_PER_ADDRESS_AND_LOGIN):  # guesses from the noted browser count there
            assert owner.log_in("2026003", "a-wrong-guess").status_code == 401
        assert owner.log_in("2026003", NEW_PASSWORD).status_code == 429
    finally:
        running.stop()
