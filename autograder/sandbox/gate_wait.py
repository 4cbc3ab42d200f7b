"""A job's waits for its turn at the host's phase gate: the runner's notice, and the grader's clock that leaves
them out.

Another grading run's sandboxes may hold the gate for as long as their own
limits allow (``autograder.sandbox.phase_gate``), so the grader does not count
that time against a job when it decides that a worker has stopped answering.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class AtTheGate:
    """Sent by a runner: its sandbox now waits for its turn (or no longer does)."""

    waiting: bool


class JobClock:
    """How long a job has run, less its waits at the gate."""

    def __init__(self):
        self.started = time.monotonic()
        self.waiting_since: float | None = None

    def at_the_gate(self, waiting: bool) -> None:
        if waiting and self.waiting_since is None:
            self.waiting_since = time.monotonic()
        elif not waiting and self.waiting_since is not None:
            self.started += time.monotonic() - self.waiting_since  # the wait does not count
            self.waiting_since = None

    def counted(self) -> float:
        return (self.waiting_since or time.monotonic()) - self.started
