"""What an output folder remembers of how its class is graded: roster, submission times, late policy,
the course's time zone and exports, so that regrading one file into it later keeps the same class view.

Saved as ``OUT/class.json``. A run's options override what is saved, and are saved in turn.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Mapping

from autograder import KitError
from autograder.grading.judging.grade import Grade
from autograder.grading.records.class_book import StudentRow, student_rows
from autograder.grading.records.late import LatePolicy, LatePolicyError, read_zone, zone_of
from autograder.grading.records.lms_imports import CANVAS_COLUMN
from autograder.grading.records.outputs import write_atomic
from autograder.grading.records.roster import Roster
from autograder.grading.records.times_file import read_times

SETTINGS_FILE = "class.json"
EXPORTS = ("canvas", "moodle")
MISSING_GRADES = ("zero", "blank")


class ClassSettingsError(KitError, ValueError):
    """A roster, times file, late policy or export the run cannot use."""


@dataclass(frozen=True)
class ClassSettings:
    roster: str = ""  # path of the roster CSV ("" for none)
    times: str = ""  # path of a times file (``autograder.grading.records.times_file``)
    late: dict = field(default_factory=dict)  # the late policy's settings, as in assignment.yml
    exports: tuple[str, ...] = ()  # LMS formats to write
    timezone: str = ""  # the course's time zone, as resolved by ``in_course_zone``
    canvas_column: str = ""  # the Canvas assignment column, "Title (ID)" (--canvas-column)
    missing_grade: str = "zero"  # what the LMS files give a student with no gradable submission: zero or blank

    @classmethod
    def load(cls, out: Path) -> "ClassSettings":
        path = out / SETTINGS_FILE
        if not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                str(data.get("roster", "")),
                str(data.get("times", "")),
                dict(data.get("late") or {}),
                tuple(data.get("exports") or ()),
                str(data.get("timezone", "")),
                str(data.get("canvas_column", "")),
                str(data.get("missing_grade", "zero")),
            )
        except (OSError, ValueError, TypeError, AttributeError) as error:
            raise ClassSettingsError(
                f"{path}: cannot read the saved class settings ({error}); delete it and pass --roster/--due again"
            ) from error

    def save(self, out: Path) -> None:
        write_atomic(out / SETTINGS_FILE, json.dumps(asdict(self), indent=1, ensure_ascii=False, default=str))

    def updated(
        self,
        *,
        roster: Path | None = None,
        times: Path | None = None,
        late: dict | None = None,
        exports: tuple[str, ...] = (),
        canvas_column: str | None = None,
        missing_grade: str | None = None,
    ) -> "ClassSettings":
        """These settings with a run's options laid over them (paths made absolute)."""
        for path, option in ((roster, "--roster"), (times, "--times")):
            if path is not None and not Path(path).is_file():
                raise ClassSettingsError(f"{option} {path}: no such file")
        unknown = sorted(set(exports) - set(EXPORTS))
        if unknown:
            raise ClassSettingsError(f"--export {unknown[0]}: choose from {', '.join(EXPORTS)}")
        if canvas_column and not CANVAS_COLUMN.match(canvas_column):
            raise ClassSettingsError(
                f'--canvas-column {canvas_column!r}: write it as Canvas names the column, "Title (ID)", e.g. '
                '"Logistic regression (4411)"; '
                "the number is the assignment's ID in its Canvas address (…/assignments/4411)"
            )
        if missing_grade not in (None, *MISSING_GRADES):
            raise ClassSettingsError(f"--missing-grade {missing_grade!r}: choose from {', '.join(MISSING_GRADES)}")
        updated = replace(
            self,
            roster=str(Path(roster).resolve()) if roster else self.roster,
            times=str(Path(times).resolve()) if times else self.times,
            late={**self.late, **(late or {})},
            exports=tuple(sorted(set(self.exports) | set(exports))),
            canvas_column=canvas_column or self.canvas_column,
            missing_grade=missing_grade or self.missing_grade,
        )
        updated.check()
        return updated

    def check(self) -> None:
        """Read the roster and the times file now, so a bad one stops the run before any grading
        (and is never saved).

        Raises:
            KitError: the file and what is wrong with it.
        """
        if self.roster:
            if not Path(self.roster).is_file():
                raise ClassSettingsError(
                    f"{self.roster}: the roster saved in {SETTINGS_FILE} is gone; pass --roster again"
                )
            Roster.read(Path(self.roster))
        if self.times and not Path(self.times).is_file():
            raise ClassSettingsError(
                f"{self.times}: the times file saved in {SETTINGS_FILE} is gone; pass --times again"
            )
        read_times(self.times, zone=self.zone)

    @property
    def zone(self) -> dt.tzinfo | None:
        """The course's time zone; None until ``in_course_zone`` resolved one."""
        if not self.timezone:
            return None
        try:
            return read_zone(self.timezone, where=f"{SETTINGS_FILE} timezone")
        except LatePolicyError as error:
            raise ClassSettingsError(f"{error}; fix it or delete the line") from error

    def in_course_zone(self, declared: str, assignment_late: dict | None) -> "ClassSettings":
        """These settings with the course's time zone settled, once for every later run to keep: the zone
        the course declares (``declared``: assignment.yml's or course.yml's ``timezone:``), else the zone
        the due time is written in, else the zone saved before, else this machine's."""
        due = {**(assignment_late or {}), **self.late}.get("due")
        for candidate in (declared, _zone_written(due), self.timezone):
            if candidate:
                read_zone(candidate, where="timezone")
                return replace(self, timezone=str(candidate))
        return replace(self, timezone=zone_of(dt.datetime.now().astimezone()))

    def policy(self, assignment_late: dict | None, *, where: str) -> LatePolicy:
        """The late policy: the assignment's ``late:`` settings (``where``), then the run's overrides;
        times read in the course's zone."""
        policy = LatePolicy.from_config(assignment_late, where=where, zone=self.zone)
        if not self.late:
            return policy
        return LatePolicy.from_config(
            {**(assignment_late or {}), **self.late},
            where=f"--due/--late-policy (kept in OUT/{SETTINGS_FILE})",
            zone=self.zone,
        )


