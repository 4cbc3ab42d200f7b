"""``autograder serve COURSE_DIR --init``: make a course folder from the roster the grader already reads.

Every roster student gets an account (their student number is their login) and a one-time
first-login link, where they choose a password; staff get the same. The links go to
``first_logins.csv`` (readable by its owner only), which the TA hands out. ``--demo`` makes a
ready course for trying the server: a made-up roster and accounts with known passwords.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from autograder import KitError
from autograder.assignment import Assignment
from autograder.server import database, first_logins
from autograder.server.account_changes import read_new_students
from autograder.server.accounts import new_token, set_password, token_hash
from autograder.server.course import Course, Offered
from autograder.server.database import DATABASE_FILE
from autograder.server.models import STAFF, STUDENT, AssignmentState, User
from autograder.server.settings import (
    FIRST_LOGINS_FILE,
    ROSTER_FILE,
    SECRET_FILE,
    SETTINGS_FILE,
    CourseSettings,
    secret_key,
)

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


def init_course(
    folder: Path,
    *,
    project: Path,
    roster: Path | None,
    staff: tuple[str, ...],
    assignments: tuple[str, ...] = (),
    url: str = "http://127.0.0.1:8000",
    database_url: str | None = None,
    demo: bool = False,
) -> InitReport:
    """Create the course folder, its database and its accounts (see the module docstring).

    Raises:
        CourseInitError: the folder already holds a course, or there is no roster and no demo.
        KitError: the roster, an assignment or the database cannot be used (the file and the fix).
    """
    folder = Path(folder)
    if (folder / SETTINGS_FILE).is_file():
        raise CourseInitError(
            f"{folder}: already a course (it has {SETTINGS_FILE}); start it with `autograder serve {folder}`"
        )
    if roster is None and not demo:
        raise CourseInitError("--init needs --roster ROSTER.csv (the class list the grader reads), or --demo")
    if not staff and not demo:
        raise CourseInitError("--init needs at least one --staff LOGIN, who will manage the course")
    _check_offered(Path(project), assignments)  # before anything is made: a refused --init leaves no folder behind
    made_folder = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        students = _roster(folder, roster, demo=demo)
        settings = CourseSettings(
            project=str(Path(project).resolve()),
            assignments=tuple(assignments),
            url=url.rstrip("/"),
            database=database_url or "",
        )
        settings.write(folder)
        secret_key(folder)
        course = Course(folder)  # checks every assignment is there and released
        database.migrate(course.engine)
        links = _accounts(course, students, staff or (DEMO_STAFF,), demo=demo)
        links_file = None if demo else first_logins.write(folder / FIRST_LOGINS_FILE, links, url=settings.url)
    except BaseException:
        if made_folder:
            shutil.rmtree(folder, ignore_errors=True)
        for made in (
            SETTINGS_FILE,
            ROSTER_FILE,
            SECRET_FILE,
            DATABASE_FILE,
            f"{DATABASE_FILE}-wal",
            f"{DATABASE_FILE}-shm",
        ):
            (folder / made).unlink(missing_ok=True)  # a failed --init leaves nothing that stops the next
        raise
    return InitReport(
        course.folder, len(students), list(staff or (DEMO_STAFF,)), links_file, DEMO_PASSWORD if demo else ""
    )


def kit_project(root: Path, *, given: bool) -> Path:
    """The kit checkout a new course offers assignments from: ``root`` when the user gave it (``--root``),
    else the current folder if it is a checkout, else the checkout this kit runs from."""
    if given or (Path(root) / "assignments").is_dir():
        return Path(root).resolve()
    installed = Path(__file__).resolve().parents[2]
    return installed if (installed / "assignments").is_dir() else Path(root).resolve()


def _check_offered(project: Path, assignments: tuple[str, ...]) -> None:
    """Every assignment the course would offer is in ``project`` and released (the error says what to do)."""
    names = assignments or tuple(found.name for found in Assignment.all(project))
    if not names:
        raise CourseInitError(
            f"{project.resolve()}: no assignments/ folder with assignments here; run --init from the kit's "
            "checkout, or name it: `autograder --root KIT_CHECKOUT serve COURSE --init ...`"
        )
    for name in names:
        Offered.load(name, project)


def _roster(folder: Path, roster: Path | None, *, demo: bool):
    """The course's copy of the roster (the demo's made-up one), read; every student needs a number."""
    if demo:
        (folder / ROSTER_FILE).write_text(DEMO_ROSTER, encoding="utf-8")
    else:
        shutil.copyfile(roster, folder / ROSTER_FILE)
    return read_new_students(folder / ROSTER_FILE)


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


def init_lines(report: InitReport) -> str:
    """What ``--init`` made, for the terminal."""
    lines = [
        f"course folder: {report.folder}",
        f"accounts: {report.students} students, staff {', '.join(report.staff)}",
    ]
    if report.first_logins:
        lines.append(f"first-login links: {report.first_logins} (hand each student their own; each link works once)")
    if report.demo_password:
        lines.append(
            f"demo logins: students 2026001, 2026002, 2026003 and staff {', '.join(report.staff)}, password "
            f"{report.demo_password!r}"
        )
    lines.append(f"next: autograder serve {report.folder}")
    return "\n".join(lines)
