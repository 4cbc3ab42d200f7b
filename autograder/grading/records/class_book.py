"""The gradebook by student: who each row is, which submission counts, what lateness costs.

``final_grades.csv`` stays Otter's, one row per file. This module builds the other view a TA's term
needs: one row per student. With a roster, every student gets a row (a student who submitted
nothing: status "missing", 0 points), a student's latest submission counts and the others are
listed, files no roster student claims are listed as unknown. Without one, each file is a row,
named by the identity its notebook or its LMS download gives. Written-question marks (when a TA
has entered them) add to the raw score; lateness takes its share off the total, judged against the
student's own due time where the times file gives one (an extension).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Mapping

from autograder import KitError
from autograder.authoring.language import say
from autograder.grading.intake.lms_names import lms_name
from autograder.grading.judging.grade import COMPLETED, Grade
from autograder.grading.records.late import Lateness, LatePolicy, parse_time
from autograder.grading.records.roster import Claim, Roster, Student, counting_order, match, student_key
from autograder.grading.records.times_file import SubmissionTimes

MISSING = "missing"
UNKNOWN = "unknown student"


@dataclass
class StudentRow:
    student_id: str
    name: str
    file: str = ""  # the submission that counts ("" when missing)
    others: tuple[str, ...] = ()  # the student's other submissions, not counted
    scores: dict[str, float] = field(default_factory=dict)
    written: dict[str, float] = field(default_factory=dict)
    raw: float = 0.0
    late: Lateness = Lateness()
    total: float = 0.0
    status: str = MISSING
    section: str = ""
    lms_id: str = ""
    login: str = ""
    email: str = ""
    note: str = ""  # where the notebook's claim and the LMS disagree

    @property
    def penalty(self) -> float:
        return round(self.raw - self.total, 5)


def claim_of(grade: Grade, times: SubmissionTimes, zone: dt.tzinfo | None = None) -> Claim:
    """What a graded file says about its student: its notebook's identity cell, its download name, and
    its time as the TA's times file gives it for this file (or this Moodle participant), else the time
    its export zip recorded."""
    identity = getattr(grade, "identity", None) or {}
    lms = lms_name(grade.file)
    submitted = times.submitted_at(grade.file, _participant(grade.file)) or _recorded_time(grade, zone)
    return Claim(
        grade.file,
        student_id=identity.get("student_id", ""),
        name=identity.get("name", "") or (lms.name if lms else ""),
        lms_id=lms.lms_id if lms else "",
        login=lms.name if lms and lms.system == "canvas" else "",
        submitted=submitted.isoformat() if submitted else "",
        lms_name=lms.name if lms and lms.system == "moodle" else "",
        named=getattr(grade, "named_at", "") or "",
    )


def _participant(file: str) -> str:
    """The key Moodle's grading worksheet gives the student of ``file`` ("Participant 1006"), or ""."""
    lms = lms_name(file)
    return f"Participant {lms.lms_id}" if lms and lms.system == "moodle" else ""


def _recorded_time(grade: Grade, zone: dt.tzinfo | None) -> dt.datetime | None:
    """The export zip's time kept in the results, or None when there is none a clock could show."""
    try:
        return parse_time(getattr(grade, "submitted", "") or None, where=grade.file, zone=zone)
    except (KitError, ValueError, OverflowError, OSError):
        return None


def student_rows(
    grades: list[Grade],
    *,
    roster: Roster | None = None,
    late: LatePolicy = LatePolicy(),
    times: SubmissionTimes | None = None,
    marks: Mapping[str, Mapping[str, float]] | None = None,
) -> list[StudentRow]:
    """One row per roster student (then the unknown files), or one per student the files name without a roster.

    ``times``: the TA's times file, as read. ``marks``: written question → file → points a TA entered.
    """
    times, marks = times or SubmissionTimes(), dict(marks or {})
    by_file = {grade.file: grade for grade in grades}
    claims = {grade.file: claim_of(grade, times, late.zone) for grade in grades}
    if roster is None:
        return _rows_without_roster(claims, by_file, late, times, marks)
    matching = match(roster, list(claims.values()))
    notes = {
        claim.file: _conflict(declared.student_id, authority.student_id or authority.name)
        for claim, authority, declared in matching.conflicts
    }
    rows = []
    for student in roster.students:
        key = student_key(student)
        if key not in matching.by_student:
            rows.append(
                StudentRow(
                    student.student_id,
                    student.name,
                    section=student.section,
                    lms_id=student.lms_id,
                    login=student.login,
                    email=student.email,
                )
            )
            continue
        chosen = matching.chosen(key)
        others = tuple(sorted(c.file for c in matching.by_student[key] if c.file != chosen.file))
        chosen = _timed(chosen, student, times)
        rows.append(
            _row(
                student,
                by_file[chosen.file],
                chosen,
                others,
                _own_policy(late, chosen, student, times),
                marks,
                note=_note(notes.get(chosen.file, ""), others),
            )
        )
    for claim in matching.unknown:
        student = Student(claim.student_id, claim.name, claim.lms_id, login=claim.login)
        row = _row(student, by_file[claim.file], claim, (), _own_policy(late, claim, student, times), marks)
        row.status = f"{UNKNOWN}: {row.status}" if row.status != COMPLETED else UNKNOWN
        rows.append(row)
    return rows


