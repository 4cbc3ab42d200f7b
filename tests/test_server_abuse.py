"""The course server under abuse, over HTTP as an attacker would send it: slow and stalled uploads,
crowds of status watchers, parallel uploads racing the day's cap, stolen and expired tokens, guessed
passwords, forged proxy headers, malformed forms, and what the course folder lets others read.

One real server (``autograder serve`` in a subprocess) on the released logistic-regression
assignment: three submissions a day, uploads up to 1 MB and 1 MB stored per student, an upload cut
off after 2 s without a byte or 8 s in all, and one trusted proxy, 127.0.0.9 (any 127.x address
reaches the loopback server, so a test picks the address it comes from). Each test works with its own students.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import re
import shutil
import socket
import stat
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import httpx
import nbformat
import psutil
import pytest
import yaml
from sqlalchemy import select, update

from autograder.server.course import Course
from autograder.server.jobs import DatabaseQueue, queue_position
from autograder.server.models import STUDENT, ApiToken, Submission, User
from autograder.server.receive import receive
from autograder.server.tokens import MAX_MADE_TOKENS, issue_token
from autograder.server.upload_refusals import UploadRefused
from autograder.server.uploads import INCOMING, Upload
from tests import scale_services
from tests.course_server import PASSWORD, STAFF, Server, Visitor, course_folder, project_with, submitted_id

NAME = "logistic_regression"
PER_DAY = 3
STALL_S, UPLOAD_S = 2, 8
PROXY = "127.0.0.9"
# Students beyond the roster's nine, for the crowd of watchers and the slow uploaders (two each).
CROWD = tuple(f"2027{number:03d}" for number in range(1, 31))
TRICKLERS = tuple(f"2028{number:03d}" for number in range(1, 41))
EMPTY = nbformat.writes(nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": NAME}})).encode()
# A notebook that keeps a grading slot busy for a while: what it holds up stays queued.
SLEEPER = nbformat.writes(
    nbformat.v4.new_notebook(
        metadata={"otter": {"assignment_name": NAME}}, cells=[nbformat.v4.new_code_cell("import time\ntime.sleep(40)")]
    )
).encode()
TOKEN = re.compile(r'<code id="token">([^<]+)</code>')


@pytest.fixture(scope="module")
def server(assignment, tmp_path_factory):
    root = tmp_path_factory.mktemp("abused-server")
    project = project_with(
        assignment, root / "project", server={"per_day": PER_DAY, "max_upload_mb": 1, "max_stored_mb": 1}
    )
    folder = course_folder(project, root / "course")
    settings = yaml.safe_load((folder / "server.yml").read_text(encoding="utf-8"))
    settings.update(upload_stall_seconds=STALL_S, upload_seconds=UPLOAD_S, trusted_proxies=[PROXY])
    (folder / "server.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    running = Server(folder)
    yield running
    running.stop()


def _with_tokens(server, logins: tuple[str, ...]) -> dict[str, str]:
    """Students beyond the roster, each with an API token (no password: logging in costs an Argon2 check each)."""
    course = Course(server.folder)
    with course.sessions.begin() as db:
        users = [User(login=login, student_id=login, name=f"学生{login}", role=STUDENT) for login in logins]
        db.add_all(users)
        db.flush()
        tokens = {user.login: issue_token(db, user, days=1) for user in users}
    course.engine.dispose()
    return tokens


@pytest.fixture(scope="module")
def crowd(server) -> dict[str, str]:
    return _with_tokens(server, CROWD)


@pytest.fixture(scope="module")
def tricklers(server) -> dict[str, str]:
    return _with_tokens(server, TRICKLERS)


def _visitor(server, login: str | None = None, *, address: str | None = None) -> Visitor:
    visitor = Visitor(server.url)
    if address:
        visitor.http = httpx.Client(
            base_url=server.url,
            follow_redirects=False,
            timeout=120,
            transport=httpx.HTTPTransport(local_address=address),
        )
    if login:
        assert visitor.log_in(login).status_code == 303
    return visitor


def _token(visitor: Visitor) -> str:
    """A new API token, made on the assignment page as a student does."""
    visitor.page(f"/assignments/{NAME}")
    assert visitor.post("/tokens", {"assignment": NAME}).status_code == 303
    return TOKEN.search(visitor.page(f"/assignments/{NAME}").text).group(1)


def _api(server, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _incoming(server) -> int:
    folder = server.folder / "uploads" / ".incoming"
    return len(list(folder.iterdir())) if folder.is_dir() else 0


def _connections(server) -> int:
    return sum(
        1
        for connection in psutil.Process(server.process.pid).net_connections("tcp")
        if connection.status == psutil.CONN_ESTABLISHED and connection.laddr.port == server.port
    )


def _until(condition, seconds: float) -> bool:
    """Whether ``condition()`` came true within ``seconds`` (looked at every 0.1 s)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _submit_api(client: httpx.AsyncClient, content) -> "asyncio.Future":
    return client.post(f"/api/assignments/{NAME}/submissions", content=content, headers={"X-Upload-Name": "slow.ipynb"})


