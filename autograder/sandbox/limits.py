"""What a sandboxed process may do: rlimits, a seccomp filter, no uid or capability to spare.

All are applied before any student code runs and cannot be lifted by it:
rlimits only go down, the seccomp filter and ``no_new_privs`` are kept for
life, and dropped capabilities never come back. (Memory and process caps over
the whole sandbox are cgroups: ``autograder.sandbox.cgroups``.)
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
AF_UNIX = 1
CLONE_NEWUSER = 0x10000000
_CAPABILITY_VERSION_3 = 0x20080522
_KEYRING_CALLS = ("add_key", "request_key", "keyctl")
_IPC_CALLS = ("shmget", "msgget", "semget", "mq_open")  # SysV and POSIX IPC: shared by every process without an IPC namespace


def set_rlimits(limits, *, shared_uid: bool = False) -> None:
    """Cap this process and its children (``limits``: a sandbox ``Limits``). Address space counts from what is mapped now.

    ``shared_uid``: this process still has the TA's uid (reduced mode), whose
    other processes and threads count against RLIMIT_NPROC too: the cap is
    then that many more than the uid runs now.
    """
    address_space = _mapped_bytes() + limits.as_extra_mb * 2**20
    processes = limits.nproc + (_tasks_of(os.getuid()) if shared_uid else 0)
    chosen = (
        ("rlimit_as", resource.RLIMIT_AS, (address_space, address_space)),
        ("rlimit_cpu", resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1)),  # SIGXCPU at the soft limit, SIGKILL a second later
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


def install_seccomp(*, deny_ipc: bool = False) -> bool:
    """Deny sockets other than AF_UNIX, any new namespace and the kernel keyrings; with ``deny_ipc``, SysV and POSIX IPC too.

    Keyrings are per uid and outlive processes: as root, sandboxes of the same
    slot share a uid, so a key one adds would reach the next.

    False when libseccomp is missing. Loads without setting ``no_new_privs``
    when the caller holds CAP_SYS_ADMIN (the kernel demands one or the other).
    A network namespace already cuts the network; the filter also closes
    families a namespace does not isolate (AF_VSOCK, ...). clone3 answers
    ENOSYS so glibc falls back to clone, whose flags the filter can read.
    """
    try:
        seccomp = ctypes.CDLL("libseccomp.so.2")
    except OSError:
        return False

    class Compare(ctypes.Structure):
        _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]

    not_equal, masked_equal = 1, 7
    deny = lambda code: ctypes.c_uint32(0x00050000 | code)  # SCMP_ACT_ERRNO(code)
    rules = [
        ("socket", deny(errno.EPERM), [Compare(0, not_equal, AF_UNIX, 0)]),
        ("unshare", deny(errno.EPERM), []),
        ("setns", deny(errno.EPERM), []),
        ("clone", deny(errno.EPERM), [Compare(0, masked_equal, CLONE_NEWUSER, CLONE_NEWUSER)]),
        ("clone3", deny(errno.ENOSYS), []),
        *((name, deny(errno.EPERM), []) for name in _KEYRING_CALLS),
    ]
    if deny_ipc:
        rules.extend((name, deny(errno.EPERM), []) for name in _IPC_CALLS)
    seccomp.seccomp_init.restype = ctypes.c_void_p
    context = ctypes.c_void_p(seccomp.seccomp_init(ctypes.c_uint32(0x7FFF0000)))  # default: allow
    nnp_attribute = 3  # SCMP_FLTATR_CTL_NNP: 0 leaves no_new_privs to the caller
    seccomp.seccomp_attr_set(context, nnp_attribute, ctypes.c_uint32(0 if _has_sys_admin() else 1))
    for name, action, compares in rules:
        number = seccomp.seccomp_syscall_resolve_name(name.encode())
        array = (Compare * max(len(compares), 1))(*compares)
        if seccomp.seccomp_rule_add_array(context, action, number, len(compares), array) != 0:
            raise OSError(f"seccomp rule for {name} refused")
    if seccomp.seccomp_load(context) != 0:
        raise OSError("seccomp_load failed")
    seccomp.seccomp_release(context)
    return True


def _has_sys_admin() -> bool:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) & (1 << 21))  # CAP_SYS_ADMIN
    return False
