"""The server's grading when workers run on other machines (``autograder serve --queue URL``).

It stands where the embedded ``GradingService`` stands, with the same ``start``/``wake``/``stop``:
on start it publishes the releases it grades with and sends again every job still waiting (its task
may have been lost with the broker or a server killed before it sent it); then it collects the
grades workers record, and sends again the jobs whose worker stopped renewing its lease.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable

from autograder.server.course import Course
from autograder.server.scale.broker import celery_app
from autograder.server.scale.collect import collect
from autograder.server.scale.dispatch import CeleryQueue, Dispatcher, expire_leases
from autograder.server.scale.releases import Limits, publish

# How often grades recorded by workers are looked for: the most a student waits beyond the grading.
COLLECT_EVERY_S = 0.5

log = logging.getLogger("autograder.server")


@dataclass
class RemotePool:
    """What the staff pages show of an assignment's grading pool: its pools run on the workers,
    which report their own failures when they start."""

    failure: str = ""


class ScaledOutService:
    """See the module docstring."""

    def __init__(self, course: Course, queue_url: str, *, on_graded: Callable[[str, int | None], None]):
        self.course, self.on_graded = course, on_graded
        outbox: queue.SimpleQueue[tuple[str, int]] = queue.SimpleQueue()
        self.app = celery_app(queue_url)
        self.queue = CeleryQueue(
            course.sessions, lease_seconds=course.settings.lease_seconds, course_folder=course.folder, outbox=outbox
        )
        self.loops = {name: RemotePool() for name in course.offered}
        self.stopping = threading.Event()
        self._outbox = outbox
        self._dispatcher = Dispatcher(self.app, outbox)
        self._thread = threading.Thread(target=self._run, name="scaled-out-grading", daemon=True)

    def start(self) -> None:
        settings = self.course.settings
        with self.course.sessions.begin() as db:
            publish(
                db,
                [offered.assignment for offered in self.course.offered.values()],
                Limits(settings.timeout, settings.memory_mb, settings.lease_seconds),
            )
            expire_leases(db)  # sent with the waiting ones below
        resent = self.queue.resend_waiting()
        if resent:
            log.info("sent %s waiting jobs to the task queue again", resent)
        self._dispatcher.start()
        self._thread.start()

    def wake(self, assignment: str) -> None:
        """Nothing to wake here: the broker delivers each job to a worker as soon as it is sent."""

    def stop(self, *, wait_s: float = 5.0) -> None:
        self.stopping.set()
        self._thread.join(timeout=wait_s)
        self._dispatcher.stop()

    def _run(self) -> None:
        sweep_every = self.course.settings.lease_seconds / 3
        next_sweep = time.monotonic() + sweep_every
        while not self.stopping.wait(COLLECT_EVERY_S):
            try:
                for assignment in collect(self.course):
                    self.on_graded(assignment, None)  # any of its submissions: their waiting requests look again
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + sweep_every
                    self._send_expired()
            except Exception:  # the database is away for a moment: the next round tries again
                log.exception("could not collect grades or sweep expired leases")

    def _send_expired(self) -> None:
        with self.course.sessions.begin() as db:
            back = expire_leases(db)
        for assignment, job_id in back:
            log.warning("job %s: its worker's lease ran out; it goes to another worker", job_id)
            self._outbox.put((assignment, job_id))