# --- slow clients --------------------------------------------------------------------------------


def test_slow_uploads_neither_freeze_the_server_nor_outlast_its_limit(server, tricklers):
    """80 clients, two per student, trickle a byte a second. Each used to hold a database connection
    while its body came, so about 60 of them froze every other request."""
    answers: list = []

    async def trickle(client):
        for _ in range(60):
            yield b" "
            await asyncio.sleep(1)

    async def crowd():
        clients = [
            httpx.AsyncClient(base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {token}"})
            for token in tricklers.values()
        ]
        try:
            uploads = (_submit_api(client, trickle(client)) for client in clients for _ in range(2))
            answers.extend(await asyncio.gather(*uploads, return_exceptions=True))
        finally:
            for client in clients:
                await client.aclose()

    began = time.monotonic()
    slow = _background(crowd)
    assert _until(lambda: _incoming(server) >= 80, 20), f"only {_incoming(server)} of 80 slow uploads were being read"
    start = time.monotonic()
    student = _visitor(server, "2026001")
    submitted_id(student.upload(NAME, "mine.ipynb", EMPTY))
    assert time.monotonic() - start < 10, "a student waited behind the slow uploads"
    slow.join(120)
    assert time.monotonic() - began < 40, "the slow uploads went on for their whole minute"
    # Cut off, the server closes the connection; a client still sending may see that before the 408.
    assert all(isinstance(answer, httpx.TransportError) or answer.status_code == 408 for answer in answers), answers
    assert len(answers) == 80 and _until(lambda: _incoming(server) == 0, 10)


def test_a_stalled_upload_is_cut_off(server):
    visitor = _visitor(server, "2026002")
    visitor.page(f"/assignments/{NAME}")
    body = (
        f'--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{visitor.csrf}\r\n'
        '--x\r\nContent-Disposition: form-data; name="file"; filename="a.ipynb"\r\n\r\n{'
    ).encode()
    cookies = "; ".join(f"{name}={value}" for name, value in visitor.http.cookies.items())
    head = (
        f"POST /assignments/{NAME}/submit HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookies}\r\n"
        f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {len(body) + 100}\r\n\r\n"
    ).encode()
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(head + body)  # and then nothing more, though 100 bytes were promised
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408") and "too slow: nothing arrived for 2 s" in answer.decode(), answer[:300]
    assert STALL_S <= time.monotonic() - start < STALL_S + 10
    assert _incoming(server) == 0


def _background(coroutine_function):
    import threading

    thread = threading.Thread(target=lambda: asyncio.run(coroutine_function()), daemon=True)
    thread.start()
    return thread


def test_a_crowd_of_status_watchers_does_not_jam_the_server(server, crowd):
    """150 requests wait for grades (5 each from 30 students); every waiting request used to hold a
    database connection or a thread, and about 60 of them froze the server."""
    busy = _visitor(server, "2026008")
    for _ in range(2):
        submitted_id(busy.upload(NAME, "sleeps.ipynb", SLEEPER))  # both grading slots are taken for a while
    watchers = []
    for token in crowd.values():
        sent = _api(server, token).post(
            f"/api/assignments/{NAME}/submissions", content=EMPTY, headers={"X-Upload-Name": "mine.ipynb"}
        )
        assert sent.status_code == 202, sent.text
        watchers.append(({"Authorization": f"Bearer {token}"}, sent.json()["id"]))
    answers: list = []

    async def watch():
        clients = [httpx.AsyncClient(base_url=server.url, headers=headers, timeout=60) for headers, _ in watchers]
        try:
            waits = [
                client.get(f"/api/submissions/{sid}", params={"wait": 15})
                for client, (_, sid) in zip(clients, watchers)
                for _ in range(5)
            ]
            answers.extend(await asyncio.gather(*waits, return_exceptions=True))
        finally:
            for client in clients:
                await client.aclose()

    waiting = _background(watch)
    assert _until(lambda: _connections(server) >= 150, 30), f"{_connections(server)} connections open"
    start = time.monotonic()
    student = _visitor(server, "2026007")
    assert student.http.get("/api/me").json()["login"] == "2026007"
    assert student.page(f"/assignments/{NAME}").status_code == 200
    assert time.monotonic() - start < 10, "a student waited behind the watchers"
    one_more = httpx.get(
        f"{server.url}/api/submissions/{watchers[-1][1]}", params={"wait": 15}, headers=watchers[-1][0], timeout=10
    )
    assert one_more.status_code == 429 and "at most 5" in one_more.json()["error"]  # a sixth wait of one student
    waiting.join(90)
    assert [answer.status_code for answer in answers if isinstance(answer, httpx.Response)] == [200] * 150, answers[:3]


# --- the day's cap under a race ------------------------------------------------------------------


def _race(course: Course, login: str) -> tuple[list[int | str], list[int]]:
    """20 uploads of ``login``'s taken in at once by ``receive`` (each request's own step once its body
    is in): what each got (the submission's id, or the refusal), and the submissions kept."""
    queue = DatabaseQueue(course.sessions, lease_seconds=60)
    with course.sessions() as db:
        student_id = db.scalar(select(User.id).where(User.login == login))

    def upload(number: int) -> int | str:
        incoming = course.folder / INCOMING / f"race-{login}-{number}.part"
        incoming.parent.mkdir(parents=True, exist_ok=True)
        incoming.write_bytes(EMPTY)
        with course.sessions() as db:
            try:
                offered = course.offered[NAME]
                return receive(
                    course, queue, db, db.get(User, student_id), offered, Upload(incoming, len(EMPTY), "a.ipynb")
                ).id
            except UploadRefused as refused:
                return str(refused)

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(upload, range(20)))
    with course.sessions() as db:
        kept = sorted(db.scalars(select(Submission.id).where(Submission.user_id == student_id)))
    course.engine.dispose()
    return outcomes, kept


