"""Worker processes on one host: each holds a block of sandbox slots (uids) no other worker has, and
the server's wait estimates count the sandboxes of the workers registered now, not its own setting."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from autograder.grading.records.late import LatePolicy
from autograder.server import database
from autograder.server.app import create_app
from autograder.server.course import Course
from autograder.server.models import QUEUED, WAITING, Job, Submission, User
from autograder.server.scale import registry
from autograder.server.scale.slots import SLOT_BLOCK, NoFreeSlots, worker_slots
from autograder.server.status import grading_sandboxes, submission_status
from tests.course_server import course_folder, project_with

HOLD_A_BLOCK = """
import sys
from autograder.server.scale.slots import worker_slots
with worker_slots(int(sys.argv[2]), folder=sys.argv[1]) as slots:
    print(slots.start, slots.stop, flush=True)
    sys.stdin.read()  # held until the test closes stdin
"""


def _holder(folder, count: int) -> tuple[subprocess.Popen, range]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_BLOCK, str(folder), str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    start, stop = map(int, process.stdout.readline().split())
    return process, range(start, stop)


def test_two_workers_on_one_host_hold_slots_no_other_has_and_a_stopped_ones_are_free_again(tmp_path):
    first, first_slots = _holder(tmp_path, 4)
    second, second_slots = _holder(tmp_path, 4)
    try:
        assert not set(first_slots) & set(second_slots)
        assert (
            min(first_slots.start, second_slots.start) >= SLOT_BLOCK
        )  # block 0 is the batch grader's and the embedded server's
        first.kill()  # a worker that dies lets go of its block with its descriptors
        first.wait()
        third, third_slots = _holder(tmp_path, 2)
        assert third_slots.start == first_slots.start
        third.kill()
        third.wait()
    finally:
        second.kill()
        second.wait()


def test_a_worker_asking_for_more_slots_than_a_block_is_told_what_to_change(tmp_path):
    with pytest.raises(NoFreeSlots, match="lower --workers or split the assignments"):
        with worker_slots(SLOT_BLOCK + 1, folder=str(tmp_path)):
            pass


def test_a_slot_file_that_is_not_a_plain_file_is_refused(tmp_path):
    os.mkfifo(tmp_path / "autograder-worker-slots.1.lock")
    with pytest.raises(NoFreeSlots, match="not a plain file; remove it"):
        with worker_slots(1, folder=str(tmp_path)):
            pass


@pytest.fixture
def db(tmp_path):
    engine = database.connect(f"sqlite:///{tmp_path / 'course.db'}")
    database.migrate(engine)
    with database.sessions(engine)() as session:
        yield session
    engine.dispose()


def _queued(db, count: int) -> list[Submission]:
    student = User(login="2026001", student_id="2026001", name="张三")
    db.add(student)
    db.flush()
    submissions = [
        Submission(user_id=student.id, assignment="lesson", state=QUEUED, stored=f"uploads/lesson/{n}.ipynb")
        for n in range(count)
    ]
    db.add_all(submissions)
    db.flush()
    db.add_all([Job(submission_id=s.id, assignment="lesson", state=WAITING) for s in submissions])
    db.flush()
    return submissions


def _register(db, name: str, sandboxes: int, *, assignments=("lesson",), lease_s: float = 60) -> None:
    registry.register(
        db,
        name,
        assignments=list(assignments),
        sandboxes=sandboxes,
        slots=range(sandboxes),
        lease=dt.timedelta(seconds=lease_s),
    )


@pytest.mark.parametrize(
    "registered, expected_wait_s",
    [
        ((), 3 * 30.0),  # no worker has registered: the server's own setting (2 at once)
        (((4, 60),), 2 * 30.0),  # one live worker grading 4 at once
        (((4, 60), (4, 60)), 1 * 30.0),  # two of them
        (((4, 60), (8, -1)), 2 * 30.0),  # a worker whose registration lapsed is not counted
    ],
)
def test_the_wait_counts_the_sandboxes_of_the_workers_running_now(db, registered, expected_wait_s):
    submissions = _queued(db, 6)
    for number, (sandboxes, lease_s) in enumerate(registered):
        _register(db, f"host:{number}", sandboxes, lease_s=lease_s)
    if registered:
        _register(db, "other", 16, assignments=("another_lesson",))  # grades another assignment only
    status = submission_status(db, submissions[-1], LatePolicy(), workers=2, counted_id=None)
    assert status.position == 6 and status.expected_wait_s == expected_wait_s


@pytest.mark.parametrize("others", [True, False])
def test_with_no_worker_grading_the_assignment_the_wait_says_so(db, others):
    """Scaled out (the server's own sandboxes: 0), with workers of other assignments only, or none at all."""
    submissions = _queued(db, 2)
    if others:
        _register(db, "other", 16, assignments=("another_lesson",))
    status = submission_status(db, submissions[-1], LatePolicy(), workers=0, counted_id=None)
    assert status.expected_wait_s is None and "no grading machine is running now" in status.state_text


def test_a_stopped_worker_is_forgotten_and_a_renewed_one_stays(db):
    _queued(db, 1)
    _register(db, "stopping", 4, lease_s=60)
    _register(db, "beating", 4, lease_s=-1)
    registry.renew(db, "beating", lease=dt.timedelta(seconds=60))
    registry.forget(db, "stopping")
    assert registry.live_sandboxes(db, "lesson") == 4


def test_a_server_whose_workers_grade_counts_no_sandboxes_of_its_own(assignment, tmp_path):
    pytest.importorskip("celery", reason="celery is not installed (pip install 'celery[redis]')")
    course = Course(course_folder(project_with(assignment, tmp_path / "project"), tmp_path / "course"))
    create_app(course, queue_url="redis://127.0.0.1:9/0")  # nothing is sent before the app starts
    with course.sessions() as db:
        assert grading_sandboxes(db, assignment.name, configured=course.settings.workers) == 0
    course.engine.dispose()
