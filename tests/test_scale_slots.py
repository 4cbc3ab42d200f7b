"""Worker processes on one host: each holds a block of sandbox slots (uids) no other worker has, and
the server's wait estimates count the sandboxes of the workers registered now, not its own setting."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.grading.records.late import LatePolicy
from autograder.server import database
from autograder.server.app import create_app
from autograder.server.course import Course
from autograder.server.models import QUEUED, WAITING, Job, Submission, User
from autograder.server.scale import registry
from autograder.server.scale.slots import SLOT_BLOCK, NoFreeSlots, UnsafeSlotFolder, slot_folder, worker_slots
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
    os.mkfifo(Path(slot_folder(str(tmp_path))) / "block.1.lock")
    with pytest.raises(UnsafeSlotFolder, match="not a plain file of this worker's user; remove it"):
        with worker_slots(1, folder=str(tmp_path)):
            pass


def _shared_gate(tmp_path) -> Path:
    """A gate folder as /run/lock is: every user may make files in it, and reach it."""
    gate = tmp_path / "gate"
    gate.mkdir()
    gate.chmod(0o1777)
    for parent in gate.parents:
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o711)
    return gate


NOBODY = 65534


def _as_nobody_lock(path: Path) -> str:
    """What a process of user nobody got trying to open (or make) ``path`` and lock it: "locked" or the error's name."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.close(read)
        outcome = "locked"
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            outcome = type(error).__name__
        os.write(write, outcome.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        outcome = answer.read()
    os.waitpid(child, 0)
    return outcome


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root, to try the files as another user")
def test_no_other_user_may_lock_or_make_a_workers_slot_files(tmp_path):
    """The block files were 0666 in the host's shared gate folder: any local user could lock every
    block (each worker then found no free one) or one a running worker was about to take."""
    gate = _shared_gate(tmp_path)
    with worker_slots(2, folder=str(gate)) as slots:
        private = Path(slot_folder(str(gate)))
        held = private / f"block.{slots.start // SLOT_BLOCK}.lock"
        assert stat.S_IMODE(private.stat().st_mode) == 0o700 and stat.S_IMODE(held.stat().st_mode) == 0o600
        assert [path.name for path in gate.iterdir()] == [private.name]
        for target in (held, private / "block.2.lock"):  # the block held, and the next worker's
            assert _as_nobody_lock(target) == "PermissionError", target


@pytest.mark.parametrize(
    "made, words",
    [
        ("open to others", "is open to other users (mode 777, not 700)"),
        ("another user's", "belongs to uid 65534, not this worker's user"),
        ("a file", "is not a folder"),
    ],
)
def test_a_slot_folder_others_could_use_is_refused_with_what_to_do(tmp_path, made, words):
    path = tmp_path / f"autograder-worker-slots.{os.geteuid()}"
    if made == "a file":
        path.write_text("")
    else:
        path.mkdir()
        path.chmod(0o777)
        if made == "another user's":
            if os.geteuid() != 0:
                pytest.skip("needs root, to give the folder to another user")
            path.chmod(0o700)
            os.chown(path, NOBODY, NOBODY)
    with pytest.raises(UnsafeSlotFolder, match=re.escape(words) + ".*Remove it \\(rm -r "):
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
