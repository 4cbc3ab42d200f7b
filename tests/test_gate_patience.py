"""A commit lets the phase ones on the host end on their own for a moment before it stops them.

A stop lasts whole quanta, so a phase one stopped 0.1 s before its end used to lose most of a
second, and with two workers every commit stopped the other worker's sandbox: two jobs at once
took about as long as two in a row. The commit now waits for the gate until the next whole
multiple of ``PATIENCE_S`` on the monotonic clock before it rings the bell; a phase one that runs
on is stopped as before, only later. The ring comes on that grid, so a phase one that runs until
it cannot tell when the commit came, nor so when the phase two before it ended: a review found that
a ring a fixed time after the commit told a stepped-aside phase one that to the millisecond.
"""

from __future__ import annotations

import os
import threading
import time

from autograder.sandbox import phase_gate
from autograder.sandbox.gate_bell import Bell
from autograder.sandbox.gate_turns import QUANTUM_S


def _commit_in_thread(committing: phase_gate.PhaseGate, **patience) -> tuple[threading.Thread, threading.Event]:
    granted = threading.Event()

    def commit() -> None:
        committing.enter_phase_two(**patience)
        granted.set()

    thread = threading.Thread(target=commit)
    thread.start()
    return thread, granted


def _at_fraction(step: float, low: float, high: float) -> None:
    """Wait until the monotonic clock is between ``low`` and ``high`` into a multiple of ``step``."""
    while not low <= time.monotonic() % step <= high:
        time.sleep(0.002)


def test_a_phase_one_that_ends_within_the_patience_is_never_stopped(tmp_path):
    folder = str(tmp_path)
    running = phase_gate.PhaseGate.enter_phase_one(folder=folder)
    committing = phase_gate.PhaseGate.enter_phase_one(folder=folder)
    listener = Bell(os.path.join(folder, phase_gate.BELL))
    _at_fraction(phase_gate.PATIENCE_S, 0.02, 0.1)  # so that the next whole second is 0.9 s away
    thread, granted = _commit_in_thread(committing)
    time.sleep(0.3)
    assert not granted.is_set(), "phase two began beside a phase one"
    running.close()  # the phase one ends on its own
    assert granted.wait(20)
    thread.join()
    assert not listener.heard(), "the bell rang for a phase one that was about to end"
    newcomer = threading.Thread(target=lambda: phase_gate.PhaseGate.enter_phase_one(folder=folder).close())
    newcomer.start()
    newcomer.join(0.3)
    assert newcomer.is_alive(), "a phase one started beside the phase two"
    committing.close()
    newcomer.join(20)
    listener.close()


def test_a_phase_one_that_runs_on_hears_the_bell_on_the_next_whole_step_of_the_clock(tmp_path):
    folder = str(tmp_path)
    running = phase_gate.PhaseGate.enter_phase_one(folder=folder)
    committing = phase_gate.PhaseGate.enter_phase_one(folder=folder)
    _at_fraction(0.4, 0.15, 0.25)  # midway between two steps: a ring a fixed time after the commit is off them
    began = time.monotonic()
    thread, granted = _commit_in_thread(committing, patience_s=0.4)
    while not running.bell.heard():
        assert time.monotonic() < began + 20, "the commit never rang"
        time.sleep(0.002)
    heard = time.monotonic()
    assert heard - began < 0.4 + 0.1, f"the bell rang {heard - began:.3f} s after the commit"
    assert heard % 0.4 < 0.1, f"the bell rang {heard % 0.4:.3f} s past a step of the clock, {heard - began:.3f} s in"
    assert not granted.is_set(), "phase two began beside a phase one"
    running.step_aside()  # as its broker does once its sandbox is stopped
    assert granted.wait(20)
    thread.join()
    committing.close()
    running.close()


def test_the_patience_is_no_longer_than_the_stop_it_spares():
    assert 0 < phase_gate.PATIENCE_S <= QUANTUM_S
