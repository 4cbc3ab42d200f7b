"""Stop every other process of a PID namespace, and let them go on: for its PID 1 (a sandbox's broker).

A sandbox waiting for its turn at the phase gate has given up its place in
phase one, so none of its processes may run meanwhile (see
``autograder.sandbox.phase_gate``). kill(-1) from a namespace's PID 1 reaches
every process in the namespace and nothing outside it; a fork under way when
the signal is sent gets it too. The /proc here is the namespace's own.
"""

from __future__ import annotations

import os
import signal
import time

STOP_LIMIT_S = (
    5.0  # a process stops as soon as it is next scheduled, unless the kernel holds it in an uninterruptible wait
)
# Stopped, stopped by a tracer, dead. Not "D": a thread of a process whose stop has not begun yet
# (the thread picked to take the signal is itself in an uninterruptible wait) returns to its code from there.
_STOPPED = {"T", "t", "Z", "X"}


def stop_every_process() -> bool:
    """SIGSTOP every other process in this namespace; True once all of their threads have stopped."""
    deadline = time.monotonic() + STOP_LIMIT_S
    while time.monotonic() < deadline:
        _signal_all(signal.SIGSTOP)  # again each round: a process that was being created may have missed the first
        if all(state in _STOPPED for state in _thread_states()):
            return True
        time.sleep(0.001)  # a stop leaves nothing to wait on but /proc
    return False


def continue_every_process() -> None:
    _signal_all(signal.SIGCONT)


def _signal_all(signal_number: int) -> None:
    try:
        os.kill(-1, signal_number)
    except ProcessLookupError:
        pass  # no other process left


def _thread_states() -> list[str]:
    states = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or pid == str(os.getpid()):
            continue
        try:
            for thread in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{thread}/stat", "rb") as stat:
                    states.append(stat.read().rsplit(b")", 1)[1].split()[0].decode())
        except (OSError, IndexError):
            continue  # it ended while we looked
    return states
