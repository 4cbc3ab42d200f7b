"""The code a lesson gives and expects, from its released notebooks: the names of the definitions
students write, the starter code they begin from and the solution's. Similarity leaves out what
either of the last two holds."""

from __future__ import annotations

from dataclasses import dataclass, field

import nbformat

from autograder.assignment import Assignment
from autograder.grading.intake.answer_code import answer_names, graded_code


@dataclass(frozen=True)
class LessonCode:
    names: list[str] = field(default_factory=list)
    starter: str = ""
    solution: str = ""

    @classmethod
    def of(cls, assignment: Assignment) -> "LessonCode":
        """Read from the student template and the solution; empty when they are not released."""
        notebook = assignment.source_notebook.name
        template, solution = assignment.student_dir / notebook, assignment.solution_dir / notebook
        if not template.is_file():
            return cls()
        starter = nbformat.read(template, as_version=4)
        names = answer_names(starter)
        solved = graded_code(nbformat.read(solution, as_version=4), names) if solution.is_file() else ""
        return cls(names, graded_code(starter, names), solved)
