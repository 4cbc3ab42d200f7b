"""The gradebook by student: who each row is, which submission counts, what lateness costs.

``final_grades.csv`` stays Otter's, one row per file. This module builds the other view a TA's term
needs: one row per student. With a roster, every student gets a row (a student who submitted
nothing: status "missing", 0 points), a student's latest submission counts and the others are
listed, files no roster student claims are listed as unknown. Without one, each file is a row,
named by the identity its notebook or its LMS download gives. Written-question marks (when a TA
has entered them) add to the raw score; lateness takes its share off the total.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from autograder.grading.judging import COMPLETED, Grade
from autograder.grading.late import LatePolicy, Lateness, parse_time
from autograder.grading.lms import lms_name
from autograder.grading.roster import Claim, Roster, Student, match, student_key

MISSING = "missing"
UNKNOWN = "unknown student"


@dataclass
class StudentRow:
    student_id: str
    name: str
    file: str = ""                        # the submission that counts ("" when missing)
    others: tuple[str, ...] = ()          # the student's other submissions, not counted
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

    @property
    def penalty(self) -> float:
        return round(self.raw - self.total, 5)


def claim_of(grade: Grade, times: Mapping[str, dt.datetime]) -> Claim:
    """What a graded file says about its student: its notebook's identity cell, its download name, its time."""
    identity = getattr(grade, "identity", None) or {}
    lms = lms_name(grade.file)
    submitted = times.get(grade.file) or times.get(identity.get("student_id", "")) or parse_time(getattr(grade, "submitted", "") or None, where=grade.file)
    return Claim(
        grade.file,
        student_id=identity.get("student_id", ""),
        name=identity.get("name", "") or (lms.name if lms else ""),
        lms_id=lms.lms_id if lms else "",
        login=lms.name if lms and lms.system == "canvas" else "",
        submitted=submitted.isoformat() if submitted else "",
    )


def student_rows(grades: list[Grade], *, roster: Roster | None = None, late: LatePolicy = LatePolicy(), times: Mapping[str, dt.datetime] | None = None, marks: Mapping[str, Mapping[str, float]] | None = None) -> list[StudentRow]:
    """One row per roster student (then the unknown files), or one per file without a roster.

    ``marks``: written question → file → points a TA entered.
    """
    times, marks = dict(times or {}), dict(marks or {})
    by_file = {grade.file: grade for grade in grades}
    claims = {grade.file: claim_of(grade, times) for grade in grades}
    if roster is None:
        return [_row(Student(claims[f].student_id, claims[f].name, claims[f].lms_id, login=claims[f].login), by_file[f], claims[f], (), late, marks) for f in sorted(by_file)]
    matching = match(roster, list(claims.values()))
    rows = []
    for student in roster.students:
        key = student_key(student)
        if key not in matching.by_student:
            rows.append(StudentRow(student.student_id, student.name, section=student.section, lms_id=student.lms_id, login=student.login, email=student.email))
            continue
        chosen = matching.chosen(key)
        others = tuple(sorted(c.file for c in matching.by_student[key] if c.file != chosen.file))
        rows.append(_row(student, by_file[chosen.file], chosen, others, late, marks))
    for claim in matching.unknown:
        row = _row(Student(claim.student_id, claim.name, claim.lms_id, login=claim.login), by_file[claim.file], claim, (), late, marks)
        row.status = f"{UNKNOWN}: {row.status}" if row.status != COMPLETED else UNKNOWN
        rows.append(row)
    return rows


def _row(student: Student, grade: Grade, claim: Claim, others: tuple[str, ...], late: LatePolicy, marks: Mapping[str, Mapping[str, float]]) -> StudentRow:
    written = {question: float(points[grade.file]) for question, points in marks.items() if grade.file in points}
    raw = round(grade.total + sum(written.values()), 5)
    cost = late.cost(dt.datetime.fromisoformat(claim.submitted)) if claim.submitted else Lateness()
    total = round(raw * (1 - cost.fraction), 5)
    return StudentRow(student.student_id, student.name, grade.file, others, dict(grade.scores), written, raw, cost, total, grade.status,
                      student.section, student.lms_id, student.login, student.email)
