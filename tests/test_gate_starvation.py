"""A phase one must not be kept stopped by a stream of other sandboxes' commits. OPEN: it is; README,
"What still does not hold".

A stopped phase one waits out the rest of its quantum holding its share of the gate, and steps aside
again for any commit that rings meanwhile. Another worker grading short jobs commits about once a
second, so each of its commits comes within that quantum: one ``kmeans`` job stood stopped for 13 s while
the other worker graded the rest of the class, and a class of 20 took 15-22 s where 8 was possible. A
fix that let a stopped sandbox run a second before stepping aside again ended it, but a control of
``tests/test_phase_gate.py`` then failed now and then for a reason not yet found, so it was taken back.
Both isolated modes run; each has a gate of its own.
"""

from __future__ import annotations

import tempfile
import threading
import time

import pytest

from autograder import sandbox
from tests.sandbox_modes import MODES, in_mode
from tests.test_gate_step_aside import _commit, _gate_held, _secret_in

WORK_CPU_S = 1.5  # CPU the phase one needs: it is stopped at least once on the way
STREAM_S = 14.0  # how long commits keep coming, unless the phase one ends first


def _work() -> bytes:
    while time.process_time() < WORK_CPU_S:  # a stopped process spends no CPU time
        pass
    return b"done"


def _a_phase_one_beside_a_stream_of_commits() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        secret_fd = _secret_in(folder)
        ended, results = threading.Event(), {}

        def phase_one() -> None:
            started = time.monotonic()
            results["phase one"] = sandbox.run_sandboxed(_work, limits=sandbox.Limits(wall_s=60, gate_folder=folder))
            results["took"] = time.monotonic() - started
            ended.set()

        worker = threading.Thread(target=phase_one)
        worker.start()
        while not _gate_held(folder):
            time.sleep(0.01)
        commits, stream_ends = 0, time.monotonic() + STREAM_S
        while not ended.is_set() and time.monotonic() < stream_ends:
            committed = sandbox.run_sandboxed(
                _commit, limits=sandbox.Limits(wall_s=60, gate_folder=folder), secret_fd=secret_fd
            )
            assert committed.status == "ok", committed
            commits += 1
        worker.join()
        return {"status": results["phase one"].status, "took": results["took"], "commits": commits}


@pytest.mark.xfail(reason="open: a stream of commits keeps a phase one stopped (README)", strict=False)
@pytest.mark.parametrize("mode", MODES)
def test_a_stream_of_commits_does_not_keep_a_phase_one_stopped(mode):
    seen = in_mode(mode, _a_phase_one_beside_a_stream_of_commits)
    assert seen["status"] == "ok", seen
    assert seen["commits"] >= 2, seen  # it was stopped for them, more than once
    assert seen["took"] < STREAM_S - 4, seen  # it ended while the commits still came
