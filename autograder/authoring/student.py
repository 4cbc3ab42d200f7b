"""What a student's notebook runs besides its checks: the identity cell and the export cell.

Release puts an identity cell first in every notebook (``STUDENT_NAME``, ``STUDENT_ID`` and a call to
``check_identity``), and replaces Otter's export cell with one that calls ``export``: the zip is
named after the student and carries ``identity.json``, so a TA can tell whose it is. In a folder
downloaded from the course server (``autograder serve``), which holds ``course_server.json``, the
export cell also submits the zip there with the student's token and waits a minute for the grade.
"""

from __future__ import annotations

import datetime
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from autograder.authoring.language import say

IDENTITY_FILE = "identity.json"
ANY_ID = r"\S+"
# Written by the course server into the folder a student downloads: its address, the assignment, the student's token.
SERVER_FILE = "course_server.json"
GRADE_WAIT_S = 60


def identity_problem(name: Any, student_id: Any, *, pattern: str = ANY_ID, example: str = "") -> str | None:
    """What is wrong with the identity a student wrote, in both languages, or None."""
    if not isinstance(name, str) or not name.strip():
        return say("请在 STUDENT_NAME 里写上你的姓名", "write your name in STUDENT_NAME")
    if not isinstance(student_id, str) or not re.fullmatch(pattern, student_id.strip()):
        hint = f"（例如 {example}）" if example else ""
        return say(
            f"请在 STUDENT_ID 里写上你的学号{hint}",
            "write your student number in STUDENT_ID" + (f" (e.g. {example})" if example else ""),
        )
    return None


def check_identity(name: Any, student_id: Any, *, pattern: str = ANY_ID, example: str = "") -> None:
    """Print whether the identity cell is filled in (the cell shows nothing else)."""
    problem = identity_problem(name, student_id, pattern=pattern, example=example)
    print(
        problem or say(f"你好，{name.strip()}（{student_id.strip()}）", f"hello, {name.strip()} ({student_id.strip()})")
    )


def zip_name(assignment: str, student_id: Any, *, now: datetime.datetime | None = None) -> str:
    """``<assignment>_<student id>_<time>.zip``, with anything unsafe in a file name replaced."""
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%dT%H%M%S")
    safe = re.sub(r"[^\w.-]", "_", str(student_id or "").strip(), flags=re.ASCII) or "no_id"
    return f"{assignment}_{safe}_{stamp}.zip"


def export(grader: Any, name: Any, student_id: Any) -> None:
    """Write ``identity.json`` and the submission zip (named after the student), and say its name; in a
    folder downloaded from the course server, submit it there too (``submit``)."""
    notebook = Path(getattr(grader, "_notebook", None) or "submission.ipynb")
    exported_at = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    identity = {
        "name": str(name or "").strip(),
        "student_id": str(student_id or "").strip(),
        "assignment": notebook.stem,
        "exported_at": exported_at,
    }
    Path(IDENTITY_FILE).write_text(json.dumps(identity, ensure_ascii=False), encoding="utf-8")
    problem = identity_problem(name, student_id)
    if problem:
        print(problem)
    path = zip_name(notebook.stem, student_id)
    grader.export(pdf=False, export_path=path, files=[IDENTITY_FILE])
    print(say(f"已生成 {path}：请提交这个文件", f"wrote {path}: submit this file"))
    if Path(SERVER_FILE).is_file():
        submit(path)


def submit(path: str, *, server_file: str = SERVER_FILE) -> dict | None:
    """Send the zip at ``path`` to the course server ``server_file`` names, print what it answered and,
    once graded (a minute at most), the score; return the submission's status (None if refused)."""
    server = json.loads(Path(server_file).read_text(encoding="utf-8"))
    base, assignment = str(server["url"]).rstrip("/"), server["assignment"]
    headers = {"Authorization": f"Bearer {server['token']}"}
    sent = _call(
        urllib.request.Request(
            f"{base}/api/assignments/{assignment}/submissions",
            data=Path(path).read_bytes(),
            method="POST",
            headers={**headers, "X-Upload-Name": Path(path).name, "Content-Type": "application/zip"},
        )
    )
    if sent is None:
        return None
    page = f"{base}/assignments/{assignment}"
    print(say(f"已提交（第 {sent['id']} 号），正在评分……", f"submitted (number {sent['id']}), grading..."))
    graded = _call(
        urllib.request.Request(f"{base}/api/submissions/{sent['id']}?wait={GRADE_WAIT_S}", headers=headers),
        timeout=GRADE_WAIT_S + 30,
    )
    if graded is None or graded.get("state") != "graded":
        print(say(f"评分还没有结束，请稍后在 {page} 查看", f"not graded yet: see {page} in a while"))
        return graded or sent
    print(
        say(
            f"得分 {graded['final']:g} / {graded['possible']:g}，反馈见 {page}",
            f"score {graded['final']:g} / {graded['possible']:g}; feedback at {page}",
        )
    )
    return graded


def _call(request: urllib.request.Request, *, timeout: float = 60) -> dict | None:
    """The server's JSON answer; None, with the reason printed, when it refused or could not be reached."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        try:
            reason = json.loads(error.read().decode("utf-8")).get("error", "")
        except ValueError:
            reason = f"HTTP {error.code}"
        print(say(f"服务器没有接受：{reason}", f"the server did not take it: {reason}"))
    except (urllib.error.URLError, OSError) as error:
        print(
            say(
                f"连不上评分服务器（{error}）：请在课程网页上提交这个 zip",
                f"could not reach the course server ({error}): submit the zip on the course page",
            )
        )
    return None
