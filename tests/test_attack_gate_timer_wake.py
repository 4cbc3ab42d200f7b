"""A stopped phase one must stay stopped while another sandbox's phase two runs.

The broker stops its sandbox with SIGSTOP before stepping aside for a commit, and a SIGCONT resumes
a stopped process whoever sends it, the kernel included. A POSIX timer (``timer_create``) armed in
phase one to send the process SIGCONT every 5 ms woke it while it was meant to stand still: as
root, its clock never stood still for more than 9 ms through a 2 s phase two it had stepped aside
for (a stop lasts whole seconds), so it ran beside the phase two, where CPU time and memory are a
channel. The filter now refuses the timer (and the kernel's other deferred signals). Both isolated
modes run.
"""

from __future__ import annotations

import ctypes
import signal
import time

import pytest

from autograder.sandbox.gate_turns import QUANTUM_S
from tests.sandbox_modes import MODES, in_mode
from tests.test_gate_step_aside import SECRET, _beside_a_phase_one

WATCH_S = 6.0
PHASE_TWO_S = 2.0


class _SigEvent(ctypes.Structure):
    _fields_ = [
        ("value", ctypes.c_void_p),
        ("signo", ctypes.c_int),
        ("notify", ctypes.c_int),
        ("pad", ctypes.c_int * 12),
    ]


class _ITimerSpec(ctypes.Structure):
    _fields_ = [
        ("interval_s", ctypes.c_long),
        ("interval_ns", ctypes.c_long),
        ("value_s", ctypes.c_long),
        ("value_ns", ctypes.c_long),
    ]


def _wake_by_timer_and_watch() -> bytes:
    """Arm a timer that sends this process SIGCONT every 5 ms; report the longest the clock stood still."""
    libc = ctypes.CDLL(None, use_errno=True)
    timer = ctypes.c_void_p()
    event = _SigEvent(signo=int(signal.SIGCONT), notify=0)  # SIGEV_SIGNAL
    if libc.timer_create(1, ctypes.byref(event), ctypes.byref(timer)) != 0:  # CLOCK_MONOTONIC
        return f"timer_create refused: errno {ctypes.get_errno()}".encode()
    spec = _ITimerSpec(0, 5_000_000, 0, 5_000_000)
    if libc.timer_settime(timer, 0, ctypes.byref(spec), None) != 0:
        return f"timer_settime refused: errno {ctypes.get_errno()}".encode()
    began = last = time.monotonic()
    longest = 0.0
    while last - began < WATCH_S:
        now = time.monotonic()
        longest, last = max(longest, now - last), now
    return repr(longest).encode()


def _commit_then_busy(reveal) -> bytes:
    secret = reveal(b"{}")
    until = time.monotonic() + PHASE_TWO_S
    while time.monotonic() < until:
        pass
    return secret


@pytest.mark.parametrize("mode", MODES)
def test_a_timer_sending_sigcont_does_not_wake_a_stepped_aside_phase_one(mode):
    seen = in_mode(mode, _beside_a_phase_one(_wake_by_timer_and_watch, _commit_then_busy, wall_s=60))
    assert seen["commit"] == ["ok", SECRET.decode()], seen
    status, _, reported = seen["phase one"]
    if status != "ok" or reported.startswith("timer_"):
        return  # refused the timer or ended: it cannot run beside the phase two either
    longest = float(reported)
    assert longest >= QUANTUM_S - 0.1, f"the phase one ran on during the {PHASE_TWO_S} s phase two: {seen}"
