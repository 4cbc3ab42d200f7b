"""Where an assignment's files live in the kit's layout, and what its folder declares.

Everything one assignment knows is in ``assignments/<name>/``: the source
notebook ``<name>.ipynb``, the hidden cases ``cases.py`` and an optional
``assignment.yml`` of settings (title, what it teaches, its place in the
course, the packages its notebook needs, the course data sets it uses, which
live in ``data/<set>/``). A folder may also hold its own data files, and a
``make_data.py`` that generates them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from autograder import KitError
from autograder.assignment_config import AssignmentConfig, AssignmentConfigError, DataUse, is_relative_inside
from autograder.data_sets import DATA_FOLDER, GENERATOR_FILE, run_generator

CONFIG_FILE = "assignment.yml"
# Settings every assignment of the course shares (the format of a student number), at the project root.
COURSE_FILE = "course.yml"

# What callers import from here along with Assignment.
__all__ = [
    "Assignment",
    "AssignmentConfig",
    "AssignmentConfigError",
    "AssignmentNotFound",
    "DataUse",
    "is_relative_inside",
]


class AssignmentNotFound(KitError, FileNotFoundError):
    """No source notebook for the named assignment."""


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
            raise AssignmentNotFound(
                f"{assignment.source_notebook}: no such source notebook (assignments here: {known}); `autograder new "
                f"{name}` starts one"
            )
        return assignment

    @classmethod
    def all(cls, root: Path | None = None) -> list["Assignment"]:
        """Every assignment folder under ``root``/assignments, in teaching order (then by name)."""
        root = Path(root or Path.cwd()).resolve()
        found = [
            cls(folder.name, root)
            for folder in sorted((root / "assignments").glob("*"))
            if (folder / f"{folder.name}.ipynb").is_file()
        ]
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

    @property
    def student_zip_path(self) -> Path:
        """The folder a student downloads, with the kit's runtime (written by release)."""
        return self.root / "dist" / f"{self.name}-student.zip"

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
        """Where a file the notebook lists under ``files:`` is: the assignment's folder, else the project's
        data/ (where the first release kept data files, bare)."""
        for folder in (self.source_dir, self.root / DATA_FOLDER):
            candidate = folder / relative
            if candidate.exists():
                return candidate
        return None

    def make_data(self) -> list[Path]:
        """Run the assignment's own ``make_data.py`` into its folder; return the files it wrote.

        Raises:
            AssignmentConfigError: there is no generator.
            autograder.data_sets.GeneratorFailed: it does not define make_data(folder), or it raised.
        """
        if not self.generator_file.is_file():
            raise AssignmentConfigError(
                f"{self.generator_file}: no data generator; add one defining make_data(folder), or put the data files "
                f"in {self.source_dir}"
            )
        return run_generator(self.generator_file, self.source_dir)
