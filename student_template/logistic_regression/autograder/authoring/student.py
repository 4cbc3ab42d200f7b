"""What a student's notebook runs besides its checks: the identity cell and the export cell.

Release puts an identity cell first in every notebook (``STUDENT_NAME``, ``STUDENT_ID`` and a call to
``check_identity``), and replaces Otter's export cell with one that calls ``export``: the zip is
named after the student and carries ``identity.json``, so a TA can tell whose it is.
"""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

from autograder.authoring.language import say

IDENTITY_FILE = "identity.json"
ANY_ID = r"\S+"


def identity_problem(name: Any, student_id: Any, *, pattern: str = ANY_ID, example: str = "") -> str | None:
    """What is wrong with the identity a student wrote, in both languages, or None."""
    if not isinstance(name, str) or not name.strip():
        return say("请在 STUDENT_NAME 里写上你的姓名", "write your name in STUDENT_NAME")
    if not isinstance(student_id, str) or not re.fullmatch(pattern, student_id.strip()):
        hint = f"（例如 {example}）" if example else ""
        return say(f"请在 STUDENT_ID 里写上你的学号{hint}", "write your student number in STUDENT_ID" + (f" (e.g. {example})" if example else ""))
    return None


def check_identity(name: Any, student_id: Any, *, pattern: str = ANY_ID, example: str = "") -> None:
    """Print whether the identity cell is filled in (the cell shows nothing else)."""
    problem = identity_problem(name, student_id, pattern=pattern, example=example)
    print(problem or say(f"你好，{name.strip()}（{student_id.strip()}）", f"hello, {name.strip()} ({student_id.strip()})"))


def zip_name(assignment: str, student_id: Any, *, now: datetime.datetime | None = None) -> str:
    """``<assignment>_<student id>_<time>.zip``, with anything unsafe in a file name replaced."""
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%dT%H%M%S")
    safe = re.sub(r"[^\w.-]", "_", str(student_id or "").strip(), flags=re.ASCII) or "no_id"
    return f"{assignment}_{safe}_{stamp}.zip"


def export(grader: Any, name: Any, student_id: Any) -> None:
    """Write ``identity.json`` and the submission zip (named after the student), and say its name."""
    notebook = Path(getattr(grader, "_notebook", None) or "submission.ipynb")
    exported_at = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    identity = {"name": str(name or "").strip(), "student_id": str(student_id or "").strip(), "assignment": notebook.stem, "exported_at": exported_at}
    Path(IDENTITY_FILE).write_text(json.dumps(identity, ensure_ascii=False), encoding="utf-8")
    problem = identity_problem(name, student_id)
    if problem:
        print(problem)
    path = zip_name(notebook.stem, student_id)
    grader.export(pdf=False, export_path=path, files=[IDENTITY_FILE])
    print(say(f"已生成 {path}：请提交这个文件", f"wrote {path}: submit this file"))
