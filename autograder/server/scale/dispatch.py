"""The server's side of the task queue: jobs recorded in the database, then announced to the broker.

``CeleryQueue.enqueue`` records the job as the embedded queue does and copies the submission's
bytes into the database, in the caller's transaction. Only once that commits is the job's id sent
(a worker must find the job when the task arrives), by the ``Dispatcher`` thread, so a request
never waits on the broker and a broker that is down delays grading without losing a job: the
dispatcher keeps trying, and the server's sweeps send again whatever is still waiting.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from celery import Celery
from sqlalchemy import and_, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from autograder.grading.intake.received import Received
from autograder.server.jobs import DatabaseQueue
from autograder.server.models import LEASED, QUEUED, RUNNING, WAITING, Job, Submission, now
from autograder.server.scale.broker import send_job
from autograder.server.scale.records import SubmissionContent

# A send the broker refused is tried again after this long.
RETRY_S = 2.0
_PENDING = "autograder_jobs_to_send"

log = logging.getLogger("autograder.server")


class CeleryQueue(DatabaseQueue):
    """The embedded queue's record in the database, with every committed job sent to the broker."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        lease_seconds: float,
        course_folder: Path,
        outbox: "queue.SimpleQueue[tuple[str, int]]",
    ):
        super().__init__(sessions, lease_seconds=lease_seconds)
        self.course_folder, self.outbox = course_folder, outbox
        event.listen(sessions, "after_commit", self._committed)
        event.listen(sessions, "after_rollback", lambda db: db.info.pop(_PENDING, None))

    def enqueue(self, db: Session, submission: Submission, received: Received | None = None) -> None:
        super().enqueue(db, submission)
        self.store_content(db, submission, received)
        db.flush()
        job_id = db.scalar(
            select(Job.id)
            .where(Job.submission_id == submission.id, Job.state == WAITING)
            .order_by(Job.id.desc())
            .limit(1)
        )
        db.info.setdefault(_PENDING, []).append((submission.assignment, job_id))

    def store_content(self, db: Session, submission: Submission, received: Received | None = None) -> None:
        """Copy the submission's bytes (as ``received``, else from its file) into the database, where workers on
        other machines read them."""
        if db.get(SubmissionContent, submission.id) is None:
            stored = self.course_folder / submission.stored
            content = received.content if received is not None else stored.read_bytes()
            db.add(SubmissionContent(submission_id=submission.id, content=content))

    def resend_waiting(self) -> int:
        """Send every waiting job again (its task may have died with the broker or the server); how many."""
        with self.sessions.begin() as db:
            waiting = list(
                db.execute(
                    select(Job.assignment, Job.id, Job.submission_id).where(Job.state == WAITING).order_by(Job.id)
                )
            )
            for _assignment, _job_id, submission_id in waiting:
                self.store_content(db, db.get(Submission, submission_id))  # queued before the server scaled out
        for assignment, job_id, _submission_id in waiting:
            self.outbox.put((assignment, job_id))
        return len(waiting)

    def _committed(self, db: Session) -> None:
        for pending in db.info.pop(_PENDING, []):
            self.outbox.put(pending)


def expire_leases(db: Session) -> list[tuple[str, int]]:
    """Put back every job whose lease ran out (its worker died or was cut off); the jobs put back.

    Each is put back once: its lease is cleared, so the next sweep does not send it again, and a
    worker that was only cut off cannot record a grade for it any more (``DatabaseQueue.finish``).
    """
    moment = now()
    expired = and_(Job.state == LEASED, Job.lease_expires_at < moment)
    back = []
    for assignment, job_id, submission_id in db.execute(
        select(Job.assignment, Job.id, Job.submission_id).where(expired).order_by(Job.id)
    ):
        taken = db.execute(
            update(Job).where(Job.id == job_id, expired).values(state=WAITING, lease_owner=None, lease_expires_at=None)
        )
        if taken.rowcount == 1:
            db.execute(
                update(Submission)
                .where(Submission.id == submission_id, Submission.state == RUNNING)
                .values(state=QUEUED)
            )
            back.append((assignment, job_id))
    return back


class Dispatcher(threading.Thread):
    """Sends the job ids put in ``outbox`` to the broker, in order, retrying while it is down."""

    def __init__(self, app: Celery, outbox: "queue.SimpleQueue[tuple[str, int]]"):
        super().__init__(name="task-dispatcher", daemon=True)
        self.app, self.outbox = app, outbox
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                assignment, job_id = self.outbox.get(timeout=1.0)
            except queue.Empty:
                continue
            while not self.stopping.is_set():
                try:
                    send_job(self.app, assignment, job_id)
                    break
                except Exception as error:  # the broker is down or unreachable: the job waits in the database meanwhile
                    log.warning(
                        "could not send job %s to the task queue (%s); trying again in %g s", job_id, error, RETRY_S
                    )
                    self.stopping.wait(RETRY_S)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
