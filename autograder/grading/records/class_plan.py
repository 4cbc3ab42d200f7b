"""How one assignment's class is graded and shown, worked out once a run from the class settings and the
assignment: the settings in the course's time zone, the late policy, the Canvas column's id and the lesson's
code (the names similarity compares, the starter and the solution it leaves out)."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.assignment import Assignment
from autograder.grading.records.class_settings import ClassSettings, class_rules
from autograder.grading.records.late import LatePolicy
from autograder.grading.records.lms_imports import canvas_id_of
from autograder.grading.similarity.lesson_code import LessonCode


@dataclass(frozen=True)
class ClassPlan:
    assignment: str
    title: str
    settings: ClassSettings  # in the course's time zone
    policy: LatePolicy
    canvas_id: str
    code: LessonCode

    @classmethod
    def of(cls, settings: ClassSettings, assignment: Assignment) -> "ClassPlan":
        """Raises:
        KitError: a late setting, time zone or Canvas id that cannot be read, named with where it is written.
        """
        zoned, policy = class_rules(settings, assignment)
        return cls(
            assignment.name,
            assignment.config.title or assignment.name,
            zoned,
            policy,
            canvas_id_of(assignment.config.extra, where=str(assignment.config_file)),
            LessonCode.of(assignment),
        )
