"""Attacks on what sandboxes share, one function per channel: each says whether its channel opened.

Standard library and ctypes only, so the same text runs in a test's sandbox
(``tests/test_channels.py``) and in a hostile notebook's cell
(``tests/corpus/hostile.py`` pastes this file into one). A probe returns
"open" when the channel worked, else "closed: " and why.

With the host's Python installation bound into every sandbox (the memory view
left out, ``Limits.without({"memory_view"})``), ``SHARED_FILE`` (a
standard-library file) is one inode for all of them, and for every other
grading run on the host. With the view, a sandbox sees copies of its own, and a
probe uses one of those: the call it makes is what is refused or not.
"""

import ctypes
import fcntl
import mmap
import os
import struct
import time

SHARED_FILE = os.__file__
SHARED_FOLDER = os.path.dirname(os.__file__)
OPEN = "open"
# Tests running at once (pytest-xdist workers) would read each other's locks on one file: each
# worker probes a standard-library file of its own, as a pair of attackers could choose any file.
_FILES_BY_WORKER = ("os.py", "abc.py", "stat.py", "types.py", "keyword.py", "token.py", "genericpath.py", "copyreg.py")


def use_file_of_worker(worker: str) -> None:
    """Make this test process's probes use the shared file of xdist ``worker`` ("gw0", "gw1", ... or "master")."""
    global SHARED_FILE
    number = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    SHARED_FILE = os.path.join(SHARED_FOLDER, _FILES_BY_WORKER[number % len(_FILES_BY_WORKER)])


def _shared_file():
    """SHARED_FILE where the sandbox sees the host's file; else a standard-library copy it does see."""
    if os.path.exists(SHARED_FILE):
        return SHARED_FILE
    return os.path.join(SHARED_FOLDER, min(name for name in os.listdir(SHARED_FOLDER) if name.endswith(".py")))


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_SYS = {
    "fcntl": 72,
    "futex": 202,
    "mincore": 27,
    "readahead": 187,
    "cachestat": 451,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "fanotify_init": 300,
    "fanotify_mark": 301,
}  # x86_64


def _closed(what, code=None):
    code = ctypes.get_errno() if code is None else code
    return "closed: %s: %s" % (what, os.strerror(code))


def _syscall(name, *args):
    """The raw call, past the C library's wrapper; -errno on failure."""
    result = _libc.syscall(ctypes.c_long(_SYS[name]), *args)
    return result if result >= 0 else -ctypes.get_errno()


# Locks and notifications on a shared file ---------------------------------------------------

F_RDLCK, F_WRLCK, F_UNLCK = 0, 1, 2
F_OFD_GETLK, F_OFD_SETLK = 36, 37
_FLOCK = struct.Struct("@hhqqi4x")  # struct flock: type, whence, start, len, pid


def _ofd(fd, command, kind, start, length=1, high_bits=0):
    """fcntl(fd, command, struct flock) as a raw system call; (result, the struct after the call)."""
    buffer = ctypes.create_string_buffer(_FLOCK.pack(kind, os.SEEK_SET, start, length, 0), _FLOCK.size)
    result = _syscall("fcntl", ctypes.c_long(fd), ctypes.c_long(high_bits | command), buffer)
    return result, _FLOCK.unpack(buffer.raw)


