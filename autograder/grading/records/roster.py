"""The class list, and which submission is whose.

A roster is a CSV a TA already has: the LMS's own export (Canvas's gradebook export, Moodle's
participants list) or one of the school's. Its columns are recognised by their headers (English or
Chinese). Each graded file is matched to a student by the student number its notebook declares,
else by the LMS id or login in its download name, else by an exact, unique name.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from autograder import KitError
from autograder.grading.records.csv_files import CsvFileError, read_rows

HEADERS = {
    "student_id": ("student_id", "student id", "student number", "sis user id", "id number", "学号"),
    "name": ("name", "student", "full name", "student name", "姓名"),
    "lms_id": ("lms_id", "lms id", "canvas id", "canvas user id", "moodle id", "participant id"),
    "email": ("email", "email address", "e-mail", "邮箱"),
    "login": ("login", "sis login id", "username", "user name", "用户名"),
    "section": ("section", "class", "班级"),
}


class RosterError(KitError, ValueError):
    """The roster file cannot be read as a class list."""


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str
    lms_id: str = ""
    email: str = ""
    login: str = ""
    section: str = ""


@dataclass
class Roster:
    path: Path
    students: list[Student]
    header: list[str] = field(default_factory=list)  # as written (Canvas's export names its assignments there)

    @classmethod
    def read(cls, path: Path) -> "Roster":
        """Read a roster CSV (UTF-8, with or without a byte-order mark).

        Raises:
            RosterError: unreadable, no student-number or name column, or a student number twice.
        """
        path = Path(path)
        try:
            rows = read_rows(path, what="roster")
        except CsvFileError as error:
            raise RosterError(str(error)) from error
        if not rows:
            raise RosterError(f"{path}: the roster is empty")
        columns = _columns(rows[0], path)
        students = []
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row) or row[0].strip().lower() == "points possible":
                continue
            values = {key: row[index].strip() if index < len(row) else "" for key, index in columns.items()}
            if not values.get("student_id") and not values.get("name"):
                raise RosterError(f"{path}, line {number}: a row with neither a student number nor a name")
            students.append(Student(**{key: values.get(key, "") for key in HEADERS}))
        seen: set[str] = set()
        for student in students:
            if student.student_id and student.student_id in seen:
                raise RosterError(f"{path}: student number {student.student_id} appears twice")
            seen.add(student.student_id)
        return cls(path, students, [cell.strip() for cell in rows[0]])


def _columns(header: list[str], path: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    names = [cell.strip().lower() for cell in header]
    for key, aliases in HEADERS.items():
        for index, name in enumerate(names):
            if name in aliases and key not in found:
                found[key] = index
    if "sis user id" in names and "id" in names and "lms_id" not in found:
        found["lms_id"] = names.index("id")  # Canvas's export: "ID" is its user id, "SIS User ID" the school's
    if "student_id" not in found and "name" not in found:
        raise RosterError(
            f"{path}: no column for the student number or the name; name one of them {HEADERS['student_id'][0]!r} (or "
            f"学号) or {HEADERS['name'][0]!r} (or 姓名)"
        )
    return found


def normalised(name: str) -> str:
    """A name compared loosely: case, width and spacing folded."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass
class Claim:
    """What is known of a submission's student: what its notebook declares and what its download name says."""

    file: str
    student_id: str = ""
    name: str = ""
    lms_id: str = ""
    login: str = ""
    submitted: str = ""  # ISO time, when known (latest wins)
    lms_name: str = ""  # the full name a Moodle download folder gives
    named: str = ""  # ISO time the TA last graded this file by name into the class (a correction)


@dataclass
class Matching:
    """Submissions by student, the ones no student claims, the students with none, and the files whose
    notebook names another student than their LMS download does (claim, the LMS's student, the notebook's)."""

    by_student: dict[str, list[Claim]] = field(default_factory=dict)
    unknown: list[Claim] = field(default_factory=list)
    missing: list[Student] = field(default_factory=list)
    conflicts: list[tuple[Claim, Student, Student]] = field(default_factory=list)

    def chosen(self, student_id: str) -> Claim:
        """The submission that counts (see ``counting_order``)."""
        return max(self.by_student[student_id], key=counting_order)


_NEVER = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def counting_order(claim: Claim) -> tuple:
    """Which of a student's files counts, largest first: a file the TA graded by name into the class (a
    correction) over every other, the last so graded first; then the latest submitted; then by file name."""
    return _moment(claim.named), _moment(claim.submitted), claim.file


def _moment(iso: str) -> dt.datetime:
    """An ISO time as an instant (times written in different zones compare by the instant, not the text)."""
    try:
        when = dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return _NEVER
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def match(roster: Roster, claims: list[Claim]) -> Matching:
    """Assign each claim to a roster student (see the module docstring)."""
    by_number = {s.student_id: s for s in roster.students if s.student_id}
    by_lms = {s.lms_id: s for s in roster.students if s.lms_id}
    by_login = {s.login.casefold(): s for s in roster.students if s.login}
    by_mailbox = {s.email.split("@")[0].casefold(): s for s in roster.students if s.email}
    names: dict[str, list[Student]] = {}
    for student in roster.students:
        names.setdefault(normalised(student.name), []).append(student)
    result = Matching()
    for claim in claims:
        # The LMS's download name is authoritative (it authenticated the upload); the notebook's own
        # identity cell is the student's word, so it decides only where the LMS says nothing.
        authority = _lms_student(claim, by_lms, by_login, by_mailbox, by_number, names)
        declared = by_number.get(claim.student_id) if claim.student_id else None
        if authority and declared and authority != declared:
            result.conflicts.append((claim, authority, declared))
        student = authority or declared
        if student is None and claim.name.strip():
            student = _unique(names.get(normalised(claim.name), []))
        if student is None:
            result.unknown.append(claim)
        else:
            result.by_student.setdefault(student_key(student), []).append(claim)
    result.missing = [student for student in roster.students if student_key(student) not in result.by_student]
    return result


def _lms_student(claim: Claim, by_lms, by_login, by_mailbox, by_number, names) -> Student | None:
    """The roster student the LMS's download name points to: by LMS id, else by login (which schools
    often make the student number or the mailbox), else by the unique full name of a Moodle folder."""
    if claim.lms_id and claim.lms_id in by_lms:
        return by_lms[claim.lms_id]
    if claim.login:
        login = claim.login.casefold()
        found = by_login.get(login) or by_number.get(claim.login) or by_mailbox.get(login)
        if found:
            return found
    if claim.lms_name:
        return _unique(names.get(normalised(claim.lms_name), []))
    return None


def student_key(student: Student) -> str:
    """How a student is known across a run: the student number, else the folded name."""
    return student.student_id or f"name:{normalised(student.name)}"


def _unique(candidates: list[Student]) -> Student | None:
    return candidates[0] if len(candidates) == 1 else None
