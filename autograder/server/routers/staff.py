"""Staff pages: the course's assignments, one assignment's class view and controls, one student.

Every route declares ``staff``: to anyone else these pages do not exist (404).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from autograder.grading.pages.ta_pages import SORT_AND_FILTER
from autograder.grading.records.time_words import clock_time
from autograder.server.closing import is_open
from autograder.server.course import Course, Offered
from autograder.server.dependencies import checked_form, course, database, offered, own_submission, staff
from autograder.server.models import DONE, LEASED, STUDENT, WAITING, Extension, Job, Submission, User
from autograder.server.pages import file_page, page_for
from autograder.server.routers.tokens import shown_tokens
from autograder.server.shown_once import show_once, take_shown
from autograder.server.staff_actions import ActionRefused, past_cutoff, regrade, set_extension, set_open
from autograder.server.status import assignment_status

router = APIRouter(prefix="/staff")
# The files of a class folder staff may open: its pages, gradebooks and exports, feedback and written answers.
CLASS_FILE = re.compile(r"(?:(?:feedback|written)/)?[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.(?:html|csv)")
CLASS_PAGES = (
    ("index.html", "全班 · the class"),
    ("summary.html", "概况 · summary"),
    ("similarity.html", "相似提交 · similar submissions"),
)
DOWNLOADS = (
    ("students.csv", "按学生的成绩 · gradebook by student"),
    ("final_grades.csv", "Otter 成绩表 · Otter's gradebook"),
    ("canvas.csv", "Canvas 导入 · Canvas import"),
    ("moodle.csv", "Moodle 导入 · Moodle import"),
)


def _counts(db: Session, assignment: str) -> dict[str, int]:
    jobs = dict(
        db.execute(
            select(Job.state, func.count()).where(Job.assignment == assignment, Job.state != DONE).group_by(Job.state)
        ).all()
    )
    return {
        "submissions": db.scalar(
            select(func.count()).select_from(Submission).where(Submission.assignment == assignment)
        )
        or 0,
        "waiting": jobs.get(WAITING, 0),
        "running": jobs.get(LEASED, 0),
    }


@router.get("")
def overview(
    request: Request, user: User = Depends(staff), db: Session = Depends(database), the_course: Course = Depends(course)
):
    rows = [
        {
            "offered": chosen,
            "open": is_open(db, name),
            **_counts(db, name),
            "failure": request.app.state.grading.loops[name].failure,
        }
        for name, chosen in the_course.offered.items()
    ]
    return page_for(request, user, "staff_home.html", title="课程管理 · Staff", rows=rows)


@router.get("/assignments/{name}")
def manage(
    request: Request,
    offered: Offered = Depends(offered),
    user: User = Depends(staff),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
    regraded: int | None = None,
):
    # Only a count comes in the address: a notice taken from it as text would let a link put any words on the page.
    notice = (
        f"已重新排队 {regraded} 份提交 · {regraded} submissions queued to be graded again"
        if regraded is not None
        else None
    )
    students = list(db.scalars(select(User).where(User.role == STUDENT).order_by(User.login)))
    extensions = dict(
        db.execute(select(Extension.user_id, Extension.minutes).where(Extension.assignment == offered.name)).all()
    )
    folder = request.app.state.views.current(offered.name)
    written = sorted(path.name for path in (folder / "written").glob("*.html")) if (folder / "written").is_dir() else []
    return page_for(
        request,
        user,
        "staff_assignment.html",
        title=offered.title,
        offered=offered,
        open=is_open(db, offered.name),
        counts=_counts(db, offered.name),
        students=students,
        extensions=extensions,
        pages=CLASS_PAGES,
        downloads=DOWNLOADS,
        written=written,
        notice=notice,
    )


@router.get("/assignments/{name}/class/{path:path}")
def class_file(request: Request, path: str, offered: Offered = Depends(offered), user: User = Depends(staff)):
    """A file of the class view (see CLASS_FILE), rebuilt first if grades came in since."""
    if not CLASS_FILE.fullmatch(path) or ".." in path:
        raise HTTPException(404)
    folder = request.app.state.views.current(offered.name)
    target = (folder / path).resolve()
    if folder.resolve() not in target.parents or not target.is_file():
        raise HTTPException(404, "还没有这个文件（还没有评分的提交？）· no such file yet (nothing graded yet?)")
    if target.suffix == ".csv":
        return FileResponse(target, media_type="text/csv; charset=utf-8", filename=f"{offered.name}_{target.name}")
    return file_page(target, scripts=(SORT_AND_FILTER,) if path == "index.html" else ())


@router.post("/assignments/{name}/open")
def open_or_close(
    request: Request,
    offered: Offered = Depends(offered),
    user: User = Depends(staff),
    form: dict = Depends(checked_form),
    db: Session = Depends(database),
):
    set_open(db, offered.name, form.get("open") == "1")
    db.commit()
    return RedirectResponse(f"/staff/assignments/{offered.name}", status_code=303)


@router.post("/assignments/{name}/regrade")
def regrade_all(
    request: Request,
    offered: Offered = Depends(offered),
    user: User = Depends(staff),
    form: dict = Depends(checked_form),
    db: Session = Depends(database),
):
    submissions = list(db.scalars(select(Submission).where(Submission.assignment == offered.name)))
    queued = regrade(db, request.app.state.queue, submissions)
    db.commit()
    request.app.state.grading.wake(offered.name)
    # A redirect, not the page: reloading a page a POST answered would queue the whole class again.
    return RedirectResponse(f"/staff/assignments/{offered.name}?regraded={queued}", status_code=303)


@router.post("/assignments/{name}/extension")
def extension(
    request: Request,
    offered: Offered = Depends(offered),
    user: User = Depends(staff),
    form: dict = Depends(checked_form),
    db: Session = Depends(database),
):
    student = db.scalar(select(User).where(User.login == form.get("login", "").strip()))
    if student is None:
        raise HTTPException(404, "没有这个学生 · no such student")
    try:
        set_extension(db, student, offered.name, int(form.get("minutes", "")), granted_by=user.login)
    except (ValueError, ActionRefused) as error:
        raise HTTPException(
            400,
            str(error) if isinstance(error, ActionRefused) else "分钟数要写整数 · write the minutes as a whole number",
        ) from error
    db.commit()
    request.app.state.views.mark(offered.name)
    late, cutoff = past_cutoff(db, student, offered)
    if late:  # an extension taken back that submissions already used: say what it costs them
        when = clock_time(cutoff.astimezone(offered.zone))
        show_once(
            request,
            notice=f"{student.login} 有 {late} 份提交晚于其最终截止时间 {when}，不计分 · {late} of {student.login}'s "
            f"submissions came after their cutoff ({when}) and earn nothing",
        )
    return RedirectResponse(f"/staff/students/{student.login}", status_code=303)


@router.get("/students/{login}")
def student(
    request: Request,
    login: str,
    user: User = Depends(staff),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    found = db.scalar(select(User).where(User.login == login))
    if found is None:
        raise HTTPException(404, "没有这个学生 · no such student")
    states = [
        assignment_status(db, found, chosen, workers=the_course.settings.workers)
        for chosen in the_course.offered.values()
    ]
    return page_for(
        request,
        user,
        "staff_student.html",
        title=f"{found.name} ({found.login})",
        person=found,
        assignments=states,
        tokens=shown_tokens(db, found),
        notice=take_shown(request).get("notice"),
    )


@router.post("/submissions/{submission_id}/regrade")
def regrade_one(
    request: Request,
    user: User = Depends(staff),
    found: Submission = Depends(own_submission),
    form: dict = Depends(checked_form),
    db: Session = Depends(database),
):
    regrade(db, request.app.state.queue, [found])
    db.commit()
    request.app.state.grading.wake(found.assignment)
    return RedirectResponse(f"/staff/students/{found.user.login}", status_code=303)
