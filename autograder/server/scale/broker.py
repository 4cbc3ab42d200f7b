"""The Celery application the server sends grading tasks with and workers consume them with.

A task carries one job id and nothing else: the database says what the job is. Tasks are
acknowledged late (after the grade is recorded), so a worker that dies holding one leaves it
unacknowledged for the broker to deliver again; the job's lease in the database decides who grades
it, so a second delivery is harmless. Messages are JSON only: nothing a broker holds is unpickled.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from celery import Celery

from autograder import KitError

TASK = "autograder.grade_job"
# Redis hands an unacknowledged message to another consumer after this long. The lease in the
# database, not this, returns a dead worker's job within seconds; this only covers a worker that
# died between taking a message and claiming its job, a window of milliseconds.
VISIBILITY_TIMEOUT_S = 15 * 60
SCHEMES = ("redis", "rediss", "redis+socket")


class QueueUrlError(KitError, ValueError):
    """The task queue's URL is not one this kit can use."""


def queue_name(assignment: str) -> str:
    """The broker queue of ``assignment``'s jobs: a worker consumes only the assignments it holds a release of."""
    return f"autograder.grade.{assignment}"


def celery_app(url: str) -> Celery:
    """The Celery application on the Redis broker at ``url``."""
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise QueueUrlError(
            f"--queue {url!r}: give a Redis URL, e.g. redis://HOST:6379/0 (schemes: {', '.join(SCHEMES)})"
        )
    app = Celery("autograder", broker=url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a worker takes no more jobs than it has sandboxes for
        task_ignore_result=True,  # grades go to the database
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=True,
        worker_send_task_events=False,
        task_default_queue=queue_name("unrouted"),
    )
    return app


def send_job(app: Celery, assignment: str, job_id: int) -> None:
    """Ask a worker holding ``assignment`` to grade job ``job_id``."""
    app.send_task(TASK, args=[job_id], queue=queue_name(assignment))
