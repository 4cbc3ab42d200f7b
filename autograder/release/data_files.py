"""The files an assignment hands out with its notebook: what Otter's ``files:`` lists.

Each listed file (or folder) is looked up in the assignment's folder, then in
the project's ``data/`` (the first release's layout). A missing one is made
by the assignment's ``make_data.py`` when it has one. The same files reach
the solution run, the student template, the executed solution and the zip.
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from autograder import KitError
from autograder.assignment import Assignment


class DataFileMissing(KitError, FileNotFoundError):
    """A file the notebook lists under ``files:`` is nowhere to be found."""


def listed_files(config: dict, *, where: Path) -> list[str]:
    """The relative paths under ``files:`` in the ASSIGNMENT CONFIG, checked to stay inside the folder."""
    listed = config.get("files") or []
    if not isinstance(listed, list) or not all(isinstance(entry, str) for entry in listed):
        raise DataFileMissing(f"{where}: `files:` in the ASSIGNMENT CONFIG must be a list of file names")
    for entry in listed:
        parts = PurePosixPath(entry).parts
        if PurePosixPath(entry).is_absolute() or ".." in parts:
            raise DataFileMissing(f"{where}: `files:` lists {entry!r}; give paths inside the assignment's folder")
    return listed


def resolve(assignment: Assignment, listed: list[str]) -> dict[str, Path]:
    """Relative name → where the file is, generating missing files first.

    Raises:
        DataFileMissing: a listed file is neither in the folder nor made by make_data.py.
    """
    missing = [name for name in listed if assignment.data_file(name) is None]
    if missing and assignment.generator_file.is_file():
        assignment.make_data()
    found = {}
    for name in listed:
        path = assignment.data_file(name)
        if path is None:
            raise DataFileMissing(
                f"{assignment.source_notebook} lists {name!r} under files:, but there is no {assignment.source_dir / name}"
                + ("" if assignment.generator_file.is_file() else f"; put the file there, or add a {assignment.generator_file.name} whose make_data(folder) writes it")
                + (f" ({assignment.generator_file.name} ran and did not write it)" if assignment.generator_file.is_file() else "")
            )
        found[name] = path
    return found
