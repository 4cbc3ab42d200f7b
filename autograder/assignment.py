"""Where an assignment's files live in the kit's layout, and what its folder declares.

Everything one assignment knows is in ``assignments/<name>/``: the source
notebook ``<name>.ipynb``, the hidden cases ``cases.py``, its data files, an
optional ``make_data.py`` that generates them, and an optional
``assignment.yml`` of settings (title, what it teaches, its place in the
course, the packages its notebook needs).
"""
from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from autograder import KitError

CONFIG_FILE = "assignment.yml"
# Settings every assignment of the course shares (the format of a student number), at the project root.
COURSE_FILE = "course.yml"
GENERATOR_FILE = "make_data.py"
# The first release kept data sets in the project's data/ folder; files are still found there.
SHARED_DATA = "data"


class AssignmentNotFound(KitError, FileNotFoundError):
    """No source notebook for the named assignment."""


class AssignmentConfigError(KitError, ValueError):
    """An assignment's assignment.yml or make_data.py is not what the kit expects."""


@dataclass(frozen=True)
class AssignmentConfig:
    """The settings in ``assignment.yml``; every key is optional.

    Attributes:
        title: the assignment's name for people (both languages).
        teaches: one line on what the lesson teaches, for the course overview.
        order: its place in the course (lessons are listed by it).
        requirements: the pip packages the notebook needs on Gradescope; None
            lets release read them off the notebook's imports.
        timezone: the course's time zone (``Asia/Shanghai``, ``+08:00``): times an LMS writes
            without a zone are read in it. Usually set once for the course, in course.yml.
    """

    title: str = ""
    teaches: str = ""
    order: int | None = None
    requirements: tuple[str, ...] | None = None
    student_id: dict = field(default_factory=dict)
    timezone: str = ""
    extra: dict = field(default_factory=dict)

    KEYS = ("title", "teaches", "order", "requirements", "student_id", "timezone")

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
        if requirements is not None and (not isinstance(requirements, list) or not all(isinstance(r, str) for r in requirements)):
            raise AssignmentConfigError(f"{path}: requirements must be a list of pip requirement strings, e.g. [\"torch==2.13.0\", numpy]")
        order = raw.get("order")
        if order is not None and not isinstance(order, int):
            raise AssignmentConfigError(f"{path}: order must be a whole number (its place in the course), got {order!r}")
        student_id = raw.get("student_id") or {}
        if not isinstance(student_id, dict) or not all(isinstance(student_id.get(key, ""), str) for key in ("pattern", "example")):
            raise AssignmentConfigError(f"{path}: student_id takes `pattern:` (a regular expression for a student number) and `example:`")
        if student_id.get("pattern"):
            try:
                re.compile(student_id["pattern"])
            except re.error as error:
                raise AssignmentConfigError(f"{path}: student_id pattern {student_id['pattern']!r} is not a regular expression ({error})") from error
        return cls(
            title=str(raw.get("title", "")),
            teaches=str(raw.get("teaches", "")),
            order=order,
            requirements=tuple(requirements) if requirements is not None else None,
            student_id=dict(student_id),
            timezone=_timezone(raw.get("timezone"), path),
            extra={key: value for key, value in raw.items() if key not in cls.KEYS},
        )


def _timezone(value, path: Path) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str):  # YAML reads an unquoted +08:00 as the number 480
        raise AssignmentConfigError(f'{path}: timezone {value!r} is not a zone; write a name (timezone: Asia/Shanghai) or an offset in quotes (timezone: "+08:00")')
    from autograder.grading.late import LatePolicyError, read_zone

    try:
        read_zone(str(value), where=f"{path}: timezone")
    except LatePolicyError as error:
        raise AssignmentConfigError(str(error)) from error
    return str(value).strip()


@dataclass(frozen=True)
class Assignment:
    """The paths of one assignment, from its name and the project root."""

    name: str
    root: Path

    @classmethod
    def find(cls, name: str, root: Path | None = None) -> "Assignment":
        root = Path(root or Path.cwd()).resolve()
        assignment = cls(name, root)
        if not assignment.source_notebook.is_file():
            known = ", ".join(a.name for a in cls.all(root)) or "none"
            raise AssignmentNotFound(f"{assignment.source_notebook}: no such source notebook (assignments here: {known}); `autograder new {name}` starts one")
        return assignment

    @classmethod
    def all(cls, root: Path | None = None) -> list["Assignment"]:
        """Every assignment folder under ``root``/assignments, in teaching order (then by name)."""
        root = Path(root or Path.cwd()).resolve()
        found = [cls(folder.name, root) for folder in sorted((root / "assignments").glob("*")) if (folder / f"{folder.name}.ipynb").is_file()]
        return sorted(found, key=lambda a: (a.config.order is None, a.config.order or 0, a.name))

    @property
    def source_dir(self) -> Path:
        return self.root / "assignments" / self.name

    @property
    def source_notebook(self) -> Path:
        return self.source_dir / f"{self.name}.ipynb"

    @property
    def cases_file(self) -> Path:
        return self.source_dir / "cases.py"

    @property
    def config_file(self) -> Path:
        return self.source_dir / CONFIG_FILE

    @property
    def generator_file(self) -> Path:
        return self.source_dir / GENERATOR_FILE

    @property
    def student_dir(self) -> Path:
        return self.root / "student_template" / self.name

    @property
    def solution_dir(self) -> Path:
        return self.root / "solutions" / self.name

    @property
    def zip_path(self) -> Path:
        return self.root / "dist" / f"{self.name}-autograder.zip"

    @functools.cached_property
    def config(self) -> AssignmentConfig:
        return AssignmentConfig.read(self.config_file)

    @property
    def student_id_rule(self) -> tuple[str, str]:
        """(pattern, example) of a student number: the assignment's, else the course's, else anything."""
        for rule in (self.config.student_id, AssignmentConfig.read(self.root / COURSE_FILE).student_id):
            if rule.get("pattern"):
                return rule["pattern"], rule.get("example", "")
        return r"\S+", ""

    @property
    def timezone(self) -> str:
        """The course's time zone as declared: the assignment's ``timezone:``, else course.yml's, else ""."""
        return self.config.timezone or AssignmentConfig.read(self.root / COURSE_FILE).timezone

    def data_file(self, relative: str) -> Path | None:
        """Where a file the notebook lists under ``files:`` is: the assignment's folder, else the project's data/."""
        for folder in (self.source_dir, self.root / SHARED_DATA):
            candidate = folder / relative
            if candidate.exists():
                return candidate
        return None

    def make_data(self) -> list[Path]:
        """Run the assignment's ``make_data.py`` into its folder; return the files it wrote.

        Raises:
            AssignmentConfigError: there is no generator, or it does not define make_data(folder).
        """
        if not self.generator_file.is_file():
            raise AssignmentConfigError(f"{self.generator_file}: no data generator; add one defining make_data(folder), or put the data files in {self.source_dir}")
        spec = importlib.util.spec_from_file_location(f"_make_data_{self.name}", self.generator_file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        make = getattr(module, "make_data", None)
        if not callable(make):
            raise AssignmentConfigError(f"{self.generator_file}: define make_data(folder), which writes the data files into folder and returns their paths")
        return [Path(path) for path in make(self.source_dir) or []]
