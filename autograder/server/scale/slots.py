"""Which sandbox slots a worker process on this host may use.

A slot names a sandbox's uid (``SANDBOX_UID_BASE`` + slot, as root) and its cgroup. Two workers on
one host that both counted slots from 0 ran students' code as the same uids, which could then signal
each other's processes and read each other's files in /proc. So each ``autograder worker`` takes a
block of ``SLOT_BLOCK`` slots of its own, holding an flock on the block's file in the phase gate's
folder (the folder every grader on the host shares) for as long as it runs. A worker that dies
lets go of its block with its last descriptor. Block 0 is left to ``autograder grade`` and the
embedded server.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from typing import Iterator

from autograder import KitError
from autograder.sandbox import phase_gate

SLOT_BLOCK = 256
MAX_BLOCKS = 16  # the highest uid is then 61000 + 17 * 256, under 65534 (nobody)
BLOCK_FILE = "autograder-worker-slots.{}.lock"


class NoFreeSlots(KitError, RuntimeError):
    """Every block of slots is held by another worker on this host, or a worker asks for too many."""


@contextlib.contextmanager
def worker_slots(count: int, *, folder: str | None = None) -> Iterator[range]:
    """``count`` sandbox slots no other worker on this host holds, for as long as the block runs.

    Raises:
        NoFreeSlots: ``count`` is over ``SLOT_BLOCK``, or every block is taken.
        PhaseGateError: the gate's folder cannot be used (the message says how to fix it).
    """
    if count > SLOT_BLOCK:
        raise NoFreeSlots(
            f"a worker runs at most {SLOT_BLOCK} sandboxes at once (--workers times its assignments); "
            f"it asked for {count}: lower --workers or split the assignments across workers"
        )
    folder = folder or phase_gate.gate_folder()
    for block in range(1, MAX_BLOCKS + 1):
        held = _hold(os.path.join(folder, BLOCK_FILE.format(block)))
        if held is None:
            continue
        try:
            yield range(block * SLOT_BLOCK, block * SLOT_BLOCK + count)
        finally:
            os.close(held)
        return
    raise NoFreeSlots(
        f"{MAX_BLOCKS} workers already run on this host (each holds a file {BLOCK_FILE.format('N')} "
        f"in {folder}); stop one, or run this one on another machine"
    )


def _hold(path: str) -> int | None:
    """An open description of ``path`` holding its flock, or None when another process holds it."""
    fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NoFreeSlots(f"{path}: not a plain file; remove it (a plain file is made again), and see who made it")
        with contextlib.suppress(PermissionError):
            os.fchmod(fd, 0o666)  # workers of other users on the host take blocks too
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
