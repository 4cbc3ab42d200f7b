"""Attack: the page cache carries what a phase two was revealed to a later sandbox's phase one.

The phase gate keeps a phase two apart from every phase one running *at the same time*; the page
cache outlives both. Every sandbox binds the same read-only trees (the system, the Python
installation, the virtual environment), so they share the cache of each file there. A phase two
spells the revealed sources one bit per file, reading the files of its 1 bits (it needs no call the
filter refuses: a plain read caches a page). Any later phase one times one read of each file: a
cached page comes back in microseconds, one from the disk in a hundred or more. The sender may be
the same student's earlier submission, as on the course server, where a student submits several
times a day.

Neither the filter (mincore, cachestat and readahead are refused, but timing a read needs none of
them) nor the gate (the two never run at once) stops this; closing it means a sandbox whose
readable files are all resident at all times (its trees in memory), or readable files limited to
what the grading itself keeps cached. Until then the test is marked xfail and says what it reads.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

import pytest

from autograder import sandbox
from tests.sandbox_modes import MODES, in_mode

SECRET = b"return 1 / (1 + torch.exp(-x)) #"   # 256 bits, one file each
MIN_SIZE = 12 * 1024                          # past the first pages a read ahead might bring in
PAGE = 8192                                   # the offset each side reads at


def _files(count: int, *, skip: int = 0) -> list[str]:
    """Files of the virtual environment that grading never reads (C headers, type stubs), in a fixed order,
    past the first ``skip`` (each mode has files of its own: the two may run at once)."""
    found = []
    for folder, names, files in os.walk(sys.prefix):
        names.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            if name.endswith((".h", ".hpp", ".cuh", ".pyi")) and os.path.getsize(path) >= MIN_SIZE:
                found.append(path)
    if len(found) < skip + count:
        pytest.skip(f"{sys.prefix} holds {len(found)} headers or stubs of {MIN_SIZE} bytes or more; the test needs {skip + count}")
    return found[skip:skip + count]


def _read_one_page(path: str) -> int:
    """Nanoseconds one small read of ``path`` takes."""
    fd = os.open(path, os.O_RDONLY)
    try:
        start = time.perf_counter_ns()
        os.pread(fd, 1, PAGE)
        return time.perf_counter_ns() - start
    finally:
        os.close(fd)


def _bits(data: bytes) -> list[int]:
    return [(byte >> shift) & 1 for byte in data for shift in range(8)]


def _publish(paths: list[str], reveal) -> bytes:
    """Phase two: read the files of the revealed secret's 1 bits."""
    for path, bit in zip(paths, _bits(reveal(b"{}"))):
        if bit:
            _read_one_page(path)
    return b"published"


def _read(paths: list[str]) -> bytes:
    """Phase one: a file read fast was cached, by someone. The split is between the quartiles: half the bits are 1."""
    took = [_read_one_page(path) for path in paths]
    quartiles = statistics.quantiles(took, n=4)
    split = (quartiles[0] * quartiles[2]) ** 0.5
    bits = [1 if each < split else 0 for each in took]
    return bytes(sum(bit << shift for shift, bit in enumerate(bits[i:i + 8])) for i in range(0, len(bits), 8))


def _evict(paths: list[str]) -> None:
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)


def _steal(mode: str) -> dict:
    def job() -> dict:
        paths = _files(8 * len(SECRET), skip=MODES.index(mode) * 8 * len(SECRET))
        _evict(paths)
        uncached = statistics.median(_read_one_page(path) for path in paths[:16])
        if uncached < 20_000:  # a file system whose cache cannot be dropped (tmpfs) or a disk as fast as memory
            return {"skip": f"reads of dropped pages took {uncached} ns here: no cold files to time"}
        _evict(paths)
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "secret"), "wb") as handle:
                handle.write(SECRET)
            secret_fd = os.open(os.path.join(folder, "secret"), os.O_RDONLY)
            try:
                limits = sandbox.Limits(wall_s=60, gate_folder=folder)  # a gate of its own: the two run one after the other anyway
                published = sandbox.run_sandboxed(_publish, paths, limits=limits, secret_fd=secret_fd)
                read = sandbox.run_sandboxed(_read, paths, limits=limits)
            finally:
                os.close(secret_fd)
        return {"published": published.data.decode(errors="replace"), "read": read.data.hex(), "status": read.status}
    return in_mode(mode, job)


@pytest.mark.xfail(strict=True, reason="the page cache outlives a sandbox: a phase two marks files by reading them and a later phase one "
                                       "times its reads (no fix in the kit yet; see the module docstring)")
@pytest.mark.parametrize("mode", MODES)
def test_a_later_phase_one_cannot_read_what_a_phase_two_cached(mode):
    seen = _steal(mode)
    if "skip" in seen:
        pytest.skip(seen["skip"])
    assert seen["published"] == "published" and seen["status"] == "ok", seen
    read = bytes.fromhex(seen["read"])
    agreement = sum(a == b for a, b in zip(_bits(read), _bits(SECRET))) / len(_bits(SECRET))
    assert agreement < 0.75, f"the phase one read {read!r}: {agreement:.0%} of the secret's bits"
