"""What changes an account after ``--init``: a student who joins late, a new first-login link for
someone who lost theirs or forgot their password, and a password changed by its owner.

A new link ends everything the old credentials gave: the password is cleared, every session ends
and every API token is deleted, so whoever held the old password or a copied notebook token is out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from autograder import KitError
from autograder.grading.records.roster import HEADERS, Roster, Student
from autograder.server import database, first_logins
from autograder.server.accounts import check_password, new_token, password_problem, set_password, token_hash
from autograder.server.course import Course
from autograder.server.models import STUDENT, ApiToken, User
from autograder.server.settings import FIRST_LOGINS_FILE

MAX_FIELD_CHARS = 200  # as long as the users table's columns


class AccountRefused(KitError, ValueError):
    """An account change that cannot be made as asked (the message says why, in both languages)."""


class WrongPassword(AccountRefused):
    """The current password given for a change was wrong: a guess, counted as a failed login."""


@dataclass
class AddedStudents:
    links: list[tuple[User, str]]  # each new account with its first-login token
    already: list[str]  # student numbers that had an account, left as they were


def add_students(db: Session, students: list[Student]) -> AddedStudents:
    """An account with a first-login token for each of ``students`` who has none (in the caller's transaction)."""
    taken = set(db.scalars(select(User.login)))
    added = AddedStudents([], [])
    for student in students:
        number, name = student.student_id.strip(), student.name.strip()
        if (
            not number
            or len(number) > MAX_FIELD_CHARS
            or len(name) > MAX_FIELD_CHARS
            or any(c.isspace() for c in number)
        ):
            raise AccountRefused(
                f"学号不能为空、不能含空格，最长 {MAX_FIELD_CHARS} 个字符 · "
                f"a student number is needed, without spaces, at most {MAX_FIELD_CHARS} characters "
                f"(got {number[:40]!r})"
            )
        if number in taken:
            added.already.append(number)
            continue
        taken.add(number)
        user = User(login=number, student_id=number, name=name or number, role=STUDENT)
        db.add(user)
        added.links.append((user, new_first_login(db, user)))
    return added


def enroll(course: Course, students: list[Student]) -> AddedStudents:
    """Add ``students`` who have no account yet to ``course``: their accounts, their rows in the
    course's roster, and their links at the end of ``first_logins.csv`` (no other row changes)."""
    with course.sessions.begin() as db:
        added = add_students(db, students)
    new = {user.login for user, _ in added.links}
    add_to_roster(course.roster, [student for student in students if student.student_id.strip() in new])
    first_logins.append(course.folder / FIRST_LOGINS_FILE, added.links, url=course.settings.url)
    return added


def enroll_roster(folder: Path, roster: Path, *, database_url: str | None = None) -> AddedStudents:
    """``enroll`` the students of ``roster`` in the course at ``folder`` (the server may be running)."""
    course = Course(folder, database_url=database_url)
    try:
        database.migrate(course.engine)  # a course made by an earlier kit gains the tables it lacks
        return enroll(course, read_new_students(roster))
    finally:
        course.engine.dispose()


def enroll_lines(added: AddedStudents) -> str:
    """What ``--add-students`` did, for the terminal."""
    lines = [f"added {len(added.links)} students: {', '.join(user.login for user, _ in added.links) or 'none'}"]
    if added.already:
        lines.append(f"already had an account, left as it was: {', '.join(added.already)}")
    if added.links:
        lines.append(f"their first-login links are at the end of {FIRST_LOGINS_FILE}")
    return "\n".join(lines)


def new_first_login(db: Session, user: User) -> str:
    """A new one-time link's token for ``user``; their password, sessions and API tokens stop working."""
    token = new_token()
    user.first_login_hash = token_hash(token)
    user.password_hash = None
    user.session_version = (user.session_version or 0) + 1
    if user.id is not None:
        db.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    return token


def change_password(user: User, *, current: str, new: str, confirm: str) -> None:
    """``user``'s own change of password: every other session of theirs ends (the caller signs this one in again)."""
    if not check_password(user, current):
        raise WrongPassword("当前密码不对 · the current password is wrong")
    problem = password_problem(new, confirm)
    if problem:
        raise AccountRefused(problem)
    set_password(user, new)


def read_new_students(path: Path) -> list[Student]:
    """The students of a roster CSV (the class list the grader reads); each needs a student number."""
    students = Roster.read(path).students
    nameless = [student.name for student in students if not student.student_id]
    if nameless:
        raise AccountRefused(
            f"{path}: {nameless[0]!r} has no student number; the server logs students in by it, so every row needs one"
        )
    return students


def add_to_roster(path: Path, students: list[Student]) -> None:
    """Append ``students`` to the course's roster, in its own columns, so the class view lists them."""
    if not path.is_file():
        path.write_text("学号,姓名,班级\r\n", encoding="utf-8")
    header = Roster.read(path).header
    where = {
        key: next((index for index, cell in enumerate(header) if cell.lower() in HEADERS[key]), None)
        for key in ("student_id", "name", "section")
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for student in students:
        row = [""] * len(header)
        for key, index in where.items():
            if index is not None:
                row[index] = getattr(student, key)
        writer.writerow(row)
    text = path.read_bytes()
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(("" if not text or text.endswith(b"\n") else "\r\n") + buffer.getvalue())
