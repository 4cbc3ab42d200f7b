"""A received notebook's job for the sandbox, built only when a worker is free to take it (reading every
notebook of a class first would hold them all in memory)."""

from __future__ import annotations

from autograder import sandbox
from autograder.grading.intake.reading import Reading
from autograder.grading.intake.received import Received
from autograder.sandbox.workers import Job


def sandbox_job(received: Received, limits: sandbox.Limits) -> tuple[Job | None, Reading]:
    """``received``'s sandbox job, or None when it is no notebook of this assignment or over a limit of what
    the grader reads (the reading's problem says why); and the reading, which the verdict applies."""
    reading = received.reading
    return (Job(received.file, reading.notebook, limits) if reading.notebook is not None else None), reading
