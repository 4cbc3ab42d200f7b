"""Attack: memory that no cap of a sandbox counts.

Where no memory cgroup holds a sandbox (rootless on a machine without a delegated cgroup, the
usual TA laptop, and reduced mode) memory is capped per process by RLIMIT_AS, which counts only
what a process maps. Three ways past it, each from a sandbox capped at 256 MB:

- ``memfd_create`` files written with ``write()`` and never mapped: 1 GiB held in 32 of them
  (32 MB each, RLIMIT_FSIZE), with 25 MB resident; 64 descriptors in each of 32 processes make
  64 GB. The kernel's OOM killer, finding that memory in no process, kills others: the grader;
- ``memfd_secret`` files, each mapped, filled and unmapped: 480 MB in 60 of 8 MB (RLIMIT_MEMLOCK
  caps one mapping, not the files);
- a SysV shared memory segment, attached, filled and detached: it stays full;
- empty files in a tmpfs, whose ``size=`` caps data, not files: about 1 KB of kernel memory each,
  300,000 in 2.7 s, 3 million allowed in each of /tmp, /dev/shm and (rootless, where the student
  process owns it) the sandbox's root.

Now the filter refuses ``memfd_create``, ``memfd_secret`` and SysV and POSIX IPC wherever no memory cgroup counts
them, and every tmpfs caps its files (one per 2 KB of its size). With a cgroup the same calls
are allowed and the cgroup counts them (the hog is killed at the cap).
"""

from __future__ import annotations

import ctypes
import json
import mmap
import os
import tempfile

import pytest

from autograder import sandbox
from autograder.sandbox import cgroups
from tests.sandbox_modes import MODES, in_mode

CAP_MB = 256
HOG_MB = 1024
MEMFD_MB = 32  # under RLIMIT_FSIZE


def _memfd_hog() -> bytes:
    held, chunk = [], b"\1" * 2**20
    try:
        while len(held) * MEMFD_MB < HOG_MB:
            fd = os.memfd_create("hog")
            for _ in range(MEMFD_MB):
                os.write(fd, chunk)
            held.append(fd)
    except OSError as error:
        return json.dumps({"held_mb": len(held) * MEMFD_MB, "stopped": str(error)}).encode()
    return json.dumps({"held_mb": len(held) * MEMFD_MB}).encode()


def _shm_hog() -> bytes:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    held, size = 0, 128 * 2**20
    while held < HOG_MB:
        ident = libc.shmget(0, ctypes.c_size_t(size), 0o1600)  # IPC_PRIVATE, IPC_CREAT
        if ident < 0:
            return json.dumps({"held_mb": held, "stopped": os.strerror(ctypes.get_errno())}).encode()
        address = libc.shmat(ident, None, 0)
        if address in (None, ctypes.c_void_p(-1).value):
            return json.dumps({"held_mb": held, "stopped": "shmat: " + os.strerror(ctypes.get_errno())}).encode()
        ctypes.memset(address, 1, size)
        libc.shmdt(ctypes.c_void_p(address))  # out of the address space, still full
        held += size // 2**20
    return json.dumps({"held_mb": held}).encode()


def _secret_hog() -> bytes:
    """memfd_secret files, each mapped, filled and unmapped once (RLIMIT_MEMLOCK caps one mapping, not the files)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    held, size = [], 8 * 2**20  # as much as RLIMIT_MEMLOCK lets one mapping lock
    try:
        while len(held) * 8 < HOG_MB:
            fd = libc.syscall(ctypes.c_long(447), 0)  # memfd_secret, x86_64 and aarch64
            if fd < 0:
                raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
            os.ftruncate(fd, size)
            with mmap.mmap(fd, size) as mapped:
                mapped.write(b"\1" * size)
            held.append(fd)
    except OSError as error:  # refused, or out of descriptors (RLIMIT_NOFILE)
        return json.dumps({"held_mb": len(held) * 8, "stopped": str(error)}).encode()
    return json.dumps({"held_mb": len(held) * 8}).encode()


def _file_hog() -> bytes:
    made = {}
    for folder in ("/tmp/work/many", "/dev/shm/many", "/many"):
        count = 0
        try:
            os.mkdir(folder)
            while count < 300_000:
                os.close(os.open(f"{folder}/{count}", os.O_CREAT | os.O_WRONLY, 0o600))
                count += 1
        except OSError:
            pass
        made[folder] = count
    return json.dumps(made).encode()


def _run(mode: str, hog, without: frozenset = frozenset()) -> dict:
    def job() -> dict:
        with tempfile.TemporaryDirectory() as gate_folder:
            limits = sandbox.Limits(
                wall_s=60, as_extra_mb=CAP_MB, cgroup_mem_mb=CAP_MB, without=without, gate_folder=gate_folder
            )
            result = sandbox.run_sandboxed(hog, limits=limits)
        probe = cgroups.for_sandbox(f"counted_{os.getpid()}", memory_bytes=2**30, processes=8)
        counted = "memory" in probe.folders
        probe.remove()
        return {"status": result.status, "data": result.data.decode(errors="replace")[-2000:], "counted": counted}

    return in_mode(mode, job)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("hog", [_memfd_hog, _secret_hog, _shm_hog], ids=["memfd", "memfd_secret", "sysv_shm"])
def test_a_sandbox_holds_no_more_memory_than_its_cap(mode, hog):
    seen = _run(mode, hog)
    if seen["status"] == "memory":
        assert seen["counted"], seen  # only a cgroup kills a process for memory it does not map
        return
    assert seen["status"] == "ok", seen
    assert json.loads(seen["data"])["held_mb"] < CAP_MB, seen


@pytest.mark.parametrize("mode", MODES)
def test_without_the_filter_a_sandbox_no_cgroup_counts_holds_more(mode):
    seen = _run(mode, _memfd_hog, frozenset({"seccomp"}))
    if seen["counted"]:
        pytest.skip("a memory cgroup counts the sandbox here: it is killed at its cap, filter or not")
    assert seen["status"] == "ok" and json.loads(seen["data"])["held_mb"] == HOG_MB, seen


@pytest.mark.parametrize("mode", MODES)
def test_each_tmpfs_caps_its_files(mode):
    seen = _run(mode, _file_hog)
    assert seen["status"] == "ok", seen
    made = json.loads(seen["data"])
    limits = sandbox.Limits()
    assert made["/tmp/work/many"] < limits.tmpfs_mb * 512, made
    # The root's cap is 4096 files beside the in-memory view's own; a folder the view counts that is a
    # mount point instead leaves its inode spare, a few at most.
    assert made["/dev/shm/many"] < 16 * 512 and made["/many"] < 4096 + 32, made
