"""The student folder a student downloads: the released template, and how its last cell reaches
this server (``course_server.json``: the server's address, the assignment and the student's token,
which the export cell's ``autograder.authoring.student.submit`` reads)."""
from __future__ import annotations

import io
import json
import zipfile

from autograder.assignment import Assignment
from autograder.authoring.student import SERVER_FILE


def student_folder_zip(assignment: Assignment, *, url: str, token: str) -> bytes:
    """``student_template/<name>/`` as a zip whose one folder is ``<name>/``, with the server file added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(assignment.student_dir.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts:
                archive.write(path, f"{assignment.name}/{path.relative_to(assignment.student_dir).as_posix()}")
        server = {"url": url, "assignment": assignment.name, "token": token}
        archive.writestr(f"{assignment.name}/{SERVER_FILE}", json.dumps(server, ensure_ascii=False, indent=1))
    return buffer.getvalue()
