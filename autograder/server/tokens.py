"""API tokens, what a student's notebook submits with: issued, looked up, listed and revoked.

Only each token's sha256 is kept, so a copy of the database submits nothing. A token works until
it expires (``token_days`` in server.yml, a term by default) or is revoked, by its owner or by
staff, on the tokens page or over the API.

Tokens do not pile up: downloading an assignment's folder again revokes the token of the earlier
download of it (the new folder holds the new one), and making one more on the page than
MAX_MADE_TOKENS revokes the oldest made there. So an account holds at most one live token per
assignment's download, and MAX_MADE_TOKENS others; of the tokens revoked or expired, the newest
KEPT_INACTIVE stay listed and older ones are deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from autograder.server.accounts import new_token, token_hash
from autograder.server.models import ApiToken, User, now, row_by_id
from autograder.server.student_lock import hold_student


@dataclass(frozen=True)
class TokenRefused:
    """Why a token does not work, in both languages."""

    message: str


UNKNOWN = TokenRefused("令牌无效或已被撤销 · the token is not valid (or was revoked)")
REVOKED = TokenRefused(
    "令牌已被撤销（再次下载作业文件夹会撤销之前下载里的令牌）：请用最新下载的文件夹，或重新下载 · "
    "the token was revoked (downloading an assignment folder again revokes the token of the earlier "
    "download): use the folder you downloaded last, or download it again"
)
# Live tokens made with the "New token" button an account may hold; making one more revokes the oldest.
MAX_MADE_TOKENS = 5
# Revoked and expired tokens an account's list keeps (the newest): enough to see what happened, never a pile.
KEPT_INACTIVE = 20
EXPIRED = TokenRefused(
    "令牌已过期：请重新下载作业文件夹，或在作业页面点“新令牌” · the token has expired: "
    "download the assignment folder again, or make a new token on the assignment's page"
)


def issue_token(db: Session, user: User, *, days: float, download_of: str | None = None) -> str:
    """A new token for ``user``, working ``days`` days from now; only its hash is added to ``db``.

    ``download_of``: the assignment whose downloaded folder will hold it; the token of the earlier
    download of that assignment is revoked. Without it (a token made on the page), the oldest made
    one past MAX_MADE_TOKENS is revoked.
    """
    hold_student(db, user)  # parallel downloads would each replace the same old token and all stay live
    moment = now()
    live = select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > moment
    )
    if download_of is not None:
        replaced = list(db.scalars(live.where(ApiToken.download_of == download_of)))
    else:
        made = db.scalars(live.where(ApiToken.download_of.is_(None)).order_by(ApiToken.id.desc()))
        replaced = list(made)[MAX_MADE_TOKENS - 1 :]
    for old in replaced:
        revoke(old)
    token = new_token()
    db.add(
        ApiToken(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=moment,
            expires_at=moment + dt.timedelta(days=days),
            download_of=download_of,
        )
    )
    _forget_old_inactive(db, user, moment)
    return token


def _forget_old_inactive(db: Session, user: User, moment: dt.datetime) -> None:
    """Delete ``user``'s revoked and expired tokens past the newest KEPT_INACTIVE. Each download or
    "New token" revokes one, so a script pressing it (over a hundred a second) added rows without end,
    and the token lists, the student's page and staff's, grew with them."""
    inactive = (
        select(ApiToken.id)
        .where(ApiToken.user_id == user.id, or_(ApiToken.revoked_at.is_not(None), ApiToken.expires_at <= moment))
        .order_by(ApiToken.id.desc())
        .offset(KEPT_INACTIVE)
    )
    db.execute(delete(ApiToken).where(ApiToken.id.in_(inactive)))


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
        "download_of": token.download_of,
    }
