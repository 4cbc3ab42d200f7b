"""What the grader reads from a submission without running it: whose it is, when it was exported,
its written answers, the code of its graded definitions and which of them a syntax error left
undefined.

All of it comes from the notebook's source (and the export zip's ``identity.json``), parsed as data
in the grader's own process; nothing here executes student code.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field, fields, replace

from autograder.authoring.student import IDENTITY_FILE
from autograder.grading.intake.answer_code import graded_code
from autograder.grading.intake.identity import declared_identity
from autograder.grading.intake.parse_once import ParseOnce
from autograder.grading.intake.syntax_errors import undefined_by_syntax_errors
from autograder.grading.judging.grade import Grade
from autograder.grading.records.written import written_answers

MAX_IDENTITY_BYTES = 4096


@dataclass(frozen=True)
class About:
    identity: dict = field(default_factory=dict)
    submitted: str = ""
    written: dict = field(default_factory=dict)
    code: str = ""
    syntax_errors: dict = field(default_factory=dict)  # graded name → the line to fix, both languages

    def applied_to(self, grade: Grade) -> Grade:
        """``grade`` with what was read here. A question whose definition a syntax error kept from
        being defined says which line to fix in its failed checks, not "not defined"."""
        cases = [
            replace(case, message=self.syntax_errors[case.question])
            if not case.passed and case.question in self.syntax_errors
            else case
            for case in grade.cases
        ]
        kept = {item.name for item in fields(Grade)}
        return replace(
            grade, cases=cases, **{item.name: getattr(self, item.name) for item in fields(self) if item.name in kept}
        )


def read_about(content: bytes, notebook, *, manual: list[str], graded: list[str]) -> About:
    """``notebook`` (already loaded from ``content``) described; ``manual``: written questions in order,
    ``graded``: the names of the definitions students write."""
    exported = _export_identity(content)
    parse = ParseOnce()
    declared = declared_identity(notebook, parse=parse)
    identity = {
        "name": (declared.name if declared else "") or exported.get("name", ""),
        "student_id": (declared.student_id if declared else "") or exported.get("student_id", ""),
    }
    return About(
        identity={key: value for key, value in identity.items() if value},
        submitted=exported.get("exported_at", ""),
        written=written_answers(notebook, manual) if manual else {},
        code=graded_code(notebook, graded, parse=parse),
        syntax_errors=undefined_by_syntax_errors(notebook, graded, parse=parse),
    )


def _export_identity(content: bytes) -> dict:
    """The strings of an export zip's ``identity.json`` (name, student_id, exported_at), or {}."""
    if content[:4] != b"PK\x03\x04":
        return {}
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = archive.getinfo(IDENTITY_FILE)
            if info.file_size > MAX_IDENTITY_BYTES:
                return {}
            with archive.open(info) as member:
                data = json.loads(member.read(MAX_IDENTITY_BYTES).decode("utf-8"))
    except Exception:  # a damaged or hostile zip says nothing about its student
        return {}
    if not isinstance(data, dict):
        return {}
    found = {
        key: str(data[key]).strip()[:200]
        for key in ("name", "student_id", "exported_at")
        if isinstance(data.get(key), str)
    }
    if found.get("exported_at") and _plausible_time(found["exported_at"]) is None:
        del found["exported_at"]
    return found


def _plausible_time(text: str) -> dt.datetime | None:
    """``text`` as a time with a zone between 2000 and 2100, or None (the zip's clock is the student's)."""
    try:
        when = dt.datetime.fromisoformat(text)
        when = when if when.tzinfo else when.astimezone()
    except (ValueError, OverflowError, OSError):
        return None
    return when if 2000 <= when.year <= 2100 else None
