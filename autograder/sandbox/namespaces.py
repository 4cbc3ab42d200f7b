"""The namespaces a full sandbox runs in: which ones it unshares, the user namespace that maps its one uid, and
the parent-death signal that keeps each of its processes from outliving the one that made it."""

from __future__ import annotations

import os
import signal

from autograder.sandbox import privileges
from autograder.sandbox.libc import check, libc
from autograder.sandbox.outcome import Limits

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG = 1


def namespace_flags(limits: Limits, *, rootless: bool) -> int:
    flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS
    if limits.keeps("ipc_namespace"):
        flags |= CLONE_NEWIPC
    return flags | (CLONE_NEWUSER if rootless else 0)


def enter_user_namespace(flags: int, inner_uid: int) -> None:
    """Unshare ``flags`` (with CLONE_NEWUSER) and map ``inner_uid`` to this process's uid and gid."""
    outer_uid, outer_gid = os.geteuid(), os.getegid()
    # Only a dumpable process owns its /proc/self files, and so may write its maps
    # (a process that left root by setuid is not); the caller makes itself undumpable again.
    check(libc.prctl(privileges.PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
    check(libc.unshare(flags), "unshare")
    _write_proc("uid_map", f"{inner_uid} {outer_uid} 1")
    _write_proc("setgroups", "deny")  # required before an unprivileged gid_map
    _write_proc("gid_map", f"{inner_uid} {outer_gid} 1")


def die_with_parent(parent: int | None) -> None:
    """SIGKILL this process when its parent ends; ``parent``: exit now if it already has."""
    check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if parent is not None and os.getppid() != parent:  # it died before the prctl took hold
        os._exit(70)


def _write_proc(name: str, text: str) -> None:
    with open(f"/proc/self/{name}", "w") as handle:
        handle.write(text)
