"""The files an assignment hands out with its notebook.

They come from two places, in this order: the course data sets its
``assignment.yml`` declares under ``data:`` (folders of the project's
``data/``), then what the notebook lists under Otter's ``files:`` (looked up
in the assignment's folder, then in the project's ``data/``, where the first
release kept them). A missing file is made by its generator first: the data
set's ``make_data.py``, or the assignment's own. The same files reach the
solution run, the student template, the executed solution and the zip.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder import KitError
from autograder.assignment import Assignment, DataUse, is_relative_inside
from autograder.data_sets import DataSet, DataSetNotFound, GeneratorFailed

_GUIDE = "docs/authoring.md, 'Data sets'"


class DataFileMissing(KitError, FileNotFoundError):
    """A file the assignment hands out is nowhere to be found, or is claimed by two places."""


@dataclass(frozen=True)
class HandedOut:
    """What reaches the student beside the notebook: relative name → where the file is now, and
    the names that were missing until a generator wrote them during this release."""

    files: dict[str, Path]
    generated: list[str]


def gather(assignment: Assignment, config: dict) -> HandedOut:
    """The declared data sets' files, then the files the ASSIGNMENT CONFIG lists, generating missing ones.

    Raises:
        DataFileMissing: an unknown data set, a file neither present nor generated, or one name given by two places.
        GeneratorFailed: a generator raised (the message names assignment.yml and the generator).
    """
    declared: dict[str, Path] = {}
    generated: list[str] = []
    for use in assignment.config.data:
        files, made = _from_data_set(assignment, use)
        for name in files:
            if name in declared:
                raise DataFileMissing(
                    f"{assignment.config_file}: data: {declared[name].parent.name!r} and {use.name!r} both give "
                    f"{name}; "
                    f"name the files each set gives, e.g. {{{use.name}: [...]}}, so that one file reaches students "
                    "under each name"
                )
        declared.update(files)
        generated += made
    listed = [name for name in listed_files(config, where=assignment.source_notebook) if name not in declared]
    missing = [name for name in listed if assignment.data_file(name) is None]
    return HandedOut({**declared, **resolve(assignment, listed)}, [*generated, *missing])


def _from_data_set(assignment: Assignment, use: DataUse) -> tuple[dict[str, Path], list[str]]:
    """The files ``use`` hands out (name → path in data/<set>/) and those its generator had to write."""
    where = f"{assignment.config_file}: data: {use.name}"
    try:
        data_set = DataSet.find(use.name, assignment.root)
    except DataSetNotFound as error:
        raise DataFileMissing(
            f"{assignment.config_file}: data: {error}; fix the name, or add the folder with its make_data.py and a "
            f"README.md datasheet ({_GUIDE})"
        ) from error
    wanted = list(use.files) if use.files is not None else data_set.files()
    present = {name for name in wanted if (data_set.folder / name).exists()}
    if not wanted or len(present) < len(wanted):
        try:
            data_set.make()
        except GeneratorFailed as error:
            raise GeneratorFailed(
                f"{where}: the files of data set {use.name!r} are missing and making them failed: {error}"
            ) from error
    names = list(use.files) if use.files is not None else data_set.files()
    absent = [name for name in names if not (data_set.folder / name).exists()]
    if absent or not names:
        holds = ", ".join(data_set.files()) or "no data file"
        ran = (
            f"its {data_set.generator.name} ran and did not write it"
            if data_set.generator.is_file()
            else f"it has no {data_set.generator.name} to write it"
        )
        raise DataFileMissing(
            f"{where}: {data_set.folder} has no {absent[0] if absent else 'data file'} ({ran}; it holds {holds}); "
            f"fix the file names under data: in {assignment.config_file.name}, or the data set's generator"
        )
    for name in names:
        if (assignment.source_dir / name).exists():
            raise DataFileMissing(
                f"{where}: both {assignment.source_dir / name} and {data_set.folder / name} would reach students as "
                f"{name}; "
                f"delete the copy in {assignment.source_dir} (a course data set lives in data/), or drop {use.name} "
                "from data:"
            )
    return {name: data_set.folder / name for name in names}, [name for name in names if name not in present]


def listed_files(config: dict, *, where: Path) -> list[str]:
    """The relative paths under ``files:`` in the ASSIGNMENT CONFIG, checked to stay inside the folder."""
    listed = config.get("files") or []
    if not isinstance(listed, list) or not all(isinstance(entry, str) for entry in listed):
        raise DataFileMissing(f"{where}: `files:` in the ASSIGNMENT CONFIG must be a list of file names")
    for entry in listed:
        if not is_relative_inside(entry):
            raise DataFileMissing(f"{where}: `files:` lists {entry!r}; give paths inside the assignment's folder")
    return listed


def resolve(assignment: Assignment, listed: list[str]) -> dict[str, Path]:
    """Relative name → where the file is, running the assignment's own make_data.py first if one is missing.

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
                f"{assignment.source_notebook} lists {name!r} under files:, but there is no "
                f"{assignment.source_dir / name}"
                + (
                    ""
                    if assignment.generator_file.is_file()
                    else f"; put the file there, or add a {assignment.generator_file.name} whose make_data(folder) "
                    "writes it"
                )
                + (
                    f" ({assignment.generator_file.name} ran and did not write it)"
                    if assignment.generator_file.is_file()
                    else ""
                )
                + f"; a file of a course data set is declared under data: in {assignment.config_file.name} instead"
            )
        found[name] = path
    return found
