"""The course server's queue on its own database: leases, a dead worker's job going to another, a
grade recorded once, regrades."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from autograder.server import database
from autograder.server.jobs import DatabaseQueue, queue_position
from autograder.server.models import DONE, GRADED, QUEUED, RUNNING, WAITING, Job, Submission, User
from autograder.server.staff_actions import regrade

NAME = "logistic_regression"


@pytest.fixture
def sessions(tmp_path):
    engine = database.connect(f"sqlite:///{tmp_path / 'course.db'}")
    database.migrate(engine)
    yield database.sessions(engine)
    engine.dispose()


def _received(sessions, queue: DatabaseQueue, count: int) -> list[int]:
    """``count`` submissions of one student, each queued."""
    with sessions.begin() as db:
        student = User(login="2026001", student_id="2026001", name="张三", session_version=1)
        db.add(student)
        db.flush()
        made = []
        for number in range(count):
            submission = Submission(user_id=student.id, assignment=NAME, stored=f"uploads/{NAME}/{number}.ipynb")
            db.add(submission)
            db.flush()
            queue.enqueue(db, submission)
            made.append(submission.id)
    return made


def _grade(db, submission_id: int) -> None:
    submission = db.get(Submission, submission_id)
    submission.state, submission.score = GRADED, 10.0


def test_a_lease_that_runs_out_hands_the_job_to_another_worker_and_its_grade_counts_once(sessions):
    # A lease that has run out the moment it is given: the first worker is as good as dead.
    expiring = DatabaseQueue(sessions, lease_seconds=-1)
    (submission_id,) = _received(sessions, expiring, 1)
    first = expiring.claim(NAME, "machine-a:1")
    second = DatabaseQueue(sessions, lease_seconds=60).claim(NAME, "machine-b:2")
    assert second.job_id == first.job_id and second.attempts == 2
    assert not expiring.finish(
        first, "machine-a:1", lambda db: _grade(db, submission_id)
    )  # too late: its lease is gone
    with sessions() as db:
        assert db.get(Submission, submission_id).score is None
    assert expiring.finish(second, "machine-b:2", lambda db: _grade(db, submission_id))
    with sessions() as db:
        assert db.get(Submission, submission_id).state == GRADED
        assert [(job.state, job.attempts) for job in db.scalars(select(Job))] == [(DONE, 2)]


def test_a_held_lease_keeps_the_job_and_a_job_given_back_waits_again(sessions):
    queue = DatabaseQueue(sessions, lease_seconds=60)
    first_id, second_id = _received(sessions, queue, 2)
    claimed = queue.claim(NAME, "a")
    assert claimed.submission_id == first_id
    assert queue.claim(NAME, "b").submission_id == second_id  # the first is still a's
    assert queue.claim(NAME, "c") is None
    with sessions() as db:
        assert db.get(Submission, first_id).state == RUNNING
    queue.give_back(claimed, "a")
    with sessions() as db:
        submission = db.get(Submission, first_id)
        assert submission.state == QUEUED and queue_position(db, submission) == 0
    assert queue.claim(NAME, "c").submission_id == first_id


def test_regrading_queues_each_submission_once(sessions):
    queue = DatabaseQueue(sessions, lease_seconds=60)
    first_id, second_id = _received(sessions, queue, 2)
    claimed = queue.claim(NAME, "a")
    assert queue.finish(claimed, "a", lambda db: _grade(db, first_id))
    with sessions.begin() as db:
        everything = list(db.scalars(select(Submission)))
        assert regrade(db, queue, everything) == 1  # the second still waits for its first grading
    with sessions() as db:
        waiting = db.scalar(select(func.count()).select_from(Job).where(Job.state == WAITING))
        assert waiting == 2 and db.get(Submission, first_id).score == 10.0  # its last grade counts until the new one


def test_a_late_comer_goes_before_a_flooders_next_job_though_the_flooders_first_is_done(sessions):
    """Turns used to be counted among the jobs waiting or running, so with one sandbox free at a
    time the flooder's next job was always their first still waiting, and the oldest: the class
    waited behind the whole flood, though the position it was shown said otherwise."""
    queue = DatabaseQueue(sessions, lease_seconds=60)
    flood = _received(sessions, queue, 3)
    first = queue.claim(NAME, "worker")
    assert queue.finish(first, "worker", lambda db: _grade(db, flood[0]))
    with sessions.begin() as db:
        late_comer = User(login="2026002", student_id="2026002", name="李四", session_version=1)
        db.add(late_comer)
        db.flush()
        submission = Submission(user_id=late_comer.id, assignment=NAME, stored=f"uploads/{NAME}/late.ipynb")
        db.add(submission)
        db.flush()
        queue.enqueue(db, submission)
    with sessions() as db:
        assert queue_position(db, db.get(Submission, submission.id)) == 0
        assert queue_position(db, db.get(Submission, flood[1])) == 1
    assert [queue.claim(NAME, "worker").submission_id for _ in range(3)] == [submission.id, flood[1], flood[2]]
