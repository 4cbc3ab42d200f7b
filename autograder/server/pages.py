"""The server's HTML: Jinja2 templates (escaping on), the batch pages' style, and a
Content-Security-Policy built on the batch pages' own.

Pages load nothing from anywhere else: styles are inline, scripts are inline and allowed by their
hash alone, as the batch's class index is. Responses the server makes from files (feedback pages,
the class index) keep the policy their file carries.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from autograder.grading.pages.page_shell import STYLE, content_security_policy
from autograder.grading.records.time_words import clock_time

HERE = Path(__file__).resolve().parent
SERVER_STYLE = """
header{display:flex;flex-wrap:wrap;gap:8px;align-items:center;justify-content:space-between;border-bottom:1px solid #ddd;padding-bottom:8px}
header form{margin:0}nav a{margin-right:10px}
button,.button{font:inherit;padding:8px 14px;border:1px solid #1f5fbf;background:#1f5fbf;color:#fff;border-radius:6px;cursor:pointer;text-decoration:none;display:inline-block}
button.quiet{background:#fff;color:#1f5fbf}
input[type=text],input[type=password],input[type=number]{font:inherit;padding:8px;width:100%;box-sizing:border-box;margin:4px 0 12px}
label{display:block;font-weight:600}
.card{border:1px solid #ddd;border-radius:8px;padding:12px;margin:12px 0}
.drop{border:2px dashed #8aa9d6;border-radius:8px;padding:18px;text-align:center;margin:8px 0}
.drop.over{background:#eef4ff}
.error{padding:8px;background:#fdecea;border-left:4px solid #b42318;overflow-wrap:anywhere}
.ok{padding:8px;background:#e9f7ef;border-left:4px solid #1a7f37}
.muted{color:#666;font-size:.9rem}
.state-graded{color:#1a7f37}.state-queued,.state-running,.state-received{color:#b54708}
.scroll{overflow-x:auto}#history td,#history th,.history td{overflow-wrap:anywhere}
@media(max-width:600px){#history th:nth-child(3),#history td:nth-child(3){display:none}}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
@media(max-width:600px){dl{grid-template-columns:1fr}dd{margin-bottom:6px}}
"""  # noqa: E501
# What every page adds to the batch pages' policy: its scripts may fetch this server's JSON, forms post only here,
# no other site may frame it, and no <base> may move its links.
EXTRA_POLICY = "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["shown_time"] = shown_time
    return environment


@lru_cache(maxsize=None)
def script(name: str) -> str:
    return (HERE / "static" / name).read_text(encoding="utf-8")


def policy(scripts: tuple[str, ...] = ()) -> str:
    return content_security_policy(*scripts, extra=EXTRA_POLICY)


def render(template: str, *, status: int = 200, scripts: tuple[str, ...] = (), **context) -> HTMLResponse:
    """``template`` filled in, with the policy that allows exactly its ``scripts`` (files in static/)."""
    texts = tuple(script(name) for name in scripts)
    html = _environment().get_template(template).render(style=STYLE + SERVER_STYLE, scripts=texts, **context)
    return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": policy(texts)})


def shown_time(value: str | None) -> str:
    """An ISO time the status gave (already in the course's zone), as people read it."""
    return clock_time(dt.datetime.fromisoformat(value)) if value else ""


def page_for(
    request, user, template: str, *, status: int = 200, scripts: tuple[str, ...] = (), **context
) -> HTMLResponse:
    """``render`` for a signed-in ``user``: the header's name and the logout form's CSRF token."""
    from autograder.server.dependencies import csrf_token

    return render(template, status=status, scripts=scripts, user=user, csrf=csrf_token(request), **context)


def file_page(path: Path, *, scripts: tuple[str, ...] = ()) -> HTMLResponse:
    """An HTML file the batch's code wrote (a feedback page, the class index), under the same policy
    as its own, which allows exactly ``scripts`` (texts)."""
    return HTMLResponse(path.read_text(encoding="utf-8"), headers={"Content-Security-Policy": policy(scripts)})
