"""The JSON API (documented in docs/course_server.md). A student's notebook submits here with its
token; the assignment page follows its submissions here. Answers are the pages' own types."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from autograder.server.course import Course, Offered
from autograder.server.dependencies import api_user, course, database, offered, own_submission_api
from autograder.server.models import Submission, User
from autograder.server.receive import receive
from autograder.server.status import assignment_status, status_of
from autograder.server.uploads import UploadRefused, read_upload

router = APIRouter(prefix="/api")


@router.get("/me")
def me(user: User = Depends(api_user)):
    return {"login": user.login, "student_id": user.student_id, "name": user.name, "role": user.role}


@router.get("/assignments")
def assignments(user: User = Depends(api_user), db: Session = Depends(database), the_course: Course = Depends(course)):
    return [assignment_status(db, user, chosen, workers=the_course.settings.workers).to_json() for chosen in the_course.offered.values()]


@router.get("/assignments/{name}")
def assignment(offered: Offered = Depends(offered), user: User = Depends(api_user), db: Session = Depends(database), the_course: Course = Depends(course)):
    return assignment_status(db, user, offered, workers=the_course.settings.workers).to_json()


@router.post("/assignments/{name}/submissions", status_code=202)
async def submit(request: Request, offered: Offered = Depends(offered), user: User = Depends(api_user), db: Session = Depends(database),
                 the_course: Course = Depends(course)):
    """The file as the body (its name in X-Upload-Name) or as the ``file`` field of a form."""
    try:
        upload = await read_upload(request, the_course, offered)
        submission = await run_in_threadpool(receive, the_course, request.app.state.queue, db, user, offered, upload)
    except UploadRefused as refused:
        return JSONResponse({"error": str(refused)}, status_code=refused.status)
    request.app.state.grading.wake(offered.name)
    return await run_in_threadpool(_status, db, submission, the_course)


@router.get("/assignments/{name}/submissions")
def history(offered: Offered = Depends(offered), user: User = Depends(api_user), db: Session = Depends(database), the_course: Course = Depends(course)):
    return assignment_status(db, user, offered, workers=the_course.settings.workers).to_json()["submissions"]


@router.get("/submissions/{submission_id}")
def one(found: Submission = Depends(own_submission_api), db: Session = Depends(database), the_course: Course = Depends(course)):
    return _status(db, found, the_course)


def _status(db: Session, submission: Submission, the_course: Course) -> dict:
    return status_of(db, submission, the_course.offered[submission.assignment], workers=the_course.settings.workers).to_json()
