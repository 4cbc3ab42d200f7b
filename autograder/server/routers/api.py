"""The JSON API (documented in docs/course_server.md). A student's notebook submits here with its
token; the assignment page follows its submissions here. Answers are the pages' own types."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from autograder.server.course import Course, Offered
from autograder.server.dependencies import api_user, course, database, offered, own_submission_api
from autograder.server.graded_signal import MAX_WAITS_PER_USER
from autograder.server.models import GRADED, Submission, User
from autograder.server.places import NoPlaceLeft
from autograder.server.receive import receive
from autograder.server.status import assignment_status, status_of
from autograder.server.storage import check_free_disk
from autograder.server.upload_refusals import UploadRefused
from autograder.server.uploads import read_upload, upload_place

router = APIRouter(prefix="/api")
MAX_WAIT_S = 60.0
# A waiting request looks again this often even if no grade in this process woke it.
LOOK_AGAIN_S = 5.0


@router.get("/me")
def me(user: User = Depends(api_user)):
    return {"login": user.login, "student_id": user.student_id, "name": user.name, "role": user.role}


@router.get("/assignments")
def assignments(user: User = Depends(api_user), db: Session = Depends(database), the_course: Course = Depends(course)):
    return [
        assignment_status(db, user, chosen, workers=the_course.settings.workers).to_json()
        for chosen in the_course.offered.values()
    ]


@router.get("/assignments/{name}")
def assignment(
    offered: Offered = Depends(offered),
    user: User = Depends(api_user),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    return assignment_status(db, user, offered, workers=the_course.settings.workers).to_json()


@router.post("/assignments/{name}/submissions", status_code=202)
async def submit(
    request: Request,
    offered: Offered = Depends(offered),
    user: User = Depends(api_user),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    """The file as the body (its name in X-Upload-Name) or as the ``file`` field of a form."""
    try:
        with upload_place(request.app.state.uploading, user.id):
            check_free_disk(the_course, incoming=offered.rules.max_upload_bytes)
            upload = await read_upload(request, the_course, offered)
            queue = request.app.state.queue
            submission = await run_in_threadpool(receive, the_course, queue, db, user, offered, upload)
    except UploadRefused as refused:
        return refused.closing(JSONResponse({"error": str(refused)}, status_code=refused.status))
    request.app.state.grading.wake(offered.name)
    return await run_in_threadpool(_status, db, submission, the_course)


@router.get("/assignments/{name}/submissions")
def history(
    offered: Offered = Depends(offered),
    user: User = Depends(api_user),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    return assignment_status(db, user, offered, workers=the_course.settings.workers).to_json()["submissions"]


@router.get("/submissions/{submission_id}")
async def one(
    request: Request,
    found: Submission = Depends(own_submission_api),
    user: User = Depends(api_user),
    the_course: Course = Depends(course),
    wait: float = Query(0, ge=0, le=MAX_WAIT_S, description="seconds to wait for the grade before answering"),
    since: str = Query("", description="with wait: answer as soon as the state is no longer this one (e.g. queued)"),
):
    """The submission's status; with ``wait``, answered as soon as it is graded, or has left state
    ``since`` (or after ``wait`` seconds). Waiting holds no thread and no database connection."""

    def settled(state: str) -> bool:
        return state == GRADED or bool(since and state != since)

    if wait <= 0 or settled(found.state):
        return await run_in_threadpool(_status_now, the_course, found.id)
    graded = request.app.state.graded
    try:
        with graded.waiting.place(user.id), graded.watching(found.id) as watch:
            deadline = time.monotonic() + wait
            # While waiting, only the state is looked at: the whole status (queue position, expected wait) costs
            # several queries, and hundreds of students wait at once in a rush.
            state = await run_in_threadpool(_state_now, the_course, found.id)
            while (left := deadline - time.monotonic()) > 0 and not settled(state):
                await watch.wait(min(left, LOOK_AGAIN_S))
                state = await run_in_threadpool(_state_now, the_course, found.id)
    except NoPlaceLeft:
        raise HTTPException(
            429,
            f"同一账号最多同时等待 {MAX_WAITS_PER_USER} 个状态请求，请等其中一个返回后再问 · "
            f"at most {MAX_WAITS_PER_USER} status requests of one account may wait at once: "
            "ask again once one has answered, or without ?wait",
        ) from None
    return await run_in_threadpool(_status_now, the_course, found.id)


def _state_now(the_course: Course, submission_id: int) -> str:
    with the_course.sessions() as db:
        return db.scalar(select(Submission.state).where(Submission.id == submission_id))


def _status_now(the_course: Course, submission_id: int) -> dict:
    """The submission's status as committed now, read in a session of its own that ends at once."""
    with the_course.sessions() as db:
        return _status(db, db.get(Submission, submission_id), the_course)


def _status(db: Session, submission: Submission, the_course: Course) -> dict:
    return status_of(
        db, submission, the_course.offered[submission.assignment], workers=the_course.settings.workers
    ).to_json()
