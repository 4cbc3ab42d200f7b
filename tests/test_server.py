"""The course server over HTTP, as students, staff and attackers use it: one real server (``autograder
serve`` in a subprocess) on the released logistic-regression assignment, due two hours ago with a
10% daily penalty, two submissions a day and uploads up to 1 MB.

Each test works with its own student, so the tests hold in any order and on any xdist worker.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile

import httpx
import itsdangerous
import nbformat
import pytest
from sqlalchemy import select

from autograder.grading.records.time_words import shown_time
from autograder.server.course import Course
from autograder.server.models import User
from tests.corpus.honest import write_corpus
from tests.course_server import PASSWORD, STAFF, Server, Visitor, course_folder, project_with, submitted_id

NAME = "logistic_regression"
PER_DAY, MAX_UPLOAD_MB = 2, 1
CORRECT = "correct_course_style"
# Files no server takes are sent as a student who never submits anything else (a day's cap is checked first).
SENDS_ONLY_BAD_FILES = "2026009"
# A notebook of the assignment with no cells: graded at once, 0 points.
EMPTY = nbformat.writes(nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": NAME}})).encode()


@pytest.fixture(scope="module")
def notebooks(student_template, tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("notebooks")
    write_corpus(folder, student_template, names=(CORRECT,))
    return {CORRECT: (folder / f"{CORRECT}.ipynb").read_bytes()}


@pytest.fixture(scope="module")
def server(assignment, tmp_path_factory):
    root = tmp_path_factory.mktemp("course-server")
    due = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)).isoformat(timespec="seconds")
    project = project_with(
        assignment,
        root / "project",
        server={"per_day": PER_DAY, "max_upload_mb": MAX_UPLOAD_MB},
        late={"due": due, "penalty": 0.1, "per": "day", "cap": 0.5},
    )
    running = Server(course_folder(project, root / "course", first_login=("2026003",)))
    yield running
    running.stop()


def _visitor(server, login: str | None = None) -> Visitor:
    visitor = Visitor(server.url)
    if login:
        assert visitor.log_in(login).status_code == 303
    return visitor


def _incoming(server) -> list:
    folder = server.folder / "uploads" / ".incoming"
    return sorted(folder.iterdir()) if folder.is_dir() else []


# --- accounts and sessions ---------------------------------------------------------------------


def test_a_first_login_link_sets_a_password_once(server):
    with (server.folder / "first_logins.csv").open(encoding="utf-8-sig") as handle:
        link = next(row["first_login_link"] for row in csv.DictReader(handle) if row["student_id"] == "2026003")
    path = httpx.URL(link).path
    visitor = _visitor(server)
    assert "王五" in visitor.page(path).text
    too_short = visitor.post(path, {"password": "short", "confirm": "short"})
    assert too_short.status_code == 400 and "至少 8 个字符" in too_short.text
    chosen = visitor.post(path, {"password": "my own password", "confirm": "my own password"})
    assert chosen.status_code == 303 and visitor.page("/").status_code == 200
    replayed = _visitor(server).page(path)
    assert replayed.status_code == 404 and "只能用一次" in replayed.text
    assert _visitor(server).log_in("2026003", "my own password").status_code == 303


def test_logins_are_rate_limited(server):
    visitor = _visitor(server)
    for _ in range(5):
        assert visitor.log_in("2026004", "wrong password").status_code == 401
    blocked = visitor.log_in("2026004", PASSWORD)
    assert blocked.status_code == 429 and "15 分钟" in blocked.text
    assert _visitor(server).log_in("2026001").status_code == 303  # another account is not locked out


def _cookie(server, login: str, *, age_s: float) -> str:
    """A session cookie for ``login`` signed with the course's key ``age_s`` seconds ago."""

    class Signed(itsdangerous.TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age_s)

    course = Course(server.folder)
    with course.sessions() as db:
        user = db.scalar(select(User).where(User.login == login))
        session = {"user": user.id, "version": user.session_version, "csrf": "x"}
    course.engine.dispose()
    key = (server.folder / "secret.key").read_text().strip()
    return Signed(key).sign(base64.b64encode(json.dumps(session).encode())).decode()


