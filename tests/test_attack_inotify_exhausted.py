"""A user whose inotify instances are used up still gets every submission graded.

Each sandbox watches the phase gate's bell with an inotify instance of its own, and the kernel
allows a user 128 (``fs.inotify.max_user_instances``), shared with whatever else the user runs: an
editor, a file manager, other graders. With them used up, every submission's row once read
``crash: sandbox setup failed: ... inotify_init1: Too many open files`` and scored nothing. The bell
only lets a phase one step aside sooner, so such a sandbox now runs with a bell that never rings:
a commit waits for it to end, as commits did before the bell, and the grade is the same. Runs as
an ordinary user of its own, so that no other test's sandboxes lose their instances meanwhile.
"""

from __future__ import annotations

import ctypes
import os
import tempfile

import pytest

from autograder import sandbox
from tests.test_gate_step_aside import SECRET, _beside_a_phase_one, _gate_held, _loop
from tests.unprivileged import as_user

USER_OF_ITS_OWN = 60991
LOOP_WALL_S = 4


def _answer() -> bytes:
    return b"42"


def _commit(reveal) -> bytes:
    return reveal(b"{}")


def _hold_every_instance() -> list[int]:
    libc = ctypes.CDLL(None, use_errno=True)
    held = []
    while (fd := libc.inotify_init1(os.O_CLOEXEC)) >= 0:
        held.append(fd)
    return held


def _graded_with_instances_used_up() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        held = _hold_every_instance()
        alone = sandbox.run_sandboxed(_answer, limits=sandbox.Limits(wall_s=30, gate_folder=folder))
        secret_path = os.path.join(folder, "secret")
        with open(secret_path, "wb") as handle:
            handle.write(SECRET)
        secret_fd = os.open(secret_path, os.O_RDONLY)
        committed = sandbox.run_sandboxed(
            _commit, limits=sandbox.Limits(wall_s=30, gate_folder=folder), secret_fd=secret_fd
        )
        still_held = _gate_held(folder)
        for fd in held:
            os.close(fd)
    return {
        "held": len(held),
        "alone": [alone.status, alone.detail, alone.data.decode()],
        "commit": [committed.status, committed.detail, committed.data.decode()],
        "gate left held": still_held,
    }


def _as_user_of_its_own(job) -> dict:
    if os.geteuid() != 0:
        pytest.skip("needs root to run as a user of its own, whose instances no other test uses")
    outcome = as_user(job, timeout=120, uid=USER_OF_ITS_OWN)
    assert outcome.result is not None, outcome.problem
    return outcome.result


def test_a_user_out_of_inotify_instances_still_gets_graded():
    seen = _as_user_of_its_own(_graded_with_instances_used_up)
    assert seen["held"] > 0, seen  # the user's instances really were used up
    assert seen["alone"] == ["ok", "", "42"], seen
    assert seen["commit"] == ["ok", "", SECRET.decode()], seen
    assert seen["gate left held"] is False, seen


def _commit_beside_a_deaf_loop() -> dict:
    held = _hold_every_instance()
    try:
        return _beside_a_phase_one(_loop, _commit, wall_s=LOOP_WALL_S)()
    finally:
        for fd in held:
            os.close(fd)


def test_a_phase_one_that_cannot_hear_the_bell_still_keeps_the_commit_out():
    """It does not step aside, so the commit waits for it to end: never runs beside it."""
    seen = _as_user_of_its_own(_commit_beside_a_deaf_loop)
    assert seen["ended"] == ["phase one", "commit"] and seen["notices"] == [], seen
    assert seen["commit"] == ["ok", SECRET.decode()], seen
