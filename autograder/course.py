"""The course at a glance: every assignment in teaching order, with what it teaches, and the data it builds from."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from autograder.assignment import Assignment
from autograder.data_sets import DATA_FOLDER, DataSet, DataSetNotFound


def course_rows(root: Path) -> list[tuple[str, str, str]]:
    """(name, title, teaches) of every assignment, in teaching order."""
    return [(a.name, a.config.title or a.name, a.config.teaches) for a in Assignment.all(root)]


def course_markdown(root: Path) -> str:
    """The README's table of the course's assignments."""
    lines = ["| # | assignment | teaches |", "|---|---|---|"]
    for number, (name, title, teaches) in enumerate(course_rows(root), 1):
        lines.append(f"| {number} | `{name}`: {title} | {teaches} |")
    return "\n".join(lines)


def make_data(root: Path, names: Sequence[str] = ()) -> list[Path]:
    """Run the data generators and return the files they wrote.

    With no ``names``: every data set's under ``data/``, then every assignment folder's own
    ``make_data.py``. A name is a data set (its generator) or an assignment (the generators of the
    data sets it declares, and its own).

    Raises:
        DataSetNotFound: a name is neither a data set nor an assignment.
        autograder.data_sets.GeneratorFailed: a generator is missing or raised.
        autograder.assignment.AssignmentConfigError: a named assignment has no data to make.
    """
    root = Path(root).resolve()
    if not names:
        data_sets = [data_set for data_set in DataSet.all(root) if data_set.generator.is_file()]
        return [
            *_make_each(data_sets),
            *(path for a in Assignment.all(root) if a.generator_file.is_file() for path in a.make_data()),
        ]
    written = []
    for name in names:
        data_set, assignment = DataSet(name, root / DATA_FOLDER / name), Assignment(name, root)
        if not data_set.folder.is_dir() and not assignment.source_notebook.is_file():
            known = ", ".join(d.name for d in DataSet.all(root)) or "none"
            raise DataSetNotFound(
                f"{name!r} is neither a data set (a folder of {root / DATA_FOLDER}: {known}) nor an assignment; check "
                "the name"
            )
        if data_set.folder.is_dir():
            written += data_set.make()
        if assignment.source_notebook.is_file():
            written += _make_each([DataSet.find(use.name, root) for use in assignment.config.data])
            if assignment.generator_file.is_file() or not assignment.config.data:
                written += assignment.make_data()
    return written


def _make_each(data_sets: list[DataSet]) -> list[Path]:
    return [path for data_set in data_sets for path in data_set.make()]
