"""A commit does not wait for the phase ones on the host to end: they stop and step aside while it goes first.

A notebook looping in phase one once held every commit on the host until its timeout. Now its
sandbox hears the commit's bell, stops, gives up its share of the gate and takes it again behind
the commit, and only then runs on; its stop does not count against its timeout, and lasts whole
quanta, so it cannot time the phase two that ran meanwhile. Both isolated modes run (root, and
rootless as an ordinary user); each test has a gate of its own.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import tempfile
import threading
import time

import pytest

from autograder import sandbox
from autograder.sandbox import phase_gate
from autograder.sandbox.gate_turns import QUANTUM_S
from tests.sandbox_modes import MODES, in_mode

SECRET = b"def sigmoid(x): ..."
LOOP_WALL_S = 8
READING_CLOCK = "gap-probe-read"  # the name the clock-gap probe takes once it has read the clock
PR_SET_NAME = 15


def _loop() -> bytes:
    while True:
        pass


def _commit(reveal) -> bytes:
    return reveal(b"{}")


def _commit_then_sleep(reveal) -> bytes:
    secret = reveal(b"{}")
    time.sleep(0.3)  # a phase two's own choice of length
    return secret


def _first_gap() -> bytes:
    """Read the clock until it jumps (this process was stopped); return by how much. It naps between
    reads: spinning, a loaded machine could spend its 10 s of CPU before the other sandbox commits."""
    last = time.monotonic()
    # Only now may a stop come: one before this, it could not see. (Its /proc/self is not its own to write.)
    ctypes.CDLL(None).prctl(PR_SET_NAME, READING_CLOCK.encode(), 0, 0, 0)
    while True:
        time.sleep(0.01)
        now = time.monotonic()
        if now - last > 0.7:  # longer than a busy machine leaves a process unscheduled, shorter than a stop
            return repr(now - last).encode()
        last = now


def _clock_read(name: str = READING_CLOCK) -> bool:
    """Whether the clock-gap probe has read the clock once (it names itself ``name`` then; the host's /proc
    shows it)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() == name:
                    return True
        except OSError:
            continue  # it ended while we looked
    return False


def _gate_held(folder: str, *, alone: bool = False) -> bool:
    """Whether a sandbox holds the gate (``alone``: in phase two, so that not even a share can be had)."""
    path = os.path.join(folder, phase_gate.GATE)
    if not os.path.exists(path):
        return False
    with open(path, "rb") as gate:
        try:
            fcntl.flock(gate, (fcntl.LOCK_SH if alone else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def _secret_in(folder: str) -> int:
    """An open file of ``SECRET`` in ``folder``, for a commit to reveal."""
    path = os.path.join(folder, "secret")
    with open(path, "wb") as handle:
        handle.write(SECRET)
    return os.open(path, os.O_RDONLY)


def _beside_a_phase_one(
    phase_one, commit, *, wall_s: float, without: frozenset = frozenset(), started=lambda: True
) -> dict:
    """Start ``phase_one`` in a sandbox, and once it holds the gate and ``started()``, a sandbox that runs
    ``commit`` (which reveals); returns both results, the order they ended in, and the phase one's notices
    from the gate."""

    def job() -> dict:
        with tempfile.TemporaryDirectory() as folder:
            secret_fd = _secret_in(folder)
            limits = sandbox.Limits(wall_s=wall_s, gate_folder=folder, without=without)
            ended, results, notices = [], {}, []

            def run(name, *arguments, **keywords) -> None:
                results[name] = sandbox.run_sandboxed(*arguments, **keywords)
                ended.append(name)

            first = threading.Thread(
                target=run, args=("phase one", phase_one), kwargs={"limits": limits, "on_gate": notices.append}
            )
            first.start()
            deadline = time.monotonic() + 60
            while not (_gate_held(folder) and started()):  # a lock announces nothing: look again
                assert time.monotonic() < deadline and first.is_alive(), "the phase one never held the gate"
                time.sleep(0.01)
            run("commit", commit, limits=sandbox.Limits(wall_s=60, gate_folder=folder), secret_fd=secret_fd)
            first.join()
            os.close(secret_fd)
        looped, committed = results["phase one"], results["commit"]
        return {
            "ended": ended,
            "notices": notices,
            "commit": [committed.status, committed.data.decode()],
            "phase one": [looped.status, looped.detail, looped.data.decode(errors="replace")],
        }

    return job


@pytest.mark.parametrize("mode", MODES)
def test_a_looping_phase_one_no_longer_holds_up_a_commit(mode):
    seen = in_mode(mode, _beside_a_phase_one(_loop, _commit, wall_s=LOOP_WALL_S))
    assert seen["commit"] == ["ok", SECRET.decode()], seen
    assert seen["ended"] == ["commit", "phase one"], seen  # the commit ended while the loop still ran
    assert seen["notices"] == [True, False], seen  # the loop stepped aside once, and its clock stopped meanwhile
    assert seen["phase one"][:2] == ["timeout", f"took longer than {LOOP_WALL_S:g} s"], seen


@pytest.mark.parametrize("mode", MODES)
def test_without_stepping_aside_the_commit_waits_for_the_loop_to_end(mode):
    seen = in_mode(mode, _beside_a_phase_one(_loop, _commit, wall_s=LOOP_WALL_S, without=frozenset({"step_aside"})))
    assert seen["ended"] == ["phase one", "commit"] and seen["notices"] == [], seen
    assert seen["commit"] == ["ok", SECRET.decode()], seen


@pytest.mark.parametrize("mode", MODES)
def test_a_stopped_phase_one_cannot_time_the_phase_two(mode):
    """Its clock jumps by whole quanta, not by the 0.3 s the phase two chose to run."""
    seen = in_mode(mode, _beside_a_phase_one(_first_gap, _commit_then_sleep, wall_s=60, started=_clock_read))
    assert seen["phase one"][0] == "ok" and seen["commit"] == ["ok", SECRET.decode()], seen
    gap = float(seen["phase one"][2])
    quanta = round(gap / QUANTUM_S)
    assert quanta >= 1 and abs(gap - quanta * QUANTUM_S) < 0.1, seen
