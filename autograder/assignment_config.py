"""What an assignment's ``assignment.yml`` (or the course's ``course.yml``) declares, read and checked once, with
errors that name the file and the fix."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from autograder import KitError


class AssignmentConfigError(KitError, ValueError):
    """An assignment's assignment.yml or make_data.py is not what the kit expects."""


@dataclass(frozen=True)
class DataUse:
    """One entry under ``data:`` in assignment.yml: a data set of ``data/``, and the files of it the
    lesson hands out (None: every data file the set's folder holds)."""

    name: str
    files: tuple[str, ...] | None = None


_DATA_FORMAT = (
    "write `data: [admissions]` (every file of data/admissions/) or name the files a set gives, `data: "
    "{moons: [moons_train.csv, moons_test.csv]}`"
)


@dataclass(frozen=True)
class AssignmentConfig:
    """The settings in ``assignment.yml``; every key is optional.

    Attributes:
        title: the assignment's name for people (both languages).
        teaches: one line on what the lesson teaches, for the course overview.
        order: its place in the course (lessons are listed by it).
        requirements: the pip packages the notebook needs on Gradescope; None
            lets release read them off the notebook's imports.
        data: the course data sets (folders of ``data/``) whose files reach the
            student folder and the zip beside the notebook.
        timezone: the course's time zone (``Asia/Shanghai``, ``+08:00``): times an LMS writes
            without a zone are read in it. Usually set once for the course, in course.yml.
        late: the ``late:`` block as written (due time, grace, penalty, cap, cutoff), which
            ``autograder.grading.records.late.LatePolicy`` reads in the course's zone; empty: no due time.
        extra: every other key (``canvas_id``, ``server``), read by the part of the kit that uses it.
    """

    title: str = ""
    teaches: str = ""
    order: int | None = None
    requirements: tuple[str, ...] | None = None
    student_id: dict = field(default_factory=dict)
    timezone: str = ""
    data: tuple[DataUse, ...] = ()
    late: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    KEYS = ("title", "teaches", "order", "requirements", "student_id", "timezone", "data", "late")

    @classmethod
    def read(cls, path: Path) -> "AssignmentConfig":
        if not path.is_file():
            return cls()
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise AssignmentConfigError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from error
        if not isinstance(raw, dict):
            raise AssignmentConfigError(f"{path}: write settings as `key: value` lines (found a {type(raw).__name__})")
        requirements = raw.get("requirements")
        if requirements is not None and (
            not isinstance(requirements, list) or not all(isinstance(r, str) for r in requirements)
        ):
            raise AssignmentConfigError(
                f'{path}: requirements must be a list of pip requirement strings, e.g. ["torch==2.13.0", numpy]'
            )
        order = raw.get("order")
        if order is not None and not isinstance(order, int):
            raise AssignmentConfigError(
                f"{path}: order must be a whole number (its place in the course), got {order!r}"
            )
        student_id = raw.get("student_id") or {}
        if not isinstance(student_id, dict) or not all(
            isinstance(student_id.get(key, ""), str) for key in ("pattern", "example")
        ):
            raise AssignmentConfigError(
                f"{path}: student_id takes `pattern:` (a regular expression for a student number) and `example:`"
            )
        if student_id.get("pattern"):
            try:
                re.compile(student_id["pattern"])
            except re.error as error:
                raise AssignmentConfigError(
                    f"{path}: student_id pattern {student_id['pattern']!r} is not a regular expression ({error})"
                ) from error
        return cls(
            title=str(raw.get("title", "")),
            teaches=str(raw.get("teaches", "")),
            order=order,
            requirements=tuple(requirements) if requirements is not None else None,
            student_id=dict(student_id),
            timezone=_timezone(raw.get("timezone"), path),
            data=_data_uses(raw.get("data"), path),
            late=_late(raw.get("late"), path),
            extra={key: value for key, value in raw.items() if key not in cls.KEYS},
        )


def _late(value, path: Path) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AssignmentConfigError(
            f"{path}: late takes `key: value` lines under it (due:, grace_minutes:, penalty:, per:, cap:, "
            f"cutoff:), e.g. late: {{due: 2026-12-01T23:59:00+08:00, penalty: 0.1, per: day}}; found {value!r}"
        )
    return dict(value)


def _timezone(value, path: Path) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str):  # YAML reads an unquoted +08:00 as the number 480
        raise AssignmentConfigError(
            f"{path}: timezone {value!r} is not a zone; write a name (timezone: Asia/Shanghai) or an offset in quotes "
            '(timezone: "+08:00")'
        )
    from autograder.grading.records.late import LatePolicyError, read_zone

    try:
        read_zone(str(value), where=f"{path}: timezone")
    except LatePolicyError as error:
        raise AssignmentConfigError(str(error)) from error
    return str(value).strip()


def _data_uses(value, path: Path) -> tuple[DataUse, ...]:
    """``data:`` as a list of names or one-key mappings (name → files), or as one mapping."""
    if value is None:
        return ()
    entries = list(value.items()) if isinstance(value, dict) else value
    if not isinstance(entries, list):
        raise AssignmentConfigError(f"{path}: data: {_DATA_FORMAT} (found {value!r})")
    uses = []
    for entry in entries:
        if isinstance(entry, dict) and len(entry) == 1:
            entry = next(iter(entry.items()))
        name, files = entry if isinstance(entry, tuple) else (entry, None)
        if not isinstance(name, str) or not is_relative_inside(name) or "/" in name:
            raise AssignmentConfigError(
                f"{path}: data: {entry!r} is not a data set's name (a folder of data/); {_DATA_FORMAT}"
            )
        if files is not None and (
            not isinstance(files, list)
            or not files
            or not all(isinstance(f, str) and is_relative_inside(f) for f in files)
        ):
            raise AssignmentConfigError(
                f"{path}: data: the files of {name!r} must be a list of file names inside data/{name}/, e.g. {{{name}: "
                f"[file.csv]}} (found {files!r})"
            )
        uses.append(DataUse(name, tuple(files) if files is not None else None))
    repeated = sorted({use.name for use in uses if [u.name for u in uses].count(use.name) > 1})
    if repeated:
        raise AssignmentConfigError(
            f"{path}: data: names {repeated[0]!r} twice; declare each data set once, with every file it gives"
        )
    return tuple(uses)


def is_relative_inside(entry: str) -> bool:
    """Whether ``entry`` is a relative path that stays inside its folder (no leading / and no ..)."""
    path = PurePosixPath(entry)
    return bool(entry.strip()) and not path.is_absolute() and ".." not in path.parts
