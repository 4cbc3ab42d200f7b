"""The course server's newest paths as a student out to disrupt it would use them, through the code
each upload takes (``receive`` and the queue the server's grading loop claims from)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import nbformat
import pytest
from sqlalchemy import select

from autograder.server.course import Course
from autograder.server.held_uploads import HeldUploads
from autograder.server.jobs import DatabaseQueue
from autograder.server.models import Submission, User, now
from autograder.server.receive import receive
from autograder.server.staff_actions import set_extension
from autograder.server.tokens import (
    KEPT_INACTIVE,
    MAX_MADE_TOKENS,
    REVOKED,
    UNKNOWN,
    is_active,
    issue_token,
    token_holder,
    tokens_of,
)
from autograder.server.upload_refusals import UploadRefused
from tests.course_server import STAFF, course_folder, project_with
from tests.test_server_read_once import _upload  # a file as the upload handler leaves it

UNPACKED_MB = 4


@pytest.fixture
def course(assignment, tmp_path):
    opened = Course(course_folder(project_with(assignment, tmp_path / "project"), tmp_path / "course"))
    yield opened
    opened.engine.dispose()


def _notebook(course: Course, text_mb: float) -> bytes:
    name = next(iter(course.offered))
    cells = [nbformat.v4.new_markdown_cell("a" * int(text_mb * 2**20))]
    return nbformat.writes(
        nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": name}}, cells=cells)
    ).encode()


def _zipped(course: Course, notebook: bytes) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as written:
        written.writestr(f"{next(iter(course.offered))}.ipynb", notebook)
    return archive.getvalue()


def test_a_zip_is_held_at_the_size_of_its_notebook_not_of_the_zip(course):
    """A 4 KB zip unpacks to a 4 MiB notebook, held parsed in the server's memory until graded; the
    budget counted the zip, so a few hundred such uploads of one student held gigabytes (40 MB of the
    server's memory each for 40 KB of budget, measured over HTTP)."""
    offered = next(iter(course.offered.values()))
    held = HeldUploads(course.sessions, limit=UNPACKED_MB * 2**20 // 2)
    queue = DatabaseQueue(course.sessions, lease_seconds=60, held=held)
    bomb = _zipped(course, _notebook(course, UNPACKED_MB))
    small = _notebook(course, 0.01)
    assert len(bomb) < 2**16
    with course.sessions() as db:
        user = db.scalar(select(User).where(User.login == "2026001"))
        bomb_id = receive(course, queue, db, user, offered, _upload(course, "bomb", bomb)).id
        small_id = receive(course, queue, db, user, offered, _upload(course, "small", small)).id
    assert held.take(bomb_id) is None  # graded from its stored file instead
    assert held.used == len(small)
    assert held.take(small_id).content == small and held.used == 0


def test_an_upload_past_the_students_cutoff_is_refused_and_their_extension_moves_it(assignment, tmp_path):
    """Past the cutoff a submission earns nothing, yet it was taken, and as the latest it counted over the
    late one before it that earned half (seen over HTTP: 5 of 10 became 0 of 10)."""
    cutoff = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=1)
    late = {
        "due": (cutoff - dt.timedelta(hours=1)).isoformat(),
        "penalty": 0.5,
        "per": "day",
        "cutoff": cutoff.isoformat(),
    }
    project = project_with(assignment, tmp_path / "project", late=late, server={"counts": "latest_on_time"})
    course = Course(course_folder(project, tmp_path / "course"))
    offered = next(iter(course.offered.values()))
    queue = DatabaseQueue(course.sessions, lease_seconds=60)
    notebook = _notebook(course, 0.01)
    try:
        with course.sessions() as db:
            past, extended = (db.scalar(select(User).where(User.login == login)) for login in ("2026001", "2026002"))
            set_extension(db, extended, offered.name, 3 * 60, granted_by=STAFF)
            db.commit()
            with pytest.raises(UploadRefused, match=r"the cutoff \(.*\) has passed") as refused:
                receive(course, queue, db, past, offered, _upload(course, "past", notebook))
            assert refused.value.status == 403
            taken = receive(course, queue, db, extended, offered, _upload(course, "extended", notebook))
            assert [s.id for s in db.scalars(select(Submission).where(Submission.user_id == past.id))] == []
            assert taken.user_id == extended.id
    finally:
        course.engine.dispose()


def test_pressing_new_token_again_and_again_does_not_pile_up_rows(course):
    """Each press revokes the oldest of the five live tokens, and revoked rows were kept for ever: 1,180
    rows in 10 s from one student's script, every one listed on their page and on staff's."""
    name = next(iter(course.offered))
    with course.sessions() as db:
        user = db.scalar(select(User).where(User.login == "2026003"))
        made = []
        for _ in range(MAX_MADE_TOKENS + KEPT_INACTIVE + 15):
            made.append(issue_token(db, user, days=1))
            db.commit()
        downloads = []
        for _ in range(KEPT_INACTIVE + 5):
            downloads.append(issue_token(db, user, days=1, download_of=name))
            db.commit()
        listed = tokens_of(db, user)
        live = [token for token in listed if is_active(token, now())]
        assert len(live) == MAX_MADE_TOKENS + 1 and len(listed) == len(live) + KEPT_INACTIVE
        assert (
            token_holder(db, made[-1], moment=now()) == user and token_holder(db, downloads[-1], moment=now()) == user
        )
        assert token_holder(db, downloads[-2], moment=now()) == REVOKED  # the newest revoked are still listed
        assert token_holder(db, made[0], moment=now()) == UNKNOWN  # the oldest are gone
