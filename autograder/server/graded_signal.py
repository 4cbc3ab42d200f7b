"""Waking the requests that wait for a submission to move on (``GET /api/submissions/ID?wait=S``)
when grading of one starts or its grade is recorded.

That happens in grading threads; waiting requests live on the server's event loop. A change wakes
only the requests that wait for that submission, so a rush with hundreds of students waiting costs
one look per change, not one per waiting student. Only changes in this process signal with the
submission; grades a scaled-out worker recorded wake every waiting request, and a waiting request
also looks again every few seconds.

A waiting request holds no thread and no database connection, only a place on the event: it
looks in a short session of its own when woken. Each account may have MAX_WAITS_PER_USER waiting
at once, so no one can fill the server with them.
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from typing import Iterator

from autograder.server.places import AccountPlaces

MAX_WAITS_PER_USER = 5


class Watch:
    """One waiting request's event: set by every change to its submission since it last waited."""

    def __init__(self):
        self._changed = asyncio.Event()

    def changed(self) -> None:
        self._changed.set()

    async def wait(self, timeout: float) -> None:
        """Return at the next change (or at once, if one came since the last wait), or after ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        self._changed.clear()


class GradedSignal:
    def __init__(self):
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watches: dict[int, set[Watch]] = {}
        self.waiting = AccountPlaces(MAX_WAITS_PER_USER)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the server's event loop (at start-up)."""
        self._loop = loop

    def notify(self, submission_id: int | None = None) -> None:
        """Submission ``submission_id`` moved on (any, if None); callable from any thread."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake, submission_id)

    def _wake(self, submission_id: int | None) -> None:
        if submission_id is None:
            watches = [watch for each in self._watches.values() for watch in each]
        else:
            watches = list(self._watches.get(submission_id, ()))
        for watch in watches:
            watch.changed()

    @contextmanager
    def watching(self, submission_id: int) -> Iterator[Watch]:
        """A watch on ``submission_id``'s changes while inside. Watch before looking at its state, so a change
        between the look and the wait is not missed."""
        watch = Watch()
        self._watches.setdefault(submission_id, set()).add(watch)
        try:
            yield watch
        finally:
            watchers = self._watches[submission_id]
            watchers.discard(watch)
            if not watchers:
                del self._watches[submission_id]
