"""The grading queue: how received submissions reach a worker, and how a dead worker's job returns.

``JobQueue`` is the small interface every way of running the server grades through. The embedded
default, ``DatabaseQueue``, keeps the queue in the course's database: a worker *claims* a job,
which leases it for ``lease`` seconds; while it grades it renews its leases; a lease that runs out
(its worker was killed) makes the job claimable again, by any worker. Finishing a job records its
grade and marks the job done in one transaction, and only while the lease is still the worker's,
so a submission is graded exactly once however many workers raced for it. The scaled-out queue
(``autograder.server.scale``) hands workers turns to claim jobs here: the database stays the record.

Jobs are claimed by turn, then by age, so students take turns: a student who sends a hundred
uploads waits behind the class, not the class behind them. A job's turn is its round, given when it
is queued: the round being served now (the highest of the jobs claimed so far), or, for a student
with jobs still waiting or running, the round after their last one. A late comer's first job thus
goes before a flooder's second, whether the flooder's first is still being graded or long done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Protocol

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from autograder.grading.intake.received import Received
from autograder.server.held_uploads import HeldUploads
from autograder.server.models import DONE, LEASED, QUEUED, RUNNING, WAITING, Job, Submission, now

# A job claimed this many times without being finished is graded as a crash instead (its notebook
# may be what kills its workers).
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class ClaimedJob:
    job_id: int
    submission_id: int
    assignment: str
    attempts: int  # this claim included
    stored: str  # the submission's file, relative to the server's course folder: its identity on every machine
    file: str  # its name in the gradebook
    local: str = ""  # where this process reads it, relative to its own course folder, when not at ``stored``
    sha256: str = ""  # of the bytes received: a stored file that no longer has it is not graded
    identity: dict[str, str] = field(default_factory=dict)  # whose it is, as the server's account says
    received: Received | None = field(default=None, compare=False, repr=False)  # as read on receipt, if held


class JobQueue(Protocol):
    def enqueue(self, db: Session, submission: Submission, received: Received | None = None) -> None:
        """Queue ``submission`` for grading, in the caller's transaction; ``received``: its bytes and reading, as
        taken in (else its grader reads the stored file)."""

    def claim(self, assignment: str, owner: str, *, job_id: int | None = None) -> ClaimedJob | None:
        """Lease the oldest claimable job of ``assignment`` (or job ``job_id``) to ``owner``; None if there is none."""

    def renew(self, owner: str) -> None:
        """Extend every lease ``owner`` holds."""

    def finish(self, job: ClaimedJob, owner: str, record: Callable[[Session], None]) -> bool:
        """Run ``record`` and mark the job done in one transaction, if ``owner`` still holds its lease."""

    def give_back(self, job: ClaimedJob, owner: str) -> None:
        """Return a job ``owner`` holds to the queue (its worker died, or the server is stopping)."""


class DatabaseQueue:
    """The queue kept in the course's database (see the module docstring)."""

    def __init__(self, sessions: sessionmaker[Session], *, lease_seconds: float, held: HeldUploads | None = None):
        """``held``: where received submissions wait in memory for this process's grading loops to claim them."""
        self.sessions, self.held = sessions, held
        self.lease = dt.timedelta(seconds=lease_seconds)

    def enqueue(self, db: Session, submission: Submission, received: Received | None = None) -> None:
        submission.state = QUEUED
        db.add(
            Job(
                submission_id=submission.id, assignment=submission.assignment, state=WAITING, turn=_turn(db, submission)
            )
        )
        if received is not None and self.held is not None:
            self.held.hold(db, submission.id, received)

    def claim(self, assignment: str, owner: str, *, job_id: int | None = None) -> ClaimedJob | None:
        while True:
            with self.sessions.begin() as db:
                moment = now()
                claimable = or_(Job.state == WAITING, and_(Job.state == LEASED, Job.lease_expires_at < moment))
                candidate = db.scalar(_next_claimable(assignment, moment, job_id))
                if candidate is None:
                    return None
                # Taken only if still claimable: two workers that chose the same job cannot both get it.
                taken = db.execute(
                    update(Job)
                    .where(Job.id == candidate, claimable)
                    .values(
                        state=LEASED,
                        lease_owner=owner,
                        lease_expires_at=moment + self.lease,
                        attempts=Job.attempts + 1,
                        started_at=moment,
                    )
                )
                if taken.rowcount != 1:
                    continue
                job = db.get(Job, candidate)
                submission = job.submission
                submission.state = RUNNING
                user = submission.user
                return ClaimedJob(
                    job.id,
                    job.submission_id,
                    job.assignment,
                    job.attempts,
                    submission.stored,
                    submission.file,
                    sha256=submission.sha256,
                    # The server authenticated the upload: its account says whose it is, not the notebook's cell.
                    identity={"name": user.name, "student_id": user.student_id or user.login},
                    received=self.held.take(job.submission_id) if self.held is not None else None,
                )

    def renew(self, owner: str) -> None:
        with self.sessions.begin() as db:
            db.execute(
                update(Job)
                .where(Job.lease_owner == owner, Job.state == LEASED)
                .values(lease_expires_at=now() + self.lease)
            )

    def finish(self, job: ClaimedJob, owner: str, record: Callable[[Session], None]) -> bool:
        with self.sessions.begin() as db:
            done = db.execute(
                update(Job)
                .where(Job.id == job.job_id, Job.state == LEASED, Job.lease_owner == owner)
                .values(state=DONE, finished_at=now(), lease_owner=None, lease_expires_at=None)
            )
            if done.rowcount != 1:
                return False  # the lease ran out and another worker has the job: its grade counts
            record(db)
            return True

    def give_back(self, job: ClaimedJob, owner: str) -> None:
        with self.sessions.begin() as db:
            back = db.execute(
                update(Job)
                .where(Job.id == job.job_id, Job.state == LEASED, Job.lease_owner == owner)
                .values(state=WAITING, lease_owner=None, lease_expires_at=None)
            )
            if back.rowcount == 1:
                db.get(Submission, job.submission_id).state = QUEUED

    def give_back_all(self, owner: str) -> None:
        """Return every job ``owner`` holds (a server stopping cleanly need not wait for leases to run out)."""
        with self.sessions.begin() as db:
            ids = list(db.scalars(select(Job.submission_id).where(Job.lease_owner == owner, Job.state == LEASED)))
            db.execute(
                update(Job)
                .where(Job.lease_owner == owner, Job.state == LEASED)
                .values(state=WAITING, lease_owner=None, lease_expires_at=None)
            )
            if ids:
                db.execute(
                    update(Submission).where(Submission.id.in_(ids), Submission.state == RUNNING).values(state=QUEUED)
                )


