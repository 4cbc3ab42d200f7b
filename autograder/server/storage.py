"""How much of the server's disk submissions may take, whatever an assignment's other limits say.

Without a daily cap an assignment takes uploads at the cooldown's pace, each up to its size limit,
so one student (or a script with their token) could fill the server's disk over a term. Two bounds
hold regardless:

- a quota per student and assignment, ``max_stored_mb`` under ``server:`` in ``assignment.yml``
  (``autograder.server.rules``): each stored submission counts its file and GRADING_ALLOWANCE for
  what grading writes beside it (its feedback page and results file), so a flood of tiny files
  counts too;
- a reserve of free space, ``min_free_disk_mb`` in ``server.yml``: below it, on the disk of the
  course folder, uploads are refused before their body is read, and again before one is stored.

A refusal removes nothing: what is stored stays, and so does its grade.
"""

from __future__ import annotations

import shutil

from autograder.server.course import Course
from autograder.server.models import Submission
from autograder.server.rules import SubmissionRules
from autograder.server.upload_refusals import UploadRefused

# What grading one submission writes beside it, counted in its student's quota: a bundled lesson's
# feedback page and results file take about 90 KB together.
GRADING_ALLOWANCE = 256 * 1024
MB = 2**20


def stored_bytes(submissions: list[Submission]) -> int:
    """What ``submissions`` count against their student's quota."""
    return sum(submission.size + GRADING_ALLOWANCE for submission in submissions)


def check_quota(submissions: list[Submission], rules: SubmissionRules, size: int) -> None:
    """Refuse a file of ``size`` bytes that would take a student's ``submissions`` past the quota."""
    used, quota = stored_bytes(submissions), rules.max_stored_bytes
    if used + size + GRADING_ALLOWANCE > quota:
        raise UploadRefused(
            507,
            f"你在本作业的提交已占用 {_mb(used)}（上限 {_mb(quota)}），放不下这个文件（{_mb(size)}）：请联系助教 · "
            f"your submissions of this assignment take {_mb(used)} of the {_mb(quota)} each student may store, "
            f"too little room for this file ({_mb(size)}): ask the course staff",
        )


def check_free_disk(course: Course, *, incoming: int = 0) -> None:
    """Refuse an upload of up to ``incoming`` bytes while it would leave less than the reserve free."""
    if shutil.disk_usage(course.folder).free - incoming < course.settings.min_free_disk_mb * MB:
        raise UploadRefused(
            507,
            "服务器的磁盘快满了，暂时不接受提交（已提交的都还在）：请稍后再试，并告诉助教 · "
            "the server's disk is nearly full, so it takes no submissions for now (everything submitted is kept): "
            "try again later, and tell the course staff",
        )


def _mb(size: int) -> str:
    return f"{size / MB:.2f} MB"