def owners(rows: list[StudentRow]) -> dict[str, str]:
    """File → whose it is, as the gradebook says ("2023003 王五"; "(not counted)" after a superseded file)."""
    found = {}
    for row in rows:
        who = " ".join(filter(None, (row.student_id, row.name))) or "?"
        found.update(dict.fromkeys(row.others, f"{who} (not counted)"))
        if row.file:
            found[row.file] = who
    return found


def counted_files(rows: list[StudentRow]) -> dict[tuple[str, str], str]:
    """(student number, name) → the file that counts for that student."""
    return {(row.student_id, row.name): row.file for row in rows if row.file}


def rows_now_counting(before: dict[tuple[str, str], str], rows: list[StudentRow], graded: set[str]) -> list[str]:
    """A line for each student whose counted file is now one of ``graded``, in place of another."""
    lines = []
    for row in rows:
        earlier = before.get((row.student_id, row.name))
        if row.file in graded and earlier and earlier != row.file:
            lines.append(
                f"{row.student_id or '-'} {row.name}: {row.file} counts now, in place of {earlier} (kept as another "
                "file of theirs)"
            )
    return lines


@dataclass
class ClassBook:
    """The class's rows, whose each file is, and each student whose counted file a run changed."""

    rows: list[StudentRow]
    owners: dict[str, str]  # see ``owners``
    now_counting: list[str] = field(default_factory=list)  # see ``rows_now_counting``


def class_book(
    grades: list[Grade], *, roster, late, times, marks, before: list[Grade] | None = None, graded=frozenset()
) -> ClassBook:
    """``student_rows`` of ``grades`` and their ``owners``. Given ``before`` (OUT's results before a run) and
    ``graded`` (the files it graded): a line for each student whose counted file is now one of ``graded``."""
    rows = student_rows(grades, roster=roster, late=late, times=times, marks=marks)
    if before is None:
        return ClassBook(rows, owners(rows))
    counted = counted_files(student_rows(before, roster=roster, late=late, times=times))
    return ClassBook(rows, owners(rows), rows_now_counting(counted, rows, set(graded)))


def _rows_without_roster(
    claims: dict[str, Claim], by_file: dict[str, Grade], late: LatePolicy, times, marks
) -> list[StudentRow]:
    """A row per student the files name (student number, else LMS id, else the file): the latest counts."""
    groups: dict[str, list[Claim]] = {}
    for file in sorted(claims):
        claim = claims[file]
        key = claim.student_id or (f"lms:{claim.lms_id}" if claim.lms_id else f"file:{file}")
        groups.setdefault(key, []).append(claim)
    rows = []
    for group in groups.values():
        student = Student(group[0].student_id, group[0].name, group[0].lms_id, login=group[0].login)
        timed = [_timed(claim, student, times) for claim in group]
        chosen = max(timed, key=counting_order)
        others = tuple(sorted(claim.file for claim in timed if claim.file != chosen.file))
        policy = _own_policy(late, chosen, student, times)
        rows.append(_row(student, by_file[chosen.file], chosen, others, policy, marks, note=_note("", others)))
    return sorted(rows, key=lambda row: row.file)


def _note(note: str, others: tuple[str, ...]) -> str:
    """``note``, and a word when more than one file names the student: the latest counts, but a time
    from an export zip is the student's own clock, so a TA should check the files are all theirs."""
    if not others:
        return note
    several = say(
        f"有 {len(others) + 1} 个文件署名这个学生，以最新的为准：请核对都是本人的",
        f"{len(others) + 1} files name this student; the latest counts: check they are all theirs",
    )
    return f"{note}; {several}" if note else several


def _conflict(claimed: str, authority: str) -> str:
    """The note on a file whose identity cell names another student than its LMS download does."""
    return say(
        f"notebook 里写的是 {claimed}，LMS 记录的是 {authority}", f"notebook claims {claimed}, the LMS says {authority}"
    )


def _timed(claim: Claim, student: Student, times: SubmissionTimes) -> Claim:
    """``claim`` with the time the TA's times file gives the matched student, where none was found for the file."""
    listed = times.submitted_at(claim.file, student.student_id)
    if listed is None:
        return claim
    return replace(claim, submitted=listed.isoformat())


def _own_policy(late: LatePolicy, claim: Claim, student: Student, times: SubmissionTimes) -> LatePolicy:
    """``late`` for ``student``: their own due time where the times file gives one (for the file that
    counts, their student number, or their Moodle participant), the class's otherwise."""
    due = times.due_of(claim.file, student.student_id, _participant(claim.file))
    return late.due_for(due) if due else late


def _row(
    student: Student,
    grade: Grade,
    claim: Claim,
    others: tuple[str, ...],
    late: LatePolicy,
    marks: Mapping[str, Mapping[str, float]],
    *,
    note: str = "",
) -> StudentRow:
    written = {question: float(points[grade.file]) for question, points in marks.items() if grade.file in points}
    raw = round(grade.total + sum(written.values()), 5)
    cost = late.cost(dt.datetime.fromisoformat(claim.submitted) if claim.submitted else None)
    total = round(raw * (1 - cost.fraction), 5)
    return StudentRow(
        student.student_id,
        student.name,
        grade.file,
        others,
        dict(grade.scores),
        written,
        raw,
        cost,
        total,
        grade.status,
        student.section,
        student.lms_id,
        student.login,
        student.email,
        note,
    )
