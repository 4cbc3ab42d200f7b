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
    trusted_proxies: [127.0.0.1]   # the reverse proxies whose X-Forwarded-For is believed (none by default)
    token_days: 140             # an API token works this long (a term)
    upload_stall_seconds: 30    # an upload that sends nothing for this long is cut off (408)
    upload_seconds: 600         # and one that takes longer than this in all
    min_free_disk_mb: 1024      # uploads are refused while less than this is free on the course folder's disk
    database: postgresql+psycopg://grader@db.example.edu.cn/course   # optional: another database than course.db
    queue: redis://queue.example.edu.cn:6379/0   # optional: grade on `autograder worker` machines

Next to it the server keeps ``course.db`` (the SQLite database of the embedded default),
``secret.key`` (what sessions are signed with), ``roster.csv``, ``uploads/``, ``graded/`` and
``classes/``.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import stat
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from autograder import KitError

SETTINGS_FILE = "server.yml"
SECRET_FILE = "secret.key"
ROSTER_FILE = "roster.csv"
FIRST_LOGINS_FILE = "first_logins.csv"
UPLOADS, GRADED, CLASSES = "uploads", "graded", "classes"


POSITIVE_SECONDS_AND_DAYS = (
    "timeout",
    "lease_seconds",
    "session_hours",
    "token_days",
    "upload_stall_seconds",
    "upload_seconds",
)


class CourseSettingsError(KitError, ValueError):
    """The course folder or its server.yml is not usable."""


def _proxies(raw: dict, path: Path) -> tuple[str, ...]:
    """``trusted_proxies`` as written, each checked to be an address or a network (10.0.0.0/8)."""
    listed = raw.get("trusted_proxies") or []
    if not isinstance(listed, list):
        raise CourseSettingsError(
            f"{path}: trusted_proxies must be a list of addresses, e.g. [127.0.0.1], got {listed!r}"
        )
    for entry in listed:
        try:
            ipaddress.ip_network(str(entry), strict=False)
        except ValueError as error:
            raise CourseSettingsError(
                f"{path}: trusted_proxies: {entry!r} is not an address or a network (e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from error
    return tuple(str(entry) for entry in listed)


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
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks; empty: X-Forwarded-For is never believed
    token_days: float = 140.0
    upload_stall_seconds: float = 30.0
    upload_seconds: float = 600.0
    min_free_disk_mb: float = 1024.0  # see autograder.server.storage
    database: str = ""  # an SQLAlchemy URL; "" for course.db in the course folder
    queue: str = ""  # a task queue's URL (redis://...): workers on other machines grade; "" for the embedded pools
    extra: dict = field(default_factory=dict)

    @classmethod
    def read(cls, course: Path) -> "CourseSettings":
        path = course / SETTINGS_FILE
        if not path.is_file():
            raise CourseSettingsError(
                f"{course}: no {SETTINGS_FILE}; create the course with `autograder serve {course} --init --roster "
                "ROSTER.csv --staff LOGIN`"
            )
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise CourseSettingsError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from error
        if not isinstance(raw, dict) or not raw.get("project"):
            raise CourseSettingsError(
                f"{path}: write settings as `key: value` lines, with at least `project:` (the kit's checkout)"
            )
        known = {f.name for f in fields(cls)} - {"extra"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise CourseSettingsError(f"{path}: unknown settings {unknown}; known: {sorted(known)}")
        try:
            listed = {"assignments": tuple(raw.get("assignments") or ()), "trusted_proxies": _proxies(raw, path)}
            settings = cls(**{**raw, **listed})
            numbers = (
                ("workers", int),
                ("memory_mb", int),
                ("min_free_disk_mb", (int, float)),
                *((name, (int, float)) for name in POSITIVE_SECONDS_AND_DAYS),
            )
            for name, kind in numbers:
                value = getattr(settings, name)
                if not isinstance(value, kind) or isinstance(value, bool) or value <= 0:
                    raise CourseSettingsError(f"{path}: {name} must be a number above 0, got {value!r}")
        except TypeError as error:
            raise CourseSettingsError(f"{path}: {error}") from error
        return settings

    def write(self, course: Path) -> None:
        data = {key: value for key, value in asdict(self).items() if key != "extra"}
        data["assignments"], data["trusted_proxies"] = list(self.assignments), list(self.trusted_proxies)
        for optional in ("database", "queue"):
            if not data[optional]:
                del data[optional]
        # 0600: the database or queue URL may carry a password.
        write_private(course / SETTINGS_FILE, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    @property
    def project_root(self) -> Path:
        return Path(self.project)


def secret_key(course: Path) -> str:
    """The key sessions are signed with: made once (0600), kept across restarts."""
    path = course / SECRET_FILE
    if not path.is_file():
        write_private(path, secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to the new file ``path``, which only its owner may read or write (0600) from the start."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def readable_password(course: Path, settings: CourseSettings) -> str:
    """A warning, in both languages, when ``course``'s server.yml holds a password (in its database or queue
    URL) and other users of this machine may read it; "" when it holds none or only its owner may read it."""
    path = course / SETTINGS_FILE
    holding = [name for name in ("database", "queue") if _has_password(getattr(settings, name))]
    mode = stat.S_IMODE(path.stat().st_mode)
    if not holding or not mode & (stat.S_IRGRP | stat.S_IROTH):
        return ""
    where = " and ".join(holding)
    return (
        f"警告：{path} 的 {where} 地址里有密码，而本机其他用户可以读这个文件（权限 {mode:04o}）；"
        f"请运行 chmod 600 {path} · warning: {path} holds a password (in its {where} URL) and other users of "
        f"this machine can read it (mode {mode:04o}): run `chmod 600 {path}`"
    )


def _has_password(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.password) or "password" in parse_qs(parts.query)
