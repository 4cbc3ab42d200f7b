"""The course server's web application: routers by area, sessions, security headers, HEAD and OPTIONS, and the
grading service and class views that live as long as it does."""

from __future__ import annotations

import asyncio
import dataclasses
from contextlib import asynccontextmanager
from typing import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from autograder import __version__
from autograder.server import database
from autograder.server.class_view import ClassViews
from autograder.server.course import Course
from autograder.server.dependencies import LoginRequired
from autograder.server.graded_signal import GradedSignal
from autograder.server.grading import GradingService
from autograder.server.held_uploads import HeldUploads
from autograder.server.http_methods import HeadAsGet, StaffSlashes, is_staff_path, method_not_taken, signed_in_as
from autograder.server.jobs import DatabaseQueue
from autograder.server.pages import render
from autograder.server.places import AccountPlaces
from autograder.server.routers import accounts, api, auth, staff, student, tokens
from autograder.server.settings import secret_key
from autograder.server.uploads import MAX_UPLOADS_PER_USER

SESSION_COOKIE = "autograder_session"
# Sent with every response; pages set their own Content-Security-Policy, anything else gets the strictest.
SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",  # a first-login link's token never leaves in a Referer
    b"x-frame-options": b"DENY",
    b"cache-control": b"no-store",
}
FALLBACK_POLICY = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Starlette's own refusals (no such route, a method a route does not take), in both languages.
STARLETTE_DETAILS = {
    "Not Found": "没有这个页面 · no such page",
    "Method Not Allowed": "这个地址不接受这种请求 · this address does not take this kind of request",
}


class SecurityHeaders:
    """Adds SECURITY_HEADERS (and FALLBACK_POLICY where a response set no policy) to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS.items() if name not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", FALLBACK_POLICY))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(course: Course, *, queue_url: str | None = None) -> FastAPI:
    """The application for ``course``; grading starts with it and stops with it. With ``queue_url``
    (a task queue's, e.g. redis://host:6379/0), workers on other machines grade (``autograder worker``)."""
    views = ClassViews(course)
    graded = GradedSignal()

    def on_graded(assignment: str, submission_id: int | None) -> None:
        views.mark(assignment)
        graded.notify(submission_id)

    def on_started(assignment: str, submission_id: int) -> None:
        graded.notify(submission_id)

    queue, grading = _grading(course, queue_url or course.settings.queue, on_graded, on_started=on_started)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        database.migrate(course.engine)
        graded.bind(asyncio.get_running_loop())
        views.start()
        grading.start()
        yield
        grading.stop()
        views.stop()

    # No interactive API docs: they load their scripts from a CDN. The schema is served, and docs/course_server.md
    # explains it.
    app = FastAPI(
        title="autograder course server",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.course, app.state.queue, app.state.views, app.state.grading, app.state.graded = (
        course,
        queue,
        views,
        grading,
        graded,
    )
    app.state.uploading = AccountPlaces(MAX_UPLOADS_PER_USER)
    app.state.secret = secret_key(course.folder)  # signs sessions and browsers' notes of their logins
    routers = (auth.router, accounts.router, student.router, staff.router, api.router, tokens.router)
    for router in routers:
        app.include_router(router)
    app.state.routes = [route for router in routers for route in router.routes]  # see http_methods
    app.openapi = lambda: _public_schema(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.secret,
        session_cookie=SESSION_COOKIE,
        max_age=int(course.settings.session_hours * 3600),
        same_site="lax",
        https_only=course.settings.secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(StaffSlashes)
    app.add_middleware(HeadAsGet)
    _handle_errors(app)
    return app


def _grading(
    course: Course,
    queue_url: str,
    on_graded: Callable[[str, int | None], None],
    *,
    on_started: Callable[[str, int], None],
):
    """The queue and grading service: the embedded ones, or, given a task queue, the server's side of workers
    elsewhere."""
    if queue_url:
        # This server grades nothing itself: the waits it shows count the registered workers' sandboxes alone.
        course.settings = dataclasses.replace(course.settings, workers=0)
        from autograder.server.scale.service import ScaledOutService

        scaled_out = ScaledOutService(course, queue_url, on_graded=on_graded)
        return scaled_out.queue, scaled_out
    held = HeldUploads(course.sessions)  # what this process received, until its loops claim it
    queue = DatabaseQueue(course.sessions, lease_seconds=course.settings.lease_seconds, held=held)
    return queue, GradingService(course, queue, on_graded=on_graded, on_started=on_started)


def _public_schema(app: FastAPI) -> dict:
    """The OpenAPI schema, without the staff addresses: whoever reads it must not learn they exist."""
    if app.openapi_schema is None:
        routes = [route for route in app.state.routes if not is_staff_path(route.path)]
        app.openapi_schema = get_openapi(title=app.title, version=app.version, routes=routes)
    return app.openapi_schema


def _handle_errors(app: FastAPI) -> None:
    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _error: LoginRequired):
        if wants_json(request):
            return JSONResponse({"error": "请先登录 · log in first"}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    # Registered for Starlette's class, which FastAPI's subclasses: a route that does not exist, a method a
    # route does not take and a form field over Starlette's size limit are raised as Starlette's own.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        if error.status_code in (404, 405) and is_staff_path(request.url.path) and not await signed_in_as(request):
            return await login_required(request, LoginRequired())  # as from a real staff address
        if error.status_code == 405:
            answer = await method_not_taken(request)
            if isinstance(answer, Response):
                return answer
            error = answer
        detail = _bilingual(error)
        if wants_json(request):
            response = JSONResponse({"error": detail}, status_code=error.status_code)
        else:
            response = render(
                "message.html", status=error.status_code, title=detail, heading=f"{error.status_code}", message=detail
            )
        response.headers.update(error.headers or {})  # a 405's Allow
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError):
        detail = "请求的参数不对 · the request's parameters are not valid"
        if wants_json(request):
            return JSONResponse({"error": detail, "problems": error.errors()}, status_code=422)
        return render("message.html", status=422, title=detail, heading="422", message=detail)


def _bilingual(error: StarletteHTTPException) -> str:
    """``error``'s message in both languages: the server's own already are; Starlette's are given words."""
    detail = error.detail if isinstance(error.detail, str) else ""
    if " · " in detail:
        return detail
    if detail in STARLETTE_DETAILS:
        return STARLETTE_DETAILS[detail]
    if error.status_code == 400 and detail:
        return f"请求不对 · the request is not valid: {detail}"
    return "出错了 · something went wrong"
