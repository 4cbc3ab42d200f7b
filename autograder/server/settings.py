"""A course folder and its settings file, ``COURSE_DIR/server.yml``.

``autograder serve --init`` writes it; the TA may edit it. What it holds::

    project: /srv/course-kit        # the kit's checkout: assignments/, student_template/, dist/
    assignments: [week1, week2]    # offered, in this order
    url: https://grader.example.edu.cn           # how students reach the server (first-login links)
    workers: 2                  # submissions graded at once (the machine's cores)
    timeout: 120                # wall-clock seconds per submission
    memory_mb: 4096             # memory cap per submission
    lease_seconds: 60           # a job whose worker stops renewing its lease returns to the queue
    session_hours: 12           # a login lasts this long
    secure_cookies: false       # true behind HTTPS: the session cookie is never sent in clear
    database: postgresql+psycopg://grader@db.example.edu.cn/course   # optional: another database than course.db
    queue: redis://queue.example.edu.cn:6379/0   # optional: grade on `autograder worker` machines

Next to it the server keeps ``course.db`` (the SQLite database of the embedded default),
``secret.key`` (what sessions are signed with), ``roster.csv``, ``uploads/``, ``graded/`` and
``classes/``.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import yaml

from autograder import KitError

SETTINGS_FILE = "server.yml"
SECRET_FILE = "secret.key"
ROSTER_FILE = "roster.csv"
FIRST_LOGINS_FILE = "first_logins.csv"
UPLOADS, GRADED, CLASSES = "uploads", "graded", "classes"


class CourseSettingsError(KitError, ValueError):
    """The course folder or its server.yml is not usable."""


@dataclass(frozen=True)
class CourseSettings:
    project: str
    assignments: tuple[str, ...] = ()
    url: str = "http://127.0.0.1:8000"
    workers: int = 2
    timeout: float = 120.0
    memory_mb: int = 4096
    lease_seconds: float = 60.0
    session_hours: float = 12.0
    secure_cookies: bool = False
    database: str = ""            # an SQLAlchemy URL; "" for course.db in the course folder
    queue: str = ""               # a task queue's URL (redis://...): workers on other machines grade; "" for the embedded pools
    extra: dict = field(default_factory=dict)

    @classmethod
    def read(cls, course: Path) -> "CourseSettings":
        path = course / SETTINGS_FILE
        if not path.is_file():
            raise CourseSettingsError(f"{course}: no {SETTINGS_FILE}; create the course with `autograder serve {course} --init --roster ROSTER.csv --staff LOGIN`")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise CourseSettingsError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from error
        if not isinstance(raw, dict) or not raw.get("project"):
            raise CourseSettingsError(f"{path}: write settings as `key: value` lines, with at least `project:` (the kit's checkout)")
        known = {f.name for f in fields(cls)} - {"extra"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise CourseSettingsError(f"{path}: unknown settings {unknown}; known: {sorted(known)}")
        try:
            settings = cls(**{**raw, "assignments": tuple(raw.get("assignments") or ())})
            for name, kind in (("workers", int), ("timeout", (int, float)), ("memory_mb", int), ("lease_seconds", (int, float)), ("session_hours", (int, float))):
                value = getattr(settings, name)
                if not isinstance(value, kind) or isinstance(value, bool) or value <= 0:
                    raise CourseSettingsError(f"{path}: {name} must be a number above 0, got {value!r}")
        except TypeError as error:
            raise CourseSettingsError(f"{path}: {error}") from error
        return settings

    def write(self, course: Path) -> None:
        data = {key: value for key, value in asdict(self).items() if key != "extra"}
        data["assignments"] = list(self.assignments)
        for optional in ("database", "queue"):
            if not data[optional]:
                del data[optional]
        (course / SETTINGS_FILE).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    @property
    def project_root(self) -> Path:
        return Path(self.project)


def secret_key(course: Path) -> str:
    """The key sessions are signed with: made once (0600), kept across restarts."""
    path = course / SECRET_FILE
    if not path.is_file():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()