def _only_the_cap_taken(outcomes: list[int | str], kept: list[int]) -> None:
    accepted = sorted(outcome for outcome in outcomes if isinstance(outcome, int))
    assert len(accepted) == PER_DAY and accepted == kept, outcomes
    assert all(f"24 小时内最多提交 {PER_DAY} 次" in outcome for outcome in outcomes if isinstance(outcome, str))


def test_parallel_uploads_cannot_beat_the_days_cap(server):
    """Two uploads of one account may arrive at once (the third waits its turn: see below), and
    checking the cap and adding the submission race between them; 20 at once add exactly the cap."""
    _only_the_cap_taken(*_race(Course(server.folder), "2026004"))


def test_a_third_upload_at_once_is_refused_before_its_body_is_read(server, tricklers):
    """Each upload under way holds a file of up to the size limit, for up to upload_seconds: one
    student opening a thousand slow ones filled the disk."""
    token = tricklers[TRICKLERS[0]]
    answers: list = []

    async def trickle():
        for _ in range(4):
            yield b" "
            await asyncio.sleep(1)

    async def two_slow_ones():
        async with httpx.AsyncClient(
            base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            answers.extend(await asyncio.gather(*(_submit_api(client, trickle()) for _ in range(2))))

    slow = _background(two_slow_ones)
    assert _until(lambda: _incoming(server) >= 2, 20)
    third = _api(server, token).post(
        f"/api/assignments/{NAME}/submissions", content=EMPTY, headers={"X-Upload-Name": "a.ipynb"}
    )
    assert third.status_code == 429 and "2 uploads of yours are still arriving" in third.json()["error"], third.text
    slow.join(60)
    assert [answer.status_code for answer in answers] == [422, 422]  # four spaces are no notebook
    again = _api(server, token).post(
        f"/api/assignments/{NAME}/submissions", content=EMPTY, headers={"X-Upload-Name": "a.ipynb"}
    )
    assert again.status_code == 202, again.text


@pytest.mark.skipif(bool(scale_services.missing()), reason=scale_services.missing() or "PostgreSQL is here")
def test_parallel_uploads_cannot_beat_the_days_cap_in_postgresql(assignment, tmp_path):
    """The same race where the course's database is PostgreSQL (its row lock, not SQLite's write lock)."""
    project = project_with(assignment, tmp_path / "project", server={"per_day": PER_DAY})
    with scale_services.postgres_cluster(tmp_path / "postgres") as cluster:
        course = Course(course_folder(project, tmp_path / "course", database_url=cluster.database("course")))
        _only_the_cap_taken(*_race(course, "2026001"))


# --- tokens --------------------------------------------------------------------------------------


def test_a_revoked_token_is_refused(server):
    student = _visitor(server, "2026005")
    first, second, third = (_token(student) for _ in range(3))
    assert _api(server, first).get("/api/me").json()["login"] == "2026005"
    listed = _api(server, first).get("/api/tokens").json()
    assert len(listed) == 3 and all(row["expires_at"] for row in listed)
    stranger = _visitor(server, "2026006")
    stranger_token = _token(stranger)
    assert (
        _api(server, stranger_token).delete(f"/api/tokens/{listed[0]['id']}").status_code == 404
    )  # not theirs to revoke

    assert _api(server, second).delete(f"/api/tokens/{listed[0]['id']}").status_code == 200  # over the API
    page = student.page("/tokens")
    assert page.status_code == 200 and page.text.count('class="quiet revoke"') == 2
    assert student.post(f"/tokens/{listed[1]['id']}/revoke").status_code == 303  # on the page
    staff = _visitor(server, STAFF)
    assert "/tokens/" in staff.page("/staff/students/2026005").text
    assert staff.post(f"/tokens/{listed[2]['id']}/revoke").status_code == 303  # staff may revoke anyone's
    for replayed in (first, second, third):
        refused = _api(server, replayed).get("/api/me")
        assert refused.status_code == 401 and "revoked" in refused.json()["error"]
    assert _api(server, stranger_token).get("/api/me").status_code == 200


def test_tokens_made_on_the_page_do_not_pile_up(server):
    """Every press of "New token" added one more live token, without bound."""
    student = _visitor(server, "2026006")
    made = [_token(student) for _ in range(MAX_MADE_TOKENS + 1)]
    refused = _api(server, made[0]).get("/api/me")
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]
    assert all(_api(server, token).get("/api/me").status_code == 200 for token in made[1:])
    live = [row for row in _api(server, made[-1]).get("/api/tokens").json() if row["active"]]
    assert len(live) == MAX_MADE_TOKENS and {row["download_of"] for row in live} == {None}


