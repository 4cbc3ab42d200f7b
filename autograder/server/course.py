"""A course as the server sees it: its folder, settings, database and the assignments it offers."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from autograder.assignment import Assignment
from autograder.grading.judging.autograder_zip import AutograderZip
from autograder.grading.records.class_settings import ClassSettings, class_rules
from autograder.grading.records.late import LatePolicy
from autograder.grading.similarity.lesson_code import LessonCode
from autograder.grading.submission_grader import GradingContext
from autograder.server import database
from autograder.server.rules import SubmissionRules
from autograder.server.settings import CLASSES, GRADED, ROSTER_FILE, UPLOADS, CourseSettings, CourseSettingsError


@dataclass(frozen=True)
class Offered:
    """One assignment the course offers, with what the server enforces for it."""

    assignment: Assignment
    autograder: AutograderZip
    rules: SubmissionRules
    policy: LatePolicy
    class_settings: ClassSettings  # the batch's class settings with the course's time zone settled

    @classmethod
    def load(cls, name: str, project: Path) -> "Offered":
        assignment = Assignment.find(name, project)
        if not assignment.zip_path.is_file():
            raise CourseSettingsError(
                f"{assignment.zip_path}: {name} is not released; run `autograder --root {project} release {name}` first"
            )
        settings, policy = class_rules(ClassSettings(), assignment)
        rules = SubmissionRules.from_config(assignment.config.extra.get("server"), where=str(assignment.config_file))
        return cls(assignment, AutograderZip.read(assignment.zip_path), rules, policy, settings)

    @property
    def name(self) -> str:
        return self.assignment.name

    @property
    def title(self) -> str:
        return self.assignment.config.title or self.assignment.name

    @property
    def possible(self) -> float:
        return self.autograder.possible

    @property
    def zone(self) -> dt.tzinfo:
        """The course's time zone, which the pages show times in."""
        return self.class_settings.zone


def _owner_only_folder(path: Path) -> None:
    """Make ``path`` (or narrow it to) a folder only its owner may enter: it holds every student's
    submissions, their grading or the class's gradebooks."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_uid == os.geteuid():
        path.chmod(0o700)


def _owner_only_file(path: Path) -> None:
    """Narrow ``path``, if it is there and ours, to a file only its owner may read (the class list)."""
    if path.is_file() and path.stat().st_uid == os.geteuid():
        path.chmod(0o600)


class Course:
    """The course folder (see ``autograder.server.settings``) opened for serving."""

    def __init__(self, folder: Path, *, database_url: str | None = None):
        self.folder = Path(folder).resolve()
        self.settings = CourseSettings.read(self.folder)
        # The class folders hold copies of graded/'s pages and every gradebook; the roster, every name and number.
        for private in (UPLOADS, GRADED, CLASSES):
            _owner_only_folder(self.folder / private)
        _owner_only_file(self.folder / ROSTER_FILE)
        self.database_url = database_url or self.settings.database or database.default_url(self.folder)
        self.engine: Engine = database.connect(self.database_url)
        self.sessions: sessionmaker[Session] = database.sessions(self.engine)
        project = self.settings.project_root
        names = self.settings.assignments or tuple(a.name for a in Assignment.all(project))
        if not names:
            raise CourseSettingsError(
                f"{self.folder / 'server.yml'}: no assignments to offer (none listed, none under "
                f"{project / 'assignments'})"
            )
        self.offered: dict[str, Offered] = {name: Offered.load(name, project) for name in names}
        self._contexts: dict[str, GradingContext] = {}

    def grading_context(self, offered: Offered) -> GradingContext:
        """How ``offered``'s submissions are read and their outputs written: one for receiving and grading alike,
        so a submission parsed when it was received is graded as parsed."""
        if offered.name not in self._contexts:
            manual = offered.autograder.manual_questions()
            graded_names = LessonCode.of(offered.assignment).names
            self._contexts[offered.name] = GradingContext(self.graded(offered.name), offered.name, manual, graded_names)
        return self._contexts[offered.name]

    @property
    def roster(self) -> Path:
        return self.folder / ROSTER_FILE

    def uploads(self, assignment: str) -> Path:
        return self.folder / UPLOADS / assignment

    def graded(self, assignment: str) -> Path:
        """Every graded submission's results and feedback page (the batch's OUT layout)."""
        return self.folder / GRADED / assignment

    def class_folder(self, assignment: str) -> Path:
        """The class view: a batch OUT folder of the submissions that count, rebuilt as grades come in."""
        return self.folder / CLASSES / assignment
