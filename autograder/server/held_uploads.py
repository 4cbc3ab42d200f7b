"""Submissions kept in memory from their receipt until this server's grading loop claims them, so an
upload is read, hashed and parsed once: when it is received.

Receiving reads the upload and parses it (in a bounded child) to refuse what is no notebook of the
assignment; the claim hands that same ``Received`` to the loop, which grades exactly those bytes.
A submission enters only once its transaction commits (a rolled-back one is never claimed), and
only while what is held stays within ``HELD_BYTES``: past that, and for a job claimed after a
restart, a regrade or a worker's death, the loop reads the stored file again and grades it only if
its bytes still have the SHA-256 recorded when it was received.
"""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from autograder.grading.intake.received import Received

# A held notebook costs about four times its bytes once parsed: 8 MiB holds a few hundred bundled-lesson uploads.
HELD_BYTES = 8 * 2**20
_PENDING = "held_uploads"  # the session's received submissions, held once its transaction commits


def held_size(received: Received) -> int:
    """What holding ``received`` costs: its bytes, or the text of its notebook when that is more.

    A zip's notebook is held unpacked: 40 KB of zip may hold a 40 MiB notebook, so counting the zip's
    bytes let one student's few hundred such uploads hold gigabytes.
    """
    notebook = received.reading.notebook  # read already, when it was received
    return max(len(received.content), _text_size(notebook) if notebook is not None else 0)


def _text_size(data) -> int:
    """The characters of every string ``data`` holds, keys included."""
    size, pending = 0, [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            size += len(value)
        elif isinstance(value, dict):
            size += sum(len(key) for key in value if isinstance(key, str))
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return size


class HeldUploads:
    """Received submissions by id (see the module docstring)."""

    def __init__(self, sessions: sessionmaker[Session], *, limit: int = HELD_BYTES):
        self.limit, self.used = limit, 0
        self._held: dict[int, tuple[Received, int]] = {}
        self._lock = threading.Lock()
        event.listen(sessions, "after_commit", self._committed)
        event.listen(sessions, "after_rollback", lambda db: db.info.pop(_PENDING, None))

    def hold(self, db: Session, submission_id: int, received: Received) -> None:
        """Keep ``received`` for ``submission_id`` once ``db``'s transaction commits."""
        db.info.setdefault(_PENDING, []).append((submission_id, received))

    def take(self, submission_id: int) -> Received | None:
        """The submission as received, if it is still held; it is held no longer."""
        with self._lock:
            received, size = self._held.pop(submission_id, (None, 0))
            self.used -= size
            return received

    def _committed(self, db: Session) -> None:
        for submission_id, received in db.info.pop(_PENDING, []):
            size = held_size(received)
            with self._lock:
                if self.used + size <= self.limit:
                    self._held[submission_id] = (received, size)
                    self.used += size
