"""A browser's signed note of the accounts that have logged in on it: a cookie of its own, kept for months.

The login rate limit counts failures per address, and a campus or a dormitory sends a whole class
through one address, so one student's wrong guesses there would shut every classmate out. A
browser an account has logged in on before is counted on its own instead (``accounts``): only the
right password earns the note, and a new password voids it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from autograder.server.models import User

DEVICE_COOKIE = "autograder_device"
KEEP_DAYS = 180
MAX_ACCOUNTS = 5  # a shared lab computer notes its last few users only


@dataclass(frozen=True)
class KnownDevice:
    """``device``: this browser's random name; ``accounts``: login -> a digest of that account's password hash."""

    device: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    accounts: dict[str, str] = field(default_factory=dict)

    def knows(self, user: User | None) -> bool:
        """Whether ``user`` logged in here with the password they have now."""
        return user is not None and bool(user.password_hash) and self.accounts.get(user.login) == _digest(user)

    def name_for(self, user: User | None) -> str | None:
        """This browser's name, for counting ``user``'s failed logins on it, if it knows them; else None."""
        return self.device if self.knows(user) else None

    def remembering(self, user: User) -> KnownDevice:
        others = {login: digest for login, digest in self.accounts.items() if login != user.login}
        kept = dict(list(others.items())[-(MAX_ACCOUNTS - 1) :])
        return KnownDevice(self.device, {**kept, user.login: _digest(user)})


def read_device(request: Request, secret: str) -> KnownDevice:
    """The note ``request``'s browser carries, or a new one when it has none (or a forged or stale one)."""
    sent = request.cookies.get(DEVICE_COOKIE)
    if sent:
        try:
            noted = _serializer(secret).loads(sent, max_age=KEEP_DAYS * 86400)
            return KnownDevice(str(noted["device"]), {str(k): str(v) for k, v in dict(noted["accounts"]).items()})
        except (BadSignature, KeyError, TypeError, ValueError):
            pass
    return KnownDevice()


def note_login(request: Request, response, user: User, device: KnownDevice | None = None) -> None:
    """Have ``response`` give ``request``'s browser (its note ``device``, when already read) a note that
    ``user`` proved their present password on it."""
    secret = request.app.state.secret
    device = device or read_device(request, secret)
    _write_device(response, device.remembering(user), secret, secure=request.app.state.course.settings.secure_cookies)


def _write_device(response, device: KnownDevice, secret: str, *, secure: bool) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer(secret).dumps({"device": device.device, "accounts": device.accounts}),
        max_age=KEEP_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="known-device")


def _digest(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]
