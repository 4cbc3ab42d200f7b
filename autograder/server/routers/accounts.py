"""Accounts after ``--init``: staff add a student who joined late and give anyone a new first-login
link (which ends their password, sessions and tokens); everyone may change their own password."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from autograder.grading.records.roster import Student
from autograder.server import accounts as passwords
from autograder.server import first_logins
from autograder.server.account_changes import AccountRefused, WrongPassword, change_password, enroll, new_first_login
from autograder.server.course import Course
from autograder.server.dependencies import checked_form, course, database, signed_in, staff
from autograder.server.known_devices import note_login, read_device
from autograder.server.models import User
from autograder.server.pages import page_for
from autograder.server.routers.auth import TOO_MANY_FAILURES, client_address, start_session
from autograder.server.shown_once import show_once, take_shown

router = APIRouter()
PASSWORD_TITLE = "修改密码 · Change your password"
ACCOUNTS_TITLE = "账号 · Accounts"
PASSWORD_CHANGED = "密码已修改，其他设备上的登录已退出 · your password is changed; you are logged out everywhere else"


@router.get("/account/password")
def password_page(request: Request, user: User = Depends(signed_in)):
    return page_for(request, user, "password.html", title=PASSWORD_TITLE, notice=take_shown(request).get("notice"))


@router.post("/account/password")
def new_password(
    request: Request,
    form: dict = Depends(checked_form),
    user: User = Depends(signed_in),
    db: Session = Depends(database),
):
    mine = db.get(User, user.id)
    # The current password is checked like a login, or whoever holds a session (a lab computer left
    # signed in) could guess it at leisure and take the account.
    address, device = client_address(request), read_device(request, request.app.state.secret)
    known = device.name_for(mine)  # counted as its logins are
    if passwords.login_blocked(db, mine.login, address, device=known):
        db.commit()
        return page_for(request, user, "password.html", status=429, title=PASSWORD_TITLE, error=TOO_MANY_FAILURES)
    try:
        change_password(
            mine, current=form.get("current", ""), new=form.get("password", ""), confirm=form.get("confirm", "")
        )
    except AccountRefused as refused:
        if isinstance(refused, WrongPassword):
            passwords.record_failure(db, mine.login, address, device=known)
            db.commit()
        return page_for(request, user, "password.html", status=400, title=PASSWORD_TITLE, error=str(refused))
    db.commit()
    start_session(request, mine)  # this browser stays signed in; every other session of theirs has ended
    show_once(request, notice=PASSWORD_CHANGED)
    # A redirect: a reload of the page this POST answered would send the old password again, a wrong guess now.
    changed = RedirectResponse("/account/password", status_code=303)
    note_login(request, changed, mine, device)  # the new password voided this browser's note of them: it proved it here
    return changed


@router.get("/staff/accounts")
def accounts(request: Request, user: User = Depends(staff), db: Session = Depends(database)):
    return _accounts_page(request, user, db, **take_shown(request))


def _accounts_page(request: Request, user: User, db: Session, *, status: int = 200, **shown):
    """Every account, staff first; ``shown`` may hold a notice, an error, and a link ``issued`` (shown this once)."""
    people = list(db.scalars(select(User).order_by(User.role, User.login)))
    return page_for(request, user, "staff_accounts.html", status=status, title=ACCOUNTS_TITLE, people=people, **shown)


def _issued(request: Request, person: User, link: str, *, notice: str) -> RedirectResponse:
    """To the accounts page, which shows ``person``'s new first-login ``link`` once: a reload of a page the POST
    answered would add the student again, or void the link just shown and make another."""
    show_once(request, notice=notice, issued=[{"name": person.name, "login": person.login}, link])
    return RedirectResponse("/staff/accounts", status_code=303)


@router.post("/staff/accounts/add")
def add_student(
    request: Request,
    user: User = Depends(staff),
    form: dict = Depends(checked_form),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    student = Student(form.get("student_id", ""), form.get("name", ""), section=form.get("section", ""))
    try:
        added = enroll(the_course, [student])
    except AccountRefused as refused:
        return _accounts_page(request, user, db, status=400, error=str(refused))
    if added.already:
        return _accounts_page(
            request,
            user,
            db,
            status=409,
            error=f"{added.already[0]} 已经有账号；要新的首次登录链接请点它旁边的按钮 · "
            f"{added.already[0]} has an account already; the button beside it gives a new first-login link",
        )
    new_user, token = added.links[0]
    return _issued(
        request,
        new_user,
        first_logins.link(the_course.settings.url, token),
        notice=f"已添加 {new_user.name}（{new_user.login}）· added {new_user.name} ({new_user.login})",
    )


@router.post("/staff/accounts/{login}/first-login")
def reissue(
    request: Request,
    login: str,
    user: User = Depends(staff),
    form: dict = Depends(checked_form),
    db: Session = Depends(database),
    the_course: Course = Depends(course),
):
    person = db.scalar(select(User).where(User.login == login))
    if person is None:
        raise HTTPException(404, "没有这个账号 · no such account")
    token = new_first_login(db, person)
    db.commit()
    return _issued(
        request,
        person,
        first_logins.link(the_course.settings.url, token),
        notice=f"{person.login} 的旧密码、登录和令牌已失效 · {person.login}'s old password, sessions and tokens "
        "no longer work",
    )
