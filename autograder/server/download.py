"""The folder a student downloads: release's student zip (``dist/<name>-student.zip``: the notebook, its
files, the kit's runtime and requirements.txt), with how its last cell reaches this server added
(``course_server.json``: the server's address, the assignment and the student's token, which the export
cell's ``autograder.authoring.student.submit`` reads)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Iterable

from autograder import KitError
from autograder.assignment import Assignment
from autograder.authoring.student import SERVER_FILE


class DownloadMissing(KitError, FileNotFoundError):
    """Release has not written the student download the server hands out."""


def check_downloads(assignments: Iterable[Assignment]) -> None:
    """Refuse to serve an assignment whose student download release has not written (grading machines,
    which hand out nothing, do without it).

    Raises:
        DownloadMissing: names the first missing zip and the release that writes it.
    """
    for assignment in assignments:
        if not assignment.student_zip_path.is_file():
            raise DownloadMissing(_missing(assignment))


def student_folder_zip(assignment: Assignment, *, url: str, token: str) -> bytes:
    """Release's student zip, whose one folder is ``<name>/``, with the server file added to it.

    Raises:
        DownloadMissing: ``dist/<name>-student.zip`` is not there (the message says how to make it).
    """
    try:
        content = assignment.student_zip_path.read_bytes()
    except FileNotFoundError as error:
        raise DownloadMissing(_missing(assignment)) from error
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            archive.writestr(entry, source.read(entry))
        server = {"url": url, "assignment": assignment.name, "token": token}
        archive.writestr(f"{assignment.name}/{SERVER_FILE}", json.dumps(server, ensure_ascii=False, indent=1))
    return buffer.getvalue()


def _missing(assignment: Assignment) -> str:
    return f"{assignment.student_zip_path}: missing; run `autograder release {assignment.name}` and restart the server"
