"""Which release of each assignment grades, wherever a worker runs.

A worker grades with its own machine's copy of the kit's release: the autograder zip
(``dist/<name>-autograder.zip``) and the student folder (``student_template/<name>/``, whose
data files every sandbox sits beside). The server publishes a digest of both, with the course's
limits; a worker whose copy differs refuses to start, so no machine grades with another release.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from autograder import KitError
from autograder.assignment import Assignment
from autograder.server.models import now
from autograder.server.scale.records import GradingRelease


class ReleaseMismatch(KitError, RuntimeError):
    """A worker's copy of a release is missing or is not the one the server grades with."""


@dataclass(frozen=True)
class Limits:
    """The course's limits every machine grades with."""

    timeout: float
    memory_mb: int
    lease_seconds: float


def release_digest(assignment: Assignment) -> str:
    """sha256 over the autograder zip and every file of the student folder, by relative path."""
    digest = hashlib.sha256()
    digest.update(assignment.zip_path.read_bytes())
    for path in sorted(p for p in assignment.student_dir.rglob("*") if p.is_file()):
        name = path.relative_to(assignment.student_dir).as_posix().encode()
        digest.update(len(name).to_bytes(4, "big") + name)
        content = path.read_bytes()
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def publish(db: Session, assignments: list[Assignment], limits: Limits) -> None:
    """Record the server's releases of ``assignments`` and its ``limits`` (in the caller's transaction)."""
    for assignment in assignments:
        record = db.get(GradingRelease, assignment.name) or GradingRelease(assignment=assignment.name)
        record.release_digest, record.published_at = release_digest(assignment), now()
        record.timeout, record.memory_mb, record.lease_seconds = limits.timeout, limits.memory_mb, limits.lease_seconds
        db.add(record)


def matching(db: Session, project, wanted: tuple[str, ...]) -> tuple[list[str], Limits]:
    """The assignments a worker with the kit checkout ``project`` grades (``wanted``, or every
    published one), and the limits to grade them with.

    Raises:
        ReleaseMismatch: nothing is published, a wanted assignment is not, or this machine's
            release of one differs from the server's (the message says how to copy it over).
    """
    published = {r.assignment: r for r in db.scalars(select(GradingRelease))}
    if not published:
        raise ReleaseMismatch(
            "the database holds no published assignment: start the server (`autograder serve COURSE_DIR --queue URL`) "
            "once first"
        )
    unknown = sorted(set(wanted) - set(published))
    if unknown:
        raise ReleaseMismatch(f"the server grades no {', '.join(unknown)} (it grades {', '.join(sorted(published))})")
    names = list(wanted) or sorted(published)
    for name in names:
        assignment = Assignment.find(name, project)
        if not assignment.zip_path.is_file():
            raise ReleaseMismatch(f"{assignment.zip_path}: missing; {_copy_hint(project, name)}")
        if release_digest(assignment) != published[name].release_digest:
            raise ReleaseMismatch(
                f"{project}: this machine's release of {name} differs from the server's; {_copy_hint(project, name)}"
            )
    first = published[names[0]]
    return names, Limits(first.timeout, first.memory_mb, first.lease_seconds)


def _copy_hint(project, name: str) -> str:
    return (
        f"copy the server's dist/{name}-autograder.zip and student_template/{name}/ into {project} (a release made "
        "on this machine may differ)"
    )
