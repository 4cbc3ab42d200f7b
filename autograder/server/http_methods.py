"""HEAD and OPTIONS for every route, and what a method an address does not take is told.

HEAD is answered as GET is (the same handler, so the same access checks, status and headers) without the
body: link checkers, uptime monitors and some proxies send it. A GET that does something (a download
issues a token) asks ``is_head`` and does nothing for a HEAD. OPTIONS names the methods an address takes in
``Allow`` and opens nothing to other sites (no CORS headers). A staff address is, to anyone who is not staff,
an address that does not exist, whatever the method: a 405 or an ``Allow`` would tell a student it is there.
Whoever is not signed in is sent to log in from every staff address, real or not, and a staff address
ending in "/" is served as the one without, so no redirect tells a real one from a made-up one.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from autograder.server.dependencies import session_user, staff

HEAD_MARK = "autograder.head"  # in the scope of a HEAD run as a GET
STAFF_PREFIX = "/staff"


def is_head(request: Request) -> bool:
    """Whether ``request`` is a HEAD run as a GET: its answer's body is thrown away."""
    return bool(request.scope.get(HEAD_MARK))


def is_staff_path(path: str) -> bool:
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")


class StaffSlashes:
    """Serves a staff address ending in "/" as the one without: the router's redirect to a real address,
    where a made-up one gets 404, would tell a student which staff addresses exist."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and is_staff_path(scope["path"]) and scope["path"].endswith("/"):
            scope = {**scope, "path": scope["path"].rstrip("/") or "/"}
        await self.app(scope, receive, send)


class HeadAsGet:
    """Runs a HEAD request as the GET of the same address and sends its status and headers alone."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def without_body(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        # A copy: the HTTP server reads the method of its own scope to know that no body may follow.
        await self.app({**scope, "method": "GET", HEAD_MARK: True}, receive, without_body)


async def method_not_taken(request: Request) -> Response | StarletteHTTPException:
    """The answer to a request whose address does not take its method: OPTIONS gets 204 and ``Allow``,
    any other method a 405 naming every method the address takes; a staff address, to a caller who is
    not staff, gets the 404 of an address that does not exist."""
    matching = [route for route in request.app.state.routes if route.matches(request.scope)[0] is not Match.NONE]
    if matching and all(_staff_only(route) for route in matching) and not await _is_staff(request):
        return StarletteHTTPException(404, "Not Found")
    allow = ", ".join(sorted(_methods(matching)))
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allow})
    return StarletteHTTPException(405, "Method Not Allowed", headers={"Allow": allow})


def _staff_only(route: APIRoute) -> bool:
    return any(dependency.call is staff for dependency in route.dependant.dependencies)


def _methods(routes: list[APIRoute]) -> set[str]:
    methods = {"OPTIONS"}.union(*(route.methods for route in routes))
    return methods | {"HEAD"} if "GET" in methods else methods


async def _is_staff(request: Request) -> bool:
    return await signed_in_as(request) == "staff"


async def signed_in_as(request: Request) -> str | None:
    """ "staff" or "student" for the user the session names, None when no one is signed in; looked up
    once per request (a refusal on a staff path asks twice: who is signed in, and are they staff)."""

    def look() -> str | None:
        with request.app.state.course.sessions() as db:
            user = session_user(request, db)
            return None if user is None else "staff" if user.is_staff else "student"

    if not hasattr(request.state, "signed_in_as"):
        request.state.signed_in_as = await run_in_threadpool(look)
    return request.state.signed_in_as
