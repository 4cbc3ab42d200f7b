"""Logging in and out, and the one-time first-login link where a student chooses a password."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from autograder.server import accounts
from autograder.server.dependencies import checked_form, csrf_token, database, session_user
from autograder.server.known_devices import KnownDevice, note_login, read_device
from autograder.server.models import User
from autograder.server.pages import render

router = APIRouter()
TOO_MANY_FAILURES = "密码错误次数太多，请 15 分钟后再试 · too many wrong passwords: try again in 15 minutes"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def start_session(request: Request, user: User) -> None:
    """Sign ``user`` in: a fresh session (a new CSRF token too), bound to their password's version."""
    request.session.clear()
    request.session.update({"user": user.id, "version": user.session_version})
    csrf_token(request)


def _safe_next(target: str) -> str:
    """Only a path on this server (never //elsewhere or a scheme) may follow a login."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


@router.get("/login")
def login_page(request: Request, next: str = "/"):
    return render("login.html", title="登录 · Log in", csrf=csrf_token(request), next=_safe_next(next), login="")


@router.post("/login")
def login(request: Request, form: dict = Depends(checked_form), db: Session = Depends(database)):
    name, password, target = form.get("login", "").strip(), form.get("password", ""), _safe_next(form.get("next", "/"))
    address, secret = client_address(request), request.app.state.secret
    user = db.scalar(select(User).where(User.login == name)) if name else None
    device = read_device(request, secret)
    known = device.name_for(user)
    if accounts.login_blocked(db, name, address, device=known):
        db.commit()
        return render(
            "login.html",
            status=429,
            title="登录 · Log in",
            csrf=csrf_token(request),
            next=target,
            login=name,
            error=TOO_MANY_FAILURES,
        )
    if not accounts.check_password(user, password):
        accounts.record_failure(db, name, address, device=known)
        db.commit()
        return render(
            "login.html",
            status=401,
            title="登录 · Log in",
            csrf=csrf_token(request),
            next=target,
            login=name,
            error="学号（用户名）或密码不对 · wrong login or password",
        )
    return _signed_in(request, user, target if target != "/" or not user.is_staff else "/staff", device)


@router.post("/logout")
def logout(request: Request, form: dict = Depends(checked_form), db: Session = Depends(database)):
    # The session is a signed cookie: clearing it here leaves any copy of it valid until it expires.
    # Moving the user's session version on ends every session signed before, copies included.
    user = session_user(request, db)
    if user is not None:
        user.session_version = (user.session_version or 0) + 1
        db.commit()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/first-login/{token}")
def first_login_page(request: Request, token: str, db: Session = Depends(database)):
    user = accounts.user_by_first_login(db, token)
    if user is None:
        return _used_link()
    return render("first_login.html", title="设置密码 · Choose a password", csrf=csrf_token(request), person=user)


@router.post("/first-login/{token}")
def first_login(request: Request, token: str, form: dict = Depends(checked_form), db: Session = Depends(database)):
    user = accounts.user_by_first_login(db, token)
    if user is None:
        return _used_link()
    problem = accounts.password_problem(form.get("password", ""), form.get("confirm", ""))
    if problem:
        return render(
            "first_login.html",
            status=400,
            title="设置密码 · Choose a password",
            csrf=csrf_token(request),
            person=user,
            error=problem,
        )
    accounts.set_password(user, form["password"])
    user.first_login_hash = None  # the link works once
    db.commit()
    return _signed_in(request, user, "/staff" if user.is_staff else "/")


def _signed_in(request: Request, user: User, target: str, device: KnownDevice | None = None) -> RedirectResponse:
    """Sign ``user`` in and send them on to ``target``; their browser notes that they logged in on it."""
    start_session(request, user)
    response = RedirectResponse(target, status_code=303)
    note_login(request, response, user, device)
    return response


def _used_link():
    return render(
        "message.html",
        status=404,
        title="链接无效 · Link not valid",
        heading="链接无效 · This link is not valid",
        message="首次登录链接只能用一次。如果你已经设置过密码，请直接登录；否则请向助教要一个新链接。"
        " · A first-login link works once. If you set your password already, log in; otherwise ask your TA for a new "
        "link.",
        back="/login",
    )
