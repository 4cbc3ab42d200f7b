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

After a stop a sandbox runs for ``RUN_S`` before it steps aside again; a commit that rang meanwhile waits
for the rest of that stop and then that long (up to 2 s, with the other phase ones it stopped standing
still meanwhile). Stepping aside at once for every commit let another worker's stream of short jobs keep
a sandbox stopped for as long as the stream lasted (one short job stood 13 s while the other worker
graded the rest of the class), since each commit came within the quantum the last stop was waiting out.
"""

from __future__ import annotations

import time

from autograder.sandbox import freeze
from autograder.sandbox.phase_gate import PhaseGate
from autograder.sandbox.protocol import gate_message, write_all

QUANTUM_S = 1.0
RUN_S = 1.0
RETRY_S = 0.2  # a stop that failed is tried again this much later


class Turns:
    """PID 1's side of the gate for one sandbox.

    ``stop``: stop the sandbox before giving up its share; ``step_aside``: give it up for another's
    commit at all (both False in tests only).
    """

    def __init__(self, gate: PhaseGate, control_w: int, *, stop: bool = True, step_aside: bool = True):
        self.gate, self.control_w, self.stop, self.steps_aside = gate, control_w, stop, step_aside
        self.in_phase_one = True
        self.owed = False  # a commit rang and this sandbox has yet to step aside for it
        self.runs_until = 0.0  # monotonic time before which it does not (just stopped, or a stop just failed)

    def bell(self) -> int | None:
        """The descriptor to watch for another's commit; None once this sandbox has committed."""
        return self.gate.bell.fileno() if self.in_phase_one and self.steps_aside else None

    def let_commits_pass(self) -> None:
        """If the bell rang (or a stop failed before), step aside until the commits that rang have had their turn;
        not before the sandbox has run ``RUN_S`` since its last stop.

        The wall clock stops only once every process has: a sandbox that keeps a stop from
        completing (a thread held in an uninterruptible wait) pays for the tries with its own time.
        """
        if self.gate.bell.heard():
            self.owed = True
        if not self.owed or time.monotonic() < self.runs_until:
            return
        stopped = freeze.stop_every_process() if self.stop else True
        if stopped:
            self._paused(self._step_aside)
        else:
            freeze.continue_every_process()
            self.runs_until = time.monotonic() + RETRY_S  # the next try comes on the tick, not in a spin
        self.owed = not stopped

    def wait_s(self, most: float) -> float:
        """How long PID 1 may wait for anything else before it must look again: ``most``, or less when a step
        aside is owed at the end of the sandbox's run after a stop (or ``RETRY_S`` after a stop that failed). A commit
        settles what is owed (``take_phase_two``), so a sandbox in phase two waits ``most``."""
        if not self.owed:
            return most
        return max(0.0, min(most, self.runs_until - time.monotonic()))

    def take_phase_two(self) -> bool:
        """Wait for the gate alone; False (so no secret) if a process of the sandbox would not stop."""
        self.in_phase_one = False
        self.owed = False  # its commit gives up its share: whatever rang is served by that

        def stop_and_wait() -> bool:
            stopped = freeze.stop_every_process() if self.stop else True
            if stopped:
                self.gate.enter_phase_two()
            return stopped

        return self._paused(stop_and_wait)

    def _paused(self, step):
        """Run ``step`` with the parent's clock stopped, then let every process go on (if they were stopped: outside
        a sandbox's PID namespace, as in a test, kill(-1) would reach every process on the host)."""
        write_all(self.control_w, gate_message(waiting=True))
        try:
            return step()
        finally:
            if self.stop:
                freeze.continue_every_process()
            write_all(self.control_w, gate_message(waiting=False))

    def _step_aside(self) -> None:
        began = time.monotonic()
        self.gate.step_aside()
        self.gate.rejoin()
        time.sleep(QUANTUM_S - (time.monotonic() - began) % QUANTUM_S)
        self.runs_until = time.monotonic() + RUN_S
