"""The one HTML shell every page the grader writes is built in: feedback pages, the summary, the
index, similar submissions and written answers.

It gives every page the same Content-Security-Policy (no remote fetch; inline styles and ``data:``
images only; a script only where a page brings one, allowed by its hash) and makes the whole page
storable: a lone surrogate a submission smuggled into any field (which no UTF-8 file can hold) is
written as ``\\udcff``.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from autograder.grading.text import storable

STYLE = """
body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0 auto;max-width:760px;padding:12px;line-height:1.5;color:#222}
h1{font-size:1.4rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin-top:1.6rem}
.score{font-size:2rem;font-weight:600}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:6px;text-align:left;vertical-align:top;overflow-wrap:break-word}
#scores{table-layout:fixed}#scores th:nth-child(1){width:30%}#scores th:nth-child(2){width:17%}
#scores td{overflow-wrap:anywhere}#scores ul{padding-left:1.1em;margin:0}
.pass{color:#1a7f37}.fail{color:#b42318}.chart{width:100%;height:auto;max-width:560px}
.status{padding:8px;background:#fff4e5;border-left:4px solid #f79009;overflow-wrap:anywhere}
.note{color:#555;font-size:.9rem}
pre,code{white-space:pre-wrap;overflow-wrap:anywhere}
"""  # noqa: E501 - a rule per line, written into every page as it is


def content_security_policy(*scripts: str, extra: str = "") -> str:
    """The one policy of every page, the grader's files and the course server's alike: no remote fetch,
    inline styles and the inline SVG charts only; ``extra`` directives (the server's own), then each
    of ``scripts`` allowed by its hash (an empty one is no script)."""
    scripts = tuple(filter(None, scripts))
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:" + (f"; {extra}" if extra else "")
    if scripts:
        hashes = (
            base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") for script in scripts
        )
        policy += "; script-src " + " ".join(f"'sha256-{digest}'" for digest in hashes)
    return policy


def html_page(title: str, body: str, *, style: str = "", script: str = "") -> str:
    """A whole page: ``body`` (already escaped HTML) under ``title``, with the kit's style plus
    ``style``, and ``script`` (the kit's own, never a submission's) at the end."""
    tail = f"<script>{script}</script>" if script else ""
    return storable(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(script)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}{style}</style></head><body>{body}{tail}</body></html>"
    )
