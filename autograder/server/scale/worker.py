"""``autograder worker``: grade the course's submissions on this machine, taking jobs from the task queue.

The worker needs the kit's checkout with the server's release of each assignment it grades (checked
against the digest the server published), the task queue's URL and the course's database URL;
nothing of the server's disk. Its scratch folder is a course folder of its own: the settings the
server published, the submissions it is grading, and the pages it writes before they go to the
database. Each worker runs the embedded server's warm pools and loops, with as many sandboxes at
once as ``workers``; a Celery task waits, in a thread of its own, for its job to be graded. Its
sandboxes use a block of slots (uids) no other worker on the host holds, and it is registered in
the database while it runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Iterator

from celery import Celery
from celery.exceptions import SecurityWarning
from celery.signals import worker_ready

from autograder import KitError
from autograder.grading.submission_grader import GradeOptions
from autograder.sandbox import SANDBOX_UID_BASE
from autograder.server import database
from autograder.server.course import Course
from autograder.server.grading import GradingService
from autograder.server.jobs import DatabaseQueue
from autograder.server.scale import registry
from autograder.server.scale.broker import TASK, celery_app, queue_name, send_job
from autograder.server.scale.brokered import GIVEN_BACK, BrokeredQueue
from autograder.server.scale.releases import matching
from autograder.server.scale.slots import worker_slots
from autograder.server.settings import CourseSettings

# How often the worker checks that its grading loops still run.
LOOP_WATCH_S = 5.0

log = logging.getLogger("autograder.server")


class WorkerStartError(KitError, RuntimeError):
    """A grading pool of this worker could not start."""


def run_worker(
    project: Path,
    *,
    queue_url: str,
    database_url: str,
    workers: int = 2,
    assignments: tuple[str, ...] = (),
    scratch: Path | None = None,
) -> None:
    """Grade jobs from ``queue_url`` until stopped (SIGTERM or SIGINT: the jobs running are finished first).

    Raises:
        DatabaseError: the database is unreachable, or not migrated by a server of this kit.
        ReleaseMismatch: this checkout lacks a release the server grades with, or holds another.
        WorkerStartError: a grading pool could not start.
    """
    # Celery discourages root, where it would unpickle messages as root; these are JSON only, and the
    # sandboxes need root to run each submission as a uid of its own.
    warnings.filterwarnings("ignore", category=SecurityWarning)
    app = celery_app(queue_url)
    engine = database.connect(database_url)
    try:
        database.check_current(engine)
        with database.sessions(engine)() as db:
            names, limits = matching(db, project, assignments)
    finally:
        engine.dispose()
    with _scratch_folder(scratch) as folder, worker_slots(workers * len(names)) as slots:
        CourseSettings(
            project=str(Path(project).resolve()),
            assignments=tuple(names),
            workers=workers,
            timeout=limits.timeout,
            memory_mb=limits.memory_mb,
            lease_seconds=limits.lease_seconds,
        ).write(folder)
        course = Course(folder, database_url=database_url)
        brokered = BrokeredQueue(DatabaseQueue(course.sessions, lease_seconds=limits.lease_seconds), course)
        # Each assignment's pool as large as the machine's share: a grading machine is there to grade.
        options = GradeOptions(workers=workers, timeout=limits.timeout, memory_mb=limits.memory_mb)
        service = GradingService(course, brokered, on_graded=lambda *graded: None, options=options, slots=slots)
        brokered.wake = service.wake
        service.start()
        try:
            _wait_until_warm(service)
            with course.sessions.begin() as db:
                registry.register(
                    db, service.owner, assignments=names, sandboxes=workers, slots=slots, lease=brokered.database.lease
                )
            threading.Thread(target=_stop_if_a_loop_ends, args=(service,), name="loop-watch", daemon=True).start()
            uids = f"{SANDBOX_UID_BASE + slots.start}-{SANDBOX_UID_BASE + slots.stop - 1}"
            # Said once Celery has set up logging (it drops what is logged before).
            said = (
                f"grading {', '.join(names)} with {workers} sandboxes at once (sandbox uids {uids} as root); "
                f"scratch {folder}"
            )
            worker_ready.connect(lambda **_: log.info(said), weak=False)
            _consume(app, brokered, names, workers)
        finally:
            service.stop()
            with contextlib.suppress(Exception), course.sessions.begin() as db:
                registry.forget(db, service.owner)  # else its row lapses with its last lease
            course.engine.dispose()


def _consume(app: Celery, brokered: BrokeredQueue, names: list[str], workers: int) -> None:
    """Take ``names``' jobs from the broker, ``workers`` at once, each task in a thread of its own, until stopped."""
    _register_task(app, brokered)
    app.Worker(
        hostname=f"autograder-{os.getpid()}@{socket.gethostname()}",
        pool="threads",
        concurrency=workers,
        queues=[queue_name(name) for name in names],
        loglevel="INFO",
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
        optimization="fair",
    ).start()


def _register_task(app: Celery, brokered: BrokeredQueue) -> None:
    @app.task(name=TASK)
    def grade_job(job_id: int) -> None:
        delivery = brokered.deliver(int(job_id))
        if (
            delivery.outcome == GIVEN_BACK
        ):  # this worker stopped, or its sandbox died under the job: another delivery grades it
            send_job(app, delivery.assignment, delivery.job_id)


def _wait_until_warm(service: GradingService) -> None:
    for name, loop in service.loops.items():
        loop.ready.wait()
        if loop.failure:
            raise WorkerStartError(f"the grading pool of {name} could not start: {loop.failure}")


def _stop_if_a_loop_ends(service: GradingService) -> None:
    """A loop that stopped would leave its deliveries waiting for ever: give every job back and end the worker."""
    while not service.stopping.wait(LOOP_WATCH_S):
        ended = [name for name, loop in service.loops.items() if not loop.is_alive()]
        if ended:
            log.error("the grading loop of %s stopped; this worker gives its jobs back and ends", ", ".join(ended))
            service.stop()
            os.kill(os.getpid(), signal.SIGTERM)  # Celery shuts down once the tasks, now given back, return
            return


@contextlib.contextmanager
def _scratch_folder(scratch: Path | None) -> Iterator[Path]:
    """``scratch`` (kept), or a temporary folder removed at the end."""
    if scratch is not None:
        Path(scratch).mkdir(parents=True, exist_ok=True)
        yield Path(scratch).resolve()
        return
    folder = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
