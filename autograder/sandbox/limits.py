"""What a sandboxed process may use: rlimits, a seccomp filter, a cgroup.

All three are applied before any student code runs and cannot be lifted by
it: rlimits only go down, the seccomp filter and ``no_new_privs`` are kept
for life, and the cgroup is joined by the sandbox's root process.
"""
from __future__ import annotations

import ctypes
import errno
import os
import resource
import sys
import time
from pathlib import Path

from autograder.sandbox.libc import check, libc

PR_SET_NO_NEW_PRIVS = 38
CGROUP_V1 = "/sys/fs/cgroup"  # v1 controllers 'memory' and 'pids'
AF_UNIX = 1
CLONE_NEWUSER = 0x10000000


def set_rlimits(*, address_space_extra_mb: int, cpu_s: int, file_mb: int, open_files: int, processes: int) -> None:
    """Cap this process and its children. Address space is counted from what is mapped now."""
    address_space = _mapped_bytes() + address_space_extra_mb * 2**20
    limits = (
        (resource.RLIMIT_AS, (address_space, address_space)),
        (resource.RLIMIT_CPU, (cpu_s, cpu_s + 1)),  # SIGXCPU at the soft limit, SIGKILL a second later
        (resource.RLIMIT_FSIZE, (file_mb * 2**20,) * 2),
        (resource.RLIMIT_NOFILE, (open_files,) * 2),
        (resource.RLIMIT_NPROC, (processes,) * 2),  # per uid: effective once root is dropped
        (resource.RLIMIT_CORE, (0, 0)),
    )
    for limit, values in limits:
        resource.setrlimit(limit, values)
    if "torch" in sys.modules:
        # An OpenMP pool the parent may have started does not survive fork.
        sys.modules["torch"].set_num_threads(1)


def _mapped_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def drop_privileges(uid: int) -> None:
    """Become ``uid`` with no groups, no capabilities and no way to gain any back."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def install_seccomp() -> bool:
    """Deny sockets other than AF_UNIX and any new namespace. False when libseccomp is missing.

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
    rules = (
        ("socket", deny(errno.EPERM), [Compare(0, not_equal, AF_UNIX, 0)]),
        ("unshare", deny(errno.EPERM), []),
        ("setns", deny(errno.EPERM), []),
        ("clone", deny(errno.EPERM), [Compare(0, masked_equal, CLONE_NEWUSER, CLONE_NEWUSER)]),
        ("clone3", deny(errno.ENOSYS), []),
    )
    seccomp.seccomp_init.restype = ctypes.c_void_p
    context = ctypes.c_void_p(seccomp.seccomp_init(ctypes.c_uint32(0x7FFF0000)))  # default: allow
    for name, action, compares in rules:
        number = seccomp.seccomp_syscall_resolve_name(name.encode())
        array = (Compare * max(len(compares), 1))(*compares)
        if seccomp.seccomp_rule_add_array(context, action, number, len(compares), array) != 0:
            raise OSError(f"seccomp rule for {name} refused")
    if seccomp.seccomp_load(context) != 0:
        raise OSError("seccomp_load failed")
    seccomp.seccomp_release(context)
    return True


class Cgroup:
    """A v1 memory and pids cgroup for one sandbox, where this host lets root make one."""

    def __init__(self, name: str, *, memory_bytes: int, processes: int):
        self.folders: dict[str, str] = {}
        settings = {
            "memory": {"memory.limit_in_bytes": memory_bytes, "memory.memsw.limit_in_bytes": memory_bytes},
            "pids": {"pids.max": processes + 8},
        }
        for controller, files in settings.items():
            folder = f"{CGROUP_V1}/{controller}/{name}"
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError:
                continue
            for file, value in files.items():
                try:
                    with open(f"{folder}/{file}", "w") as handle:
                        handle.write(str(value))
                except OSError:
                    pass  # memsw needs swap accounting; the memory limit alone still holds
            self.folders[controller] = folder

    def join(self) -> None:
        """Move the calling process (and so everything it starts) into the cgroup."""
        for folder in self.folders.values():
            with open(f"{folder}/cgroup.procs", "w") as handle:
                handle.write("0")

    def oom_kills(self) -> int:
        folder = self.folders.get("memory")
        if not folder:
            return 0
        with open(f"{folder}/memory.oom_control") as handle:
            fields = handle.read().split()
        return int(fields[fields.index("oom_kill") + 1]) if "oom_kill" in fields else 0

    def remove(self) -> None:
        for folder in self.folders.values():
            for _ in range(200):  # the last processes may take a moment to be reaped
                try:
                    os.rmdir(folder)
                    break
                except OSError:
                    time.sleep(0.005)


def remove_cgroups_of(owner_pid: int) -> None:
    """Remove the empty sandbox cgroups named after ``owner_pid`` (a worker killed mid-run leaves one)."""
    for folder in Path(CGROUP_V1).glob(f"*/sbx_{owner_pid}_*"):
        try:
            folder.rmdir()
        except OSError:
            pass  # still in use, or not ours to remove
