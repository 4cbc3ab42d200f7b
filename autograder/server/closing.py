"""When an assignment stops taking a student's submissions: staff closed it, or the student's cutoff
(their extension moves it) has passed. Receiving refuses an upload then, and the pages and the API
say so instead of offering the upload form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from autograder.grading.records.late import LatePolicy
from autograder.grading.records.time_words import clock_time
from autograder.server.course import Offered
from autograder.server.models import AssignmentState


@dataclass(frozen=True)
class Closed:
    """Why a student may submit no more, and since when."""

    since: dt.datetime
    by_staff: bool  # else their cutoff passed

    def refusal(self, zone: dt.tzinfo) -> str:
        """What an upload refused for it is told, in both languages."""
        if self.by_staff:
            return "这个作业已关闭，不再接受提交 · this assignment is closed to submissions"
        when = _shown(self.since, zone)
        return f"已过最终截止时间 {when}，不再接受提交 · the cutoff ({when}) has passed: no more submissions are taken"

    def notice(self, zone: dt.tzinfo) -> str:
        """What the assignment page says in place of the upload form, in both languages."""
        when = _shown(self.since, zone)
        if self.by_staff:
            return (
                f"助教已于 {when} 关闭提交，你目前的成绩不变 · "
                f"staff closed submissions on {when}: your current grade stands"
            )
        return (
            f"已过你的最终截止时间，自 {when} 起不再接受提交，你目前的成绩不变 · "
            f"submissions are closed since {when} (your cutoff): your current grade stands"
        )


def is_open(db: Session, assignment: str) -> bool:
    """Whether staff have ``assignment`` open (whatever the cutoff)."""
    state = db.get(AssignmentState, assignment)
    return state is None or state.is_open


def closed_to(db: Session, offered: Offered, policy: LatePolicy, moment: dt.datetime) -> Closed | None:
    """Why a student whose late policy is ``policy`` (``standing.student_policy``) may not submit to ``offered``
    at ``moment`` (the earlier reason, if both hold); None if they may."""
    reasons = []
    state = db.get(AssignmentState, offered.name)
    if state is not None and not state.is_open:
        reasons.append(Closed(state.changed_at, by_staff=True))
    # Past the cutoff a submission earns nothing, yet as the latest it would count over a late one that earns something.
    if policy.past_cutoff(moment):
        reasons.append(Closed(policy.cutoff, by_staff=False))
    return min(reasons, key=lambda reason: reason.since, default=None)


def _shown(moment: dt.datetime, zone: dt.tzinfo) -> str:
    return clock_time(moment.astimezone(zone))  # seconds shown: a cutoff of 15:29:42 is not 15:29
