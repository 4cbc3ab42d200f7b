"""What a sandboxed process may do: rlimits, no uid or capability to spare.

All are applied before any student code runs and cannot be lifted by it:
rlimits only go down, ``no_new_privs`` is kept for life, and dropped
capabilities never come back. (The system calls it may make are
``autograder.sandbox.seccomp``; memory and process caps over the whole sandbox
are cgroups: ``autograder.sandbox.cgroups``.)
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import sys

from autograder.sandbox.libc import check, libc

PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 4, 24, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAPABILITY_VERSION_3 = 0x20080522


def set_rlimits(limits, *, shared_uid: bool = False) -> None:
    """Cap this process and its children (``limits``: a sandbox ``Limits``). Address space counts from what is
    mapped now.

    ``shared_uid``: this process still has the TA's uid (reduced mode), whose
    other processes and threads count against RLIMIT_NPROC too: the cap is
    then that many more than the uid runs now.
    """
    address_space = _mapped_bytes() + limits.as_extra_mb * 2**20
    processes = limits.nproc + (_tasks_of(os.getuid()) if shared_uid else 0)
    chosen = (
        ("rlimit_as", resource.RLIMIT_AS, (address_space, address_space)),
        (
            "rlimit_cpu",
            resource.RLIMIT_CPU,
            (limits.cpu_s, limits.cpu_s + 1),
        ),  # SIGXCPU at the soft limit, SIGKILL a second later
        ("rlimit_fsize", resource.RLIMIT_FSIZE, (limits.fsize_mb * 2**20,) * 2),
        ("rlimit_nofile", resource.RLIMIT_NOFILE, (limits.nofile,) * 2),
        ("rlimit_nproc", resource.RLIMIT_NPROC, (processes,) * 2),  # per uid (and user namespace)
        ("core", resource.RLIMIT_CORE, (0, 0)),
    )
    for defence, limit, values in chosen:
        if defence == "core" or limits.keeps(defence):
            resource.setrlimit(limit, values)
    if "torch" in sys.modules:
        # An OpenMP pool the parent may have started does not survive fork.
        sys.modules["torch"].set_num_threads(1)


def _tasks_of(uid: int) -> int:
    """Threads (the kernel counts each against RLIMIT_NPROC) of every process of ``uid``."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue  # gone while we looked
    return count


def _mapped_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def drop_privileges(uid: int) -> None:
    """Become ``uid`` (and gid ``uid``) with no supplementary groups; root's capabilities go with it."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def drop_capabilities() -> None:
    """Lose every capability for good: bounding set, ambient set, then effective, permitted and inheritable.

    For a process that already has its final uid inside a user namespace,
    where it holds every capability over that namespace.
    """
    for capability in range(64):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
            break  # past the last capability this kernel knows
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    nothing = (ctypes.c_uint32 * 6)()
    check(libc.capset(header, nothing), "capset")


def set_no_new_privs() -> None:
    """No exec can grant privileges again (setuid binaries, file capabilities)."""
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def make_undumpable() -> None:
    """Nobody without CAP_SYS_PTRACE may read this process's /proc files, fds or memory.

    A sandbox's root processes run with the student's uid in rootless mode;
    this keeps the student process out of their file descriptors (the secret's).
    """
    check(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
