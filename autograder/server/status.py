"""What a student sees of an assignment and of each submission: one type each, which the pages
render and the JSON API returns as it is (see docs/course_server.md)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from autograder.grading.records.late import LatePolicy
from autograder.server.closing import closed_to, is_open
from autograder.server.course import Offered
from autograder.server.jobs import queue_position
from autograder.server.models import GRADED, QUEUED, RECEIVED, RUNNING, Submission, User, now
from autograder.server.receive import submissions_of
from autograder.server.rules import COUNTS
from autograder.server.scale.registry import live_sandboxes
from autograder.server.standing import allowance, counted, extended, extension_minutes, final_score, student_policy
from autograder.server.storage import MB, stored_bytes

# Before any submission of an assignment is graded, a wait is estimated with this many seconds each.
FIRST_GUESS_S = 30.0


@dataclass
class SubmissionStatus:
    id: int
    assignment: str
    upload_name: str
    received_at: str
    state: str  # received, queued, running, graded
    state_text: str = ""  # the state as a student reads it (both languages)
    position: int | None = None  # 1: next to be graded
    expected_wait_s: float | None = None
    score: float | None = None  # autograded points
    possible: float | None = None
    final: float | None = None  # after what lateness costs
    late: str = ""  # why it costs (both languages)
    grading_status: str = ""  # "Completed", or why it could not be graded
    counts: bool = False  # this is the submission that counts
    counted_id: int | None = None  # the student's submission that counts now (a newer one may take over)
    feedback_url: str | None = None
    status_url: str = ""

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class AssignmentStatus:
    name: str
    title: str
    is_open: bool  # staff have it open
    accepting: bool  # a submission now would be taken: open, and the student's cutoff not passed
    closed_since: str | None  # when it stopped taking theirs
    closed_text: str  # why, in both languages ("" while accepting)
    possible: float
    due: str | None
    cutoff: str | None
    late_policy: str  # both languages
    extension_minutes: int
    per_day: int | None
    cooldown_minutes: float
    max_upload_mb: float
    max_stored_mb: float  # what the student's submissions of it may take on the server's disk
    stored_mb: float  # what they take now (see autograder.server.storage)
    counts: str  # latest, latest_on_time or best
    counts_text: str
    left: int | None  # submissions the day's cap still allows; None: no cap
    next_at: str | None  # when the next may come; None: now
    wait_reason: str
    score: float | None  # the counted submission's final score
    counted_id: int | None
    submissions: list[SubmissionStatus] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def policy_text(policy: LatePolicy) -> str:
    if policy.due is None:
        return "没有截止时间 · no due date"
    parts = [f"截止 {_local(policy.due)} · due {_local(policy.due)}"]
    if policy.grace:
        minutes = policy.grace.total_seconds() / 60
        parts.append(f"宽限 {minutes:g} 分钟 · {minutes:g} minutes' grace")
    if policy.penalty:
        unit = {"day": ("天", "day"), "hour": ("小时", "hour")}[policy.per]
        parts.append(
            f"每迟交 1 {unit[0]}扣 {policy.penalty:.0%}，最多扣 {policy.cap:.0%} · {policy.penalty:.0%} off per "
            f"{unit[1]} late, at most {policy.cap:.0%}"
        )
    if policy.cutoff:
        parts.append(f"{_local(policy.cutoff)} 之后提交不计分 · no points after {_local(policy.cutoff)}")
    return "；".join(parts)


def _local(moment: dt.datetime) -> str:
    """A due time as written, with its zone (the policy reads it in the course's)."""
    return moment.strftime("%Y-%m-%d %H:%M (UTC%z)")


def _iso(moment: dt.datetime | None, zone: dt.tzinfo | None = None) -> str | None:
    """``moment`` in ISO 8601, in the course's ``zone`` (pages show it as written)."""
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def mean_grading_seconds(db: Session, assignment: str) -> float:
    recent = (
        select(Submission.grading_seconds)
        .where(Submission.assignment == assignment, Submission.grading_seconds > 0)
        .order_by(Submission.id.desc())
        .limit(20)
    )
    mean = db.scalar(select(func.avg(recent.subquery().c.grading_seconds)))
    return float(mean) if mean else FIRST_GUESS_S


def submission_status(
    db: Session, submission: Submission, policy: LatePolicy, *, workers: int, counted_id: int | None
) -> SubmissionStatus:
    status = SubmissionStatus(
        submission.id,
        submission.assignment,
        submission.upload_name,
        _iso(submission.received_at, policy.zone),
        submission.state,
        status_url=f"/api/submissions/{submission.id}",
        counts=submission.id == counted_id,
        counted_id=counted_id,
    )
    ahead = queue_position(db, submission)
    if ahead is not None:
        status.position = ahead + 1
        sandboxes = grading_sandboxes(db, submission.assignment, configured=workers)
        if sandboxes:
            mean_s = mean_grading_seconds(db, submission.assignment)
            status.expected_wait_s = round(math.ceil((ahead + 1) / sandboxes) * mean_s, 1)
    status.state_text = state_text(submission.state, status.position, status.expected_wait_s)
    if submission.score is not None:  # graded, or being graded again (its last grade counts meanwhile)
        cost = policy.cost(submission.received_at)
        status.score, status.possible, status.grading_status = submission.score, submission.possible, submission.status
        status.final, status.late = final_score(submission, policy), cost.reason
        status.feedback_url = f"/submissions/{submission.id}/feedback"
    return status


def grading_sandboxes(db: Session, assignment: str, *, configured: int) -> int:
    """How many submissions of ``assignment`` are graded at once: the sandboxes of the workers registered
    now that grade it, else the server's own ``configured`` number (0 for a server whose workers grade)."""
    live = live_sandboxes(db, assignment)
    return configured if live is None else live


def state_text(state: str, position: int | None, wait_s: float | None) -> str:
    if state == QUEUED and position is not None and wait_s is None:
        return (
            f"排队中：第 {position} 位，现在没有评分机器在运行 · "
            f"queued: position {position}, no grading machine is running now"
        )
    if state == QUEUED and position is not None:
        return f"排队中：第 {position} 位，约 {wait_s:.0f} 秒 · queued: position {position}, about {wait_s:.0f} s"
    words = {
        RECEIVED: "已收到 · received",
        QUEUED: "排队中 · queued",
        RUNNING: "评分中 · running",
        GRADED: "已评分 · graded",
    }
    return words.get(state, state)


def assignment_status(db: Session, user: User, offered: Offered, *, workers: int) -> AssignmentStatus:
    minutes = extension_minutes(db, user, offered.name)
    policy = extended(offered.policy, minutes)
    mine = submissions_of(db, user, offered.name)
    chosen = counted(mine, counts=offered.rules.counts, policy=policy)
    moment = now()
    allowed = allowance(mine, offered.rules, moment)
    closed = closed_to(db, offered, policy, moment)
    rules = offered.rules
    return AssignmentStatus(
        offered.name,
        offered.title,
        is_open(db, offered.name),
        closed is None,
        _iso(closed.since, policy.zone) if closed else None,
        closed.notice(policy.zone) if closed else "",
        offered.possible,
        _iso(policy.due, policy.zone),
        _iso(policy.cutoff, policy.zone),
        policy_text(policy),
        minutes,
        rules.per_day,
        rules.cooldown_minutes,
        rules.max_upload_mb,
        rules.max_stored_mb,
        round(stored_bytes(mine) / MB, 2),
        rules.counts,
        " · ".join(COUNTS[rules.counts]),
        allowed.left,
        _iso(allowed.next_at, policy.zone),
        allowed.reason,
        final_score(chosen, policy) if chosen else None,
        chosen.id if chosen else None,
        [
            submission_status(db, s, policy, workers=workers, counted_id=chosen.id if chosen else None)
            for s in reversed(mine)
        ],
    )


def status_of(db: Session, submission: Submission, offered: Offered, *, workers: int) -> SubmissionStatus:
    """``submission_status`` with its owner's extension and the submission that counts looked up."""
    policy = student_policy(db, submission.user, offered)
    chosen = counted(
        submissions_of(db, submission.user, submission.assignment), counts=offered.rules.counts, policy=policy
    )
    return submission_status(db, submission, policy, workers=workers, counted_id=chosen.id if chosen else None)