def test_parallel_downloads_leave_one_live_token(server):
    """Downloads sent at once each read the same earlier token, revoked it, and kept their own: one
    download's worth of live tokens per request, every old folder still able to submit."""
    student = _visitor(server, "2026002")

    async def downloads() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, cookies=student.http.cookies, timeout=120) as client:
            return await asyncio.gather(*(client.get(f"/assignments/{NAME}/download") for _ in range(8)))

    tokens = []
    for response in asyncio.run(downloads()):
        assert response.status_code == 200
        folder = zipfile.ZipFile(io.BytesIO(response.content))
        tokens.append(json.loads(folder.read(f"{NAME}/course_server.json"))["token"])
    answers = [_api(server, token).get("/api/me").status_code for token in tokens]
    assert sorted(answers) == [200] + [401] * 7, answers
    live = [row for row in _api(server, tokens[answers.index(200)]).get("/api/tokens").json() if row["active"]]
    assert [row["download_of"] for row in live] == [NAME]


def test_an_expired_token_is_refused_and_tokens_are_kept_hashed(server):
    student = _visitor(server, "2026005")
    token = _token(student)
    assert _api(server, token).get("/api/me").status_code == 200
    course = Course(server.folder)
    with course.sessions.begin() as db:
        newest = db.scalar(select(ApiToken).order_by(ApiToken.id.desc()).limit(1))
        assert newest.expires_at > dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=100)  # a term by default
        db.execute(
            update(ApiToken)
            .where(ApiToken.id == newest.id)
            .values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1))
        )
    course.engine.dispose()
    expired = _api(server, token).get("/api/me")
    assert expired.status_code == 401 and "expired" in expired.json()["error"]
    assert (
        token.encode()
        not in (server.folder / "course.db").read_bytes() + (server.folder / "course.db-wal").read_bytes()
    )