def class_rules(settings: ClassSettings, assignment) -> tuple[ClassSettings, LatePolicy]:
    """``settings`` in the course's time zone, and the late policy they give ``assignment`` (an ``Assignment``).

    Raises:
        KitError: a late setting or a time zone that cannot be read, named with where it is written.
    """
    late = assignment.config.late or None
    settings = settings.in_course_zone(assignment.timezone, late)
    return settings, settings.policy(late, where=str(assignment.config_file))


def _zone_written(due) -> str:
    """The zone a due time names (``2026-12-01T23:59:00+08:00`` → ``+08:00``), or ""."""
    try:
        when = (
            due if isinstance(due, dt.datetime) else dt.datetime.fromisoformat(str(due).strip().replace("Z", "+00:00"))
        )
    except ValueError:
        return ""
    return zone_of(when) if when.tzinfo else ""


def late_overrides(due: str | None, policy: str | None) -> dict:
    """``--due`` and ``--late-policy "penalty=0.1,per=day,cap=0.5,grace_minutes=15,cutoff=..."`` as settings."""
    settings: dict = {}
    if due:
        settings["due"] = due
    for item in filter(None, (part.strip() for part in (policy or "").split(","))):
        key, separator, value = item.partition("=")
        if not separator:
            raise ClassSettingsError(
                f"--late-policy {policy!r}: write key=value pairs, e.g. penalty=0.1,per=day,cap=0.5"
            )
        key, value = key.strip(), value.strip()
        if key in ("penalty", "cap", "grace_minutes"):
            try:
                settings[key] = float(value)
            except ValueError as error:
                raise ClassSettingsError(f"--late-policy: {key}={value!r} is not a number") from error
        else:
            settings[key] = value
    return settings


def class_rows(
    grades: list[Grade],
    settings: ClassSettings,
    late: LatePolicy,
    *,
    marks: Mapping[str, Mapping[str, float]] | None = None,
) -> list[StudentRow]:
    """``student_rows`` with the roster and times a class's settings (``ClassSettings``) name: how every
    output of the class learns whose each file is."""
    roster = Roster.read(Path(settings.roster)) if settings.roster else None
    return student_rows(
        grades, roster=roster, late=late, times=read_times(settings.times, zone=settings.zone), marks=marks
    )
