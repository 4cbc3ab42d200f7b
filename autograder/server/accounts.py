"""Passwords, one-time first-login tokens, API tokens and the login rate limit.

Passwords are hashed with Argon2id (argon2-cffi's defaults). Tokens are random; only their sha256
is stored, so a copy of the database lets no one log in.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from autograder.server.models import ApiToken, LoginAttempt, User, now

MIN_PASSWORD_CHARS = 8
# At most this many failed logins per account, and per address, in the window.
FAILURES_PER_LOGIN, FAILURES_PER_ADDRESS = 5, 30
FAILURE_WINDOW = dt.timedelta(minutes=15)

_hasher = PasswordHasher()
# Checked against when the login is unknown, so a wrong name costs as long as a wrong password.
_UNKNOWN_USER_HASH = _hasher.hash(secrets.token_urlsafe(16))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def set_password(user: User, password: str) -> None:
    user.password_hash = _hasher.hash(password)
    user.session_version = (user.session_version or 0) + 1  # every session signed before ends


def password_problem(password: str, confirm: str) -> str | None:
    if len(password) < MIN_PASSWORD_CHARS:
        return f"密码至少 {MIN_PASSWORD_CHARS} 个字符 · the password needs at least {MIN_PASSWORD_CHARS} characters"
    if password != confirm:
        return "两次输入的密码不一致 · the two passwords differ"
    return None


def check_password(user: User | None, password: str) -> bool:
    stored = user.password_hash if user is not None and user.password_hash else _UNKNOWN_USER_HASH
    try:
        return _hasher.verify(stored, password) and user is not None and bool(user.password_hash)
    except (VerificationError, InvalidHashError):
        return False


def user_by_first_login(db: Session, token: str) -> User | None:
    """The user a first-login token was made for, while it is unused."""
    return db.scalar(select(User).where(User.first_login_hash == token_hash(token))) if token else None


def user_by_api_token(db: Session, token: str) -> User | None:
    found = db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token))) if token else None
    return found.user if found is not None else None


def issue_api_token(db: Session, user: User) -> str:
    token = new_token()
    db.add(ApiToken(user_id=user.id, token_hash=token_hash(token)))
    return token


def login_blocked(db: Session, login: str, address: str) -> bool:
    """Whether too many logins failed lately for this account or from this address."""
    since = now() - FAILURE_WINDOW
    db.execute(delete(LoginAttempt).where(LoginAttempt.at < since))
    count = lambda key: db.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.at >= since))
    return count(f"login:{login.casefold()}") >= FAILURES_PER_LOGIN or count(f"address:{address}") >= FAILURES_PER_ADDRESS


def record_failure(db: Session, login: str, address: str) -> None:
    db.add_all([LoginAttempt(key=f"login:{login.casefold()}"), LoginAttempt(key=f"address:{address}")])