def test_logging_out_ends_the_session(server):
    visitor = _visitor(server, "2026001")
    visitor.page("/")  # a login starts a new session, with a new CSRF token for its forms
    copied = dict(visitor.http.cookies)
    assert visitor.post("/logout").status_code == 303
    assert visitor.http.get(f"/assignments/{NAME}").headers["location"].startswith("/login")
    replayed = httpx.get(f"{server.url}/assignments/{NAME}", cookies=copied)
    assert replayed.status_code == 303 and replayed.headers["location"].startswith("/login"), (
        "a copy of the cookie outlived the logout"
    )


def test_an_expired_session_is_refused(server):
    fresh = httpx.get(
        f"{server.url}/assignments/{NAME}", cookies={"autograder_session": _cookie(server, "2026001", age_s=60)}
    )
    assert fresh.status_code == 200  # the cookie is made as the server makes its own
    expired = httpx.get(
        f"{server.url}/assignments/{NAME}", cookies={"autograder_session": _cookie(server, "2026001", age_s=13 * 3600)}
    )
    assert expired.status_code == 303 and expired.headers["location"].startswith("/login")


def test_a_forged_form_is_refused(server, notebooks):
    visitor = _visitor(server, "2026001")
    other = _visitor(server, "2026002")
    for token in ("", "forged", other.csrf):
        sent = visitor.http.post(
            f"/assignments/{NAME}/submit", data={"csrf": token}, files={"file": ("a.ipynb", EMPTY)}
        )
        assert sent.status_code == 403, token
        assert visitor.http.post("/logout", data={"csrf": token}).status_code == 403
    cookie_only = visitor.http.post(
        f"/api/assignments/{NAME}/submissions", content=EMPTY, headers={"X-Upload-Name": "a.ipynb"}
    )
    assert cookie_only.status_code == 403  # through the API, a browser's session changes nothing without its CSRF token
    assert _incoming(server) == []
    assert visitor.page("/").status_code == 200  # still logged in: the forged logout did nothing


# --- submitting and reading feedback -----------------------------------------------------------


def test_a_submission_is_graded_and_its_feedback_shown(server, notebooks):
    visitor = _visitor(server, "2026001")
    page = visitor.page(f"/assignments/{NAME}").text
    for shown in (f"24 小时内最多 {PER_DAY} 次", f"up to {MAX_UPLOAD_MB} MB", "10% off per day late"):
        assert shown in page  # the limits and the policy are on the page before any upload
    sid = submitted_id(visitor.upload(NAME, "mine.ipynb", notebooks[CORRECT]))
    status = visitor.graded(sid)
    assert (status["score"], status["final"], status["counts"]) == (10.0, 9.0, True)
    assert "late, counted as 1 day: 10% off" in status["late"]
    feedback = visitor.http.get(status["feedback_url"])
    assert feedback.status_code == 200 and 'id="total">10 / ' in feedback.text
    assert "default-src 'none'" in feedback.headers["content-security-policy"]
    history = visitor.page(f"/assignments/{NAME}").text
    assert f'data-id="{sid}"' in history and "✓ 计分 · counts" in history and "9 / 10" in history


def test_another_students_submission_is_not_found(server, notebooks):
    owner = _visitor(server, "2026001")
    sid = submitted_id(owner.upload(NAME, "mine.ipynb", EMPTY))
    owner.graded(sid)
    stranger = _visitor(server, "2026002")
    for path in (f"/submissions/{sid}", f"/submissions/{sid}/feedback", f"/api/submissions/{sid}"):
        assert owner.http.get(path).status_code in (200, 303), path
        assert stranger.http.get(path).status_code == 404, path
    assert _visitor(server, STAFF).http.get(f"/api/submissions/{sid}").status_code == 200
    assert (
        stranger.http.get(f"/api/submissions/{sid + 1000}").status_code == 404
    )  # the same answer as for one that exists


