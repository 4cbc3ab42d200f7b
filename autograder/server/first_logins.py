"""``COURSE/first_logins.csv``: the one-time link each person sets their password at, for the TA to hand out.

``--init`` writes it; a student added later (``serve --add-students``, or on the staff page) is
appended, and no row already there changes. It is readable by its owner only: a link is as good as a
password until it is used.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from autograder.grading.text import spreadsheet_cell
from autograder.server.models import User

HEADER = ["student_id", "name", "login", "role", "first_login_link"]


def link(url: str, token: str) -> str:
    return f"{url.rstrip('/')}/first-login/{token}"


def write(path: Path, links: list[tuple[User, str]], *, url: str) -> Path:
    """A new links file holding ``links`` (each user with their first-login token)."""
    _write(path, _rows(links, url, header=True), os.O_TRUNC, mark=True)
    return path


def append(path: Path, links: list[tuple[User, str]], *, url: str) -> Path:
    """``links`` added at the end of the links file (made, with its header, if there is none)."""
    if not path.is_file():
        return write(path, links, url=url)
    _write(path, _rows(links, url, header=False), os.O_APPEND, mark=False)
    return path


def _rows(links: list[tuple[User, str]], url: str, *, header: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(HEADER)
    for user, token in links:
        writer.writerow(
            [
                spreadsheet_cell(user.student_id),
                spreadsheet_cell(user.name),
                spreadsheet_cell(user.login),
                user.role,
                link(url, token),
            ]
        )
    return buffer.getvalue()


def _write(path: Path, text: str, mode: int, *, mark: bool) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | mode, 0o600)
    with open(descriptor, "w", encoding="utf-8") as handle:
        handle.write(("\ufeff" if mark else "") + text)  # a byte-order mark: Excel opens Chinese names intact
