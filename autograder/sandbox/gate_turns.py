"""A sandbox's turns at the host's phase gate, as its PID 1 (the broker, which runs no student code) takes them.

Two moves, both made with every other process of the sandbox stopped
(``autograder.sandbox.freeze``) and the parent told, so that its wall clock
and the grader's watchdog stop meanwhile:

- *its own commit*: give up its share and take the gate alone before the
  secret is read (``PhaseGate.enter_phase_two``);
- *another's commit*, heard by the bell while in phase one: step aside and
  take its share again behind that commit, and only then go on. A commit so
  waits for the phase ones on the host to stop, not to end (it gives them
  up to ``phase_gate.PATIENCE_S`` to end first: a stop costs each a whole quantum).

A stop that steps aside lasts a whole number of ``QUANTUM_S``: a phase one
reads its clocks once it runs again, and the length of a phase two, which
the phase two chooses, would otherwise reach it to the millisecond.
"""

from __future__ import annotations

import select
import time

from autograder.sandbox import freeze
from autograder.sandbox.phase_gate import PhaseGate
from autograder.sandbox.protocol import gate_message, write_all

QUANTUM_S = 1.0


class Turns:
    """PID 1's side of the gate for one sandbox.

    ``stop``: stop the sandbox before giving up its share; ``step_aside``: give it up for another's
    commit at all (both False in tests only).
    """

    def __init__(self, gate: PhaseGate, control_w: int, *, stop: bool = True, step_aside: bool = True):
        self.gate, self.control_w, self.stop, self.steps_aside = gate, control_w, stop, step_aside
        self.in_phase_one = True
        self.owed = False  # a commit rang, but the sandbox would not stop: try again

    def bell(self) -> int | None:
        """The descriptor to watch for another's commit; None once this sandbox has committed."""
        return self.gate.bell.fileno() if self.in_phase_one and self.steps_aside else None

    def let_commits_pass(self) -> None:
        """If the bell rang (or a stop failed before), step aside until the commits that rang have had their turn.

        The wall clock stops only once every process has: a sandbox that keeps a stop from
        completing (a thread held in an uninterruptible wait) pays for the tries with its own time.
        """
        if self.gate.bell.heard() or self.owed:
            stopped = freeze.stop_every_process() if self.stop else True
            if stopped:
                self._paused(self._step_aside)
            else:
                freeze.continue_every_process()
            self.owed = not stopped

    def take_phase_two(self) -> bool:
        """Wait for the gate alone; False (so no secret) if a process of the sandbox would not stop."""
        self.in_phase_one = False

        def stop_and_wait() -> bool:
            stopped = freeze.stop_every_process() if self.stop else True
            if stopped:
                self.gate.enter_phase_two()
            return stopped

        return self._paused(stop_and_wait)

    def _paused(self, step):
        """Run ``step`` with the parent's clock stopped, then let every process go on."""
        write_all(self.control_w, gate_message(waiting=True))
        try:
            return step()
        finally:
            freeze.continue_every_process()
            write_all(self.control_w, gate_message(waiting=False))

    def _step_aside(self) -> None:
        began = time.monotonic()
        while True:
            self.gate.step_aside()
            self.gate.rejoin()
            rest = QUANTUM_S - (time.monotonic() - began) % QUANTUM_S
            rang, _, _ = select.select([self.gate.bell], [], [], rest)  # another commit in the meantime: aside again
            if not (rang and self.gate.bell.heard()):
                return