def test_an_id_past_64_bits_is_not_found(server):
    """Such an id reached the database driver, which failed on it: a 500 and a reset connection."""
    student = _visitor(server, "2026005", address="127.0.0.7")
    token = _token(student)
    huge = 2**64
    for path in (f"/submissions/{huge}", f"/submissions/{huge}/feedback"):
        assert student.http.get(path).status_code == 404, path
    api = _api(server, token)
    assert api.get(f"/api/submissions/{huge}").status_code == 404
    assert api.delete(f"/api/tokens/{huge}").status_code == 404
    assert api.get("/api/me").json()["login"] == "2026005"


# --- guessing passwords --------------------------------------------------------------------------


def test_guesses_from_one_address_cannot_lock_the_owner_out_from_another(server):
    attacker = _visitor(server, address="127.0.0.2")
    for _ in range(5):
        assert attacker.log_in("2026009", "wrong password").status_code == 401
    assert attacker.log_in("2026009").status_code == 429  # the attacker's address is stopped for this account
    assert _visitor(server, address="127.0.0.3").log_in("2026009").status_code == 303  # the owner is not


def test_guessing_stays_slow_across_accounts_from_one_address(server):
    attacker = _visitor(server, address="127.0.0.4")
    for login in CROWD:  # logins no one has, or whose owner has no password: each counts as a failure all the same
        assert attacker.log_in(login, "wrong password").status_code == 401
    assert attacker.log_in("2026001", "wrong password").status_code == 429
    assert attacker.log_in("2026001").status_code == 429  # 30 failures from one address stop it, right password or not


def test_guesses_from_one_ipv6_network_count_as_from_one_address(server):
    """An IPv6 host holds a /64 and may send from any address in it: each used to count as a new client."""
    proxy = _visitor(server, address=PROXY)
    for number in range(31):
        proxy.page("/login")
        sent = proxy.http.post(
            "/login",
            data={"csrf": proxy.csrf, "login": f"guess{number}", "password": "wrong", "next": "/"},
            headers={"X-Forwarded-For": f"2001:db8:5:6::{number + 1:x}"},
        )
        assert sent.status_code == (429 if number == 30 else 401), number


