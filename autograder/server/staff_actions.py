"""What staff change: an assignment open or closed, a student's extension, regrades."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from autograder.server.course import Offered
from autograder.server.jobs import JobQueue
from autograder.server.models import WAITING, AssignmentState, Extension, Job, Submission, User, now
from autograder.server.standing import student_policy

MAX_EXTENSION_MINUTES = 60 * 24 * 365


class ActionRefused(ValueError):
    """A staff action that cannot be done as asked (the message says why, in both languages)."""


def set_open(db: Session, assignment: str, is_open: bool) -> None:
    state = db.get(AssignmentState, assignment) or AssignmentState(name=assignment)
    # Whole seconds: the page and the API (ISO to the second) then name the same moment.
    state.is_open, state.changed_at = is_open, now().replace(microsecond=0)
    db.add(state)


def set_extension(db: Session, user: User, assignment: str, minutes: int, *, granted_by: str) -> None:
    """Give ``user`` ``minutes`` more on ``assignment`` (0 takes an extension away); students only."""
    if user.is_staff:
        raise ActionRefused(
            f"{user.login} 是助教账号，只有学生能延期 · {user.login} is a staff account: only students get extensions"
        )
    if not 0 <= minutes <= MAX_EXTENSION_MINUTES:
        raise ActionRefused(
            f"延期必须在 0 到 {MAX_EXTENSION_MINUTES} 分钟之间 · an extension is 0 to {MAX_EXTENSION_MINUTES} minutes"
        )
    found = db.scalar(select(Extension).where(Extension.user_id == user.id, Extension.assignment == assignment))
    if minutes == 0:
        if found is not None:
            db.delete(found)
        return
    found = found or Extension(user_id=user.id, assignment=assignment, minutes=minutes)
    found.minutes, found.granted_by, found.granted_at = minutes, granted_by, now()
    db.add(found)


def past_cutoff(db: Session, user: User, offered: Offered) -> tuple[int, dt.datetime | None]:
    """How many of ``user``'s submissions to ``offered`` came after their cutoff (as their extension now
    moves it), and that cutoff: such a submission earns nothing, and as the latest it may count."""
    policy = student_policy(db, user, offered)
    if policy.cutoff is None:
        return 0, None
    query = select(Submission.received_at).where(Submission.user_id == user.id, Submission.assignment == offered.name)
    return sum(policy.past_cutoff(received) for received in db.scalars(query)), policy.cutoff


def regrade(db: Session, queue: JobQueue, submissions: list[Submission]) -> int:
    """Queue ``submissions`` to be graded again (those already waiting are left as they are); how many were queued."""
    waiting = set(db.scalars(select(Job.submission_id).where(Job.state == WAITING)))
    queued = 0
    for submission in submissions:
        if submission.id not in waiting:
            queue.enqueue(db, submission)
            queued += 1
    return queued
