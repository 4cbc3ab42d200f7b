"""The loop of a sandbox's PID 1 while the student process runs: it brokers the commit, steps aside for other
sandboxes' commits, and reaps orphans, until the student process ends."""

from __future__ import annotations

import os
import select

from autograder.sandbox.broker import Broker
from autograder.sandbox.gate_turns import Turns


def serve_until_exit(child: int, broker: Broker | None, turns: Turns | None) -> int:
    """Broker the commit, step aside for other sandboxes' commits and reap orphans until ``child`` ends; return its wait
    status."""
    child_fd = os.pidfd_open(child)
    try:
        return _serve(child, child_fd, broker, turns)
    finally:
        os.close(child_fd)


def _serve(child: int, child_fd: int, broker: Broker | None, turns: Turns | None) -> int:
    while True:
        bell = turns.bell() if turns else None
        watched = (
            [child_fd]
            + ([broker.request_r] if broker and not broker.closed else [])
            + ([bell] if bell is not None else [])
        )
        # The timeout paces orphan reaping, a retry of a stop that failed, and a step aside owed once a run ends.
        ready, _, _ = select.select(watched, [], [], turns.wait_s(0.2) if turns else 0.2)
        if broker and not broker.closed and broker.request_r in ready:
            broker.feed(os.read(broker.request_r, 65536))
        if turns and turns.bell() is not None:
            turns.let_commits_pass()
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid == 0:
                break
            if pid == child:
                return status