def flock_shared_file():
    fd = os.open(_shared_file(), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return OPEN
    except OSError as error:
        return _closed("flock", error.errno)
    finally:
        os.close(fd)


def ofd_lock_shared_file(high_bits=0):
    """An OFD read lock on the shared file; ``high_bits`` set above the command's 32 bits, which the kernel ignores."""
    fd = os.open(_shared_file(), os.O_RDONLY)
    try:
        result, _ = _ofd(fd, F_OFD_SETLK, F_RDLCK, 1 << 20, high_bits=high_bits)
        return OPEN if result == 0 else _closed("F_OFD_SETLK", -result)
    finally:
        os.close(fd)


def dnotify_shared_folder():
    fd = os.open(SHARED_FOLDER, os.O_RDONLY)
    try:
        fcntl.fcntl(fd, fcntl.F_NOTIFY, fcntl.DN_ACCESS | fcntl.DN_MULTISHOT)
        return OPEN
    except OSError as error:
        return _closed("F_NOTIFY", error.errno)
    finally:
        os.close(fd)


def inotify_shared_file():
    fd = _libc.inotify_init1(0)
    if fd < 0:
        return _closed("inotify_init1")
    try:
        return (
            OPEN if _libc.inotify_add_watch(fd, _shared_file().encode(), 1) >= 0 else _closed("inotify_add_watch")
        )  # IN_ACCESS
    finally:
        os.close(fd)


def fanotify_shared_file():
    fd = _syscall(
        "fanotify_init", ctypes.c_uint(0x200), ctypes.c_uint(os.O_RDONLY)
    )  # FAN_REPORT_FID: allowed without privileges
    if fd < 0:
        return _closed("fanotify_init", -fd)
    try:
        marked = _syscall(
            "fanotify_mark",
            ctypes.c_int(fd),
            ctypes.c_uint(1),
            ctypes.c_uint64(1),
            ctypes.c_int(-100),
            _shared_file().encode(),
        )
        return OPEN if marked == 0 else _closed("fanotify_mark", -marked)  # FAN_MARK_ADD, FAN_ACCESS, AT_FDCWD
    finally:
        os.close(fd)


# A futex keyed by the shared file: a waiter in one process, a waker in another, each with its own mapping --

FUTEX_WAIT, FUTEX_WAKE = 0, 1


class _Timespec(ctypes.Structure):
    _fields_ = [("seconds", ctypes.c_long), ("nanoseconds", ctypes.c_long)]


def _futex(address, operation, value, timeout=None):
    pointer = ctypes.byref(timeout) if timeout is not None else None
    return _syscall(
        "futex", ctypes.c_void_p(address), ctypes.c_int(operation), ctypes.c_int(value), pointer, None, ctypes.c_int(0)
    )


def _map_shared_file():
    """The address of a fresh read-only mapping of the shared file's first page."""
    _libc.mmap.restype = ctypes.c_void_p
    _libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    fd = os.open(_shared_file(), os.O_RDONLY)
    try:
        return _libc.mmap(None, mmap.PAGESIZE, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
    finally:
        os.close(fd)


def shared_futex(wait_s=5.0):
    """A child waits on the shared file's first word; the parent wakes it through a mapping of its own."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        address = _map_shared_file()
        os.write(writer, b"r")
        result = _futex(address, FUTEX_WAIT, ctypes.c_int.from_address(address).value, _Timespec(int(wait_s), 0))
        os.write(writer, b"w" if result == 0 else b"e")  # 0: woken (not timed out, not refused)
        os._exit(0)
    os.close(writer)
    os.read(reader, 1)  # the child has mapped the file and is about to wait
    address = _map_shared_file()
    woken, deadline = 0, time.monotonic() + wait_s
    while woken == 0 and time.monotonic() < deadline:  # nothing tells when the child's wait has begun
        woken = _futex(address, FUTEX_WAKE, 1)
        time.sleep(0.001)
    verdict = os.read(reader, 1)
    os.waitpid(pid, 0)
    if woken == 1 and verdict == b"w":
        return OPEN
    return _closed("shared FUTEX_WAKE", -woken) if woken < 0 else "closed: no waiter woken"


# io_uring: a socket made without socket() ----------------------------------------------------------

AF_INET, AF_INET6, AF_NETLINK, AF_VSOCK = 2, 10, 16, 40
_IORING_OP_SOCKET, _IORING_ENTER_GETEVENTS = 45, 1
_IORING_OFF_SQ_RING, _IORING_OFF_CQ_RING, _IORING_OFF_SQES = 0, 0x8000000, 0x10000000
_SQ_OFFSETS = struct.Struct("7I4xQ")  # head, tail, ring_mask, ring_entries, flags, dropped, array
_CQ_OFFSETS = struct.Struct("6I8xQ")  # head, tail, ring_mask, ring_entries, overflow, cqes


def io_uring_sockets():
    """family → "open" (IORING_OP_SOCKET made one) or why not; {"setup": why} when there is no ring at all."""
    params = ctypes.create_string_buffer(120)
    ring = _syscall("io_uring_setup", ctypes.c_uint(4), params)
    if ring < 0:
        return {"setup": _closed("io_uring_setup", -ring)}
    try:
        sq_entries, cq_entries = struct.unpack_from("2I", params.raw)
        sq = _SQ_OFFSETS.unpack_from(params.raw, 40)
        cq = _CQ_OFFSETS.unpack_from(params.raw, 80)
        sq_ring = mmap.mmap(ring, sq[6] + sq_entries * 4, offset=_IORING_OFF_SQ_RING)
        cq_ring = mmap.mmap(ring, cq[5] + cq_entries * 16, offset=_IORING_OFF_CQ_RING)
        entries = mmap.mmap(ring, sq_entries * 64, offset=_IORING_OFF_SQES)
        return {
            family: _ring_socket(ring, family, sq_ring, cq_ring, entries, sq, cq)
            for family in (AF_INET, AF_INET6, AF_NETLINK, AF_VSOCK)
        }
    finally:
        os.close(ring)


def _ring_socket(ring, family, sq_ring, cq_ring, entries, sq, cq):
    entry = bytearray(64)
    struct.pack_into(
        "BBHiQ", entry, 0, _IORING_OP_SOCKET, 0, 0, family, 2 if family == AF_NETLINK else 1
    )  # SOCK_DGRAM for netlink, else SOCK_STREAM
    entries[0:64] = bytes(entry)
    tail = struct.unpack_from("I", sq_ring, sq[1])[0]
    struct.pack_into("I", sq_ring, sq[6] + (tail & struct.unpack_from("I", sq_ring, sq[2])[0]) * 4, 0)
    struct.pack_into("I", sq_ring, sq[1], tail + 1)
    submitted = _syscall(
        "io_uring_enter",
        ctypes.c_uint(ring),
        ctypes.c_uint(1),
        ctypes.c_uint(1),
        ctypes.c_uint(_IORING_ENTER_GETEVENTS),
        None,
        ctypes.c_size_t(0),
    )
    if submitted < 0:
        return _closed("io_uring_enter", -submitted)
    head = struct.unpack_from("I", cq_ring, cq[0])[0]
    result = struct.unpack_from("i", cq_ring, cq[5] + (head & struct.unpack_from("I", cq_ring, cq[2])[0]) * 16 + 8)[0]
    struct.pack_into("I", cq_ring, cq[0], head + 1)
    if result < 0:
        return _closed("IORING_OP_SOCKET", -result)
    os.close(result)
    return OPEN


# The page cache: which pages of a shared file another sandbox has read ------------------------------

RWF_NOWAIT = 0x8


def page_cache_probes():
    """probe → "open" or why not, for each way of asking whether the shared file's pages are cached."""
    found = {}
    fd = os.open(_shared_file(), os.O_RDONLY)
    try:
        try:
            os.preadv(fd, [bytearray(4096)], 0, RWF_NOWAIT)
            found["preadv2 RWF_NOWAIT"] = OPEN
        except OSError as error:
            found["preadv2 RWF_NOWAIT"] = _closed("preadv2", error.errno)
        address = _map_shared_file()
        vector = ctypes.create_string_buffer(1)
        result = _syscall("mincore", ctypes.c_void_p(address), ctypes.c_size_t(mmap.PAGESIZE), vector)
        found["mincore"] = OPEN if result == 0 else _closed("mincore", -result)
        range_ = (ctypes.c_uint64 * 2)(0, 4096)
        stat = (ctypes.c_uint64 * 8)()
        result = _syscall("cachestat", ctypes.c_uint(fd), range_, stat, ctypes.c_uint(0))
        found["cachestat"] = OPEN if result == 0 else _closed("cachestat", -result)
        try:
            os.posix_fadvise(fd, 0, 4096, os.POSIX_FADV_DONTNEED)
            found["fadvise DONTNEED"] = OPEN
        except OSError as error:
            found["fadvise DONTNEED"] = _closed("fadvise64", error.errno)
        result = _syscall("readahead", ctypes.c_int(fd), ctypes.c_long(0), ctypes.c_size_t(4096))
        found["readahead"] = OPEN if result == 0 else _closed("readahead", -result)
    finally:
        os.close(fd)
    return found


# What /proc says about the host: every process's locks, load, memory, pressure ----------------------

HOST_FILES = (
    "/proc/locks",
    "/proc/loadavg",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/vmstat",
    "/proc/pressure/cpu",
    "/proc/sys/fs/dentry-state",
    "/proc/diskstats",
    "/proc/uptime",
    "/proc/interrupts",
    "/proc/cpuinfo",
)


def host_proc_files():
    """path → "open" (readable, something in it) or why not."""
    found = {}
    for path in HOST_FILES:
        try:
            with open(path, "rb") as handle:
                found[path] = OPEN if handle.read(4096) else "closed: empty"
        except OSError as error:
            found[path] = _closed(path, error.errno)
    return found


# A secret carried by OFD locks, one lock per byte, the byte in the offset --------------------------

_BASE = 1 << 30
DONE, ACK, STOP, READY, GO = (_BASE - n for n in range(1, 6))  # one-byte marks below the data


def _held(fd, offset, length=1):
    """The start of a lock another open file holds in [offset, offset + length), else None (or -errno)."""
    result, (kind, _, start, _, _) = _ofd(fd, F_OFD_GETLK, F_WRLCK, offset, length)
    if result != 0:
        return result
    return None if kind == F_UNLCK else start


def mark(fd, offset):
    """Lock one mark (DONE, ACK, ...) through ``fd``; True if it took."""
    return _ofd(fd, F_OFD_SETLK, F_RDLCK, offset)[0] == 0


def marked(fd, offset):
    """Whether another open file holds the mark at ``offset``."""
    held = _held(fd, offset)
    return held is not None and held >= 0


def wait_for(fd, offsets, wait_s):
    """The first of ``offsets`` another open file marks within ``wait_s`` seconds, else None."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:  # locks signal nothing: look again
        for offset in offsets:
            if marked(fd, offset):
                return offset
        time.sleep(0.005)
    return None


def publish_by_locks(secret, wait_s=30.0):
    """Hold a lock per byte of ``secret``, then DONE; keep them until a reader marks ACK or someone STOP."""
    fd = os.open(_shared_file(), os.O_RDONLY)
    for index, byte in enumerate(secret):
        result, _ = _ofd(fd, F_OFD_SETLK, F_RDLCK, _BASE + index * 256 + byte)
        if result != 0:
            return _closed("F_OFD_SETLK", -result)
    mark(fd, DONE)
    return "published" if wait_for(fd, (ACK, STOP), wait_s) is not None else "published, never read"


def read_locks(wait_s=0.0, limit=65536):
    """What a publisher's locks spell, once its DONE is there (waiting up to ``wait_s`` for it, or STOP); b"" if
    none."""
    fd = os.open(_shared_file(), os.O_RDONLY)
    if _held(fd, DONE) is None and wait_for(fd, (DONE, STOP), wait_s) != DONE:
        return b""
    found = bytearray()
    for index in range(limit):
        start = _held(fd, _BASE + index * 256, 256)
        if start is None or start < 0:
            break
        found.append(start - _BASE - index * 256)
    mark(fd, ACK)
    deadline = time.monotonic() + 30
    while marked(fd, DONE) and time.monotonic() < deadline:  # hold ACK until the publisher has seen it
        time.sleep(0.005)
    return bytes(found)
