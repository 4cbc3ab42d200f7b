"""The course server's grading loop: each upload is read once (receiving reads, hashes and parses it,
and the loop grades that same reading), and a grade recorded beside the pool that fails loses nothing.

A job whose upload is no longer held in memory (past the held bytes, after a restart or a regrade)
is graded from its stored file, and only while that file has the SHA-256 of the bytes received."""

from __future__ import annotations

import collections
import logging
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from autograder.grading import submission_grader
from autograder.server.course import Course
from autograder.server.grading import CHANGED_SINCE_RECEIVED, GradingService
from autograder.server.held_uploads import HeldUploads
from autograder.server.jobs import DatabaseQueue
from autograder.server.models import DONE, GRADED, Job, Submission, User
from autograder.server.receive import receive
from autograder.server.uploads import INCOMING, Upload
from tests.corpus.honest import write_corpus
from tests.course_server import course_folder, project_with
from tests.test_read_once import _opened  # the batch's count of the files each path opens

CORRECT = "correct_course_style"
STUDENTS = ("2026001", "2026002", "2026003")


def _upload(course: Course, name: str, content: bytes) -> Upload:
    """A file as the upload handler leaves it: in the course's incoming folder, under the server's name."""
    path = course.folder / INCOMING / f".upload-{name}.part"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return Upload(path, len(content), name)


@pytest.fixture
def correct(student_template, tmp_path) -> bytes:
    write_corpus(tmp_path / "corpus", student_template, names=(CORRECT,))
    return (tmp_path / "corpus" / f"{CORRECT}.ipynb").read_bytes()


@pytest.fixture
def course(assignment, tmp_path):
    opened = Course(course_folder(project_with(assignment, tmp_path / "project"), tmp_path / "course"))
    yield opened
    opened.engine.dispose()


@pytest.mark.slow
def test_an_upload_is_read_once_and_a_stored_file_that_changed_is_not_graded(course, correct, monkeypatch):
    offered = next(iter(course.offered.values()))
    # Room for one upload: the second and third are graded from their stored files.
    queue = DatabaseQueue(course.sessions, lease_seconds=60, held=HeldUploads(course.sessions, limit=len(correct) + 9))
    parsed = collections.Counter()
    real_read = submission_grader.read_submission

    def counting_read(file, content, **options):
        parsed[file] += 1
        return real_read(file, content, **options)

    monkeypatch.setattr(submission_grader, "read_submission", counting_read)
    _opened.append(collections.Counter())
    try:
        with course.sessions() as db:
            ids = []
            for login in STUDENTS:
                user = db.scalar(select(User).where(User.login == login))
                ids.append(receive(course, queue, db, user, offered, _upload(course, login, correct)).id)
            stored = {i: course.folder / db.get(Submission, i).stored for i in ids}
        held, unchanged, changed = ids
        stored[changed].write_bytes(correct.replace(b"def sigmoid", b"def sigmoid_not"))
        received_opens = {i: _opened[0][str(stored[i].resolve())] for i in ids}
        assert parsed == collections.Counter({"upload.ipynb": 3})  # each upload parsed once, when received

        _grade_all(course, queue, ids)
        graded_opens = {i: _opened[0][str(stored[i].resolve())] - received_opens[i] for i in ids}
    finally:
        _opened.pop()

    assert graded_opens == {held: 0, unchanged: 1, changed: 1}
    assert parsed == collections.Counter({"upload.ipynb": 3, f"{STUDENTS[1]}-{unchanged}.ipynb": 1})
    with course.sessions() as db:
        rows = {i: db.get(Submission, i) for i in ids}
        assert {i: row.state for i, row in rows.items()} == dict.fromkeys(ids, GRADED)
        assert rows[held].score == rows[unchanged].score == offered.possible
        assert rows[changed].score == 0
        assert rows[changed].status == CHANGED_SINCE_RECEIVED


class _RefusesFirstRecord(DatabaseQueue):
    """The course's queue, whose first attempt to record a grade fails as a locked database would."""

    refused = 0

    def finish(self, job, owner, record) -> bool:
        if not self.refused:
            self.refused += 1
            raise OperationalError("UPDATE jobs", {}, Exception("database is locked"))
        return super().finish(job, owner, record)


@pytest.mark.slow
def test_a_grade_that_cannot_be_recorded_goes_back_to_the_queue_and_is_graded_once(course, correct, caplog):
    offered = next(iter(course.offered.values()))
    queue = _RefusesFirstRecord(course.sessions, lease_seconds=60)
    with course.sessions() as db:
        user = db.scalar(select(User).where(User.login == STUDENTS[0]))
        submission_id = receive(course, queue, db, user, offered, _upload(course, STUDENTS[0], correct)).id

    with caplog.at_level(logging.ERROR, logger="autograder.server"):
        _grade_all(course, queue, [submission_id])

    assert queue.refused == 1
    assert f"the grade of {STUDENTS[0]}-{submission_id}.ipynb could not be recorded" in caplog.text
    assert "database is locked" in caplog.text
    with course.sessions() as db:
        assert db.get(Submission, submission_id).score == offered.possible
        jobs = db.scalars(select(Job).where(Job.submission_id == submission_id))
        assert [(job.state, job.attempts) for job in jobs] == [(DONE, 2)]


def _grade_all(course: Course, queue: DatabaseQueue, ids: list[int]) -> None:
    """Grade the queued jobs on the course's warm pool; return once every one of ``ids`` is recorded."""
    waiting, all_graded = set(ids), threading.Event()

    def on_graded(assignment: str, submission_id: int) -> None:
        waiting.discard(submission_id)
        if not waiting:
            all_graded.set()

    service = GradingService(course, queue, on_graded=on_graded)
    service.start()
    try:
        assert all_graded.wait(600), f"submissions {sorted(waiting)} were not graded in 10 minutes"
    finally:
        service.stop()
