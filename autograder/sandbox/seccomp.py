"""The system calls a sandboxed process may not make: a seccomp filter, kept for life.

Everything not listed is allowed. Denied:

- sockets of any family but AF_UNIX (``socket``, ``socketpair``), and io_uring, which makes
  sockets (IORING_OP_SOCKET) and does everything else without the calls below;
- new namespaces, and the kernel keyrings (per uid, they outlive processes);
- with ``deny_ipc`` (no IPC namespace), SysV and POSIX IPC;
- with ``uncounted_memory`` (no memory cgroup holds the sandbox), what holds memory no rlimit
  counts: ``memfd_create`` (written, not mapped, it is in no process's address space),
  ``memfd_secret`` (each file keeps what was mapped, 8 MB at a time) and SysV and POSIX IPC (a
  segment attached, filled and detached stays full);
- whatever lets one sandbox signal another through a file both can read (every sandbox
  binds the same Python installation, so a standard-library file is one inode for all):
  ``flock`` and every ``fcntl`` lock, lease and directory-notify command; inotify and
  fanotify; futex operations without FUTEX_PRIVATE_FLAG, whose key for a file mapping is
  the file's inode and offset; ``futex_waitv`` and the futex2 calls, whose flags a filter
  cannot read or does not know;
- probes and evictions of the page cache, which every sandbox shares: ``mincore``,
  ``cachestat``, ``fadvise64``, ``readahead``, RWF_NOWAIT reads and writes, MADV_COLD and
  MADV_PAGEOUT;
- ``perf_event_open``, ``bpf`` and ``userfaultfd``;
- the ways to have the kernel send a signal later, unasked: ``timer_create``, ``mq_notify`` and
  ``fcntl``'s F_SETSIG (a signal for a file's readiness, such as a pipe the grader drains). A
  stepped-aside sandbox is held by SIGSTOP, and a SIGCONT resumes it whoever sends it: a timer
  sending SIGCONT every 5 ms kept a phase one running beside another sandbox's phase two;
- ``prlimit64`` on any process but the caller: rootless, the student's processes share the
  broker's uid, and so could set its limits.

Each refusal returns an errno the C library handles as a plain failure: a shared futex
wait answers EAGAIN (glibc waits again: a pthread_join spins instead of sleeping) and a
shared wake EINVAL (ignored); anything else EPERM, ENOSYS or EOPNOTSUPP. A call numbered
for another ABI (x32, i386), which the rules would not see, kills the process.
"""

from __future__ import annotations

import ctypes
import errno
import functools

AF_UNIX = 1
CLONE_NEWUSER = 0x10000000
FUTEX_PRIVATE_FLAG = 128
RWF_NOWAIT = 0x8
MADV_COLD, MADV_PAGEOUT = 20, 21
INT = 0xFFFFFFFF  # an int argument: the kernel reads its low 32 bits, whatever the rest hold
# Calls a libseccomp older than them cannot name; numbered alike on x86_64 and aarch64 (as is every call from 424 on).
_NUMBERS = {
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "futex_waitv": 449,
    "memfd_secret": 447,
    "cachestat": 451,
    "futex_wake": 454,
    "futex_wait": 455,
    "futex_requeue": 456,
}

F_SETSIG = 10  # fcntl: the signal a file's readiness sends its owner
# fcntl commands that take or test a lock, a lease or a directory notification
_FCNTL_LOCKS = {
    "F_GETLK": 5,
    "F_SETLK": 6,
    "F_SETLKW": 7,
    "F_OFD_GETLK": 36,
    "F_OFD_SETLK": 37,
    "F_OFD_SETLKW": 38,
    "F_SETLEASE": 1024,
    "F_GETLEASE": 1025,
    "F_NOTIFY": 1026,
}
# futex commands that wait (or take a PI lock) and those that wake (or requeue, or release)
_FUTEX_WAITS = (0, 6, 8, 9, 11, 13)
_FUTEX_WAKES = (1, 3, 4, 5, 7, 10, 12)

_NE, _MASKED_EQ = 1, 7  # libseccomp's SCMP_CMP_NE and SCMP_CMP_MASKED_EQ


def _masked(arg: int, mask: int, value: int) -> tuple:
    return (arg, _MASKED_EQ, mask, value)