def test_a_forged_forwarded_for_header_is_ignored(server):
    attacker = _visitor(server, address="127.0.0.5")
    for number in range(5):
        attacker.page("/login")
        sent = attacker.http.post(
            "/login",
            data={"csrf": attacker.csrf, "login": "2026003", "password": "wrong", "next": "/"},
            headers={"X-Forwarded-For": f"10.9.9.{number}"},
        )
        assert sent.status_code == 401
    assert attacker.log_in("2026003").status_code == 429, "each forged address counted as a new client"
    proxy = _visitor(server, address=PROXY)  # the trusted proxy's word is taken
    for _ in range(5):
        proxy.page("/login")
        proxy.http.post(
            "/login",
            data={"csrf": proxy.csrf, "login": "2026006", "password": "wrong", "next": "/"},
            headers={"X-Forwarded-For": "10.1.1.1"},
        )
    proxy.page("/login")
    owner = proxy.http.post(
        "/login",
        data={"csrf": proxy.csrf, "login": "2026006", "password": PASSWORD, "next": "/"},
        headers={"X-Forwarded-For": "10.2.2.2"},
    )
    assert owner.status_code == 303


# --- malformed forms -----------------------------------------------------------------------------


def _part(name: str, disposition_extra: str = "", content: bytes = b"", content_type: str = "") -> bytes:
    header = f'--x\r\nContent-Disposition: form-data; name="{name}"{disposition_extra}\r\n'
    header += f"Content-Type: {content_type}\r\n" if content_type else ""
    return header.encode() + b"\r\n" + content + b"\r\n"


@pytest.mark.parametrize(
    "body, content_type, words",
    [
        (
            lambda csrf: (
                _part("csrf", content=csrf) + _part("file", f'; filename="{"a" * 5000}.ipynb"', EMPTY) + b"--x--\r\n"
            ),
            "multipart/form-data; boundary=x",
            "file name is too long",
        ),
        (
            lambda csrf: _part("csrf", content=csrf) + _part("file", content=EMPTY) + b"--x--\r\n",
            "multipart/form-data; boundary=x",
            "no file was sent",
        ),
        (
            lambda csrf: _part("csrf", content=csrf) + _part("file", '; filename="a.ipynb"') + b"--x--\r\n",
            "multipart/form-data; boundary=x",
            "the file is empty",
        ),
        (
            lambda csrf: _part("csrf", content=csrf) + b"--x\r\nnot a header line\r\n\r\n--x--\r\n",
            "multipart/form-data; boundary=x",
            "not a valid form",
        ),
        (lambda csrf: b"csrf=" + csrf, "application/x-www-form-urlencoded", "multipart form"),
        (lambda csrf: EMPTY, "multipart/form-data", "multipart form"),
    ],
    ids=["5000-character-name", "no-filename", "empty-file", "broken-part", "urlencoded", "no-boundary"],
)
def test_a_malformed_form_gets_a_clear_400(server, body, content_type, words):
    visitor = _visitor(server, "2026007")
    visitor.page(f"/assignments/{NAME}")
    answer = visitor.http.post(
        f"/assignments/{NAME}/submit", content=body(visitor.csrf.encode()), headers={"Content-Type": content_type}
    )
    assert answer.status_code == 400 and words in answer.text, answer.text[-600:]
    assert _incoming(server) == 0


