"""Phase two runs alone on the host: no student code runs beside a sandbox that holds the reference functions.

Sandboxes share what no system-call filter takes away: CPU time, memory, the
caches. A phase two (after the reveal) could signal through them to a phase
one running at the same moment, in this grading run or in any other on the
host. So every sandbox takes its turn at a host-wide reader-writer lock:

- a sandbox runs phase one holding the *gate* shared, as many at once as the
  workers allow;
- at its commit, its broker stops every process of the sandbox, gives up its
  share and lets the phase ones end on their own until the next whole second
  (``PATIENCE_S``); then it rings the *bell* and takes the gate exclusive; only then does it
  read the secret. The sandbox keeps the gate until every one of its processes is dead;
- a sandbox in phase one that hears the bell stops every one of its processes,
  steps aside (gives up its share) and queues to take it again; it runs again
  only once it holds its share, so a commit waits for the others to stop, not to end;
- a *turnstile* in front of the gate holds new phase ones (and those that
  stepped aside) back while a commit waits, so a stream of them cannot starve it.

The files are in /run/lock (else /tmp), or the folder ``AUTOGRADER_PHASE_GATE``
names, and every grader on the host opens them, whichever user it runs as.
flock locks belong to an open file description, so each sandbox opens its own;
the sandbox's parent, outside it, keeps them open until it has reaped the
sandbox. The student process never holds them (and the seccomp filter refuses
it flock and inotify).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import math
import os
import select
import stat
import sys
import time
from typing import Callable, Iterator

from autograder.sandbox.gate_bell import OUT_OF_ROOM, Bell

FOLDERS = ("/run/lock", "/tmp")
FOLDER_VARIABLE = "AUTOGRADER_PHASE_GATE"  # the gate's folder, where /run/lock is not the host's (a Kubernetes pod's)
GATE, TURNSTILE, BELL = "autograder-phase.gate", "autograder-phase.turnstile", "autograder-phase.bell"
# A commit lets the phase ones end on their own until the next whole multiple of PATIENCE_S on the host's
# monotonic clock, so at most that long (a stop would cost each of them a whole quantum, 1 s). Its ring comes
# on that grid, never at a moment the commit chose: a phase one that ran until the ring learns the second,
# not the millisecond, the commit came at (and so when the phase two before it ended).
PATIENCE_S = 1.0


class PhaseGateError(OSError):
    """A gate file cannot be opened or made."""


class PhaseGate:
    """One sandbox's own open descriptions of the gate and the turnstile, and its watch on the bell."""

    def __init__(self, gate: int, turnstile: int, bell: Bell, folder_fd: int):
        self.gate, self.turnstile, self.bell = gate, turnstile, bell
        self.folder_fd = folder_fd  # a broker past pivot_root rings the bell through it

    @classmethod
    def enter_phase_one(
        cls, *, folder: str | None = None, on_wait: Callable[[bool], None] | None = None
    ) -> "PhaseGate":
        """Hold the gate shared; waits while a sandbox is in phase two or waiting for it.

        ``on_wait(True)`` is called before waiting (never if there is no wait), ``on_wait(False)`` after.

        Raises:
            PhaseGateError: a gate file cannot be opened or made; the message says which and what to do.
        """
        folder = gate_folder(folder)
        waiting = _Waiting(on_wait)
        with contextlib.ExitStack() as undo:
            bell = _listen(os.path.join(folder, BELL))  # before the gate: no commit after our entry goes unheard
            undo.callback(bell.close)
            turnstile = _open_shared(os.path.join(folder, TURNSTILE))
            undo.callback(os.close, turnstile)
            gate = _open_shared(os.path.join(folder, GATE))
            undo.callback(os.close, gate)
            folder_fd = os.open(folder, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            undo.callback(os.close, folder_fd)
            undo.callback(waiting.over)
            _lock(turnstile, fcntl.LOCK_EX, waiting)
            try:
                bell.heard()  # a commit rings while it holds the turnstile: whatever rang before is served
                _lock(gate, fcntl.LOCK_SH, waiting)
            finally:
                fcntl.flock(turnstile, fcntl.LOCK_UN)
            undo.pop_all()
        waiting.over()
        return cls(gate, turnstile, bell, folder_fd)

    def enter_phase_two(self, patience_s: float = PATIENCE_S) -> None:
        """Give up the shared hold and wait for the gate alone. The sandbox must be stopped meanwhile:
        a commit that kept its share while waiting would deadlock with another commit doing the same.

        The phase ones holding the gate may end on their own until the next whole multiple of
        ``patience_s`` on the monotonic clock; only then does the bell stop them. A stop costs each of
        them at least a whole quantum, so a phase one about to end is cheaper to wait for, and one that
        runs on waits no longer than a stop would have cost it."""
        fcntl.flock(self.gate, fcntl.LOCK_UN)
        fcntl.flock(self.turnstile, fcntl.LOCK_EX)  # held throughout: no phase one starts meanwhile
        try:
            if not _lock_until(self.gate, fcntl.LOCK_EX, math.ceil(time.monotonic() / patience_s) * patience_s):
                _ring(self.folder_fd)  # the phase ones still holding the gate stop and step aside
                fcntl.flock(self.gate, fcntl.LOCK_EX)
        finally:
            fcntl.flock(self.turnstile, fcntl.LOCK_UN)

    def step_aside(self) -> None:
        """Give up the shared hold, so that a commit goes first.

        The sandbox must stay stopped until ``rejoin`` returns."""
        fcntl.flock(self.gate, fcntl.LOCK_UN)

    def rejoin(self) -> None:
        """Hold the gate shared again, behind every commit that rang before."""
        fcntl.flock(self.turnstile, fcntl.LOCK_EX)
        try:
            self.bell.heard()
            fcntl.flock(self.gate, fcntl.LOCK_SH)
        finally:
            fcntl.flock(self.turnstile, fcntl.LOCK_UN)

    def fds(self) -> set[int]:
        return {self.gate, self.turnstile, self.bell.fileno(), self.folder_fd}

    def close(self) -> None:
        """Let go of whatever this sandbox holds (only once it is dead, if it reached phase two)."""
        for fd in (self.gate, self.turnstile, self.folder_fd):
            os.close(fd)
        self.bell.close()


@contextlib.contextmanager
def taking_turns(
    *, enabled: bool = True, folder: str | None = None, on_wait: Callable[[bool], None] | None = None
) -> Iterator[PhaseGate | None]:
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


def gate_folder(chosen: str | None = None) -> str:
    """The folder of the host's gate: ``chosen``, else ``$AUTOGRADER_PHASE_GATE``, else /run/lock, else /tmp.

    Raises:
        PhaseGateError: a chosen folder is missing, or this user may not make the gate's files in it.
    """
    if not chosen and not os.environ.get(FOLDER_VARIABLE):
        return next((path for path in FOLDERS if os.path.isdir(path)), "/tmp")
    folder = chosen or os.environ[FOLDER_VARIABLE]
    named = folder if chosen else f"{FOLDER_VARIABLE}={folder}"
    if not os.path.isdir(folder):
        problem = "does not exist" if not os.path.lexists(folder) else "is not a folder"
    elif not os.access(folder, os.X_OK) or (
        not os.access(folder, os.W_OK)
        and not all(os.path.exists(os.path.join(folder, name)) for name in (GATE, TURNSTILE, BELL))
    ):
        problem = "is not a folder this user may make the gate's files in"
    else:
        return folder
    raise PhaseGateError(
        errno.ENOTDIR,
        f"the phase gate's folder {named} {problem}. Every grader on the host "
        f"takes turns through files there: give every one the same folder, writable "
        f"by every grading user (mkdir -m 1777), and in Kubernetes mount the same "
        f"hostPath in every pod on a node",
    )


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


def _lock_until(fd: int, kind: int, deadline: float) -> bool:
    """Whether the lock could be taken before the monotonic clock reads ``deadline``; flock has no timeout,
    so it looks again, less often the longer it waits."""
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            select.select([], [], [], min(pause, left))
            pause = min(2 * pause, 0.02)


def _listen(path: str) -> Bell:
    try:
        return Bell(path)
    except FileNotFoundError:
        os.close(_open_shared(path))  # made now (which rings it once: harmless)
        return _listen(path)
    except OSError as error:
        if error.errno not in OUT_OF_ROOM:
            raise _unusable(path, error) from error
        # A user's inotify instances once ran out (an editor holds many): every submission's row said crash.
        print(
            f"phase gate: {error.strerror} ({path}); this sandbox will not step aside for other sandboxes' "
            "commits, which wait for it to end instead (raise fs.inotify.max_user_instances or max_user_watches)",
            file=sys.stderr,
        )
        return Bell.deaf()


def _ring(folder: int) -> None:
    """Open the bell (in the gate's folder, ``folder``): every watcher hears it. Should that fail, the commit
    still waits its turn, only longer."""
    with contextlib.suppress(OSError):
        os.close(os.open(BELL, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder))


def _open_shared(path: str) -> int:
    """Open ``path`` read-only (enough for flock), making it readable by every user if it is missing.

    Any user may make the file first: one made a FIFO, whose opening waits for a writer (every
    grader on the host then hung at start, saying nothing). So it is opened without waiting, and
    anything but a plain file is refused.
    """
    flags = (
        os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    )  # flock still waits: only LOCK_NB stops it waiting
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
        raise _unusable(path, error) from error


def _unusable(path: str, error: OSError) -> PhaseGateError:
    return PhaseGateError(
        error.errno,
        f"{path}: {error.strerror}. Every grader on this host opens this file to take "
        f"turns with the others; make it a plain file every user can read (chmod 666), "
        f"or remove it if no grading is running",
    )


def _plain_file(fd: int, path: str) -> int:
    if stat.S_ISREG(os.fstat(fd).st_mode):
        return fd
    os.close(fd)
    raise PhaseGateError(
        errno.EINVAL,
        f"{path}: not a plain file. Every grader on this host opens this file to take turns with the "
        f"others; remove it (a plain file is made again), and see who made it",
    )
