"""Waking the requests that wait for a submission to move on (``GET /api/submissions/ID?wait=S``)
when grading of one starts or its grade is recorded.

That happens in grading threads; waiting requests live on the server's event loop. Each change
wakes them all and each looks at its own submission again. Only changes in this process signal; a
waiting request also looks again every few seconds, so grades recorded elsewhere (a scaled-out
worker) are seen too.

A waiting request holds no thread and no database connection, only a place on the event: it
looks in a short session of its own when woken. Each account may have MAX_WAITS_PER_USER waiting
at once, so no one can fill the server with them.
"""

from __future__ import annotations

import asyncio

from autograder.server.places import AccountPlaces

MAX_WAITS_PER_USER = 5


class GradedSignal:
    def __init__(self):
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self.waiting = AccountPlaces(MAX_WAITS_PER_USER)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the server's event loop (at start-up)."""
        self._loop, self._event = loop, asyncio.Event()

    def notify(self) -> None:
        """A submission moved on (callable from any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._pulse)

    def _pulse(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()  # everyone waiting on it wakes; later waiters wait on the new one

    async def wait(self, timeout: float) -> None:
        """Return at the next change, or after ``timeout`` seconds."""
        if self._event is None:
            return
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except asyncio.TimeoutError:
            pass
