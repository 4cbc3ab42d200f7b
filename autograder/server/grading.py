"""Grading received submissions on the server's machine: a long-lived warm pool per assignment.

Each offered assignment gets a ``GradingLoop`` thread. It starts the assignment's pool once (the
batch grader's ``GradingFolder``, judge and ``Workers``, warmed up and kept) and feeds it jobs it
claims from the ``JobQueue`` only when a worker is free and the machine's budget of sandboxes at
once allows, so a scaled-out worker (``autograder worker``, later) can take the rest. Every job is
graded by the batch's own ``SubmissionGrader``: the same file gets the same grade online and in a
batch. A heartbeat renews the leases of the jobs in flight.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy.orm import Session

from autograder import sandbox
from autograder.grading.grading_folder import GradingFolder
from autograder.grading.intake.submissions import MAX_NOTEBOOK_BYTES
from autograder.grading.judging.grade import Grade
from autograder.grading.records.class_outputs import FEEDBACK, RESULTS
from autograder.grading.similarity.lesson_code import LessonCode
from autograder.grading.submission_grader import (
    GradeOptions,
    GradingContext,
    SubmissionGrader,
    hidden_paths,
    sandbox_limits,
)
from autograder.sandbox.workers import NOTHING_YET, WORKER_DIED, Job, Workers
from autograder.server.course import Course, Offered
from autograder.server.jobs import MAX_ATTEMPTS, ClaimedJob, JobQueue
from autograder.server.models import GRADED, Submission, now

# How long the feed waits for a new job before letting the pool collect results again.
IDLE_WAIT_S = 0.2

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
            judge = self._folder.judge()
            code = LessonCode.of(offered.assignment)
            context = GradingContext(
                course.graded(offered.name), offered.name, offered.autograder.manual_questions(), code.names
            )
            self.grader = SubmissionGrader(offered.autograder, judge, context)
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
            for job, result in pool.workers.run(self._feed(pool), wait_s=IDLE_WAIT_S):
                service.budget.release()
                self._finish(pool, self._in_flight.pop(job.key), result)
        except Exception:
            log.exception("the grading loop of %s stopped", self.offered.name)
        finally:
            pool.close()

    def _feed(self, pool: AssignmentPool) -> Iterator[Job]:
        service = self.service
        while not service.stopping.is_set():
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
            service.on_started(self.offered.name)
            yield job

    def _prepare(self, pool: AssignmentPool, claimed: ClaimedJob) -> Job | None:
        """The sandbox job for ``claimed``; None when it was graded without one (not a notebook,
        unreadable, or claimed too often)."""
        content = _read(self.service.course.folder / (claimed.local or claimed.stored))
        digest = pool.grader.digest(content)
        if claimed.attempts > MAX_ATTEMPTS:
            failed = pool.grader.judge.failed(
                claimed.file, digest, f"crash: grading stopped {MAX_ATTEMPTS} times before this submission finished"
            )
            self._record(pool, claimed, failed, 0.0)
            return None
        job = pool.grader.job(claimed.file, content, pool.limits)
        if isinstance(job, Grade):
            self._record(pool, claimed, job, 0.0)
            return None
        self._in_flight[claimed.file] = _InFlight(claimed, digest, time.monotonic())
        return job

    def _finish(self, pool: AssignmentPool, flight: _InFlight, result: sandbox.Result) -> None:
        grade = pool.grader.judged(flight.claimed.file, flight.digest, result)
        if result.status == "crash" and result.detail == WORKER_DIED and flight.claimed.attempts < MAX_ATTEMPTS:
            # The worker died under the job (killed, or the machine ran short): not the notebook's doing.
            log.warning("a grading worker died under %s; it goes back to the queue", flight.claimed.file)
            self.service.queue.give_back(flight.claimed, self.service.owner)
            self.wake.set()
            return
        self._record(pool, flight.claimed, grade, time.monotonic() - flight.started)

    def _record(self, pool: AssignmentPool, claimed: ClaimedJob, grade: Grade, seconds: float) -> None:
        service = self.service
        with service.course.sessions() as db:
            user = db.get(Submission, claimed.submission_id).user
            # The server authenticated the upload: its account says whose it is, not the notebook's cell.
            identity = {"name": user.name, "student_id": user.student_id or user.login}
        grade = pool.grader.written(replace(grade, identity=identity, source=claimed.stored))
        recorded = service.queue.finish(
            claimed, service.owner, lambda db: _store_grade(db, claimed, grade, self.offered.possible, seconds)
        )
        if recorded:
            service.on_graded(self.offered.name)


def _store_grade(db: Session, claimed: ClaimedJob, grade: Grade, possible: float, seconds: float) -> None:
    submission = db.get(Submission, claimed.submission_id)
    submission.state, submission.score, submission.possible = GRADED, grade.total, possible
    submission.status, submission.graded_at, submission.grading_seconds = grade.status, now(), round(seconds, 3)


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as error:
        return f"unreadable: {error}".encode()


class GradingService:
    """Every offered assignment's grading loop, a shared budget of sandboxes at once, and the heartbeat."""

    def __init__(
        self,
        course: Course,
        queue: JobQueue,
        *,
        on_graded: Callable[[str], None],
        options: GradeOptions | None = None,
        on_started: Callable[[str], None] | None = None,
        slots: range | None = None,
    ):
        settings = course.settings
        self.course, self.queue, self.on_graded = course, queue, on_graded
        self.on_started = on_started or (lambda assignment: None)
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