@pytest.mark.parametrize(
    "method, path, data, status, words",
    [
        ("GET", "/no-such-page", None, 404, "没有这个页面 · no such page"),
        ("GET", "/api/no-such-route", None, 404, "没有这个页面 · no such page"),
        ("PUT", "/api/me", None, 405, "这个地址不接受这种请求"),
        ("POST", "/login", {"login": "2026001", "password": "p" * (1024 * 1024 + 1)}, 400, "请求不对 · the request is"),
    ],
    ids=["page", "api-route", "method", "form-field-over-1-MB"],
)
def test_refusals_starlette_makes_are_in_both_languages(server, method, path, data, status, words):
    """A route that does not exist, a method a route does not take and a form field past Starlette's
    limit were answered {"detail": "Not Found"} in English only, not as the server's other errors."""
    answer = httpx.request(method, server.url + path, data=data, timeout=60)
    assert answer.status_code == status
    if path.startswith("/api/"):
        assert words in answer.json()["error"]
    else:
        assert words in answer.text and answer.headers["content-type"].startswith("text/html")
    if status == 405:
        assert answer.headers["allow"] == "GET, HEAD, OPTIONS"


def test_a_utf8_name_in_the_upload_name_header_is_shown_as_sent(server):
    """curl sends a header's UTF-8 bytes as they are; read as Latin-1, 逻辑回归.ipynb was listed as 'é\x80»è¾\x91…'."""
    student = _visitor(server, "2026002")
    student.page(f"/assignments/{NAME}")
    sent = student.http.post(
        f"/api/assignments/{NAME}/submissions",
        content=EMPTY,
        headers=[(b"X-CSRF-Token", student.csrf.encode()), (b"X-Upload-Name", "逻辑回归.ipynb".encode())],
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["upload_name"] == "逻辑回归.ipynb"


# --- the course folder -----------------------------------------------------------------------------


def test_the_database_and_submissions_are_the_owners_alone(server):
    student = _visitor(server, "2026009", address="127.0.0.6")
    sid = submitted_id(student.upload(NAME, "mine.ipynb", EMPTY))

    def mode(path):
        return stat.S_IMODE(path.stat().st_mode)

    for path in (
        server.folder / "course.db",
        server.folder / "course.db-wal",
        server.folder / "uploads" / NAME / f"{sid}.ipynb",
        server.folder / "roster.csv",  # was 0o644: every student's name and number
    ):
        assert mode(path) == 0o600, f"{path}: {oct(mode(path))}"
    # classes/ was 0o755, its gradebooks and copies of graded/'s feedback pages 0o644: anyone on the host read them
    for path in (server.folder / "uploads", server.folder / "graded", server.folder / "classes"):
        assert mode(path) == 0o700, f"{path}: {oct(mode(path))}"


# --- the server's disk -------------------------------------------------------------------------------


def _padded(size: int) -> bytes:
    """A notebook of the assignment about ``size`` bytes long (one long markdown cell)."""
    notebook = nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": NAME}})
    notebook.cells.append(nbformat.v4.new_markdown_cell("x" * size))
    return nbformat.writes(notebook).encode()


def test_a_students_submissions_cannot_take_more_than_their_quota(server):
    """With no daily cap, one student's uploads at the cooldown's pace, each up to the size limit,
    could fill the server's disk over a term. Each student's submissions of an assignment now take
    at most max_stored_mb, each counted with 0.25 MB for what grading writes beside it."""
    student = _visitor(server, "2026003")
    first = submitted_id(student.upload(NAME, "mine.ipynb", EMPTY))
    shown = student.page(f"/assignments/{NAME}").text
    assert "your submissions take 0.25 of 1 MB" in shown, shown[-3000:]
    refused = student.upload(NAME, "big.ipynb", _padded(600_000))  # under the 1 MB upload limit, over the quota left
    assert refused.status_code == 507 and "take 0.25 MB of the 1.00 MB each student may store" in refused.text
    assert "too little room for this file (0.57 MB)" in refused.text and _incoming(server) == 0
    status = student.http.get(f"/api/assignments/{NAME}").json()
    assert (status["stored_mb"], status["max_stored_mb"]) == (0.25, 1.0)
    assert [row["id"] for row in status["submissions"]] == [first]  # nothing stored is lost
    assert submitted_id(student.upload(NAME, "small.ipynb", EMPTY)) > first  # a file that fits is still taken


def test_uploads_are_refused_while_the_disk_is_short_of_its_reserve_and_nothing_stored_is_lost(assignment, tmp_path):
    course = course_folder(project_with(assignment, tmp_path / "project"), tmp_path / "course")
    opened = Course(course)
    queue = DatabaseQueue(opened.sessions, lease_seconds=60)
    incoming = course / INCOMING / "kept.part"
    incoming.parent.mkdir(parents=True)
    incoming.write_bytes(EMPTY)
    with opened.sessions() as db:
        student = db.scalar(select(User).where(User.login == "2026001"))
        kept = receive(opened, queue, db, student, opened.offered[NAME], Upload(incoming, len(EMPTY), "a.ipynb"))
        kept_id, kept_file = kept.id, course / kept.stored
    opened.engine.dispose()
    settings = yaml.safe_load((course / "server.yml").read_text(encoding="utf-8"))
    free_mb = shutil.disk_usage(course).free / 2**20
    (course / "server.yml").write_text(yaml.safe_dump({**settings, "min_free_disk_mb": free_mb + 1024}), "utf-8")
    running = Server(course)
    try:
        token = _token(_visitor(running, "2026001"))
        sent = _api(running, token).post(
            f"/api/assignments/{NAME}/submissions", content=EMPTY, headers={"X-Upload-Name": "a.ipynb"}
        )
        assert sent.status_code == 507 and "the server's disk is nearly full" in sent.json()["error"]
        assert sent.headers["connection"] == "close"  # refused before the body is read
        form = _visitor(running, "2026001").upload(NAME, "a.ipynb", EMPTY)
        assert form.status_code == 507 and "服务器的磁盘快满了" in form.text
        listed = _api(running, token).get(f"/api/assignments/{NAME}/submissions").json()
    finally:
        running.stop()
    assert [row["id"] for row in listed] == [kept_id] and kept_file.read_bytes() == EMPTY
    assert not list((course / INCOMING).iterdir())


# --- staff -------------------------------------------------------------------------------------------


def test_staff_get_no_extension(server):
    staff = _visitor(server, STAFF)
    staff.page(f"/staff/assignments/{NAME}")
    refused = staff.post(f"/staff/assignments/{NAME}/extension", {"login": STAFF, "minutes": "60"})
    assert refused.status_code == 400 and "only students" in refused.text
    assert staff.post(f"/staff/assignments/{NAME}/extension", {"login": "2026009", "minutes": "60"}).status_code == 303


# --- the grading queue -------------------------------------------------------------------------------


def test_a_flood_of_uploads_from_one_student_does_not_hold_up_the_class(server):
    """Without per_day or a cooldown, one student may queue a hundred notebooks that each keep a
    sandbox busy to the timeout; the class used to wait behind every one of them. Jobs now take
    turns by student: the next one's first waiting job comes before the flooder's second. Queued
    under an assignment name the server does not offer, so its own grading loop leaves them alone."""
    course = Course(server.folder)
    queue = DatabaseQueue(course.sessions, lease_seconds=60)
    flooded = "flooded_assignment"
    with course.sessions.begin() as db:
        flooder, other = (db.scalar(select(User).where(User.login == login)) for login in ("2026007", "2026008"))
        flood = [Submission(user_id=flooder.id, assignment=flooded, upload_name="x.ipynb") for _ in range(6)]
        db.add_all(flood)
        db.flush()
        for submission in flood:
            queue.enqueue(db, submission)
        db.flush()
        late_comer = Submission(user_id=other.id, assignment=flooded, upload_name="y.ipynb")
        db.add(late_comer)
        db.flush()
        queue.enqueue(db, late_comer)
    with course.sessions() as db:
        assert queue_position(db, db.get(Submission, late_comer.id)) == 1
        assert queue_position(db, db.get(Submission, flood[-1].id)) == 6
    taken = [queue.claim(flooded, "test-worker").submission_id for _ in range(3)]
    course.engine.dispose()
    assert taken == [flood[0].id, late_comer.id, flood[1].id]