def test_the_notebook_submits_with_its_token(server, notebooks):
    visitor = _visitor(server, "2026007")
    folder = zipfile.ZipFile(io.BytesIO(visitor.http.get(f"/assignments/{NAME}/download").content))
    assert f"{NAME}/{NAME}.ipynb" in folder.namelist()
    server_file = json.loads(folder.read(f"{NAME}/course_server.json"))
    assert server_file["url"] and server_file["assignment"] == NAME
    api = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server_file['token']}"}, timeout=120)
    sent = api.post(f"/api/assignments/{NAME}/submissions", content=EMPTY, headers={"X-Upload-Name": "blank.ipynb"})
    assert sent.status_code == 202 and sent.json()["state"] == "queued"
    graded = api.get(f"/api/submissions/{sent.json()['id']}", params={"wait": 60}).json()
    assert graded["state"] == "graded" and graded["score"] == 0.0
    wrong = httpx.post(
        f"{server.url}/api/assignments/{NAME}/submissions",
        content=b"{}",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert wrong.status_code == 401 and "not valid" in wrong.json()["error"]


def _downloaded_token(visitor) -> str:
    folder = zipfile.ZipFile(io.BytesIO(visitor.http.get(f"/assignments/{NAME}/download").content))
    return json.loads(folder.read(f"{NAME}/course_server.json"))["token"]


def test_the_export_cell_of_a_downloaded_folder_submits_and_shows_the_grade(server, tmp_path):
    """Each download made a new token and left the earlier ones working: they piled up without
    bound, and every old copy of the folder could still submit. A download now revokes the token of
    the student's earlier download of the assignment; the folder downloaded last submits."""
    visitor = _visitor(server, "2026007")
    earlier = _downloaded_token(visitor)
    assert httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {earlier}"}).status_code == 200
    zipfile.ZipFile(io.BytesIO(visitor.http.get(f"/assignments/{NAME}/download").content)).extractall(tmp_path)
    folder = tmp_path / NAME
    latest = json.loads((folder / "course_server.json").read_text())["token"]
    replaced = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {earlier}"})
    assert replaced.status_code == 401 and "revokes the token of the earlier download" in replaced.json()["error"]
    listed = httpx.get(f"{server.url}/api/tokens", headers={"Authorization": f"Bearer {latest}"}).json()
    assert [token["download_of"] for token in listed if token["active"]] == [NAME]
    with zipfile.ZipFile(folder / "handed_in.zip", "w") as export:
        export.writestr(f"{NAME}.ipynb", EMPTY)
    # The folder's own copy of the kit's runtime, as the notebook's last cell imports it there.
    code = (
        "from autograder.authoring.student import submit; import autograder; print(autograder.__file__); "
        "submit('handed_in.zip')"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": os.environ["PATH"]},
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[0] == str(folder / "autograder" / "__init__.py")
    assert "submitted (number" in ran.stdout and "score 0 / 10; feedback at" in ran.stdout, ran.stdout


def test_the_days_cap_refuses_the_next_submission(server, notebooks):
    visitor = _visitor(server, "2026006")
    for _ in range(PER_DAY):
        submitted_id(visitor.upload(NAME, "blank.ipynb", EMPTY))
    refused = visitor.upload(NAME, "blank.ipynb", EMPTY)
    assert refused.status_code == 429
    assert f"24 小时内最多 {PER_DAY} 次" in refused.text and "you may submit again at" in refused.text
    assert "还剩 0 次" in visitor.page(f"/assignments/{NAME}").text


def test_the_servers_clock_decides_lateness_and_an_extension_moves_it(server, notebooks):
    student, staff = _visitor(server, "2026002"), _visitor(server, STAFF)
    early = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)).isoformat()
    export = io.BytesIO()
    with zipfile.ZipFile(export, "w") as archive:  # the export zip says it was made three days ago, before the due time
        archive.writestr(f"{NAME}.ipynb", notebooks[CORRECT])
        archive.writestr("identity.json", json.dumps({"name": "李四", "student_id": "2026002", "exported_at": early}))
    status = student.graded(submitted_id(student.upload(NAME, f"{NAME}_2026002.zip", export.getvalue())))
    assert (status["score"], status["final"]) == (10.0, 9.0)
    staff.page(f"/staff/assignments/{NAME}")
    assert (
        staff.post(f"/staff/assignments/{NAME}/extension", {"login": "2026002", "minutes": "1440"}).status_code == 303
    )
    extended = student.http.get(f"/api/submissions/{status['id']}").json()
    assert (extended["final"], extended["late"]) == (10.0, "")
    assert "extended for you by 1440 minutes" in student.page(f"/assignments/{NAME}").text
    # The class gradebook shows when they really submitted and their own due time, not a time moved back.
    own_due = dt.datetime.fromisoformat(student.http.get(f"/api/assignments/{NAME}").json()["due"])
    received = dt.datetime.fromisoformat(status["received_at"])  # cut to the second: ":00" may show or not
    sheet = staff.http.get(f"/staff/assignments/{NAME}/class/students.csv").content.decode("utf-8-sig")
    (row,) = [row for row in csv.DictReader(io.StringIO(sheet)) if row["student_id"] == "2026002"]
    assert row["submitted"] in {shown_time(received), shown_time(received.replace(microsecond=1))}
    assert (row["due"], row["extension"], row["late"], row["total"]) == (
        shown_time(own_due),
        "延期 1 天 / extended by 1 day",
        "",
        "10.0",
    )


