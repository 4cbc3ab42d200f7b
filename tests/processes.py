"""Waiting for processes to end, on pidfds rather than by polling."""

from __future__ import annotations

import os
import select
import time
from typing import Iterable


def still_running(pids: Iterable[int], *, deadline_s: float) -> list[int]:
    """Those of ``pids`` that have not exited within ``deadline_s`` (all share one deadline)."""
    deadline = time.monotonic() + deadline_s
    running = []
    for pid in pids:
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            if not select.select([handle], [], [], max(deadline - time.monotonic(), 0))[0]:
                running.append(pid)
        finally:
            os.close(handle)
    return running
