"""``autograder serve COURSE --init``: a course folder made from the roster the grader reads."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import autograder
from autograder import KitError
from autograder.cli import main
from autograder.server.accounts import check_password, token_hash
from autograder.server.course import Course, Offered
from autograder.server.models import STAFF, STUDENT, User
from autograder.server.settings import CourseSettings, readable_password
from tests import scale_services
from tests.course_server import Server, course_folder, project_with

ROSTER = '学号,姓名,班级\n2026001,张三,1\n2026002,=HYPERLINK("x"),2\n'


def _init(root, course, *options):
    return CliRunner().invoke(
        main, ["--root", str(root), "serve", str(course), "--init", *options], catch_exceptions=False
    )


def _users(course) -> dict[str, User]:
    opened = Course(course)
    with opened.sessions() as db:
        users = {user.login: user for user in db.scalars(select(User))}
    opened.engine.dispose()
    return users


def test_init_makes_an_account_per_student_and_a_first_login_link_each(assignment, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    done = _init(
        assignment.root,
        tmp_path / "course",
        "--roster",
        str(roster),
        "--staff",
        "ta",
        "--url",
        "https://grader.example.edu.cn/",
    )
    assert done.exit_code == 0, done.output
    assert "accounts: 2 students, staff ta" in done.output
    links = tmp_path / "course" / "first_logins.csv"
    assert stat.S_IMODE(links.stat().st_mode) == 0o600  # the links are as good as passwords
    with links.open(encoding="utf-8-sig") as handle:
        rows = {row["login"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == ["2026001", "2026002", "ta"]
    assert rows["2026002"]["name"].startswith("'=")  # a formula in the roster stays text in the spreadsheet
    users = _users(tmp_path / "course")
    assert {login: user.role for login, user in users.items()} == {"2026001": STUDENT, "2026002": STUDENT, "ta": STAFF}
    for login, row in rows.items():
        prefix = "https://grader.example.edu.cn/first-login/"
        assert row["first_login_link"].startswith(prefix)
        assert (
            users[login].first_login_hash == token_hash(row["first_login_link"][len(prefix) :])
            and users[login].password_hash is None
        )


def test_init_refuses_a_folder_that_is_a_course_already(assignment, tmp_path):
    assert _init(assignment.root, tmp_path / "course", "--demo").exit_code == 0
    again = _init(assignment.root, tmp_path / "course", "--demo")
    assert again.exit_code == 1 and "already a course" in again.output and "autograder serve" in again.output


def test_a_roster_without_student_numbers_is_refused_and_leaves_nothing(assignment, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名\n张三\n", encoding="utf-8")
    refused = _init(assignment.root, tmp_path / "course", "--roster", str(roster), "--staff", "ta")
    assert refused.exit_code == 1 and "'张三' has no student number" in refused.output
    assert not (tmp_path / "course").exists()  # the next --init starts clean


@pytest.mark.parametrize(
    "options, message", [((), "--init needs --roster"), (("--roster", "ROSTER"), "at least one --staff")]
)
def test_init_says_what_it_needs(assignment, tmp_path, options, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    refused = _init(
        assignment.root, tmp_path / "course", *(str(roster) if option == "ROSTER" else option for option in options)
    )
    assert refused.exit_code == 1 and message in refused.output


def test_the_demo_course_has_known_passwords(assignment, tmp_path):
    done = _init(assignment.root, tmp_path / "course", "--demo")
    assert done.exit_code == 0 and "password 'demo-password'" in done.output
    users = _users(tmp_path / "course")
    assert sorted(users) == ["2026001", "2026002", "2026003", "ta"]
    assert all(check_password(user, "demo-password") for user in users.values())
    assert not check_password(users["ta"], "wrong")


def test_init_from_outside_the_kit_offers_the_kit_it_runs_from(assignment, tmp_path, monkeypatch):
    kit = Path(autograder.__file__).resolve().parents[1]
    try:
        Offered.load(assignment.name, kit)
    except KitError as error:
        pytest.skip(f"the checkout the kit runs from has no release to offer ({error})")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not a checkout: no assignments/ here
    command = ["serve", "course", "--init", "--roster", str(roster), "--staff", "ta", "--assignment", assignment.name]
    done = CliRunner().invoke(main, command, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert Course(tmp_path / "course").settings.project_root == kit


@pytest.mark.parametrize(
    "kit, names, message",
    [
        ("empty", (), "no assignments/ folder with assignments here; run --init from the kit's checkout, or name it"),
        ("kit", ("no_such_lesson",), "no such source notebook"),
    ],
)
def test_init_that_cannot_offer_its_assignments_makes_no_folder(assignment, tmp_path, kit, names, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    root = assignment.root if kit == "kit" else tmp_path / "empty"
    root.mkdir(exist_ok=True)
    options = [option for name in names for option in ("--assignment", name)]
    refused = _init(root, tmp_path / "course", "--roster", str(roster), "--staff", "ta", *options)
    assert refused.exit_code == 1 and message in refused.output
    assert not (tmp_path / "course").exists()


def test_init_writes_the_settings_file_for_its_owner_alone(assignment, tmp_path):
    """server.yml may hold the database's or the queue's password in their URLs, and was written 0644."""
    assert _init(assignment.root, tmp_path / "course", "--demo").exit_code == 0
    assert stat.S_IMODE((tmp_path / "course" / "server.yml").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "written, mode, warned",
    [
        ({"database": "postgresql+psycopg://grader:s3cret@db/course"}, 0o644, "in its database URL"),
        ({"queue": "redis://:s3cret@queue:6379/0"}, 0o640, "in its queue URL"),
        ({"database": "postgresql+psycopg://grader@db/course?password=s3cret"}, 0o604, "in its database URL"),
        ({"database": "postgresql+psycopg://grader:s3cret@db/course"}, 0o600, ""),
        ({"database": "postgresql+psycopg://grader@db/course", "queue": "redis://queue:6379/0"}, 0o644, ""),
        ({}, 0o644, ""),
    ],
)
def test_a_password_others_may_read_in_the_settings_is_warned_of(tmp_path, written, mode, warned):
    settings = CourseSettings(project=str(tmp_path), **written)
    path = tmp_path / "server.yml"
    settings.write(tmp_path)
    path.chmod(mode)
    warning = readable_password(tmp_path, settings)
    if not warned:
        assert warning == ""
        return
    assert warned in warning and f"(mode {mode:04o}): run `chmod 600 {path}`" in warning
    assert f"请运行 chmod 600 {path}" in warning


@pytest.mark.skipif(bool(scale_services.missing()), reason=scale_services.missing() or "PostgreSQL is here")
def test_the_server_warns_at_start_of_a_database_password_others_may_read(assignment, tmp_path):
    project = project_with(assignment, tmp_path / "project")
    with scale_services.postgres_cluster(tmp_path / "postgres") as cluster:
        # The cluster trusts local connections: any password is taken, and this one is only to be seen.
        url = cluster.database("course").replace("postgres@", "postgres:a-database-password@", 1)
        folder = course_folder(project, tmp_path / "course", database_url=url)
        (folder / "server.yml").chmod(0o644)  # as an editor that writes a new file may leave it
        running = Server(folder)
        running.stop()
    said = "".join(running.log)
    assert f"{folder / 'server.yml'} holds a password (in its database URL)" in said
    assert f"run `chmod 600 {folder / 'server.yml'}`" in said