# --- what attackers send -----------------------------------------------------------------------


def test_upload_names_never_reach_a_path_and_markup_stays_text(server, notebooks):
    visitor = _visitor(server, "2026005")
    names = ("../../../escaped.ipynb", '<img src=x onerror="alert(1)">.ipynb')
    for name in names:
        submitted_id(visitor.upload(NAME, name, EMPTY))
    stored = sorted(path.name for path in (server.folder / "uploads" / NAME).iterdir())
    assert all(name.split(".")[0].isdigit() for name in stored), stored
    assert not list(server.folder.parent.rglob("escaped.ipynb"))
    page = visitor.page(f"/assignments/{NAME}").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page
    assert "escaped.ipynb" in page and "../" not in page


def test_a_2gb_upload_is_cut_off_while_it_streams(server):
    visitor = _visitor(server, "2026001")
    visitor.page(f"/assignments/{NAME}")
    assert _declaring(server, visitor, 2 * 2**30).startswith(
        b"HTTP/1.1 413"
    )  # refused on its declared length, before a byte of it
    sent = 0
    chunk = b"\0" * 2**20

    def body():
        nonlocal sent
        yield f'--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{visitor.csrf}\r\n'.encode()
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.ipynb"\r\n\r\n'
        while sent < 2 * 2**30:
            sent += len(chunk)
            yield chunk

    try:
        answer = visitor.http.post(
            f"/assignments/{NAME}/submit", content=body(), headers={"Content-Type": "multipart/form-data; boundary=x"}
        )
        assert answer.status_code == 413 and "too large" in answer.text
    except httpx.TransportError:
        pass  # the server may close the connection while the client still sends
    assert sent < 256 * 2**20, f"the client sent {sent / 2**20:.0f} MB before the server stopped it"
    assert _incoming(server) == []
    assert _visitor(server, "2026001").page("/").status_code == 200


