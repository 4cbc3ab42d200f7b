"""What an action shows once on the page it sends the browser on to: a notice, a new token, a new
first-login link. Actions answer a POST with a redirect and the page is a GET (POST, redirect, GET),
so reloading the page does not do the action again.

It travels in the signed session, never in the address: no link can put words of its own on a page,
and a secret stays out of the browser's history and the server's log. (The session is signed, not
encrypted: whoever holds the cookie may read it, and holding it is holding the account anyway.)
The page that shows it takes it out, so it is shown once.
"""

from __future__ import annotations

from fastapi import Request

SHOWN_ONCE = "shown_once"


def show_once(request: Request, **shown) -> None:
    """Keep ``shown`` (plain JSON values) for the next page this session opens that takes it."""
    request.session[SHOWN_ONCE] = shown


def take_shown(request: Request) -> dict:
    """What the last action kept to show, taken out of the session; empty when nothing was."""
    return request.session.pop(SHOWN_ONCE, None) or {}
