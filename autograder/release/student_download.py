"""The zip a student downloads: ``dist/<name>-student.zip``.

It holds the released student folder under ``<name>/``, the kit's runtime that the notebook's
public checks and export cell import (``autograder/authoring/``, never the grader), and a
``requirements.txt`` with what the notebook needs installed: Otter, and the assignment's packages.
The repo's ``student_template/`` holds no copy of the package (notebooks there use the installed
one), so this zip is how the runtime reaches students; the course server hands out these bytes,
adding only the student's own server file.
"""

from __future__ import annotations

import importlib.metadata
import zipfile
from pathlib import Path

from autograder import KitError
from autograder.assignment import Assignment
from autograder.release.staging import PACKAGE, runtime_files

REQUIREMENTS_FILE = "requirements.txt"
# Entries carry a fixed date, so a re-release with unchanged inputs writes the same bytes.
_FIXED_DATE = (2020, 1, 1, 0, 0, 0)
_GENERATED = ("__pycache__", ".ipynb_checkpoints")


class StudentDownloadError(KitError, RuntimeError):
    """The student folder cannot be packed as released."""


def write_student_zip(assignment: Assignment, requirements: list[str]) -> Path:
    """Write ``assignment.student_zip_path`` from the released student folder; return its path.

    ``requirements`` are the pip lines the autograder zip installs (the assignment's packages).

    Raises:
        StudentDownloadError: the student folder already holds a file the zip must add.
    """
    members = {relative: path.read_bytes() for relative, path in _student_files(assignment.student_dir).items()}
    added = {relative: (PACKAGE.parent / relative).read_bytes() for relative in runtime_files()}
    lines = student_requirements(requirements)
    added[REQUIREMENTS_FILE] = "".join(f"{line}\n" for line in lines).encode()
    clashes = sorted(set(members) & set(added))
    if clashes:
        raise StudentDownloadError(
            f"{assignment.student_dir / clashes[0]}: the student download adds its own "
            f"{clashes[0]}; rename the file the notebook lists under files:"
        )
    members.update(added)
    target = assignment.student_zip_path
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative in sorted(members):
            entry = zipfile.ZipInfo(f"{assignment.name}/{relative}", date_time=_FIXED_DATE)
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, members[relative], compress_type=zipfile.ZIP_DEFLATED)
    return target


def student_requirements(requirements: list[str]) -> list[str]:
    """What a student installs: the Otter release the kit builds with, then the assignment's lines."""
    return [f"otter-grader=={importlib.metadata.version('otter-grader')}", *requirements]


def _student_files(folder: Path) -> dict[str, Path]:
    """The released student folder's files by relative path, less what running the notebook there leaves."""
    return {
        path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not set(_GENERATED) & set(path.relative_to(folder).parts)
    }
