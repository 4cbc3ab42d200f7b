"""Attack: a FIFO where the phase gate's files go.

Every grader on the host opens ``/run/lock/autograder-phase.gate`` and ``.turnstile`` (else in
/tmp), folders any user may write, and makes them when they are missing. A user who made one of
them first as a FIFO (``mkfifo``) made every grader hang at start for good: opening a FIFO to read
waits for a writer, and nothing said why. Now the gate opens without waiting and refuses anything
but a plain file, naming it.
"""

from __future__ import annotations

import os
import stat

import pytest

from autograder.forking import run_forked
from autograder.sandbox import phase_gate


@pytest.mark.parametrize("name", [phase_gate.GATE, phase_gate.TURNSTILE])
@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_gate_file_that_is_not_a_plain_file_is_named_not_waited_on(tmp_path, name, kind):
    path = tmp_path / name
    os.mkfifo(path) if kind == "fifo" else path.mkdir()

    def enter() -> dict:
        try:
            phase_gate.PhaseGate.enter_phase_one(folder=str(tmp_path)).close()
        except phase_gate.PhaseGateError as error:
            return {"refused": str(error)}
        return {"refused": ""}

    [outcome] = run_forked([enter], workers=1, timeout=20)
    assert outcome.result is not None, f"entering the gate did not return: {outcome.problem}"
    assert f"{path}: not a plain file" in outcome.result["refused"], outcome.result


def test_the_gate_still_makes_its_files_plain_and_readable_by_all(tmp_path):
    phase_gate.PhaseGate.enter_phase_one(folder=str(tmp_path)).close()
    for name in (phase_gate.GATE, phase_gate.TURNSTILE):
        mode = os.stat(tmp_path / name).st_mode
        assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o666, (name, oct(mode))
