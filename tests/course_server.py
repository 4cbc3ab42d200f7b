"""A course server run for real for the tests: a project holding one released assignment whose
``assignment.yml`` carries the server's rules, a course folder with accounts, and ``autograder
serve`` on a free loopback port in a subprocess, driven over HTTP."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable, Iterator

import httpx
import yaml
from sqlalchemy import select

from autograder.assignment import Assignment
from autograder.server.accounts import set_password
from autograder.server.course import Course
from autograder.server.course_init import init_course
from autograder.server.models import User

CLI = Path(sys.executable).with_name("autograder")
PASSWORD = "a-long-test-password"
STAFF = "ta"
NAMES = ("张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "钱七", "郑十")
ROSTER = "学号,姓名,班级\n" + "".join(
    f"{2026001 + number},{name},{1 + number % 2}\n" for number, name in enumerate(NAMES)
)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def project_with(assignment: Assignment, root: Path, *, server: dict | None = None, late: dict | None = None) -> Path:
    """A project at ``root`` holding ``assignment`` as released, its assignment.yml given ``server`` rules and ``late``
    policy."""
    name = assignment.name
    for folder in ("assignments", "student_template", "solutions"):
        shutil.copytree(assignment.root / folder / name, root / folder / name)
    (root / "dist").mkdir(parents=True)
    for released in (assignment.zip_path, assignment.student_zip_path):
        shutil.copy(released, root / "dist" / released.name)
    config = root / "assignments" / name / "assignment.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else {}
    settings.update({key: value for key, value in (("server", server), ("late", late)) if value})
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return root


def course_folder(
    project: Path,
    folder: Path,
    *,
    first_login: tuple[str, ...] = (),
    lease_seconds: float | None = None,
    database_url: str | None = None,
) -> Path:
    """A course from ROSTER with staff STAFF; every account has PASSWORD except those in ``first_login``."""
    roster = folder.parent / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    init_course(folder, project=project, roster=roster, staff=(STAFF,), database_url=database_url)
    if lease_seconds is not None:
        settings = yaml.safe_load((folder / "server.yml").read_text(encoding="utf-8"))
        (folder / "server.yml").write_text(
            yaml.safe_dump({**settings, "lease_seconds": lease_seconds}), encoding="utf-8"
        )
    course = Course(folder)
    with course.sessions.begin() as db:
        for user in db.scalars(select(User).where(User.login.not_in(first_login))):
            set_password(user, PASSWORD)
            user.first_login_hash = None
    course.engine.dispose()
    return folder


@contextlib.contextmanager
def plain_server(assignment: Assignment, root: Path) -> Iterator["Server"]:
    """A running server on ``assignment`` as released (no rules, no late policy), its folders under ``root``."""
    running = Server(course_folder(project_with(assignment, root / "project"), root / "course"))
    try:
        yield running
    finally:
        running.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``autograder serve FOLDER`` in a subprocess; ``url`` once it accepts requests."""

    def __init__(self, folder: Path, *, port: int | None = None, options: tuple[str, ...] = ()):
        self.folder, self.port = folder, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log: list[str] = []
        self._started = threading.Event()
        self.process = subprocess.Popen(
            [str(CLI), "serve", str(folder), "--port", str(self.port), *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # uvicorn writes its access log to stdout: tests read what it keeps
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self._started.wait(120) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError("the server did not start:\n" + "".join(self.log[-40:]))

    def _read_log(self) -> None:
        for line in self.process.stdout:
            self.log.append(line)
            if "Uvicorn running on" in line:  # logged once the socket listens; startup completes before it is bound
                self._started.set()

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        end(self.process, self.kill)


def end(process: subprocess.Popen, kill: Callable[[], None]) -> None:
    """Stop ``process`` as a service manager would: SIGTERM, a minute to finish, then ``kill()``."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            kill()


class Visitor:
    """A browser's worth of state over httpx: its cookies, and the CSRF token its last page carried."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=120)
        self.csrf = ""

    @classmethod
    def signed_in(cls, url: str, login: str | None = None) -> "Visitor":
        """A visitor logged in as ``login`` (with PASSWORD), or a stranger when ``login`` is None."""
        visitor = cls(url)
        if login:
            answer = visitor.log_in(login)
            assert answer.status_code == 303, answer.text[-500:]
        return visitor

    def page(self, path: str) -> httpx.Response:
        response = self.http.get(path)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def log_in(self, login: str, password: str = PASSWORD) -> httpx.Response:
        self.page("/login")
        return self.http.post("/login", data={"csrf": self.csrf, "login": login, "password": password, "next": "/"})

    def post(self, path: str, data: dict | None = None, **options) -> httpx.Response:
        return self.http.post(path, data={"csrf": self.csrf, **(data or {})}, **options)

    def upload(self, assignment: str, name: str, content: bytes) -> httpx.Response:
        self.page(f"/assignments/{assignment}")
        return self.post(
            f"/assignments/{assignment}/submit", files={"file": (name, content, "application/octet-stream")}
        )

    def graded(self, submission_id: int) -> dict:
        """The submission's status once graded (the API answers as soon as the grade is recorded)."""
        for _ in range(10):
            status = self.http.get(f"/api/submissions/{submission_id}", params={"wait": 60}).json()
            if status["state"] == "graded":
                return status
        raise AssertionError(f"submission {submission_id} was not graded in 10 minutes: {status}")


def submitted_id(response: httpx.Response) -> int:
    """The id a successful page upload redirects with."""
    assert response.status_code == 303, response.text[-2000:]
    return int(response.headers["location"].rsplit("=", 1)[1])
