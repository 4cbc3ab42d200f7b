"""What routes declare they need: a database session per request, the signed-in user, staff rights,
a checked CSRF token, a submission its caller may see. Every route names its own."""

from __future__ import annotations

import secrets
from typing import Iterator

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from autograder.server.course import Course, Offered
from autograder.server.models import Submission, User, now, row_by_id
from autograder.server.tokens import TokenRefused, token_holder

CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class LoginRequired(Exception):
    """No valid session: pages send the visitor to the login page, the API answers 401."""


def course(request: Request) -> Course:
    return request.app.state.course


def database(request: Request) -> Iterator[Session]:
    with request.app.state.course.sessions() as session:
        yield session


def done_reading(db: Session) -> None:
    """End ``db``'s transaction, so its connection goes back to the pool: a request may wait next
    (for its body, or for a grade) and must not hold one meanwhile, or a few dozen slow clients
    take them all. What was loaded stays readable (the sessions keep objects on commit)."""
    db.commit()


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use); every form carries it."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def session_user(request: Request, db: Session) -> User | None:
    """The user this request's signed session names, if that session has not been ended."""
    user_id, version = request.session.get("user"), request.session.get("version")
    user = db.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.session_version != version:
        return None
    return user


def signed_in(request: Request, db: Session = Depends(database)) -> User:
    user = session_user(request, db)
    done_reading(db)
    if user is None:
        raise LoginRequired()
    return user


def staff(user: User = Depends(signed_in)) -> User:
    if not user.is_staff:
        raise HTTPException(404)
    return user


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form, once its CSRF token matches the session's (403 otherwise)."""
    form = await request.form(max_files=0, max_fields=20)
    sent = form.get(CSRF_FIELD)
    check_csrf(request, sent if isinstance(sent, str) else "")
    return {key: value for key, value in form.items() if isinstance(value, str)}


def check_csrf(request: Request, sent: str) -> None:
    expected = request.session.get(CSRF_FIELD)
    if not expected or not secrets.compare_digest(sent.encode(), str(expected).encode()):
        raise HTTPException(
            403,
            "表单已失效，请刷新页面再试 · the form expired or was not sent by this site: reload the page and try again",
        )


def api_user(request: Request, db: Session = Depends(database)) -> User:
    """The API's caller: a Bearer token (the notebook's), else the browser's session. A session may
    only change something with its CSRF token in the X-CSRF-Token header."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        found = token_holder(db, token.strip(), moment=now())
        done_reading(db)
        if isinstance(found, TokenRefused):
            raise HTTPException(401, found.message)
        return found
    user = session_user(request, db)
    done_reading(db)
    if user is None:
        raise HTTPException(
            401, "请先登录，或在 Authorization 头里带上令牌 · log in, or send your token as Authorization: Bearer TOKEN"
        )
    if request.method not in ("GET", "HEAD"):
        check_csrf(request, request.headers.get(CSRF_HEADER, ""))
    return user


def offered(name: str, request: Request) -> Offered:
    found = request.app.state.course.offered.get(name)
    if found is None:
        raise HTTPException(404, "没有这个作业 · no such assignment")
    return found


def _visible(submission_id: int, user: User, db: Session) -> Submission:
    """Submission ``submission_id`` if ``user`` owns it or is staff; 404 either way otherwise, so an
    id says nothing about whether someone else's submission exists."""
    submission = row_by_id(db, Submission, submission_id)
    done_reading(db)
    if submission is None or (submission.user_id != user.id and not user.is_staff):
        raise HTTPException(404, "没有这份提交 · no such submission")
    return submission


def own_submission(submission_id: int, user: User = Depends(signed_in), db: Session = Depends(database)) -> Submission:
    return _visible(submission_id, user, db)


def own_submission_api(
    submission_id: int, user: User = Depends(api_user), db: Session = Depends(database)
) -> Submission:
    return _visible(submission_id, user, db)
