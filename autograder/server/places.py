"""A few places per account for requests that last: waiting for a grade, sending an upload. One
account holding many at once (a script, a stolen token) would otherwise fill the server's
connections, or its disk with half-sent files, for everyone else."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from typing import Iterator


class NoPlaceLeft(Exception):
    """The account already holds all its places."""


class AccountPlaces:
    """At most ``limit`` requests of one account inside at once. Used on the server's event loop
    only, so the count needs no lock."""

    def __init__(self, limit: int):
        self.limit = limit
        self._held: Counter[int] = Counter()

    def full(self, user_id: int) -> bool:
        return self._held[user_id] >= self.limit

    @contextmanager
    def place(self, user_id: int) -> Iterator[None]:
        """Hold one of ``user_id``'s places while inside; NoPlaceLeft if they hold them all."""
        if self.full(user_id):
            raise NoPlaceLeft()
        self._held[user_id] += 1
        try:
            yield
        finally:
            self._held[user_id] -= 1
            if not self._held[user_id]:
                del self._held[user_id]
