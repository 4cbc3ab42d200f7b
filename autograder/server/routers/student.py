"""A student's pages: their assignments, one assignment (download, upload, history), a submission
and its feedback. Staff may open these too, for any student's submission."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from autograder.grading.records.class_outputs import FEEDBACK
from autograder.grading.records.outputs import page_name
from autograder.server.course import Course, Offered
from autograder.server.dependencies import (
    check_csrf,
    checked_form,
    course,
    database,
    offered,
    own_submission,
    signed_in,
)
from autograder.server.download import student_folder_zip
from autograder.server.http_methods import is_head
from autograder.server.models import User
from autograder.server.pages import file_page, page_for
from autograder.server.receive import receive
from autograder.server.shown_once import show_once, take_shown
from autograder.server.status import assignment_status, status_of
from autograder.server.storage import GRADING_ALLOWANCE, MB, check_free_disk
from autograder.server.tokens import MAX_MADE_TOKENS, issue_token
from autograder.server.upload_refusals import UploadRefused
from autograder.server.uploads import read_upload, upload_place

router = APIRouter()


@router.get("/")
def home(
    request: Request,
    user: User = Depends(signed_in),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    if user.is_staff:
        return RedirectResponse("/staff", status_code=303)
    workers = the_course.settings.workers
    assignments = [assignment_status(db, user, offered, workers=workers) for offered in the_course.offered.values()]
    return page_for(request, user, "home.html", title="我的作业 · My assignments", assignments=assignments)


def assignment_page(
    request: Request, user: User, db: Session, the_course: Course, offered: Offered, *, status: int = 200, **context
):
    state = assignment_status(db, user, offered, workers=the_course.settings.workers)
    return page_for(
        request,
        user,
        "assignment.html",
        status=status,
        scripts=("student.js",),
        title=offered.title,
        a=state,
        max_made_tokens=MAX_MADE_TOKENS,
        allowance_mb=GRADING_ALLOWANCE / MB,
        **context,
    )


@router.get("/assignments/{name}")
def assignment(
    request: Request,
    offered: Offered = Depends(offered),
    user: User = Depends(signed_in),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    notice = (
        "已收到你的提交，正在排队评分 · your submission was received and is queued for grading"
        if request.query_params.get("received")
        else None
    )
    token = take_shown(request).get("token")  # a new token, shown once
    return assignment_page(request, user, db, the_course, offered, notice=notice, token=token)


@router.get("/assignments/{name}/download")
def download(
    request: Request,
    offered: Offered = Depends(offered),
    user: User = Depends(signed_in),
    db: Session = Depends(database),
):
    attachment = {"Content-Disposition": f'attachment; filename="{offered.name}.zip"'}
    if is_head(request):  # a link checker or proxy: a token issued now would revoke the notebook's for nothing
        return Response(media_type="application/zip", headers=attachment)
    token = issue_token(db, user, days=request.app.state.course.settings.token_days, download_of=offered.name)
    db.commit()
    # The address the student reached the server at (behind a proxy, the one they typed): their notebook submits there.
    content = student_folder_zip(offered.assignment, url=str(request.base_url).rstrip("/"), token=token)
    return Response(content, media_type="application/zip", headers=attachment)


@router.post("/assignments/{name}/submit")
async def submit(
    request: Request,
    offered: Offered = Depends(offered),
    user: User = Depends(signed_in),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    try:
        with upload_place(request.app.state.uploading, user.id):
            check_free_disk(the_course, incoming=offered.rules.max_upload_bytes)
            upload = await read_upload(request, the_course, offered, form_only=True)
            try:
                check_csrf(request, upload.fields.get("csrf", ""))
            except BaseException:
                upload.discard()
                raise
            queue = request.app.state.queue
            submission = await run_in_threadpool(receive, the_course, queue, db, user, offered, upload)
    except UploadRefused as refused:
        page = await run_in_threadpool(
            assignment_page, request, user, db, the_course, offered, status=refused.status, error=str(refused)
        )
        return refused.closing(page)
    request.app.state.grading.wake(offered.name)
    return RedirectResponse(f"/assignments/{offered.name}?received={submission.id}", status_code=303)


@router.post("/tokens")
def new_token(
    request: Request,
    form: dict = Depends(checked_form),
    user: User = Depends(signed_in),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    chosen = the_course.offered.get(form.get("assignment", ""))
    if chosen is None:
        return RedirectResponse("/", status_code=303)
    token = issue_token(db, user, days=the_course.settings.token_days)
    db.commit()
    show_once(request, token=token)  # on the page it redirects to: a reload there makes no other token
    return RedirectResponse(f"/assignments/{chosen.name}", status_code=303)


@router.get("/submissions/{submission_id}")
def submission(
    request: Request,
    found=Depends(own_submission),
    user: User = Depends(signed_in),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    offered = the_course.offered[found.assignment]
    state = status_of(db, found, offered, workers=the_course.settings.workers)
    return page_for(
        request,
        user,
        "submission.html",
        title=f"{offered.title} #{found.id}",
        s=state,
        owner=found.user,
        assignment_title=offered.title,
    )


@router.get("/submissions/{submission_id}/feedback")
def feedback(found=Depends(own_submission), the_course: Course = Depends(course)):
    """The feedback page the batch writes; for the submission that counts, the class view's copy,
    which also says what lateness cost."""
    name = f"{page_name(found.file)}.html"
    for folder in (the_course.class_folder(found.assignment), the_course.graded(found.assignment)):
        page = folder / FEEDBACK / name
        if page.is_file():
            return file_page(page)
    return RedirectResponse(f"/submissions/{found.id}", status_code=303)
