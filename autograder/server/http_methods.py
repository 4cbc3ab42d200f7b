"""HEAD and OPTIONS for every route, and what a method an address does not take is told.

HEAD is answered as GET is (the same handler, so the same access checks, status and headers) without the
body: link checkers, uptime monitors and some proxies send it. OPTIONS names the methods an address takes in
``Allow`` and opens nothing to other sites (no CORS headers). A staff address is, to anyone who is not staff,
an address that does not exist, whatever the method: a 405 or an ``Allow`` would tell a student it is there.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from autograder.server.dependencies import session_user, staff


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
        await self.app({**scope, "method": "GET"}, receive, without_body)


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
    def look() -> bool:
        with request.app.state.course.sessions() as db:
            user = session_user(request, db)
            return user is not None and user.is_staff

    return await run_in_threadpool(look)