def _turn(db: Session, submission: Submission) -> int:
    """The round a new job of ``submission`` takes (see the module docstring)."""
    served = db.scalar(select(func.max(Job.turn)).where(Job.assignment == submission.assignment, Job.state != WAITING))
    last_own = db.scalar(
        select(func.max(Job.turn))
        .join(Submission, Submission.id == Job.submission_id)
        .where(
            Job.assignment == submission.assignment,
            Submission.user_id == submission.user_id,
            Job.state.in_((WAITING, LEASED)),
        )
    )
    return max(served or 0, last_own + 1 if last_own is not None else 0)


def _next_claimable(assignment: str, moment, job_id: int | None):
    claimable = or_(Job.state == WAITING, and_(Job.state == LEASED, Job.lease_expires_at < moment))
    wanted = select(Job.id).where(Job.assignment == assignment, claimable)
    if job_id is not None:
        wanted = wanted.where(Job.id == job_id)
    return wanted.order_by(Job.turn, Job.id).limit(1)


def queue_position(db: Session, submission: Submission) -> int | None:
    """How many jobs of the submission's assignment will be taken before its own (0: next), in the
    order ``claim`` takes them; None when it waits for none."""
    mine = db.execute(
        select(Job.id, Job.turn)
        .where(Job.submission_id == submission.id, Job.state == WAITING)
        .order_by(Job.id)
        .limit(1)
    ).first()
    if mine is None:
        return None
    ahead = or_(Job.turn < mine.turn, and_(Job.turn == mine.turn, Job.id < mine.id))
    return db.scalar(select(func.count()).where(Job.assignment == submission.assignment, Job.state == WAITING, ahead))
