"""A worker's queue: the jobs the broker delivers, claimed and recorded in the course's database.

The worker grades with the embedded server's own loops (``autograder.server.grading``); this is
the ``JobQueue`` they claim from. A Celery task hands over a job id (``deliver``) and waits; when
the loop of the job's assignment has a sandbox free, it claims in the database the job whose turn
it is, as the embedded queue does: each student's next waiting job before anyone's one after it
(``autograder.server.jobs``). A task is a turn to grade one job of its assignment, not an order for
its own: the broker hands tasks out in the order they were sent, so one student's hundred uploads
would otherwise hold every worker until they were done. The server sends a task for every job it
queues, so there are never fewer tasks than waiting jobs; a task that finds none left to claim
(its job was taken by an earlier turn, or graded) is acknowledged. The submission's bytes come
from the database into this worker's scratch folder; the grade, its feedback page and results file
go back in one transaction, while this worker still holds the lease.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from autograder.grading.records.class_outputs import FEEDBACK, RESULTS
from autograder.grading.records.outputs import page_name
from autograder.server.course import Course
from autograder.server.jobs import ClaimedJob, DatabaseQueue
from autograder.server.models import RUNNING, Job, Submission, now
from autograder.server.scale import registry
from autograder.server.scale.records import GradedOutput, SubmissionContent

# What became of a delivered job.
GRADED, TAKEN, GIVEN_BACK = "graded", "taken", "given back"
# Where claimed submissions' bytes wait, under the worker's scratch folder.
INCOMING = "incoming"

log = logging.getLogger("autograder.server")


@dataclass
class Delivery:
    """One task's job, and how its grading ended (``outcome``, once ``settled`` is set)."""

    job_id: int
    assignment: str
    settled: threading.Event = field(default_factory=threading.Event)
    outcome: str = ""

    def settle(self, outcome: str) -> None:
        self.outcome = outcome
        self.settled.set()


class BrokeredQueue:
    """The ``JobQueue`` a worker's grading loops claim from (see the module docstring)."""

    def __init__(self, database: DatabaseQueue, course: Course):
        self.database, self.course = database, course
        self.wake: Callable[[str], None] = lambda assignment: None  # the grading service's, once it exists
        self._delivered: dict[str, queue.SimpleQueue[Delivery]] = {name: queue.SimpleQueue() for name in course.offered}
        self._held: dict[int, Delivery] = {}
        self._closed = False
        self._lock = threading.Lock()

    def deliver(self, job_id: int) -> Delivery:
        """A turn to grade a job of job ``job_id``'s assignment, handed to its loop; return once the job
        claimed on it is recorded, none was left to claim, or it was given back."""
        with self.database.sessions() as db:
            assignment = db.scalar(select(Job.assignment).where(Job.id == job_id)) or ""
        delivery = Delivery(job_id, assignment)
        if assignment not in self._delivered:
            log.warning(
                "job %s: no job of an assignment this worker grades (%s); dropped", job_id, assignment or "no such job"
            )
            delivery.settle(TAKEN)
            return delivery
        with self._lock:
            if self._closed:
                delivery.settle(GIVEN_BACK)
                return delivery
            self._delivered[assignment].put(delivery)
        self.wake(assignment)
        delivery.settled.wait()
        return delivery

    def enqueue(self, db: Session, submission: Submission) -> None:
        raise NotImplementedError("a worker grades jobs; the server queues them")

    def claim(self, assignment: str, owner: str, *, job_id: int | None = None) -> ClaimedJob | None:
        waiting = self._delivered[assignment]
        while True:
            try:
                delivery = waiting.get_nowait()
            except queue.Empty:
                return None
            claimed = self.database.claim(assignment, owner)
            if claimed is None:
                delivery.settle(TAKEN)  # every job is graded already, or another worker holds it
                continue
            # The loop reads this worker's copy; the grade still names the file the server stored.
            claimed = replace(claimed, local=f"{INCOMING}/{claimed.job_id}")
            self._fetch(claimed)
            with self._lock:
                self._held[claimed.job_id] = delivery
            log.info("job %s (%s): claimed, attempt %s", claimed.job_id, claimed.file, claimed.attempts)
            return claimed

    def renew(self, owner: str) -> None:
        self.database.renew(owner)
        with self.database.sessions.begin() as db:
            registry.renew(db, owner, lease=self.database.lease)  # still grading: the server counts its sandboxes

    def finish(self, job: ClaimedJob, owner: str, record: Callable[[Session], None]) -> bool:
        outputs = self._outputs(job)

        def record_with_outputs(db: Session) -> None:
            record(db)
            _store_outputs(db, job, *outputs)
            # The server calls it graded once it holds the pages (``collect``).
            db.get(Submission, job.submission_id).state = RUNNING

        try:
            try:
                recorded = self.database.finish(job, owner, record_with_outputs)
            except IntegrityError:  # another worker stored this submission's first outputs at the same moment
                recorded = self.database.finish(job, owner, record_with_outputs)
            log.info(
                "job %s (%s): %s", job.job_id, job.file, "recorded" if recorded else "not recorded: the lease was lost"
            )
            return recorded
        finally:
            self._release(job, GRADED)

    def give_back(self, job: ClaimedJob, owner: str) -> None:
        self.database.give_back(job, owner)
        self._release(job, GIVEN_BACK)

    def give_back_all(self, owner: str) -> None:
        """Return every job held or waiting here (the worker is stopping); later deliveries are given back at once."""
        self.database.give_back_all(owner)
        with self._lock:
            self._closed = True
            dropped = list(self._held.values())
            self._held.clear()
            for waiting in self._delivered.values():
                while not waiting.empty():
                    dropped.append(waiting.get_nowait())
        for delivery in dropped:
            delivery.settle(GIVEN_BACK)

    def _fetch(self, job: ClaimedJob) -> None:
        """Write the submission's bytes where the loop reads them; with none in the database the loop
        finds no file and grades it as unreadable, as the embedded server does a lost file."""
        with self.database.sessions() as db:
            content = db.get(SubmissionContent, job.submission_id)
        if content is None:
            log.warning("job %s: the database holds no bytes of submission %s", job.job_id, job.submission_id)
            return
        target = self.course.folder / job.local
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.content)

    def _outputs(self, job: ClaimedJob) -> tuple[str, str]:
        """The results file and feedback page the loop just wrote for ``job`` ("" for one it could not write)."""
        name, graded = page_name(job.file), self.course.graded(job.assignment)
        return _text(graded / RESULTS / f"{name}.json"), _text(graded / FEEDBACK / f"{name}.html")

    def _release(self, job: ClaimedJob, outcome: str) -> None:
        (self.course.folder / job.local).unlink(missing_ok=True)
        with self._lock:
            delivery = self._held.pop(job.job_id, None)
        if delivery is not None:
            delivery.settle(outcome)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _store_outputs(db: Session, job: ClaimedJob, results: str, feedback: str) -> None:
    output = db.get(GradedOutput, job.submission_id) or GradedOutput(submission_id=job.submission_id)
    output.job_id, output.results, output.feedback, output.collected, output.recorded_at = (
        job.job_id,
        results,
        feedback,
        False,
        now(),
    )
    db.add(output)
