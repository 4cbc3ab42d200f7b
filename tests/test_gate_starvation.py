"""A phase one is not kept stopped by a stream of other sandboxes' commits.

A stopped phase one waited out the rest of its quantum holding its share of the gate, and stepped aside
again for any commit that rang meanwhile. Another worker grading short jobs commits about once a second,
so each of its commits came within that quantum: one ``kmeans`` job stood stopped for 13 s while the other
worker graded the rest of the class, and a class of 20 took 15-22 s where 8 was possible. Now a stopped
sandbox runs ``RUN_S`` before it steps aside again. Both isolated modes run; each has a gate of its own.
"""

from __future__ import annotations

import tempfile
import threading
import time

import pytest

from autograder import sandbox
from autograder.sandbox import freeze
from autograder.sandbox.gate_turns import RETRY_S, Turns
from autograder.sandbox.phase_gate import PhaseGate
from tests.sandbox_modes import MODES, in_mode
from tests.test_gate_step_aside import _commit, _gate_held, _secret_in

WORK_CPU_S = 1.5  # CPU the phase one needs: it is stopped at least once on the way
STREAM_S = 20.0  # how long commits keep coming, unless the phase one ends first


def _work() -> bytes:
    while time.process_time() < WORK_CPU_S:  # a stopped process spends no CPU time
        pass
    return b"done"


def _a_phase_one_beside_a_stream_of_commits() -> dict:
    """A phase one that needs WORK_CPU_S, and commits one after another until it ends. Returns how many
    commits ended within each of its stops (a stop runs from its sandbox's wait at the gate to its return)."""
    with tempfile.TemporaryDirectory() as folder:
        secret_fd = _secret_in(folder)
        ended, results, stops, commits_ended = threading.Event(), {}, [], []

        def at_the_gate(waiting: bool) -> None:
            if waiting:
                stops.append([time.monotonic(), float("inf")])
            elif stops:
                stops[-1][1] = time.monotonic()

        def phase_one() -> None:
            limits = sandbox.Limits(wall_s=60, gate_folder=folder)
            results["phase one"] = sandbox.run_sandboxed(_work, limits=limits, on_gate=at_the_gate)
            ended.set()

        worker = threading.Thread(target=phase_one)
        worker.start()
        while not _gate_held(folder):
            time.sleep(0.01)
        stream_ends = time.monotonic() + STREAM_S
        while not ended.is_set() and time.monotonic() < stream_ends:
            committed = sandbox.run_sandboxed(
                _commit, limits=sandbox.Limits(wall_s=60, gate_folder=folder), secret_fd=secret_fd
            )
            assert committed.status == "ok", committed
            commits_ended.append(time.monotonic())
        worker.join()
        within = [sum(began < end < over for end in commits_ended) for began, over in stops]
        return {
            "status": results["phase one"].status,
            "commits": len(commits_ended),
            "commits within each stop": within,
        }


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_of_commits_does_not_keep_a_phase_one_stopped(mode):
    """It was stopped for the commits (at least one ended while it stood), but never for a second commit
    before it had run again: before, one stop outlasted every commit of the stream. Counted, not timed, so
    that a loaded host (which slows both) cannot fail it."""
    seen = in_mode(mode, _a_phase_one_beside_a_stream_of_commits)
    assert seen["status"] == "ok", seen
    assert seen["commits"] >= 2 and sum(seen["commits within each stop"]) >= 1, seen
    assert max(seen["commits within each stop"]) <= 1, seen


def test_pid_one_looks_again_the_moment_a_run_after_a_stop_ends(tmp_path):
    """A step aside owed at the end of that run came on PID 1's next 0.2 s tick: every commit waited 0.2 s
    more than it had to (found by a review: 0.201 s from ring to gate, 0.001 s now). A second review found the
    tick back whenever the run ended between PID 1's two looks at the clock in one pass of its loop."""
    gate = PhaseGate.enter_phase_one(folder=str(tmp_path))
    try:
        turns = Turns(gate, control_w=-1, stop=False)
        assert turns.wait_s(0.2) == 0.2
        turns.owed, turns.runs_until = True, time.monotonic() + 0.05
        assert 0 < turns.wait_s(0.2) <= 0.05
        turns.runs_until = time.monotonic() - 0.001  # it ended after let_commits_pass looked: step aside now
        assert turns.wait_s(0.2) == 0.0
    finally:
        gate.close()


def test_a_stop_that_failed_is_tried_again_on_the_tick(tmp_path, monkeypatch):
    """Not at once, in a spin (a thread held in an uninterruptible wait keeps a stop from completing)."""
    monkeypatch.setattr(freeze, "stop_every_process", lambda: False)
    monkeypatch.setattr(freeze, "continue_every_process", lambda: None)  # outside a sandbox it would reach the host
    gate = PhaseGate.enter_phase_one(folder=str(tmp_path))
    try:
        turns = Turns(gate, control_w=-1)
        turns.owed = True
        turns.let_commits_pass()
        assert turns.owed and RETRY_S - 0.05 < turns.wait_s(1.0) <= RETRY_S
    finally:
        gate.close()
