"""Which sandbox slots a worker process on this host may use.

A slot names a sandbox's uid (``SANDBOX_UID_BASE`` + slot, as root) and its cgroup. Two workers on
one host that both counted slots from 0 ran students' code as the same uids, which could then signal
each other's processes and read each other's files in /proc. So each ``autograder worker`` takes a
block of ``SLOT_BLOCK`` slots of its own, holding an flock on the block's file for as long as it
runs. A worker that dies lets go of its block with its last descriptor. Block 0 is left to
``autograder grade`` and the embedded server.

The block files are in a folder of the worker's user's own (``autograder-worker-slots.<uid>``)
inside the phase gate's folder, which every grader on the host shares. The folder is 0700 and its
files 0600: any local user could otherwise open a block's file and lock it, and so deny or confuse
grading (an flock needs nothing but a descriptor, read-only will do). A folder someone else owns or
may enter is refused, never used. Sandboxes of other users' workers run as those users' own uids,
so blocks need be unique only among one user's workers.
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
SLOT_FOLDER = "autograder-worker-slots.{uid}"
BLOCK_FILE = "block.{}.lock"


class NoFreeSlots(KitError, RuntimeError):
    """Every block of slots is held by another worker on this host, or a worker asks for too many."""


class UnsafeSlotFolder(KitError, PermissionError):
    """The folder of the block files, or a file in it, is another user's or open to others."""


@contextlib.contextmanager
def worker_slots(count: int, *, folder: str | None = None) -> Iterator[range]:
    """``count`` sandbox slots no other worker of this user on this host holds, for as long as the block runs.

    ``folder`` is the phase gate's folder (by default the host's); the block files are in this user's folder there.

    Raises:
        NoFreeSlots: ``count`` is over ``SLOT_BLOCK``, or every block is taken.
        UnsafeSlotFolder: the block files' folder, or a file in it, could be locked by another user.
        PhaseGateError: the gate's folder cannot be used (the message says how to fix it).
    """
    if count > SLOT_BLOCK:
        raise NoFreeSlots(
            f"a worker runs at most {SLOT_BLOCK} sandboxes at once (--workers times its assignments); "
            f"it asked for {count}: lower --workers or split the assignments across workers"
        )
    private = slot_folder(folder or phase_gate.gate_folder())
    for block in range(1, MAX_BLOCKS + 1):
        held = _hold(os.path.join(private, BLOCK_FILE.format(block)))
        if held is None:
            continue
        try:
            yield range(block * SLOT_BLOCK, block * SLOT_BLOCK + count)
        finally:
            os.close(held)
        return
    raise NoFreeSlots(
        f"{MAX_BLOCKS} workers already run on this host (each holds a file {BLOCK_FILE.format('N')} "
        f"in {private}); stop one, or run this one on another machine"
    )


def slot_folder(gate_folder: str) -> str:
    """This user's folder of block files in ``gate_folder``, made 0700 if it is not there.

    Raises:
        UnsafeSlotFolder: it is not a folder, is another user's, or others may enter it.
    """
    path = os.path.join(gate_folder, SLOT_FOLDER.format(uid=os.geteuid()))
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)  # the umask may only narrow it
    found = os.lstat(path)
    if not stat.S_ISDIR(found.st_mode):
        problem = "is not a folder"
    elif found.st_uid != os.geteuid():
        problem = f"belongs to uid {found.st_uid}, not this worker's user (uid {os.geteuid()})"
    elif stat.S_IMODE(found.st_mode) & 0o077:
        problem = f"is open to other users (mode {stat.S_IMODE(found.st_mode):o}, not 700)"
    else:
        return path
    raise UnsafeSlotFolder(
        f"{path} {problem}: another user could lock the workers' sandbox slots there. Remove it "
        f"(rm -r {path}) and start the worker again, which makes it again, 0700; and see who made it"
    )


def _hold(path: str) -> int | None:
    """An open description of ``path`` holding its flock, or None when another process holds it."""
    fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode) or found.st_uid != os.geteuid():
            raise UnsafeSlotFolder(
                f"{path}: not a plain file of this worker's user; remove it (a plain file is made again), "
                "and see who made it"
            )
        os.fchmod(fd, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
