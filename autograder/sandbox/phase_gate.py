"""Phase two runs alone on the host: no student code runs beside a sandbox that holds the reference functions.

Sandboxes share what no system-call filter takes away: CPU time, memory, the
caches. A phase two (after the reveal) could signal through them to a phase
one running at the same moment, in this grading run or in any other on the
host. So every sandbox takes its turn at a host-wide reader-writer lock:

- a sandbox runs phase one holding the *gate* shared, as many at once as the
  workers allow;
- at its commit, its broker stops every process of the sandbox, gives up its
  share and takes the gate exclusive; only then does it read the secret. The
  sandbox keeps the gate until every one of its processes is dead;
- a *turnstile* in front of the gate holds new phase ones back while a commit
  waits, so a stream of phase ones cannot starve it.

Both are files in /run/lock (else /tmp) that every grader on the host opens,
whichever user it runs as. flock locks belong to an open file description, so
each sandbox opens its own; the sandbox's parent, outside it, keeps them open
until it has reaped the sandbox. The student process never holds them (and
the seccomp filter refuses it flock).
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from typing import Callable, Iterator

FOLDERS = ("/run/lock", "/tmp")
GATE, TURNSTILE = "autograder-phase.gate", "autograder-phase.turnstile"


class PhaseGateError(OSError):
    """A gate file cannot be opened or made."""


class PhaseGate:
    """One sandbox's own open descriptions of the gate and the turnstile."""

    def __init__(self, gate: int, turnstile: int):
        self.gate, self.turnstile = gate, turnstile

    @classmethod
    def enter_phase_one(cls, *, folder: str | None = None, on_wait: Callable[[bool], None] | None = None) -> "PhaseGate":
        """Hold the gate shared; waits while a sandbox is in phase two or waiting for it.

        ``on_wait(True)`` is called before waiting (never if there is no wait), ``on_wait(False)`` after.

        Raises:
            PhaseGateError: a gate file cannot be opened or made; the message says which and what to do.
        """
        folder = folder or next((path for path in FOLDERS if os.path.isdir(path)), "/tmp")
        turnstile = _open_shared(os.path.join(folder, TURNSTILE))
        try:
            gate = _open_shared(os.path.join(folder, GATE))
        except BaseException:
            os.close(turnstile)
            raise
        entered, waiting = cls(gate, turnstile), _Waiting(on_wait)
        try:
            _lock(turnstile, fcntl.LOCK_EX, waiting)
            try:
                _lock(gate, fcntl.LOCK_SH, waiting)
            finally:
                fcntl.flock(turnstile, fcntl.LOCK_UN)
        except BaseException:
            entered.close()
            raise
        finally:
            waiting.over()
        return entered

    def enter_phase_two(self) -> None:
        """Give up the shared hold and wait for the gate alone. The sandbox must be stopped meanwhile:
        a commit that kept its share while waiting would deadlock with another commit doing the same."""
        fcntl.flock(self.gate, fcntl.LOCK_UN)
        fcntl.flock(self.turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(self.gate, fcntl.LOCK_EX)
        finally:
            fcntl.flock(self.turnstile, fcntl.LOCK_UN)

    def fds(self) -> set[int]:
        return {self.gate, self.turnstile}

    def close(self) -> None:
        """Let go of whatever this sandbox holds (only once it is dead, if it reached phase two)."""
        for fd in (self.gate, self.turnstile):
            os.close(fd)


@contextlib.contextmanager
def taking_turns(*, enabled: bool = True, folder: str | None = None, on_wait: Callable[[bool], None] | None = None) -> Iterator[PhaseGate | None]:
    """A sandbox's place at the gate, in phase one, for as long as the block runs (None if not ``enabled``: tests only).

    Raises:
        PhaseGateError: as ``PhaseGate.enter_phase_one``.
    """
    gate = PhaseGate.enter_phase_one(folder=folder, on_wait=on_wait) if enabled else None
    try:
        yield gate
    finally:
        if gate is not None:
            gate.close()


class _Waiting:
    """Calls ``on_wait(True)`` before the first lock that must be waited for, and ``on_wait(False)`` once it is over."""

    def __init__(self, on_wait: Callable[[bool], None] | None):
        self.on_wait, self.waited = on_wait, False

    def begin(self) -> None:
        if not self.waited and self.on_wait:
            self.on_wait(True)
        self.waited = True

    def over(self) -> None:
        if self.waited and self.on_wait:
            self.on_wait(False)


def _lock(fd: int, kind: int, waiting: _Waiting) -> None:
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
    except BlockingIOError:
        waiting.begin()
        fcntl.flock(fd, kind)


def _open_shared(path: str) -> int:
    """Open ``path`` read-only (enough for flock), making it readable by every user if it is missing.

    Any user may make the file first: one made a FIFO, whose opening waits for a writer (every
    grader on the host then hung at start, saying nothing). So it is opened without waiting, and
    anything but a plain file is refused.
    """
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK  # flock still waits: only LOCK_NB stops it waiting
    try:
        while True:
            try:
                return _plain_file(os.open(path, flags), path)
            except FileNotFoundError:
                pass
            try:
                fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue  # another grader made it first
            os.fchmod(fd, 0o666)  # whatever the umask: graders of other users open it too
            return fd
    except PhaseGateError:
        raise
    except OSError as error:
        raise PhaseGateError(error.errno, f"{path}: {error.strerror}. Every grader on this host opens this file to take "
                                          f"turns with the others; make it a plain file every user can read (chmod 666), "
                                          f"or remove it if no grading is running") from error


def _plain_file(fd: int, path: str) -> int:
    if stat.S_ISREG(os.fstat(fd).st_mode):
        return fd
    os.close(fd)
    raise PhaseGateError(errno.EINVAL, f"{path}: not a plain file. Every grader on this host opens this file to take turns with the "
                                       f"others; remove it (a plain file is made again), and see who made it")
