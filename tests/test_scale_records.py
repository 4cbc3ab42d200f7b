"""What the server's side of the task queue records and sends, and what a worker checks before it
grades, on the course's database (SQLite here; ``test_scale_out`` runs them on PostgreSQL with
Redis and real workers). Nothing here needs a broker: sends go to the outbox the dispatcher drains.
"""

from __future__ import annotations

import datetime as dt
import queue

import pytest
from sqlalchemy import select

from autograder.server.course import Course
from autograder.server.jobs import DatabaseQueue
from autograder.server.models import DONE, Job, Submission, User, now
from autograder.server.scale.broker import QueueUrlError, celery_app
from autograder.server.scale.dispatch import CeleryQueue, expire_leases
from autograder.server.scale.records import SubmissionContent
from autograder.server.scale.releases import Limits, ReleaseMismatch, matching, publish
from tests.course_server import course_folder, project_with

NAME = "logistic_regression"
NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


@pytest.fixture
def course(assignment, tmp_path) -> Course:
    opened = Course(course_folder(project_with(assignment, tmp_path / "project"), tmp_path / "course"))
    yield opened
    opened.engine.dispose()


def _received(course: Course, db) -> Submission:
    """A submission of the first student, its file on disk as ``receive`` leaves it."""
    user = db.scalar(select(User).where(User.login == "2026001"))
    submission = Submission(
        user_id=user.id, assignment=NAME, stored=f"uploads/{NAME}/1.ipynb", upload_name="mine.ipynb"
    )
    db.add(submission)
    db.flush()
    (course.folder / "uploads" / NAME).mkdir(parents=True, exist_ok=True)
    (course.folder / submission.stored).write_bytes(NOTEBOOK)
    return submission


@pytest.fixture
def sending(course) -> CeleryQueue:
    """The server's queue; what it would send to the broker is left in its ``outbox``."""
    return CeleryQueue(course.sessions, lease_seconds=60, course_folder=course.folder, outbox=queue.SimpleQueue())


def test_a_job_is_sent_once_its_transaction_commits_and_never_when_it_rolls_back(course, sending):
    outbox = sending.outbox
    with course.sessions() as db:
        sending.enqueue(db, _received(course, db))
        db.rollback()
        assert outbox.empty()
        submission = _received(course, db)
        sending.enqueue(db, submission)
        assert outbox.empty()  # not before the commit: a worker would find no job
        db.commit()
        job_id = db.scalar(select(Job.id).where(Job.submission_id == submission.id))
        assert db.get(SubmissionContent, submission.id).content == NOTEBOOK  # a worker elsewhere reads the bytes here
    assert outbox.get_nowait() == (NAME, job_id) and outbox.empty()
    assert sending.resend_waiting() == 1 and outbox.get_nowait() == (
        NAME,
        job_id,
    )  # what a restarted server sends again


def test_a_lapsed_lease_is_sent_again_once_and_its_old_holder_cannot_record(course, sending):
    with course.sessions() as db:
        sending.enqueue(db, _received(course, db))
        db.commit()
    leases = DatabaseQueue(course.sessions, lease_seconds=60)
    dead = leases.claim(NAME, "machine-a")
    assert (
        dead is not None and leases.claim(NAME, "machine-b", job_id=dead.job_id) is None
    )  # a second delivery grades nothing
    with course.sessions.begin() as db:
        assert expire_leases(db) == []  # still within its lease
        db.get(Job, dead.job_id).lease_expires_at = now() - dt.timedelta(
            seconds=1
        )  # machine-a stopped renewing a minute ago
    with course.sessions.begin() as db:
        assert expire_leases(db) == [(NAME, dead.job_id)]
        assert expire_leases(db) == []
    assert not leases.finish(dead, "machine-a", lambda db: None)
    again = leases.claim(NAME, "machine-b", job_id=dead.job_id)
    assert again is not None and again.attempts == 2
    assert leases.finish(again, "machine-b", lambda db: None)
    with course.sessions() as db:
        assert db.get(Job, dead.job_id).state == DONE


def test_a_worker_grades_only_with_the_servers_own_release(assignment, course, tmp_path):
    with course.sessions.begin() as db:
        publish(db, [course.offered[NAME].assignment], Limits(timeout=90.0, memory_mb=2048, lease_seconds=30.0))
    same = project_with(assignment, tmp_path / "machine-same")
    other = project_with(assignment, tmp_path / "machine-other")
    data = next(path for path in (other / "student_template" / NAME).iterdir() if path.suffix == ".txt")
    data.write_text(data.read_text() + "30,30,0\n")
    with course.sessions() as db:
        assert matching(db, same, ()) == ([NAME], Limits(90.0, 2048, 30.0))
        with pytest.raises(
            ReleaseMismatch,
            match=rf"release of {NAME} differs from the server's; copy the server's dist/{NAME}-autograder.zip",
        ):
            matching(db, other, ())
        with pytest.raises(ReleaseMismatch, match=rf"the server grades no kmeans \(it grades {NAME}\)"):
            matching(db, same, ("kmeans",))


@pytest.mark.parametrize("url", ["amqp://guest@localhost//", "http://queue:6379", "queue:6379"])
def test_a_queue_url_that_is_not_redis_is_refused(url):
    with pytest.raises(QueueUrlError, match=r"give a Redis URL, e.g. redis://HOST:6379/0"):
        celery_app(url)
