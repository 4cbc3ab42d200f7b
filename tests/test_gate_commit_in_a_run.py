"""A sandbox that commits during its run after a stop (``RUN_S``), with a step aside owed for a commit that
rang meanwhile, must not leave its PID 1 spinning. Found by a review: ``Turns.owed`` outlived the commit,
``let_commits_pass`` (which clears it) is not called once the sandbox has committed, and ``wait_s`` kept
returning 0, so PID 1 spun in select with no timeout through the whole phase two, a core taken beside
the phase two that runs alone on the host (1.5-2.0 s of PID 1's CPU over a 2 s phase two).

Three sandboxes, as in tests/test_gate_ring_after_a_stop.py: a watcher P, a committer C1 whose phase two
stops P, and a starter S that starts when C1's phase two ends and commits at once (its ring comes while P
is stopped or in its run). P commits 0.5 s into its run after the stop, then sleeps 2 s in phase two and
reports how much CPU its PID 1 used meanwhile (/proc/1/stat, utime + stime, in clock ticks).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import time

import pytest

from autograder.sandbox.gate_turns import Turns
from autograder.sandbox.phase_gate import PhaseGate
from tests.sandbox_modes import MODES, in_mode
from tests.test_gate_ring_after_a_stop import three_sandboxes

PR_SET_NAME = 15
WATCHING = "owed-watching"
TICKS = os.sysconf("SC_CLK_TCK")


def _pid_one_ticks() -> int:
    with open("/proc/1/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def _watch_then_commit_in_the_run(reveal) -> bytes:
    last = time.monotonic()
    ctypes.CDLL(None).prctl(PR_SET_NAME, WATCHING.encode(), 0, 0, 0)
    while True:
        time.sleep(0.005)
        now = time.monotonic()
        if now - last > 0.5:  # stopped meanwhile
            break
        last = now
    gap = now - last
    time.sleep(0.5)  # within RUN_S after the stop; the starter's ring came by now
    reveal(b"{}")
    before, began = _pid_one_ticks(), time.monotonic()
    time.sleep(2.0)  # the phase two
    used = (_pid_one_ticks() - before) / TICKS
    return json.dumps({"gap": gap, "pid1_cpu_s": used, "over_s": time.monotonic() - began}).encode()


def _three_sandboxes() -> dict:
    results = three_sandboxes(_watch_then_commit_in_the_run, WATCHING, 0.1, watcher_commits=True)
    return json.loads(results["watch"].data)


@pytest.mark.parametrize("mode", MODES)
def test_pid_one_does_not_spin_after_committing_with_a_step_aside_owed(mode):
    seen = in_mode(mode, _three_sandboxes)
    assert seen["gap"] > 0.5, seen
    assert seen["pid1_cpu_s"] < 0.3, seen  # idle PID 1: a few ms over 2 s; spinning: about 2 s


def test_a_commit_clears_a_step_aside_owed(tmp_path):
    """The same, at the unit level: owed set by a ring in the run, then take_phase_two."""
    gate = PhaseGate.enter_phase_one(folder=str(tmp_path))
    try:
        turns = Turns(gate, control_w=os.open(os.devnull, os.O_WRONLY), stop=False)
        turns.owed, turns.runs_until = True, time.monotonic() + 0.5  # a ring heard during the run after a stop
        assert turns.take_phase_two()
        assert turns.bell() is None  # let_commits_pass is never called again
        time.sleep(0.6)
        assert turns.wait_s(0.2) == 0.2, "PID 1's select would spin with timeout 0 for the rest of the sandbox"
        assert not turns.owed
    finally:
        gate.close()


def test_turns_that_stop_nothing_continue_nothing(tmp_path):
    """Turns without stops (the not_stopped controls, and the unit test above) sent SIGCONT to every process
    it could reach all the same: run by root outside a sandbox's PID namespace, that was every process on the
    host, and it let a stopped phase one in another test read a phase two's secret."""
    stopped = subprocess.Popen(["sleep", "30"])
    try:
        os.kill(stopped.pid, signal.SIGSTOP)
        _wait_for_state(stopped.pid, "T")
        gate = PhaseGate.enter_phase_one(folder=str(tmp_path))
        try:
            assert Turns(gate, control_w=os.open(os.devnull, os.O_WRONLY), stop=False).take_phase_two()
        finally:
            gate.close()
        time.sleep(0.1)
        assert _state(stopped.pid) == "T"
    finally:
        stopped.kill()
        stopped.wait()


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def _wait_for_state(pid: int, state: str) -> None:
    deadline = time.monotonic() + 10
    while _state(pid) != state:
        assert time.monotonic() < deadline, f"process {pid} never reached state {state}"
        time.sleep(0.01)
