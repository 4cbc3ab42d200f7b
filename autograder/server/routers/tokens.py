"""API tokens, on a page and over the API: a student lists and revokes their own; staff revoke
anyone's (from the student's staff page). A token someone may not revoke does not exist for them (404)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from autograder.server.dependencies import api_user, checked_form, database, signed_in
from autograder.server.models import ApiToken, User, now
from autograder.server.pages import page_for
from autograder.server.tokens import revocable, revoke, token_json, tokens_of

router = APIRouter()


def _revocable(token_id: int, user: User, db: Session) -> ApiToken:
    found = revocable(db, token_id, user)
    if found is None:
        raise HTTPException(404, "没有这个令牌 · no such token")
    return found


def shown_tokens(db: Session, user: User) -> list[dict]:
    """``user``'s tokens as the token list shows them."""
    moment = now()
    return [token_json(token, moment) for token in tokens_of(db, user)]


@router.get("/tokens")
def tokens_page(request: Request, user: User = Depends(signed_in), db: Session = Depends(database)):
    return page_for(request, user, "tokens.html", title="我的令牌 · My tokens", tokens=shown_tokens(db, user))


@router.post("/tokens/{token_id}/revoke")
def revoke_on_page(
    token_id: int, form: dict = Depends(checked_form), user: User = Depends(signed_in), db: Session = Depends(database)
):
    found = _revocable(token_id, user, db)
    revoke(found)
    db.commit()
    return RedirectResponse(
        "/tokens" if found.user_id == user.id else f"/staff/students/{found.user.login}", status_code=303
    )


@router.get("/api/tokens")
def api_tokens(user: User = Depends(api_user), db: Session = Depends(database)):
    return shown_tokens(db, user)


@router.delete("/api/tokens/{token_id}")
def api_revoke(token_id: int, user: User = Depends(api_user), db: Session = Depends(database)):
    found = _revocable(token_id, user, db)
    revoke(found)
    db.commit()
    return token_json(found, now())
