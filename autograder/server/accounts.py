"""Passwords, one-time first-login tokens and the login rate limit (API tokens: ``tokens``).

Passwords are hashed with Argon2id (argon2-cffi's defaults). Tokens are random; only their sha256
is stored, so a copy of the database lets no one log in.

Failed logins are counted per address and account, so whoever guesses from one address stops
there without locking the account's owner out elsewhere; per address, so guessing across accounts
stays slow; and per account from every address, so guessing from many addresses does too. A
browser the account has logged in on before (``known_devices``) is counted on its own, so neither
a classmate behind the same address nor guesses from everywhere lock the owner out of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from autograder.server.models import LoginAttempt, User, now

MIN_PASSWORD_CHARS = 8
# At most this many failed logins in the window: from one address at one account, from one
# address, and at one account from everywhere (an attacker needs 20 addresses to lock it).
FAILURES_PER_ADDRESS_AND_LOGIN, FAILURES_PER_ADDRESS, FAILURES_PER_LOGIN = 5, 30, 100
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


def client_network(address: str) -> str:
    """The part of ``address`` one client controls: an IPv6 host is handed a whole /64 and may use
    any address in it, so guesses from all of them count as from one."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def _failure_keys(login: str, address: str, device: str | None) -> dict[str, int]:
    """What a failed login counts against, each with its limit; ``device``: a browser the account knows."""
    account = login.casefold()[:200]  # no login is longer; the key stays within its column
    if device is not None:
        return {f"device:{device[:64]} login:{account}": FAILURES_PER_ADDRESS_AND_LOGIN}
    address = client_network(address)
    return {
        f"from:{address} login:{account}": FAILURES_PER_ADDRESS_AND_LOGIN,
        f"address:{address}": FAILURES_PER_ADDRESS,
        f"login:{account}": FAILURES_PER_LOGIN,
    }


def login_blocked(db: Session, login: str, address: str, *, device: str | None = None) -> bool:
    """Whether too many logins failed lately from this address at this account, from this address,
    or at this account; from a ``device`` the account knows, at this account from that device only."""
    since = now() - FAILURE_WINDOW
    db.execute(delete(LoginAttempt).where(LoginAttempt.at < since))

    def count(key):
        return db.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.at >= since)
        )

    return any(count(key) >= limit for key, limit in _failure_keys(login, address, device).items())


def record_failure(db: Session, login: str, address: str, *, device: str | None = None) -> None:
    db.add_all([LoginAttempt(key=key) for key in _failure_keys(login, address, device)])