def _declaring(server, visitor: Visitor, length: int) -> bytes:
    """The answer to an upload whose headers declare ``length`` bytes, none of which are sent."""
    cookies = "; ".join(f"{name}={value}" for name, value in visitor.http.cookies.items())
    request = (
        f"POST /assignments/{NAME}/submit HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookies}\r\n"
        f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {length}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(request.encode())
        return connection.recv(4096)


def test_a_zip_bomb_is_refused_without_unpacking_it(server):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{NAME}.ipynb", b" " * (200 * 2**20))  # 200 MB of spaces, about 200 kB packed
    assert len(bomb.getvalue()) < MAX_UPLOAD_MB * 2**20
    refused = _visitor(server, SENDS_ONLY_BAD_FILES).upload(NAME, "bomb.zip", bomb.getvalue())
    assert refused.status_code == 422 and "too large" in refused.text
    assert _incoming(server) == [] and not (server.folder / "uploads" / NAME / "bomb.zip").exists()


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def test_a_dense_notebook_is_read_outside_the_servers_own_process(server):
    """JSON costs Python about 170 bytes a byte to parse: the server reads an upload as the grader
    does, in a child with a memory cap, so a dense file under the size limit leaves its memory flat."""
    values = b"0," * ((MAX_UPLOAD_MB * 2**20 - 200) // 2)
    dense = b'{"cells": [], "metadata": {"x": [' + values + b'0]}, "nbformat": 4, "nbformat_minor": 5}'
    before = _peak_rss_mb(server.process.pid)
    refused = _visitor(server, SENDS_ONLY_BAD_FILES).upload(NAME, "dense.ipynb", dense)
    assert refused.status_code == 422 and "too large" in refused.text
    assert _peak_rss_mb(server.process.pid) - before < 5, "the server parsed the upload in its own process"


@pytest.mark.parametrize(
    "content, words",
    [
        (b"just text", "不是 notebook 文件"),
        (
            nbformat.writes(nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": "kmeans"}})).encode(),
            "交错了作业",
        ),
        (b"{" + b" " * (2 * 2**20) + b"}", "the file is too large"),
    ],
    ids=["not-a-notebook", "wrong-assignment", "over-the-size-limit"],
)
def test_a_wrong_file_gets_a_clear_message(server, content, words):
    refused = _visitor(server, SENDS_ONLY_BAD_FILES).upload(NAME, "file.ipynb", content)
    assert refused.status_code in (413, 422) and words in refused.text
    assert _incoming(server) == []


def test_pages_load_nothing_from_elsewhere(server):
    visitor = _visitor(server, "2026001")
    for path in ("/login", "/", f"/assignments/{NAME}"):
        response = visitor.page(path)
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'none'") and "frame-ancestors 'none'" in policy
        assert "http://" not in response.text.replace(server.url, "") and "https://" not in response.text
    assert visitor.http.get("/api/openapi.json").status_code == 200
    assert visitor.http.get("/docs").status_code == 404  # the interactive docs would load a CDN's scripts


# --- staff -------------------------------------------------------------------------------------


def test_staff_pages_are_staff_only(server):
    student = _visitor(server, "2026001")
    for path in (
        "/staff",
        f"/staff/assignments/{NAME}",
        f"/staff/assignments/{NAME}/class/index.html",
        "/staff/students/2026002",
    ):
        assert student.http.get(path).status_code == 404, path
    assert _visitor(server).http.get("/staff").status_code == 303  # not logged in: to the login page


def test_staff_regrade_close_and_export(server, notebooks):
    student, staff = _visitor(server, "2026008"), _visitor(server, STAFF)
    sid = submitted_id(student.upload(NAME, "mine.ipynb", notebooks[CORRECT]))
    first = student.graded(sid)
    staff.page("/staff/students/2026008")
    assert staff.post(f"/staff/submissions/{sid}/regrade").status_code == 303
    assert student.graded(sid)["score"] == first["score"]
    index = staff.page(f"/staff/assignments/{NAME}/class/index.html")
    assert index.status_code == 200 and "钱七" in index.text and "2026008" in index.text
    assert "script-src 'sha256-" in index.headers["content-security-policy"]  # its sorting script runs
    for export, header in (("canvas.csv", "SIS User ID"), ("moodle.csv", "ID number"), ("students.csv", "student_id")):
        sheet = staff.http.get(f"/staff/assignments/{NAME}/class/{export}")
        assert sheet.status_code == 200 and header in sheet.text and "2026008" in sheet.text, export
    for page in ("summary.html", "similarity.html"):
        assert staff.http.get(f"/staff/assignments/{NAME}/class/{page}").status_code == 200
    assert staff.http.get(f"/staff/assignments/{NAME}/class/../course.db").status_code == 404
    staff.page(f"/staff/assignments/{NAME}")
    assert staff.post(f"/staff/assignments/{NAME}/open", {"open": "0"}).status_code == 303
    closed = student.upload(NAME, "late.ipynb", EMPTY)
    assert closed.status_code == 403 and "已关闭" in closed.text
    assert staff.post(f"/staff/assignments/{NAME}/open", {"open": "1"}).status_code == 303


def test_the_database_can_be_backed_up_while_the_server_runs(server, tmp_path):
    _visitor(server, "2026001")  # the server is up and writing (a login records nothing, but the pools lease and renew)
    backup = tmp_path / "backup.db"
    with sqlite3.connect(server.folder / "course.db") as live, sqlite3.connect(backup) as copy:
        live.backup(copy)

        def counted(database):
            return database.execute("SELECT count(*) FROM users").fetchone()[0]

        assert counted(copy) == counted(live) == 10
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
