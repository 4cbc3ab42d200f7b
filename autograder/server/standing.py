"""Where a student stands on one assignment, by the server's clock: what lateness costs each
submission (their extension included), which submission counts, and when they may submit again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from autograder.grading.records.late import Lateness, LatePolicy
from autograder.server.course import Offered
from autograder.server.models import Extension, Submission, User
from autograder.server.rules import SubmissionRules

DAY = dt.timedelta(days=1)


def extended(policy: LatePolicy, minutes: int) -> LatePolicy:
    """``policy`` for a student with an extension of ``minutes``: due and cutoff move by as much."""
    return policy.moved(dt.timedelta(minutes=minutes))


def extension_minutes(db: Session, user: User, assignment: str) -> int:
    found = db.scalar(select(Extension.minutes).where(Extension.user_id == user.id, Extension.assignment == assignment))
    return found or 0


def student_policy(db: Session, user: User, offered: Offered) -> LatePolicy:
    """``offered``'s late policy as it holds for ``user``, their extension included."""
    return extended(offered.policy, extension_minutes(db, user, offered.name))


def final_score(submission: Submission, policy: LatePolicy) -> float | None:
    """The autograded score after what lateness costs; None until graded (a regrade keeps the last one meanwhile)."""
    if submission.score is None:
        return None
    return round(submission.score * (1 - policy.cost(submission.received_at).fraction), 5)


def counted(submissions: list[Submission], *, counts: str, policy: LatePolicy) -> Submission | None:
    """The graded submission that counts under ``counts`` (see ``autograder.server.rules``)."""
    graded = [s for s in submissions if s.score is not None]
    if not graded:
        return None

    def latest(candidates):
        return max(candidates, key=lambda s: (s.received_at, s.id))

    if counts == "best":
        return max(graded, key=lambda s: (final_score(s, policy), s.received_at, s.id))
    if counts == "latest_on_time":
        on_time = [s for s in graded if policy.cost(s.received_at).fraction == 0]
        return latest(on_time or graded)
    return latest(graded)


@dataclass(frozen=True)
class Allowance:
    """Whether a student may submit now, how many submissions the day's cap leaves, and when the next may come."""

    left: int | None  # None: no cap
    next_at: dt.datetime | None  # None: now
    reason: str = ""  # both languages, when they may not submit now


def allowance(submissions: list[Submission], rules: SubmissionRules, moment: dt.datetime) -> Allowance:
    """What ``rules`` allow at ``moment``, given a student's earlier ``submissions`` of the assignment."""
    times = sorted(s.received_at for s in submissions)
    waits: list[tuple[dt.datetime, str]] = []
    left = None
    if rules.per_day is not None:
        recent = [t for t in times if t > moment - DAY]
        left = max(0, rules.per_day - len(recent))
        if left == 0:
            waits.append(
                (
                    recent[-rules.per_day] + DAY,
                    f"24 小时内最多提交 {rules.per_day} 次 · at most {rules.per_day} submissions in 24 hours",
                )
            )
    if rules.cooldown_minutes and times:
        ready = times[-1] + dt.timedelta(minutes=rules.cooldown_minutes)
        if ready > moment:
            waits.append(
                (
                    ready,
                    f"两次提交至少间隔 {rules.cooldown_minutes:g} 分钟 · at least {rules.cooldown_minutes:g} minutes "
                    "between submissions",
                )
            )
    if not waits:
        return Allowance(left, None)
    until, reason = max(waits)
    return Allowance(left, _whole_minute_after(until), reason)


def _whole_minute_after(moment: dt.datetime) -> dt.datetime:
    """``moment`` rounded up to the minute: pages and refusals show minutes, and a time cut down to its minute
    (13:03 for 13:03:47) would tell a student refused at 13:03:30 to come back at a time already passed."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + dt.timedelta(minutes=1)


def lateness(submission: Submission, policy: LatePolicy) -> Lateness:
    return policy.cost(submission.received_at)
