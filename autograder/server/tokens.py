"""API tokens, what a student's notebook submits with: issued, looked up, listed and revoked.

Only each token's sha256 is kept, so a copy of the database submits nothing. A token works until
it expires (``token_days`` in server.yml, a term by default) or is revoked, by its owner or by
staff, on the tokens page or over the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from autograder.server.accounts import new_token, token_hash
from autograder.server.models import ApiToken, User, now, row_by_id


@dataclass(frozen=True)
class TokenRefused:
    """Why a token does not work, in both languages."""

    message: str


UNKNOWN = TokenRefused("令牌无效或已被撤销 · the token is not valid (or was revoked)")
REVOKED = TokenRefused(
    "令牌已被撤销：请重新下载作业文件夹，或在作业页面点“新令牌” · the token was revoked: "
    "download the assignment folder again, or make a new token on the assignment's page"
)
EXPIRED = TokenRefused(
    "令牌已过期：请重新下载作业文件夹，或在作业页面点“新令牌” · the token has expired: "
    "download the assignment folder again, or make a new token on the assignment's page"
)


def issue_token(db: Session, user: User, *, days: float) -> str:
    """A new token for ``user``, working ``days`` days from now; only its hash is added to ``db``."""
    token = new_token()
    moment = now()
    db.add(
        ApiToken(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=moment,
            expires_at=moment + dt.timedelta(days=days),
        )
    )
    return token


def token_holder(db: Session, token: str, *, moment: dt.datetime) -> User | TokenRefused:
    """Whose ``token`` is, or why it does not work at ``moment``."""
    found = db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token))) if token else None
    if found is None:
        return UNKNOWN
    if found.revoked_at is not None:
        return REVOKED
    if found.expires_at <= moment:
        return EXPIRED
    return found.user


def tokens_of(db: Session, user: User) -> list[ApiToken]:
    """``user``'s tokens, newest first."""
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revocable(db: Session, token_id: int, user: User) -> ApiToken | None:
    """Token ``token_id`` if ``user`` may revoke it (their own, or anyone's for staff)."""
    found = row_by_id(db, ApiToken, token_id)
    return found if found is not None and (found.user_id == user.id or user.is_staff) else None


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = now()


def is_active(token: ApiToken, moment: dt.datetime) -> bool:
    return token.revoked_at is None and token.expires_at > moment


def token_json(token: ApiToken, moment: dt.datetime) -> dict:
    return {
        "id": token.id,
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "active": is_active(token, moment),
    }
