"""Taking in a submission: the rules checked, the file checked, then file and row made durable
together before anyone is told "received"."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from autograder.grading.intake import submissions
from autograder.grading.intake.received import Received
from autograder.grading.pages.feedback_page import STATUS_WORDS
from autograder.server.closing import closed_to
from autograder.server.course import Course, Offered
from autograder.server.jobs import JobQueue
from autograder.server.models import Submission, User, now
from autograder.server.standing import allowance, student_policy
from autograder.server.storage import check_free_disk, check_quota
from autograder.server.student_lock import hold_student
from autograder.server.upload_refusals import UploadRefused
from autograder.server.uploads import Upload

ZIP_MAGIC = b"PK\x03\x04"


def submissions_of(db: Session, user: User, assignment: str) -> list[Submission]:
    return list(
        db.scalars(
            select(Submission)
            .where(Submission.user_id == user.id, Submission.assignment == assignment)
            .order_by(Submission.id)
        )
    )


def receive(course: Course, queue: JobQueue, db: Session, user: User, offered: Offered, upload: Upload) -> Submission:
    """Store ``upload`` as ``user``'s submission of ``offered`` and queue it; commits ``db``.

    Raises:
        UploadRefused: the assignment is closed, a limit says not now, or the file is no notebook of
            this assignment (the message says which, in both languages); the upload is discarded.
    """
    try:
        _check_allowed(course, db, user, offered, upload.size)  # refused before the file costs a reading
        received = _checked_notebook(course, offered, upload)
        db.commit()  # what the first check read is done with; the hold starts a transaction of its own
        hold_student(db, user)
        # Again, now that no other upload of theirs can be added meanwhile.
        moment = _check_allowed(course, db, user, offered, upload.size)
        submission = Submission(
            user_id=user.id,
            assignment=offered.name,
            received_at=moment,
            upload_name=upload.name,
            size=upload.size,
            sha256=hashlib.sha256(received.content).hexdigest(),
        )
        db.add(submission)
        db.flush()  # its id names its file
        folder = course.uploads(offered.name).relative_to(course.folder).as_posix()
        submission.stored = f"{folder}/{submission.id}{Path(received.file).suffix}"  # .ipynb or .zip
        _move_durably(upload.path, course.folder / submission.stored)
        stored = submissions.Submission(submission.file, course.folder / submission.stored)
        queue.enqueue(db, submission, received.renamed(stored))
        db.commit()
        return submission
    finally:
        upload.discard()


def _check_allowed(course: Course, db: Session, user: User, offered: Offered, size: int) -> dt.datetime:
    """The moment ``user`` may submit a file of ``size`` bytes to ``offered`` at: now, unless it is
    closed, past their cutoff (their extension moves it), a limit says not yet, or the file would not fit on the disk
    or in their quota (refused)."""
    moment = now()
    closed = closed_to(db, offered, student_policy(db, user, offered), moment)
    if closed is not None:
        raise UploadRefused(403, closed.refusal(offered.zone))
    mine = submissions_of(db, user, offered.name)
    allowed = allowance(mine, offered.rules, moment)
    if allowed.next_at is not None:
        when = f"{allowed.next_at.astimezone(offered.zone):%Y-%m-%d %H:%M}"
        raise UploadRefused(429, f"{allowed.reason}；下次可在 {when} 提交 · you may submit again at {when}")
    check_quota(mine, offered.rules, size)
    check_free_disk(course)
    return moment


def _checked_notebook(course: Course, offered: Offered, upload: Upload) -> Received:
    """The upload read once, as the grader reads it; refused when it is no notebook of ``offered``.

    It is read in a child with a memory cap: parsing nested JSON costs about 170 bytes per byte, too
    much for the server's own process. Grading takes this reading on (``autograder.server.held_uploads``).
    """
    content = upload.path.read_bytes()
    named = submissions.Submission("upload.zip" if content[:4] == ZIP_MAGIC else "upload.ipynb", upload.path)
    context = course.grading_context(offered)
    received = Received(named, content, submissions.digest(content, offered.autograder.digest), context.read)
    problem = received.reading.problem
    if problem:
        chinese = next((words for start, words in STATUS_WORDS.items() if problem.startswith(start)), "无法评分")
        raise UploadRefused(422, f"{chinese}：请上传本作业的 .ipynb 文件或 export 生成的 zip · {problem}")
    return received


def _move_durably(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself reaches the disk
    finally:
        os.close(folder)