def _rules(*, deny_ipc: bool, uncounted_memory: bool = False) -> list[tuple[str, int, tuple]]:
    """(system call, errno, comparisons on its arguments: all must hold for the refusal)."""
    other_family = ((0, _NE, AF_UNIX, 0),)
    rules = [
        ("socket", errno.EPERM, other_family),
        ("socketpair", errno.EPERM, other_family),
        *((name, errno.EPERM, ()) for name in ("io_uring_setup", "io_uring_enter", "io_uring_register")),
        ("unshare", errno.EPERM, ()),
        ("setns", errno.EPERM, ()),
        ("clone", errno.EPERM, (_masked(0, CLONE_NEWUSER, CLONE_NEWUSER),)),
        ("clone3", errno.ENOSYS, ()),  # glibc falls back to clone, whose flags the filter can read
        *((name, errno.EPERM, ()) for name in ("add_key", "request_key", "keyctl")),
        ("flock", errno.EPERM, ()),
        *(("fcntl", errno.EPERM, (_masked(1, INT, command),)) for command in _FCNTL_LOCKS.values()),
        *(
            (name, errno.EPERM, ())
            for name in ("inotify_init", "inotify_init1", "inotify_add_watch", "fanotify_init", "fanotify_mark")
        ),
        *(("futex", errno.EAGAIN, (_masked(1, 0x7F | FUTEX_PRIVATE_FLAG, command),)) for command in _FUTEX_WAITS),
        *(("futex", errno.EINVAL, (_masked(1, 0x7F | FUTEX_PRIVATE_FLAG, command),)) for command in _FUTEX_WAKES),
        *((name, errno.ENOSYS, ()) for name in ("futex_waitv", "futex_wake", "futex_wait", "futex_requeue")),
        *((name, errno.EPERM, ()) for name in ("mincore", "cachestat", "fadvise64", "readahead")),
        ("preadv2", errno.EOPNOTSUPP, (_masked(5, RWF_NOWAIT, RWF_NOWAIT),)),
        ("pwritev2", errno.EOPNOTSUPP, (_masked(5, RWF_NOWAIT, RWF_NOWAIT),)),
        *(("madvise", errno.EPERM, (_masked(2, INT, advice),)) for advice in (MADV_COLD, MADV_PAGEOUT)),
        *((name, errno.EPERM, ()) for name in ("perf_event_open", "bpf", "userfaultfd")),
        *((name, errno.EPERM, ()) for name in ("timer_create", "mq_notify")),
        ("fcntl", errno.EPERM, (_masked(1, INT, F_SETSIG),)),
        ("prlimit64", errno.EPERM, ((0, _NE, 0, 0),)),  # another's limits: rootless, PID 1's (the broker's) too
    ]
    if deny_ipc or uncounted_memory:  # SysV and POSIX IPC: shared by every process without an IPC namespace
        rules.extend((name, errno.EPERM, ()) for name in ("shmget", "msgget", "semget", "mq_open"))
    if uncounted_memory:
        rules.extend((name, errno.EPERM, ()) for name in ("memfd_create", "memfd_secret"))
    return rules


class _Compare(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]


def install(*, deny_ipc: bool = False, uncounted_memory: bool = False) -> bool:
    """Load the filter into this process (and every child it will have); False when libseccomp is missing.

    Loads without setting ``no_new_privs`` when the caller holds CAP_SYS_ADMIN (the
    kernel demands one or the other), so a test may leave ``no_new_privs`` out alone.

    Raises:
        OSError: libseccomp refused a rule or the kernel the filter.
    """
    library = load_library()
    if library is None:
        return False
    library.seccomp_init.restype = ctypes.c_void_p
    context = ctypes.c_void_p(library.seccomp_init(ctypes.c_uint32(0x7FFF0000)))  # SCMP_ACT_ALLOW
    try:
        library.seccomp_attr_set(context, 3, ctypes.c_uint32(0 if _has_sys_admin() else 1))  # SCMP_FLTATR_CTL_NNP
        for name, code, compares in _rules(deny_ipc=deny_ipc, uncounted_memory=uncounted_memory):
            number = library.seccomp_syscall_resolve_name(name.encode())
            if number == -1:  # __NR_SCMP_ERROR: this libseccomp does not know the name
                number = _NUMBERS[name]
            array = (_Compare * max(len(compares), 1))(*(_Compare(*compare) for compare in compares))
            action = ctypes.c_uint32(0x00050000 | code)  # SCMP_ACT_ERRNO(code)
            if library.seccomp_rule_add_array(context, action, number, len(compares), array) != 0:
                raise OSError(f"seccomp: libseccomp refused the rule for {name}")
        if library.seccomp_load(context) != 0:
            raise OSError("seccomp: the kernel refused the filter (seccomp_load)")
    finally:
        library.seccomp_release(context)
    return True


@functools.lru_cache(maxsize=None)
def load_library() -> ctypes.CDLL | None:
    """libseccomp, loaded once per process (and so in every fork after); None where it is missing."""
    try:
        return ctypes.CDLL("libseccomp.so.2")
    except OSError:
        return None


def _has_sys_admin() -> bool:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) & (1 << 21))  # CAP_SYS_ADMIN
    return False
