"""Grading received submissions on the server's machine: a long-lived warm pool per assignment.

Each offered assignment gets a ``GradingLoop`` thread. It starts the assignment's pool once (the
batch grader's ``GradingFolder``, judge and ``Workers``, warmed up and kept) and feeds it jobs it
claims from the ``JobQueue`` only when a worker is free and the machine's budget of sandboxes at
once allows, so a scaled-out worker (``autograder worker``, later) can take the rest. Every job is
graded by a ``SubmissionGrader``, through the stages the batch hands its files to (intake's job,
judging's verdict, the records' results file and page): the same file gets the same grade online and
in a batch. Results are judged, written and recorded on a ``JudgingThread`` beside the pool, as the
batch does, so a worker that finishes gets its next job at once; a job whose grade could not be
recorded goes back to the queue. A heartbeat renews the leases of the jobs in flight.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import socket
import threading
import time
import uuid
from dataclasses import dataclass, replace
from typing import Callable, Iterator

from sqlalchemy.orm import Session

from autograder import sandbox
from autograder.grading.grading_folder import GradingFolder
from autograder.grading.intake import submissions
from autograder.grading.intake.received import Received
from autograder.grading.judging.grade import Grade
from autograder.grading.judging_thread import JudgingThread
from autograder.grading.records.class_outputs import FEEDBACK, RESULTS
from autograder.grading.submission_grader import GradeOptions, SubmissionGrader, hidden_paths, sandbox_limits
from autograder.sandbox.workers import NOTHING_YET, WORKER_DIED, Job, Workers
from autograder.server.course import Course, Offered
from autograder.server.jobs import MAX_ATTEMPTS, ClaimedJob, JobQueue
from autograder.server.models import GRADED, Submission, now

# How long the feed waits for a new job before letting the pool collect results again.
IDLE_WAIT_S = 0.2
CHANGED_SINCE_RECEIVED = (
    "crash: the server's copy of this submission changed on its disk since it was received "
    "(its SHA-256 is not the upload's), so it was not graded; ask the student to submit again"
)

log = logging.getLogger("autograder.server")


def worker_name() -> str:
    """Who holds a lease: this machine and process, and a nonce (a restarted server is another owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class AssignmentPool:
    """One assignment's grading kit, kept for the server's life: support folder, judge, warm workers."""

    def __init__(self, course: Course, offered: Offered, *, options: GradeOptions, first_slot: int):
        self.offered = offered
        for folder in (RESULTS, FEEDBACK):
            (course.graded(offered.name) / folder).mkdir(parents=True, exist_ok=True)
        self._folder = GradingFolder(offered.autograder)
        try:
            self.grader = SubmissionGrader(offered.autograder, self._folder.judge(), course.grading_context(offered))
            self.limits = sandbox_limits(options, hidden_paths(offered.assignment, course.folder, []))
            self.workers = Workers(
                options.workers, self._folder.worker_setup(offered.assignment), first_slot=first_slot
            )
        except BaseException:
            self._folder.__exit__(None, None, None)
            raise

    def close(self) -> None:
        try:
            self.workers.close()
        finally:
            self._folder.__exit__(None, None, None)


@dataclass
class _InFlight:
    claimed: ClaimedJob
    digest: str
    started: float


class GradingLoop(threading.Thread):
    """Claims one assignment's jobs and grades them on its pool (see the module docstring)."""

    def __init__(self, service: "GradingService", offered: Offered, first_slot: int):
        super().__init__(name=f"grading-{offered.name}", daemon=True)
        self.service, self.offered, self.first_slot = service, offered, first_slot
        self.wake = threading.Event()
        self.ready = threading.Event()  # the pool is warm
        self.failure: str = ""  # why the pool could not start
        self._in_flight: dict[str, _InFlight] = {}
        self._judging: JudgingThread | None = None
        self._to_give_back: queue.SimpleQueue[ClaimedJob] = queue.SimpleQueue()  # the queue refused them once

    def run(self) -> None:
        service = self.service
        try:
            pool = AssignmentPool(service.course, self.offered, options=service.options, first_slot=self.first_slot)
        except Exception as error:
            self.failure = f"{type(error).__name__}: {error}"
            log.exception("the grading pool of %s could not start", self.offered.name)
            self.ready.set()
            return
        self.ready.set()
        try:
            with JudgingThread() as self._judging:
                for job, result in pool.workers.run(self._feed(pool), wait_s=IDLE_WAIT_S):
                    service.budget.release()
                    self._judging.submit(self._finish, pool, self._in_flight.pop(job.key), result)
                    self._judging.raise_any_failure()
        except Exception:
            log.exception("the grading loop of %s stopped", self.offered.name)
        finally:
            pool.close()

    def _feed(self, pool: AssignmentPool) -> Iterator[Job]:
        service = self.service
        while not service.stopping.is_set():
            self._give_back_refused()
            if not service.budget.acquire(timeout=IDLE_WAIT_S):
                yield NOTHING_YET
                continue
            claimed = service.queue.claim(self.offered.name, service.owner)
            if claimed is None:
                service.budget.release()
                self.wake.wait(IDLE_WAIT_S)
                self.wake.clear()
                yield NOTHING_YET
                continue
            job = self._prepare(pool, claimed)
            if job is None:
                service.budget.release()
                continue
            service.on_started(self.offered.name, claimed.submission_id)
            yield job

    def _prepare(self, pool: AssignmentPool, claimed: ClaimedJob) -> Job | None:
        """The sandbox job for ``claimed``; None when it is graded without one (not a notebook,
        unreadable, changed since it was received, or claimed too often)."""
        received = claimed.received or self._stored(pool.grader, claimed)
        if isinstance(received, Grade):
            self._judging.submit(self._record, pool, claimed, received, 0.0)
            return None
        if claimed.attempts > MAX_ATTEMPTS:
            failed = pool.grader.judge.failed(
                claimed.file,
                received.digest,
                f"crash: grading stopped {MAX_ATTEMPTS} times before this submission finished",
            )
            self._judging.submit(self._record, pool, claimed, failed, 0.0)
            return None
        job = pool.grader.job_of(received, pool.limits)
        if isinstance(job, Grade):
            self._judging.submit(self._record, pool, claimed, job, 0.0)
            return None
        self._in_flight[claimed.file] = _InFlight(claimed, received.digest, time.monotonic())
        return job

    def _stored(self, grader: SubmissionGrader, claimed: ClaimedJob) -> Received | Grade:
        """``claimed`` read from its stored file (it was not held since it was received); a failed grade when
        the file no longer has the bytes received. An unreadable file's bytes say why, and it fails as no notebook."""
        path = self.service.course.folder / (claimed.local or claimed.stored)
        try:
            with path.open("rb") as handle:
                content = handle.read(submissions.MAX_NOTEBOOK_BYTES + 1)
        except OSError as error:
            content = f"unreadable: {error}".encode()
        else:
            if claimed.sha256 and hashlib.sha256(content).hexdigest() != claimed.sha256:
                return grader.judge.failed(claimed.file, grader.digest(content), CHANGED_SINCE_RECEIVED)
        return Received(
            submissions.Submission(claimed.file, path), content, grader.digest(content), grader.context.read
        )

    def _finish(self, pool: AssignmentPool, flight: _InFlight, result: sandbox.Result) -> None:
        """On the judging thread: judge ``result`` and record its grade (see ``_record``)."""
        claimed = flight.claimed
        try:
            grade = pool.grader.judged(claimed.file, flight.digest, result)
        except Exception:
            log.exception("%s could not be judged; it goes back to the queue", claimed.file)
            self._give_back(claimed)
            return
        if result.status == "crash" and result.detail == WORKER_DIED and claimed.attempts < MAX_ATTEMPTS:
            # The worker died under the job (killed, or the machine ran short): not the notebook's doing.
            log.warning("a grading worker died under %s; it goes back to the queue", claimed.file)
            self._give_back(claimed)
            return
        self._record(pool, claimed, grade, time.monotonic() - flight.started)

    def _record(self, pool: AssignmentPool, claimed: ClaimedJob, grade: Grade, seconds: float) -> None:
        """On the judging thread: write ``grade``'s page and results and record it with the job done. A grade
        that cannot be recorded (the database is away, say) costs nothing: the job goes back to the queue."""
        service = self.service
        try:
            grade = pool.grader.written(replace(grade, identity=claimed.identity, source=claimed.stored))
            recorded = service.queue.finish(
                claimed, service.owner, lambda db: _store_grade(db, claimed, grade, self.offered.possible, seconds)
            )
        except Exception:
            log.exception("the grade of %s could not be recorded; it goes back to the queue", claimed.file)
            self._give_back(claimed)
            return
        if recorded:
            service.on_graded(self.offered.name, claimed.submission_id)

    def _give_back(self, claimed: ClaimedJob) -> None:
        try:
            self.service.queue.give_back(claimed, self.service.owner)
        except Exception:
            # The heartbeat would renew its lease for ever: the feed tries again before its next claim.
            log.exception("%s could not go back to the queue; trying again", claimed.file)
            self._to_give_back.put(claimed)
        self.wake.set()

    def _give_back_refused(self) -> None:
        for _ in range(self._to_give_back.qsize()):
            self._give_back(self._to_give_back.get())


def _store_grade(db: Session, claimed: ClaimedJob, grade: Grade, possible: float, seconds: float) -> None:
    submission = db.get(Submission, claimed.submission_id)
    submission.state, submission.score, submission.possible = GRADED, grade.total, possible
    submission.status, submission.graded_at, submission.grading_seconds = grade.status, now(), round(seconds, 3)


class GradingService:
    """Every offered assignment's grading loop, a shared budget of sandboxes at once, and the heartbeat."""

    def __init__(
        self,
        course: Course,
        queue: JobQueue,
        *,
        on_graded: Callable[[str, int], None],
        options: GradeOptions | None = None,
        on_started: Callable[[str, int], None] | None = None,
        slots: range | None = None,
    ):
        settings = course.settings
        self.course, self.queue, self.on_graded = course, queue, on_graded
        self.on_started = on_started or (lambda assignment, submission_id: None)
        self.options = options or GradeOptions(
            workers=min(settings.workers, 2), timeout=settings.timeout, memory_mb=settings.memory_mb
        )
        self.owner = worker_name()
        self.budget = threading.BoundedSemaphore(settings.workers)
        self.stopping = threading.Event()
        # Each pool's sandboxes take slots (uids, cgroups) of their own: from ``slots`` (a worker's share), else 0.
        first = slots.start if slots is not None else 0
        self.loops = {
            name: GradingLoop(self, offered, first_slot=first + index * self.options.workers)
            for index, (name, offered) in enumerate(course.offered.items())
        }
        self._heartbeat = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)

    def start(self) -> None:
        for loop in self.loops.values():
            loop.start()
        self._heartbeat.start()

    def wake(self, assignment: str) -> None:
        """A job of ``assignment`` was queued: its loop claims it now rather than at its next look."""
        loop = self.loops.get(assignment)
        if loop is not None:
            loop.wake.set()

    def stop(self, *, wait_s: float = 5.0) -> None:
        """Stop claiming; jobs still running go back to the queue for the next start."""
        self.stopping.set()
        for loop in self.loops.values():
            loop.join(timeout=wait_s)
        give_back_all = getattr(self.queue, "give_back_all", None)
        if give_back_all is not None:
            give_back_all(self.owner)

    def _beat(self) -> None:
        every = self.course.settings.lease_seconds / 3
        while not self.stopping.wait(every):
            try:
                self.queue.renew(self.owner)
            except Exception:
                log.exception("could not renew the grading leases")
