"""A phase one that stepped aside must not time a phase two through a commit it slept through (found by a
review of the commit's patience; the ring now comes on a whole second of the clock).

A phase one P that stepped aside for a commit holds its share again once that phase two ends, but
stays stopped until a whole quantum has passed since it stopped. A commit that came meanwhile used to
ring at once, and P stepped aside again without running: it learnt only whole quanta. A commit now
waits up to ``PATIENCE_S`` before it rings, so P runs from the end of its quantum until that ring,
and its clock tells it when the commit came to within milliseconds. A sandbox that was waiting to
start commits the moment it starts, which is the moment the phase two ended: P's run between its
two stops moves with the phase two's length. Here the phase two runs 0.1 s or 0.4 s.

Since a stopped phase one runs ``RUN_S`` before it steps aside again (``gate_turns``), the starter's commit,
which rings while P is stopped, waits for that run: P's run between its two stops lasts ``RUN_S``
whatever the phase two's length.
"""

from __future__ import annotations

import ctypes
import json
import os
import tempfile
import threading
import time

import pytest

from autograder import sandbox
from autograder.sandbox.gate_turns import RUN_S
from tests.sandbox_modes import MODES, in_mode
from tests.test_gate_step_aside import _clock_read, _gate_held, _secret_in

PR_SET_NAME = 15
WATCHING = "ring-watching"  # the name the watcher takes once it reads its clock
SHORT_S, LONG_S = 0.1, 0.4
WATCH_S = 8.0


def _watch_the_clock() -> bytes:
    """Read the clock until ``WATCH_S`` have passed; return how long each run between stops lasted."""
    began = last = time.monotonic()
    runs, run_began = [], began
    ctypes.CDLL(None).prctl(PR_SET_NAME, WATCHING.encode(), 0, 0, 0)  # only now may a stop come
    while last - began < WATCH_S:
        time.sleep(0.005)
        now = time.monotonic()
        if now - last > 0.5:  # stopped meanwhile
            runs.append(last - run_began)
            run_began = now
        last = now
    return json.dumps(runs).encode()


def _commit_then_run_for(length_s: float):
    def commit(reveal) -> bytes:
        reveal(b"{}")
        time.sleep(length_s)  # the phase two's own choice, from what it was revealed
        return b"done"

    return commit


def _commit_at_once(reveal) -> bytes:
    reveal(b"{}")
    return b"done"


def _three_sandboxes(length_s: float):
    def job() -> dict:
        return {"runs": json.loads(three_sandboxes(_watch_the_clock, WATCHING, length_s)["watch"].data)}

    return job


def three_sandboxes(watch, watching: str, length_s: float, *, watcher_commits: bool = False) -> dict:
    """A watcher running ``watch`` in phase one (it names itself ``watching`` once it reads its clock), a commit
    whose phase two runs ``length_s`` and stops it, and a starter that commits the moment that phase two ends.
    Their results by name ("watch", "commit", "starter"), each ok."""
    with tempfile.TemporaryDirectory() as folder:
        secret_fd = _secret_in(folder)
        results = {}

        def run(name, *arguments, **keywords) -> None:
            results[name] = sandbox.run_sandboxed(*arguments, **keywords)

        watching_secret = {"secret_fd": secret_fd} if watcher_commits else {}
        watcher = threading.Thread(
            target=run,
            args=("watch", watch),
            kwargs={"limits": sandbox.Limits(wall_s=60, gate_folder=folder), **watching_secret},
        )
        watcher.start()
        deadline = time.monotonic() + 60
        while not (_gate_held(folder) and _clock_read(watching)):  # a lock announces nothing: look again
            assert time.monotonic() < deadline and watcher.is_alive(), "the watcher never read its clock"
            time.sleep(0.01)
        committing = threading.Thread(
            target=run,
            args=("commit", _commit_then_run_for(length_s)),
            kwargs={"limits": sandbox.Limits(wall_s=60, gate_folder=folder), "secret_fd": secret_fd},
        )
        committing.start()
        while not _gate_held(folder, alone=True):
            assert time.monotonic() < deadline and committing.is_alive(), "the commit never reached phase two"
            time.sleep(0.002)
        run("starter", _commit_at_once, limits=sandbox.Limits(wall_s=60, gate_folder=folder), secret_fd=secret_fd)
        committing.join()
        watcher.join()
        os.close(secret_fd)
    assert {result.status for result in results.values()} == {"ok"}, results
    return results


@pytest.mark.parametrize("mode", MODES)
def test_a_stepped_aside_phase_one_cannot_time_a_phase_two_through_a_later_commit(mode):
    short = in_mode(mode, _three_sandboxes(SHORT_S))["runs"]
    long = in_mode(mode, _three_sandboxes(LONG_S))["runs"]
    # runs[0]: before the first commit; runs[1]: between its two stops
    assert len(short) >= 2 and len(long) >= 2, (short, long)
    moved = long[1] - short[1]
    assert abs(moved) < 0.1, (
        f"the watcher's run between its stops moved {moved:.3f} s when the phase two ran "
        f"{LONG_S - SHORT_S:.1f} s longer ({short}, {long})"
    )
    assert abs(short[1] - RUN_S) < 0.1 and abs(long[1] - RUN_S) < 0.1, (short, long)
