"""Where an assignment's files live in the kit's layout."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class AssignmentNotFound(FileNotFoundError):
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
            known = sorted(p.name for p in (root / "assignments").glob("*") if p.is_dir())
            raise AssignmentNotFound(f"{assignment.source_notebook}: no such source notebook (assignments here: {', '.join(known) or 'none'})")
        return assignment

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
    def data_file(self) -> Path:
        return self.root / "data" / "data.txt"

    @property
    def student_dir(self) -> Path:
        return self.root / "student_template" / self.name

    @property
    def solution_dir(self) -> Path:
        return self.root / "solutions" / self.name

    @property
    def zip_path(self) -> Path:
        return self.root / "dist" / f"{self.name}-autograder.zip"
