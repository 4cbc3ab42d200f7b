"""``autograder serve COURSE_DIR --init``: make a course folder from the roster the grader already reads.

Every roster student gets an account (their student number is their login) and a one-time
first-login link, where they choose a password; staff get the same. The links go to
``first_logins.csv`` (readable by its owner only), which the TA hands out. ``--demo`` makes a
ready course for trying the server: a made-up roster and accounts with known passwords.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from autograder import KitError
from autograder.grading.records.roster import Roster
from autograder.grading.text import spreadsheet_cell
from autograder.server import database
from autograder.server.accounts import new_token, set_password, token_hash
from autograder.server.course import Course
from autograder.server.models import STAFF, STUDENT, AssignmentState, User
from autograder.server.database import DATABASE_FILE
from autograder.server.settings import FIRST_LOGINS_FILE, ROSTER_FILE, SECRET_FILE, SETTINGS_FILE, CourseSettings, secret_key

DEMO_PASSWORD = "demo-password"
DEMO_ROSTER = "学号,姓名,班级\n2026001,张三,1\n2026002,李四,1\n2026003,王五,2\n"
DEMO_STAFF = "ta"


class CourseInitError(KitError, ValueError):
    """The course folder cannot be made as asked."""


@dataclass
class InitReport:
    folder: Path
    students: int
    staff: list[str]
    first_logins: Path | None
    demo_password: str = ""


def init_course(folder: Path, *, project: Path, roster: Path | None, staff: tuple[str, ...], assignments: tuple[str, ...] = (),
                url: str = "http://127.0.0.1:8000", database_url: str | None = None, demo: bool = False) -> InitReport:
    """Create the course folder, its database and its accounts (see the module docstring).

    Raises:
        CourseInitError: the folder already holds a course, or there is no roster and no demo.
        KitError: the roster, an assignment or the database cannot be used (the file and the fix).
    """
    folder = Path(folder)
    if (folder / SETTINGS_FILE).is_file():
        raise CourseInitError(f"{folder}: already a course (it has {SETTINGS_FILE}); start it with `autograder serve {folder}`")
    if roster is None and not demo:
        raise CourseInitError("--init needs --roster ROSTER.csv (the class list the grader reads), or --demo")
    if not staff and not demo:
        raise CourseInitError("--init needs at least one --staff LOGIN, who will manage the course")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        students = _roster(folder, roster, demo=demo)
        settings = CourseSettings(project=str(Path(project).resolve()), assignments=tuple(assignments), url=url.rstrip("/"), database=database_url or "")
        settings.write(folder)
        secret_key(folder)
        course = Course(folder)  # checks every assignment is there and released
        database.migrate(course.engine)
        links = _accounts(course, students, staff or (DEMO_STAFF,), demo=demo)
        first_logins = None if demo else _write_links(folder / FIRST_LOGINS_FILE, links, url=settings.url)
    except BaseException:
        for made in (SETTINGS_FILE, ROSTER_FILE, SECRET_FILE, DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm"):
            (folder / made).unlink(missing_ok=True)  # a failed --init leaves nothing that stops the next
        raise
    return InitReport(course.folder, len(students), list(staff or (DEMO_STAFF,)), first_logins, DEMO_PASSWORD if demo else "")


def _roster(folder: Path, roster: Path | None, *, demo: bool):
    """The course's copy of the roster (the demo's made-up one), read; every student needs a number."""
    if demo:
        (folder / ROSTER_FILE).write_text(DEMO_ROSTER, encoding="utf-8")
    else:
        shutil.copyfile(roster, folder / ROSTER_FILE)
    students = Roster.read(folder / ROSTER_FILE).students
    nameless = [student.name for student in students if not student.student_id]
    if nameless:
        raise CourseInitError(f"{roster}: {nameless[0]!r} has no student number; the server logs students in by it, so every row needs one")
    return students


def _accounts(course: Course, students, staff: tuple[str, ...], *, demo: bool) -> list[tuple[User, str]]:
    """Make every account; return each with its first-login token."""
    made = []
    with course.sessions.begin() as db:
        for name in course.offered:
            if db.get(AssignmentState, name) is None:
                db.add(AssignmentState(name=name, is_open=True))
        people = [User(login=s.student_id, student_id=s.student_id, name=s.name, role=STUDENT) for s in students]
        people += [User(login=login, name=login, role=STAFF) for login in staff]
        taken = set(db.scalars(select(User.login)))
        for user in people:
            if user.login in taken:
                raise CourseInitError(f"{user.login}: named twice (a staff login cannot be a student number)")
            taken.add(user.login)
            token = new_token()
            if demo:
                set_password(user, DEMO_PASSWORD)
            else:
                user.first_login_hash = token_hash(token)
            db.add(user)
            made.append((user, token))
    return made


def _write_links(path: Path, links: list[tuple[User, str]], *, url: str) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["student_id", "name", "login", "role", "first_login_link"])
    for user, token in links:
        writer.writerow([spreadsheet_cell(user.student_id), spreadsheet_cell(user.name), spreadsheet_cell(user.login), user.role, f"{url}/first-login/{token}"])
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\ufeff" + buffer.getvalue())  # a byte-order mark: Excel opens Chinese names intact
    return path


def init_lines(report: InitReport) -> str:
    """What ``--init`` made, for the terminal."""
    lines = [f"course folder: {report.folder}", f"accounts: {report.students} students, staff {', '.join(report.staff)}"]
    if report.first_logins:
        lines.append(f"first-login links: {report.first_logins} (hand each student their own; each link works once)")
    if report.demo_password:
        lines.append(f"demo logins: students 2026001, 2026002, 2026003 and staff {', '.join(report.staff)}, password {report.demo_password!r}")
    lines.append(f"next: autograder serve {report.folder}")
    return "\n".join(lines)
