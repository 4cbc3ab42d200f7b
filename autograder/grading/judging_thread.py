"""Judging and writing finished jobs on one thread of their own, beside the grading workers.

Judging a result, drawing its feedback page's charts and recording it take tenths of a second. Done
in the loop that hands out jobs, the worker that has just finished would idle meanwhile; on this
thread it is handed its next submission at once. One thread, so results are recorded one at a time
in the order they finished. The batch grader and the course server both grade through it.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable


class JudgingThread:
    """``submit`` work to run beside the pool; leaving the ``with`` block waits for all of it."""

    def __init__(self):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="judging")
        self._pending: list[Future] = []

    def submit(self, work: Callable[..., None], *args) -> None:
        self._pending.append(self._executor.submit(work, *args))

    def raise_any_failure(self) -> None:
        """Re-raise what finished work raised; forget the work that is done (a server runs for weeks)."""
        still_running = []
        for future in self._pending:
            if future.done():
                future.result()
            else:
                still_running.append(future)
        self._pending = still_running

    def __enter__(self) -> "JudgingThread":
        return self

    def __exit__(self, *exc) -> None:
        self._executor.shutdown(wait=True)
        if exc[0] is None:
            self.raise_any_failure()
